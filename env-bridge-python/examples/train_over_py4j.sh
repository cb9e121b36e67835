#!/usr/bin/env bash
# Example for the Py4J transport (the gateway drives Python env workers over Py4J, pixels through
# /dev/shm): a short random-agent run on Atari Pong with 2 envs in 2 worker processes.
#   env-bridge-python/examples/train_over_py4j.sh [more train flags]
set -euo pipefail
cd "$(dirname "$0")/../.."
exec ./worldgate train --agent random --env atari:Pong --envs 2 --workers 2 --transport py4j --steps 400 "$@"
