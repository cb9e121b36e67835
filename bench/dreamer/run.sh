#!/usr/bin/env bash
# Dreamer benchmarks (not tests). `./worldgate bench dreamer [WHAT] [args]`, WHAT is one of:
#   speed [UPDATES] [THREADS]          s/update and peak memory at the dmc_vision and debug sizes (default)
#   twin [UPDATES] [THREADS]           the same update against its PyTorch twin (torch 2.7.1 eager), side by side
#   cartpole [SEED] [STEPS]            learning curve on java:CartPole (goal: eval return >= 400 within 50k steps)
#   dmc-cartpole-swingup state|pixels [SEED] [STEPS]   learning curve on dmc:cartpole-swingup (Python bridge)
#   atari-pong [SEED] [STEPS]          Atari 100k Pong learning curve (Python bridge)
# Results go to bench/results/ (see bench/dreamer/README.md).
set -euo pipefail
HERE="$(dirname "$0")"
WHAT=${1:-speed}
[ $# -gt 0 ] && shift
case "$WHAT" in
    speed|twin|cartpole|dmc-cartpole-swingup|atari-pong) exec "$HERE/$WHAT.sh" "$@" ;;
    *) echo "unknown dreamer benchmark '$WHAT'; one of: speed twin cartpole dmc-cartpole-swingup atari-pong" >&2; exit 2 ;;
esac
