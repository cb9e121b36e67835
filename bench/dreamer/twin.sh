#!/usr/bin/env bash
# Worldgate's Dreamer update against its PyTorch twin (bench/dreamer/twin/dreamer_twin.py: same
# model, batch, fp32, threads, torch 2.7.1 eager), one after the other in this script, at the debug
# size (from state, and debug_image: from 64x64 pixels at batch 16x32) and the dmc_vision size. Checks that both have the same parameters per module, then appends s/update,
# phase times and peak RSS of both, and their ratio, to bench/results/dreamer-twin.csv and rewrites
# the table between the twin markers in bench/results/dreamer.md.
#
#   bench/dreamer/twin.sh [UPDATES] [THREADS]      (default 3 timed updates after 1 warm-up; 1 thread)
#   PRESETS="debug" LABEL=name PRECISION=bf16 (both sides' products in bfloat16: Worldgate's precision key,
#   the twin under torch.autocast; fp32 by default)
#   BEFORE_JARS=DIR: also runs another build's dreamer and runtime jars (DIR/dreamer-*.jar, DIR/worldgate-runtime-*.jar;
#   the dreamer jar needs DreamerAgent.listenToPhases) first, as the row "worldgate-before"
#   PROFILE=1: one more update of each under libtorch's profiler (Worldgate's through DJL's JniUtils, the
#   twin's with torch.profiler) and the resident memory at phase boundaries; operator tables per phase
#   and memory CSVs go to bench/results/dreamer-profile/ (the raw traces stay in the temporary folder)
set -euo pipefail
cd "$(dirname "$0")/../.."
UPDATES=${1:-3}
THREADS=${2:-1}
PRECISION=${PRECISION:-fp32}
# the precision is part of every row's label, so fp32 and bf16 rows stay apart in the CSV
LABEL=${LABEL:-$(git rev-parse --short HEAD 2>/dev/null || echo local)}-$PRECISION
VENV=$(bench/torch-venv.sh)
if [ ! -f gateway/target/worldgate-gateway.jar ] || [ ! -f plugins/dreamer/target/dreamer-0.1.0-SNAPSHOT.jar ] || [ ! -f runtime/target/worldgate-runtime-0.1.0-SNAPSHOT.jar ]; then
    mvn -q -B package -DskipTests
fi
CP="plugins/dreamer/target/dreamer-0.1.0-SNAPSHOT.jar:runtime/target/worldgate-runtime-0.1.0-SNAPSHOT.jar:gateway/target/worldgate-gateway.jar:gateway/target/lib/*"
CLASSES=bench/dreamer/target/classes
mkdir -p "$CLASSES" bench/results
javac -d "$CLASSES" -cp "$CP" bench/dreamer/DreamerSpeedBench.java
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
LOAD=$(cut -d' ' -f1 /proc/loadavg)
export OPT_OUT_TRACKING=true
# Worldgate's JVMs get the allocator setting ./worldgate gives the gateway (README, "Memory"); the twin runs as PyTorch users run it
WGENV=(env MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-16777216}")
for preset in ${PRESETS:-debug debug_image dmc_vision}; do
    BEFORE=()
    if [ -n "${BEFORE_JARS:-}" ]; then
        "${WGENV[@]}" java -Xmx2g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 \
            -cp "$CLASSES:$BEFORE_JARS/dreamer-0.1.0-SNAPSHOT.jar:$BEFORE_JARS/worldgate-runtime-0.1.0-SNAPSHOT.jar:$CP" \
            io.worldgate.plugin.dreamer.DreamerSpeedBench --preset "$preset" --updates "$UPDATES" --warmup 1 \
            --json "$TMP/$preset-before.json" --label "$LABEL" 2> >(grep -v -e DEBUG -e INFO >&2)
        BEFORE=(--before "$TMP/$preset-before.json")
    fi
    WGPROF=()
    [ -n "${PROFILE:-}" ] && WGPROF=(--profile-dir "$TMP/profile")
    "${WGENV[@]}" java -Xmx2g -Dai.djl.offline=true -Dai.djl.pytorch.num_threads="$THREADS" -Dai.djl.pytorch.num_interop_threads=1 \
        -cp "$CLASSES:$CP" io.worldgate.plugin.dreamer.DreamerSpeedBench --preset "$preset" --updates "$UPDATES" \
        --warmup 1 --json "$TMP/$preset.json" --label "$LABEL" --params "$TMP/$preset-params.json" --set precision="$PRECISION" \
        "${WGPROF[@]}" 2> >(grep -v -e DEBUG -e INFO >&2)
    PROF=()
    [ -n "${PROFILE:-}" ] && PROF=(--profile "$TMP/profile/twin-$preset.txt")
    OMP_NUM_THREADS="$THREADS" "$VENV/bin/python" bench/dreamer/twin/dreamer_twin.py --preset "$preset" \
        --updates "$UPDATES" --warmup 1 --threads "$THREADS" --expect-params "$TMP/$preset-params.json" \
        --json-out "$TMP/$preset-twin.json" --precision "$PRECISION" "${PROF[@]}"
    if [ -n "${PROFILE:-}" ]; then
        OUT=bench/results/dreamer-profile
        mkdir -p "$OUT"
        cp "$TMP/profile/worldgate-$preset-memory.csv" "$TMP/profile/twin-$preset-memory.csv" "$OUT/"
        for phase in model imagine actor critic; do
            { echo "# $LABEL, $preset, phase $phase, self time per operator (under libtorch's profiler)"
              echo "## Worldgate"; python3 bench/dreamer/twin/ops.py "$TMP/profile/worldgate-$preset-$phase.json"
              echo "## torch twin"; python3 bench/dreamer/twin/ops.py "$TMP/profile/twin-$preset.json" --phase "$phase"
            } > "$OUT/$preset-$phase.txt"
        done
    fi
    python3 bench/dreamer/twin/report.py --worldgate "$TMP/$preset.json" --twin "$TMP/$preset-twin.json" \
        --label "$LABEL" --load "$LOAD" --csv bench/results/dreamer-twin.csv --md bench/results/dreamer.md "${BEFORE[@]}"
done
