#!/usr/bin/env bash
# Dreamer training-update speed on the CPU: s/update and peak memory of one full update (world
# model + actor + critic) at the dmc_vision size (batch 16 x 64, 64x64 pixels), against the debug
# size in the same run. Writes bench/results/dreamer-speed.csv and prints a table.
#
#   bench/dreamer/speed.sh [UPDATES] [THREADS]      (default 3 timed updates after 1 warm-up; 1 libtorch thread)
set -euo pipefail
cd "$(dirname "$0")/../.."
UPDATES=${1:-3}
THREADS=${2:-1}
if [ ! -f gateway/target/worldgate-gateway.jar ] || [ ! -f plugins/dreamer/target/dreamer-0.1.0-SNAPSHOT.jar ]; then
    mvn -q -B package -DskipTests
fi
# DREAMER_JARS puts another build's dreamer (and runtime) jars first, to measure it against this one
JARS=${DREAMER_JARS:-plugins/dreamer/target/dreamer-0.1.0-SNAPSHOT.jar}
CP="$JARS:gateway/target/worldgate-gateway.jar:gateway/target/lib/*"
CLASSES=bench/dreamer/target/classes
mkdir -p "$CLASSES" bench/results
javac -d "$CLASSES" -cp "plugins/dreamer/target/dreamer-0.1.0-SNAPSHOT.jar:gateway/target/worldgate-gateway.jar:gateway/target/lib/*" \
    bench/dreamer/DreamerSpeedBench.java
CSV=bench/results/dreamer-speed.csv
LABEL=${LABEL:-$(git rev-parse --short HEAD 2>/dev/null || echo local)}
JOPTS=(-Xmx2g -Dai.djl.offline=true)
if [ -n "$THREADS" ]; then JOPTS+=(-Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1); fi
export OPT_OUT_TRACKING=true
# the allocator setting ./worldgate gives the gateway (README, "Memory")
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-16777216}"
for preset in ${PRESETS:-debug dmc_vision}; do
    java "${JOPTS[@]}" -cp "$CLASSES:$CP" io.worldgate.plugin.dreamer.DreamerSpeedBench \
        --preset "$preset" --updates "$UPDATES" --warmup 1 --csv "$CSV" --label "$LABEL" 2> >(grep -v -e DEBUG -e INFO >&2)
done
echo "appended to $CSV"
