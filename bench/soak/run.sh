#!/usr/bin/env bash
# ./worldgate bench soak [MINUTES] [--env gym:CartPole-v1] [--envs 8] [--workers 4] [--every-s 5] [--max-failures 40] [--note TEXT]
# A training run on real Python workers while a random worker is killed every few seconds (SIGKILL,
# every third time SIGSTOP). Results: bench/results/soak.md. Needs the built gateway and the random
# plugin (./worldgate build) and the Python workers' venv, which this sets up.
set -euo pipefail
cd "$(dirname "$0")/../.."
env-bridge-python/install.sh >&2
exec java ${WORLDGATE_JAVA_OPTS:-} -Dworldgate.log.level="${WORLDGATE_LOG:-WARN}" \
  -cp "gateway/target/worldgate-gateway.jar:gateway/target/lib/*" bench/soak/SoakBench.java "$@"
