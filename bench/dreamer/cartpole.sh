#!/usr/bin/env bash
# Dreamer on java:CartPole (Gymnasium CartPole-v1 physics, 500-step episodes), the debug preset.
# Goal: mean evaluation return >= 400 within 50k env steps. Writes bench/results/dreamer-cartpole-seedS.{csv,png}.
#
#   bench/dreamer/cartpole.sh [SEED] [STEPS] [extra DreamerLearningBench args, e.g. --stop-at-goal]
set -euo pipefail
SEED=${1:-0}
STEPS=${2:-50000}
shift $(( $# > 2 ? 2 : $# ))
exec "$(dirname "$0")/learn.sh" --env java:CartPole --preset debug --steps "$STEPS" --envs 4 \
    --train-ratio 0.25 --prefill 1000 --eval-every 1000 --eval-episodes 10 --seed "$SEED" --goal 400 \
    --out "bench/results/dreamer-cartpole-seed$SEED" "$@"
