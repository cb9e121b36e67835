#!/usr/bin/env bash
# ./worldgate bench bridge [--seconds S] [--num-envs N] [--envs a,b] [--transports grpc,grpc-shm,py4j] [--note TEXT]
# Results: bench/results/bridge.{md,csv}. Needs the Python workers' venv, which this sets up.
set -euo pipefail
cd "$(dirname "$0")/../.."
env-bridge-python/install.sh >&2
export OPT_OUT_TRACKING=true
exec java ${WORLDGATE_JAVA_OPTS:-} -Dai.djl.offline=true -Dworldgate.log.level="${WORLDGATE_LOG:-WARN}" \
  -cp "gateway/target/worldgate-gateway.jar:gateway/target/lib/*" bench/bridge/BridgeBench.java "$@"
