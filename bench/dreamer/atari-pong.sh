#!/usr/bin/env bash
# Dreamer on Atari 100k Pong through the Python env bridge, with DreamerV3's atari100k settings:
# 64x64 RGB, action repeat 4, no sticky actions, 30 no-ops, minimal action set, 1 environment,
# 100k agent steps (400k frames), replay ratio 1024 (= --train-ratio 1.0 at batch 16 x 64).
# Published DreamerV3 Atari 100k Pong: about 18 (human 14.6, random -20.7).
#
#   bench/dreamer/atari-pong.sh [SEED] [STEPS] [extra args]
# Needs the atari: environments of the Python bridge (./worldgate envs list shows them).
set -euo pipefail
SEED=${1:-0}
STEPS=${2:-100000}
shift $(( $# > 2 ? 2 : $# ))
cd "$(dirname "$0")/../.."
if ! ./worldgate envs list 2>/dev/null | grep -q '^atari'; then
    echo "the atari: environments are not available in this build (the Python env bridge is needed); nothing run" >&2
    exit 3
fi
exec bench/dreamer/learn.sh --env atari:Pong --env-option size=64 --env-option gray=false --env-option sticky=false \
    --env-option frameskip=4 --env-option noops=30 --preset atari100k --steps "$STEPS" --envs 1 --train-ratio 1.0 \
    --prefill 1024 --eval-every 10000 --eval-episodes 10 --seed "$SEED" --goal 14.6 --action-repeat 4 \
    --out "bench/results/dreamer-atari-pong-seed$SEED" "$@"
