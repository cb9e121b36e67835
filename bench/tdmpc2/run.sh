#!/usr/bin/env bash
# TD-MPC2 speed on the CPU: updates/s (batch 256) and plans/s (one act on one environment, the
# published MPPI settings) at the 1M and 5M presets, with peak memory, for Worldgate's agent and for
# a PyTorch twin (bench/tdmpc2/torch_twin.py) run one after the other in this script, with the same
# sizes, batch, dtype and threads. Appends to bench/results/tdmpc2-speed.csv and rewrites the speed
# table in bench/results/tdmpc2.md with the ratios Worldgate/twin of this run.
#
#   ./worldgate bench tdmpc2 [UPDATES] [PLANS] [THREADS]     (defaults 10, 20, 1)
#
# PRESETS (default "1M 5M") picks the presets, LABEL names the run's rows (default: commit and time),
# NOTE is printed under the table (say "under load" when other work shares the machine),
# TDMPC2_JARS times another build's plugin and runtime jars (put first on the class path),
# PRECISION (fp32, the default, or bf16) the number format of matrix products on both sides
# (Worldgate's precision key; the twin under torch.autocast). The twin
# runs on torch 2.7.1 in bench/.venv-torch, which bench/torch-venv.sh creates if absent (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/../.."
UPDATES=${1:-10}
PLANS=${2:-20}
THREADS=${3:-1}
PRESETS=${PRESETS:-1M 5M}
PRECISION=${PRECISION:-fp32}
# the precision is part of every row's label, so fp32 and bf16 rows stay apart in the CSV
LABEL=${LABEL:-$(git rev-parse --short HEAD 2>/dev/null || echo local)-$(date -u +%Y%m%dT%H%M)}-$PRECISION
CSV=bench/results/tdmpc2-speed.csv

if [ ! -f gateway/target/worldgate-gateway.jar ] || [ ! -f plugins/tdmpc2/target/tdmpc2-0.1.0-SNAPSHOT.jar ] \
        || [ ! -f runtime/target/worldgate-runtime-0.1.0-SNAPSHOT.jar ] || [ ! -f testkit/target/worldgate-testkit-0.1.0-SNAPSHOT.jar ]; then
    mvn -q -B package -DskipTests
fi
VENV=$(bench/torch-venv.sh)

CP="plugins/tdmpc2/target/tdmpc2-0.1.0-SNAPSHOT.jar:runtime/target/worldgate-runtime-0.1.0-SNAPSHOT.jar"
CP="$CP:testkit/target/worldgate-testkit-0.1.0-SNAPSHOT.jar"
CP="$CP:gateway/target/worldgate-gateway.jar:gateway/target/lib/*"
# TDMPC2_JARS puts another build's tdmpc2 (and runtime) jars first, to time that build in this harness
RUN_CP="${TDMPC2_JARS:+$TDMPC2_JARS:}$CP"
CLASSES=bench/tdmpc2/target/classes
mkdir -p "$CLASSES" bench/results
javac -d "$CLASSES" -cp "$CP" bench/tdmpc2/TdMpc2SpeedBench.java
export OPT_OUT_TRACKING=true
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
for preset in $PRESETS; do
    # the launcher's glibc settings (README, Memory): the JVM is timed as the gateway runs it
    MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-16777216} MALLOC_TOP_PAD_=${MALLOC_TOP_PAD_:-67108864} java -Xmx3g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 \
        -cp "$CLASSES:$RUN_CP" io.worldgate.plugin.tdmpc2.TdMpc2SpeedBench --preset "$preset" --updates "$UPDATES" \
        --plans "$PLANS" --warmup 2 --csv "$CSV" --label "$LABEL" --set precision="$PRECISION" 2> >(grep -v -e DEBUG -e INFO -e Warning >&2)
    "$VENV/bin/python" bench/tdmpc2/torch_twin.py --preset "$preset" --updates "$UPDATES" --plans "$PLANS" \
        --warmup 2 --threads "$THREADS" --csv "$CSV" --label "$LABEL" --precision "$PRECISION"
done
LOAD_END=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo unknown)
python3 bench/tdmpc2/report.py --csv "$CSV" --label "$LABEL" --md bench/results/tdmpc2.md \
    --machine "$(nproc) CPU cores, load average $LOAD_START at the start and $LOAD_END at the end" --note "${NOTE:-}"
echo "appended to $CSV; table in bench/results/tdmpc2.md"
