#!/usr/bin/env bash
# Runs DreamerLearningBench: a Dreamer learning curve through the gateway's training loop, written
# to OUT.csv and OUT.png after every evaluation. All arguments go to the benchmark; see
# DreamerLearningBench.java, or the wrappers cartpole.sh, dmc-cartpole-swingup.sh and atari-pong.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
./worldgate build >/dev/null     # builds if sources changed and deploys the plugins into deploy/
CP="gateway/target/worldgate-gateway.jar:gateway/target/lib/*"
CLASSES=bench/dreamer/target/learning-classes
mkdir -p "$CLASSES" bench/results
javac -d "$CLASSES" -cp "$CP" bench/dreamer/DreamerLearningBench.java
export OPT_OUT_TRACKING=true
# one libtorch thread: two OpenMP threads on a shared two-core machine slowed updates 10-40x
exec java ${BENCH_JAVA_OPTS:--Xmx4g -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1} -Dai.djl.offline=true -Dworldgate.log.level=WARN -cp "$CLASSES:$CP" \
    DreamerLearningBench --deploy deploy "$@"
