#!/usr/bin/env bash
# World Models speed on this machine (a benchmark, not a test): `./worldgate bench worldmodels [SEED]`.
# Two short runs of the worldmodels plugin on doom:TakeCover (4 envs, the doom_cpu preset) through
# the real gateway and Python workers:
#   dream: C evolved in M's dream (the preset as it is), 20,000 steps: about ten generations;
#   real:  the same preset with train_in=real, 14,000 steps: one generation in the real environment.
# Only the timings are of interest, so both collect 20 random episodes (not 60) and train V for a
# fifth of a pass (its per-update time does not depend on how many); M trains as the preset says,
# since the dream's episodes last as long as M lets them. From each
# run's metrics.jsonl: seconds per V update and per M update, and seconds per CMA-ES generation
# (the dream's without the real episode of the mean that follows it) and the mean episode length
# in those generations (dream episodes end where M predicts it, so their cost follows M). Appends to
# bench/results/worldmodels.csv and prints the rows. Timings on a shared machine: say so.
set -euo pipefail
cd "$(dirname "$0")/../.."
SEED=${1:-1}
if [ ! -f gateway/target/worldgate-gateway.jar ] || [ ! -f plugins/worldmodels/target/worldmodels-0.1.0-SNAPSHOT.jar ]; then
    mvn -q -B package -DskipTests
fi
WORK=$(mktemp -d /tmp/wg-bench-worldmodels.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/deploy" "$WORK/runs" bench/results
cp plugins/worldmodels/target/worldmodels-0.1.0-SNAPSHOT.jar "$WORK/deploy/worldmodels.jar"
wg() {
    # the launcher's glibc mmap threshold (README, Memory); the Python workers inherit it, as the launcher's do
    MALLOC_MMAP_THRESHOLD_=${MALLOC_MMAP_THRESHOLD_:-16777216} java -Dai.djl.offline=true -Dworldgate.log.level=WARN \
        -cp "gateway/target/worldgate-gateway.jar:gateway/target/lib/*" \
        io.worldgate.gateway.cli.Main --plugins-dir "$WORK/deploy" --runs-dir "$WORK/runs" "$@"
}
COMMON=(train --agent worldmodels --preset doom_cpu --env doom:TakeCover --envs 4 --seed "$SEED" --eval-every 100000000
        --set random_episodes=20 --set vae_epochs=0.2)
CSV=bench/results/worldmodels.csv
[ -f "$CSV" ] || echo "label,mode,vae_s_per_update,vae_batch,rnn_s_per_update,rnn_batch_x_len,generation_s,generations,population_x_rollouts,episode_steps" > "$CSV"
LABEL=${LABEL:-$(git rev-parse --short HEAD 2>/dev/null || echo local)}
for mode in dream real; do
    before=$(ls "$WORK/runs" | wc -l)
    if [ "$mode" = dream ]; then
        wg "${COMMON[@]}" --steps 20000 > "$WORK/$mode.log" 2>&1
    else
        wg "${COMMON[@]}" --set train_in=real --steps 14000 > "$WORK/$mode.log" 2>&1
    fi
    run=$(ls -t "$WORK/runs" | head -1)
    python3 - "$WORK/runs/$run/metrics.jsonl" "$mode" "$LABEL" >> "$CSV" <<'PY'
import json, sys
path, mode, label = sys.argv[1:4]
last, gens, lengths = {}, [], []
for line in open(path):
    r = json.loads(line)
    last[r["tag"]] = r["value"]
    if r["tag"] == "es/seconds":
        gens.append(r["value"])
    elif r["tag"] == "es/mean_return":
        lengths.append(r["value"])  # TakeCover scores 1 a step: the mean return is the mean episode length
vae = last["vae/seconds"] / last["vae/updates"]
rnn = last["rnn/seconds"] / last["rnn/updates"]
mean = lambda v: sum(v) / len(v) if v else float("nan")
print(f"{label},{mode},{vae:.3f},32,{rnn:.3f},16x32,{mean(gens):.2f},{len(gens)},16x8,{mean(lengths):.0f}")
PY
done
echo "appended to $CSV:"
tail -2 "$CSV"
