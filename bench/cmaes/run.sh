#!/usr/bin/env bash
# CMA-ES against pycma: evaluations to f < 1e-8 on sphere, ellipsoid (condition 1e6) and Rosenbrock
# in 10-D and 30-D, over SEEDS seeds each, for io.worldgate.runtime.evolve.CmaEs and pycma 4.5.0
# (installed into a bench-only venv, bench/.venv-cma, on first use), and the time per generation
# at n = 867, lambda = 64. Writes bench/results/cmaes.md (and the raw rows to bench/results/cmaes-*.csv).
#
#   bench/cmaes/run.sh [SEEDS]        (default 11; REUSE_PYCMA=1 reuses bench/results/cmaes-pycma.csv)
set -euo pipefail
cd "$(dirname "$0")/../.."
SEEDS=${1:-11}
VENV=bench/.venv-cma
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import cma; assert cma.__version__.startswith("4.5.0")' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q cma==4.5.0
fi
if [ ! -d runtime/target/classes/io/worldgate/runtime/evolve ] || [ ! -d api/target/classes ]; then
    mvn -o -q -B compile -pl runtime -am
fi
CP="runtime/target/classes:api/target/classes"
CLASSES=bench/cmaes/target/classes
mkdir -p "$CLASSES" bench/results
javac -d "$CLASSES" -cp "$CP" bench/cmaes/CmaEsBench.java
java -cp "$CLASSES:$CP" CmaEsBench bench/results/cmaes-java.csv "$SEEDS"
"$VENV/bin/python" bench/cmaes/pycma_bench.py bench/results/cmaes-java.csv bench/results/cmaes-pycma.csv bench/results/cmaes.md "$SEEDS"
