#!/usr/bin/env bash
# Benchmark of the disk experience store: 1 and 8 environments, appending STEPS steps of 64x64x3
# pixels each (about 12.4 KiB per step on disk) and sampling 1000 batches of 16x64.
# Writes bench/results/experience.md.
#
#   bench/experience/run.sh [STEPS] [STEPS_8_ENVS]     (default 1000000 for both)
#
# Data goes to a temporary folder under ${BENCH_TMP:-/tmp}, deleted after each case; it needs
# about STEPS x 12.4 KiB of free disk. HEAP sets -Xmx (default 256m), DIRECT -XX:MaxDirectMemorySize (default 512m).
set -euo pipefail
cd "$(dirname "$0")/../.."
STEPS=${1:-1000000}
STEPS8=${2:-$STEPS}
if [ ! -f gateway/target/worldgate-gateway.jar ]; then
    mvn -q -B package -DskipTests -pl gateway -am
fi
CP="gateway/target/worldgate-gateway.jar:gateway/target/lib/*"
CLASSES=bench/experience/target/classes
mkdir -p "$CLASSES" bench/results
javac -d "$CLASSES" -cp "$CP" bench/experience/ExperienceBench.java

run_case() {
    local envs=$1 steps=$2 append=$3
    local data
    data=$(mktemp -d "${BENCH_TMP:-/tmp}/wg-experience-bench.XXXXXX")
    trap 'rm -rf "$data"' RETURN
    echo "== $envs environment(s), $steps steps, data in $data (free: $(df -h --output=avail "$data" | tail -1))"
    java -Xmx"${HEAP:-256m}" -XX:MaxDirectMemorySize=${DIRECT:-512m} -cp "$CLASSES:$CP" ExperienceBench \
        --envs "$envs" --steps "$steps" --dir "$data/experience" --out bench/results/experience.md $append
}
run_case 1 "$STEPS" ""
run_case 8 "$STEPS8" --append
echo "written bench/results/experience.md"
