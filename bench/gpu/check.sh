#!/usr/bin/env bash
# Each agent family's update on a CUDA device through DJL, beside the CPU's (./worldgate bench gpu):
# Dreamer's full update, TD-MPC2's, World Models' V and M updates, the MAE learner's, at small
# presets on synthetic data, timed on the CPU and then, when DJL sees a GPU, on the GPU. First prints
# which libtorch DJL loaded (version, flavor, path, the PYTORCH_* variables). A GPU row counts only
# if the model's parameters are on the GPU after its updates. Prints a table, rewrites
# bench/results/gpu.md and appends to bench/results/gpu.csv. Without a GPU, the GPU rows say "no
# CUDA device: not run". Exit status 1 when a family failed or did not run where asked, 2 when DJL
# could not load libtorch. About 1-2 minutes on 2 CPU cores at the default sizes.
#
#   bench/gpu/check.sh [UPDATES] [WARMUP]       (default 3 timed updates after 1 warm-up per device)
#
# FAMILIES (default "dreamer=debug tdmpc2=1M worldmodels=doom_cpu mae=small64") picks the presets,
# THREADS sets libtorch's CPU threads (default: one per core), LABEL names the run's CSV rows, NOTE
# is written under the table (say "under load" when other work shares the machine). To use a GPU,
# point DJL at a CUDA libtorch 2.7.1 first: see the README's "GPU" section.
set -euo pipefail
cd "$(dirname "$0")/../.."
UPDATES=${1:-3}
WARMUP=${2:-1}
FAMILIES=${FAMILIES:-dreamer=debug tdmpc2=1M worldmodels=doom_cpu mae=small64}
LABEL=${LABEL:-$(git rev-parse --short HEAD 2>/dev/null || echo local)-$(date -u +%Y%m%dT%H%M)}
declare -A PLUGIN=([dreamer]=plugins/dreamer/target/dreamer-0.1.0-SNAPSHOT.jar
    [tdmpc2]=plugins/tdmpc2/target/tdmpc2-0.1.0-SNAPSHOT.jar
    [worldmodels]=plugins/worldmodels/target/worldmodels-0.1.0-SNAPSHOT.jar
    [mae]=plugins/mae/target/mae-0.1.0-SNAPSHOT.jar)
declare -A SOURCES=([dreamer]="bench/gpu/DreamerOnDevice.java bench/dreamer/DreamerSpeedBench.java"
    [tdmpc2]=bench/gpu/TdMpc2OnDevice.java [worldmodels]=bench/gpu/WorldModelsOnDevice.java [mae]=bench/gpu/MaeOnDevice.java)

if [ ! -f gateway/target/worldgate-gateway.jar ] || [ ! -f testkit/target/worldgate-testkit-0.1.0-SNAPSHOT.jar ] \
        || ! ls "${PLUGIN[@]}" > /dev/null 2>&1; then
    mvn -o -q -B package -DskipTests
fi
# the host's class path; each family's plugin jar and bench class get a class loader of their own
CP="testkit/target/worldgate-testkit-0.1.0-SNAPSHOT.jar:gateway/target/worldgate-gateway.jar:gateway/target/lib/*"
OUT=bench/gpu/target
mkdir -p "$OUT/classes" bench/results
javac -d "$OUT/classes" -cp "$CP" bench/gpu/GpuCheck.java bench/gpu/Timed.java bench/gpu/UpdateClock.java
ARGS=(--updates "$UPDATES" --warmup "$WARMUP" --csv bench/results/gpu.csv --md bench/results/gpu.md --label "$LABEL"
      --note "${NOTE:-}" --command "${THREADS:+THREADS=$THREADS }bench/gpu/check.sh $UPDATES $WARMUP")
for fp in $FAMILIES; do
    family=${fp%%=*}
    if [ -z "${PLUGIN[$family]:-}" ]; then
        echo "no family '$family'; families: ${!PLUGIN[*]}" >&2
        exit 2
    fi
    mkdir -p "$OUT/$family"
    # shellcheck disable=SC2086
    javac -d "$OUT/$family" -cp "$OUT/classes:${PLUGIN[$family]}:$CP" ${SOURCES[$family]}
    ARGS+=(--family "$fp=$OUT/$family:${PLUGIN[$family]}")
done
JOPTS=(-Xmx4g -Dai.djl.offline=true)
if [ -n "${THREADS:-}" ]; then JOPTS+=(-Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1); fi
if command -v nvidia-smi > /dev/null 2>&1; then
    nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null | sed 's/^/nvidia-smi: /' || true
fi
export OPT_OUT_TRACKING=true
java "${JOPTS[@]}" -cp "$OUT/classes:$CP" io.worldgate.bench.gpu.GpuCheck "${ARGS[@]}" 2> >(grep -v -e DEBUG -e INFO >&2)
