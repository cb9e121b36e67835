#!/usr/bin/env bash
# Old build against this one, interleaved in one script: TdMpc2SpeedBench (Worldgate only, no twin)
# alternately with another build's plugin and runtime jars first on the class path (BASE_JARS) and
# with this checkout's, REPEATS times; prints each run and the per-pair ratios new/base of CPU time
# per update and per plan (the calling thread's: what a loaded machine disturbs least).
#
#   BASE_JARS=/path/tdmpc2-0.1.0-SNAPSHOT.jar:/path/worldgate-runtime-0.1.0-SNAPSHOT.jar \
#       bench/tdmpc2/ab.sh [REPEATS] [UPDATES] [PLANS] [THREADS]          (defaults 3, 10, 20, 1)
#
# Or, within one build, BASE_OPTS gives the base runs JVM options (NEW_OPTS the new runs'), e.g.
# BASE_OPTS=-Dworldgate.nn.bf16Activations=false to time bfloat16 activations against widened ones.
# PRESET (default 1M) and PRECISION (default bf16) as in run.sh. Make BASE_JARS from an older commit
# with `git worktree add /tmp/base REF && (cd /tmp/base && mvn -q -B package -DskipTests -pl
# plugins/tdmpc2 -am)`. This checkout's jars must be built (mvn package).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ -z "${BASE_JARS:-}" ] && [ -z "${BASE_OPTS:-}" ]; then
    echo "set BASE_JARS (the old build: tdmpc2 and runtime jars) or BASE_OPTS (JVM options for the base runs)" >&2
    exit 2
fi
REPEATS=${1:-3}
UPDATES=${2:-10}
PLANS=${3:-20}
THREADS=${4:-1}
PRESET=${PRESET:-1M}
PRECISION=${PRECISION:-bf16}
CP="plugins/tdmpc2/target/tdmpc2-0.1.0-SNAPSHOT.jar:runtime/target/worldgate-runtime-0.1.0-SNAPSHOT.jar"
CP="$CP:testkit/target/worldgate-testkit-0.1.0-SNAPSHOT.jar"
CP="$CP:gateway/target/worldgate-gateway.jar:gateway/target/lib/*"
CLASSES=bench/tdmpc2/target/classes
mkdir -p "$CLASSES"
javac -d "$CLASSES" -cp "$CP" bench/tdmpc2/TdMpc2SpeedBench.java
export OPT_OUT_TRACKING=true
OUT=$(mktemp)
echo "preset $PRESET, precision $PRECISION, $THREADS libtorch thread(s), $UPDATES updates and $PLANS plans a run;" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg) at the start"
for r in $(seq "$REPEATS"); do
    for which in base new; do
        jars=""
        opts="${NEW_OPTS:-}"
        if [ "$which" = base ]; then
            jars="${BASE_JARS:+$BASE_JARS:}"
            opts="${BASE_OPTS:-}"
        fi
        line=$(MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-16777216} MALLOC_TOP_PAD_=${MALLOC_TOP_PAD_:-67108864} \
            java -Xmx3g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 $opts \
            -cp "$CLASSES:$jars$CP" io.worldgate.plugin.tdmpc2.TdMpc2SpeedBench --preset "$PRESET" --updates "$UPDATES" \
            --plans "$PLANS" --warmup 2 --label "$which" --set precision="$PRECISION" 2>/dev/null | grep '^worldgate')
        echo "$r $which $line" | tee -a "$OUT"
    done
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end"
python3 - "$OUT" <<'EOF'
import re, sys
runs = {}
for line in open(sys.argv[1]):
    r, which = line.split()[:2]
    m = re.search(r"CPU time of the calling thread: ([\d.]+) ms/update, ([\d.]+) ms/plan", line)
    runs.setdefault(r, {})[which] = (float(m.group(1)), float(m.group(2)))
pairs = [v for v in runs.values() if "base" in v and "new" in v]
for i, what in enumerate(["update", "plan"]):
    ratios = [p["new"][i] / p["base"][i] for p in pairs]
    base = sum(p["base"][i] for p in pairs) / len(pairs)
    new = sum(p["new"][i] for p in pairs) / len(pairs)
    print(f"{what}: CPU ms base {base:.1f}, new {new:.1f}; new/base per pair "
          + ", ".join(f"{x:.3f}" for x in ratios) + f"; mean {sum(ratios) / len(ratios):.3f}")
EOF
rm -f "$OUT"
