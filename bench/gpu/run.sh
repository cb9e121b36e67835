#!/usr/bin/env bash
# ./worldgate bench gpu [UPDATES] [WARMUP]: the GPU check, bench/gpu/check.sh
exec "$(dirname "$0")/check.sh" "$@"
