#!/usr/bin/env bash
# ./worldgate bench fuzz [SECONDS] [THREADS]: a hostile client against a real `worldgate serve`.
# Starts the service on a free loopback port with the random plugin, sends it random bytes,
# oversized bodies and random well-formed requests to every RPC for SECONDS (default 60) from
# THREADS (default 4) threads, and writes requests, status codes, crashes, the service's RSS
# before, at its peak and after, and the bytes it logged, to bench/results/fuzz.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_TO_RUN=${1:-60}
THREADS=${2:-4}
if [ ! -f gateway/target/worldgate-gateway.jar ]; then
    mvn -q -B package -DskipTests -pl gateway -am
fi
# GATEWAY_JAR measures another build (e.g. an older one) with the same libraries.
CP="${GATEWAY_JAR:-gateway/target/worldgate-gateway.jar}:gateway/target/lib/*"
work=$(mktemp -d "${BENCH_TMP:-/tmp}/wg-fuzz-bench.XXXXXX")
mkdir -p "$work/deploy" bench/results
cp plugins/random/target/random-*.jar "$work/deploy/random.jar"
java ${WORLDGATE_JAVA_OPTS:-} -Dai.djl.offline=true -cp "$CP" io.worldgate.gateway.cli.Main \
    --plugins-dir "$work/deploy" --runs-dir "$work/runs" serve --port 0 --metrics-port -1 > "$work/serve.log" 2>&1 &
server=$!
cleanup() {
    kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
    [ -n "${FUZZ_KEEP_LOG:-}" ] && cp "$work/serve.log" "$FUZZ_KEEP_LOG"
    rm -rf "$work"
}
trap cleanup EXIT
for _ in $(seq 120); do
    [ -f "$work/runs/.gateway.json" ] && break
    sleep 1
done
[ -f "$work/runs/.gateway.json" ] || { cat "$work/serve.log" >&2; echo "the service did not start" >&2; exit 1; }
java -cp "$CP" bench/fuzz/ServiceFuzzBench.java --discovery "$work/runs/.gateway.json" --pid "$server" \
    --log "$work/serve.log" --seconds "$SECONDS_TO_RUN" --threads "$THREADS" --out "${FUZZ_OUT:-bench/results/fuzz.md}"
