#!/usr/bin/env bash
# The MAE encoder's speed on the CPU (./worldgate bench mae): frames a second through the encoder
# (every patch, batch 64; 8 at 224x224), and the added cost per Dreamer update of encoder=mae in each
# encoder_mode (frozen, finetune, online) against Dreamer's CNN, the same Dreamer size, in one
# process. Weights are random (speed does not depend on them). Appends to
# bench/results/mae-speed.csv and prints a table.
#
#   bench/mae/run.sh [UPDATES] [THREADS]     (default 3 timed updates after 1 warm-up; 1 libtorch thread)
#   MAE=small64|debug|vit_b16  PRESET=debug  (the Dreamer preset)  SET="batch_size=8 ..."  (Dreamer keys)
set -euo pipefail
cd "$(dirname "$0")/../.."
UPDATES=${1:-3}
THREADS=${2:-1}
if [ ! -f gateway/target/worldgate-gateway.jar ] || [ ! -f plugins/dreamer/target/dreamer-0.1.0-SNAPSHOT.jar ] \
        || [ ! -f plugins/mae/target/mae-0.1.0-SNAPSHOT.jar ]; then
    mvn -o -q -B package -DskipTests
fi
# dreamer first: both bundles hold presets/debug.properties, and the bench resolves Dreamer presets
CP="plugins/dreamer/target/dreamer-0.1.0-SNAPSHOT.jar:plugins/mae/target/mae-0.1.0-SNAPSHOT.jar:gateway/target/worldgate-gateway.jar:gateway/target/lib/*"
CLASSES=bench/mae/target/classes
mkdir -p "$CLASSES" bench/results
javac -d "$CLASSES" -cp "$CP" bench/mae/MaeBenchEncoders.java bench/mae/MaeBench.java bench/dreamer/DreamerSpeedBench.java
LABEL=${LABEL:-$(git rev-parse --short HEAD 2>/dev/null || echo local)}
JOPTS=(-Xmx3g -Dai.djl.offline=true)
if [ -n "$THREADS" ]; then JOPTS+=(-Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1); fi
ARGS=(--mae "${MAE:-small64}" --preset "${PRESET:-debug}" --updates "$UPDATES" --csv bench/results/mae-speed.csv --label "$LABEL")
for kv in ${SET:-}; do ARGS+=(--set "$kv"); done
export OPT_OUT_TRACKING=true
# the launcher's glibc mmap threshold (README, Memory): the JVM is timed as the gateway runs it
MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-16777216} java "${JOPTS[@]}" -cp "$CLASSES:$CP" io.worldgate.plugin.dreamer.MaeBench "${ARGS[@]}" 2> >(grep -v -e DEBUG -e INFO >&2)
echo "appended to bench/results/mae-speed.csv"
