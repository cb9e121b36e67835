#!/usr/bin/env bash
# Dreamer on DeepMind Control cartpole-swingup through the Python env bridge, from proprioceptive
# state (dmc_proprio preset) or 64x64 pixels (dmc_vision preset), with DreamerV3's settings: action
# repeat 2, replay ratio 512 (= --train-ratio 0.5 at batch 16 x 64), 4 environments.
# STEPS counts agent steps; each is 2 env frames, so the default 50,000 is the 100k env steps of
# the goals (state >= 600, pixels >= 300). On a 2-core CPU those presets would take days (see
# bench/results/dreamer.md); the results there use `--preset debug` with a smaller replay ratio.
#
#   bench/dreamer/dmc-cartpole-swingup.sh state|pixels [SEED] [STEPS] [extra args]
# Needs the dmc: environments of the Python bridge (./worldgate envs list shows them).
set -euo pipefail
MODE=${1:?state or pixels}
SEED=${2:-0}
STEPS=${3:-50000}
shift $(( $# > 3 ? 3 : $# ))
cd "$(dirname "$0")/../.."
if ! ./worldgate envs list 2>/dev/null | grep -q '^dmc'; then
    echo "the dmc: environments are not available in this build (the Python env bridge is needed); nothing run" >&2
    exit 3
fi
case "$MODE" in
    state) PRESET=dmc_proprio; OBS=state; GOAL=600 ;;
    pixels) PRESET=dmc_vision; OBS=image; GOAL=300 ;;
    *) echo "mode is state or pixels" >&2; exit 2 ;;
esac
exec bench/dreamer/learn.sh --env dmc:cartpole-swingup --env-option obs=$OBS --env-option size=64 \
    --env-option action_repeat=2 --preset $PRESET --steps "$STEPS" --envs 4 --train-ratio 0.5 --prefill 5000 \
    --eval-every 10000 --eval-episodes 5 --seed "$SEED" --goal $GOAL --action-repeat 2 \
    --out "bench/results/dreamer-dmc-cartpole-swingup-$MODE-seed$SEED" "$@"
