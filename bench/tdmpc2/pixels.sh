#!/usr/bin/env bash
# TD-MPC2's pixel path on the CPU: seconds per training update (batch 256, 64x64 frames, 3 stacked)
# and per plan, for this checkout's build and, in the same script, for a baseline build's jars
# (BASE_JARS: its tdmpc2 plugin jar, and runtime jar if it differs, colon-separated; e.g. the
# plugin jar a frozen copy deployed). Appends to bench/results/tdmpc2-pixels-speed.csv and prints
# the ratio this/baseline of the calling thread's CPU time (what a loaded machine disturbs least).
#
#   BASE_JARS=path/to/old/tdmpc2.jar bench/tdmpc2/pixels.sh [UPDATES] [PLANS] [THREADS]   (defaults 6, 10, 1)
#
# The PyTorch twin (run.sh) has no pixel encoder, so the baseline here is another build of ours.
set -euo pipefail
cd "$(dirname "$0")/../.."
UPDATES=${1:-6}
PLANS=${2:-10}
THREADS=${3:-1}
PRESET=${PRESET:-1M}
LABEL=${LABEL:-$(git rev-parse --short HEAD 2>/dev/null || echo local)-$(date -u +%Y%m%dT%H%M)}
CSV=bench/results/tdmpc2-pixels-speed.csv
if [ ! -f gateway/target/worldgate-gateway.jar ] || [ ! -f plugins/tdmpc2/target/tdmpc2-0.1.0-SNAPSHOT.jar ]; then
    mvn -q -B package -DskipTests
fi
CP="plugins/tdmpc2/target/tdmpc2-0.1.0-SNAPSHOT.jar:runtime/target/worldgate-runtime-0.1.0-SNAPSHOT.jar"
CP="$CP:testkit/target/worldgate-testkit-0.1.0-SNAPSHOT.jar:gateway/target/worldgate-gateway.jar:gateway/target/lib/*"
CLASSES=bench/tdmpc2/target/classes
mkdir -p "$CLASSES" bench/results
javac -d "$CLASSES" -cp "$CP" bench/tdmpc2/TdMpc2SpeedBench.java
export OPT_OUT_TRACKING=true
time_build() { # $1: label, $2: jars put first on the class path (empty: this build)
    MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-16777216} java -Xmx3g -Dai.djl.offline=true \
        -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 \
        -cp "$CLASSES:${2:+$2:}$CP" io.worldgate.plugin.tdmpc2.TdMpc2SpeedBench --obs image --preset "$PRESET" \
        --updates "$UPDATES" --plans "$PLANS" --warmup 1 --csv "$CSV" --label "$1" 2> >(grep -v -e DEBUG -e INFO -e Warning >&2)
}
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
if [ -n "${BASE_JARS:-}" ]; then
    time_build "$LABEL-baseline" "$BASE_JARS"
fi
time_build "$LABEL" ""
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
echo "load average $LOAD_START at the start, $LOAD_END at the end"
if [ -n "${BASE_JARS:-}" ]; then
    python3 - "$CSV" "$LABEL" <<'PY'
import csv, sys
rows = {r["label"]: r for r in csv.DictReader(open(sys.argv[1]))}
new, old = rows[sys.argv[2]], rows[sys.argv[2] + "-baseline"]
for what in ("update", "plan"):
    a, b = float(new[f"cpu_s_per_{what}"]), float(old[f"cpu_s_per_{what}"])
    print(f"{what}: {a * 1e3:.0f} ms CPU against the baseline's {b * 1e3:.0f} ms: {a / b:.2f}x the time")
PY
fi
