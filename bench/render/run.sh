#!/usr/bin/env bash
# ./worldgate bench render [--rounds R] [--envs a,b] [--steps N] [--note TEXT]
# MuJoCo pixel stepping, the simulators' own render calls (OLD) vs the adapters' FrameRenderer
# (NEW), in process and through a real worker (the OLD worker runs the env bridge as of commit
# $WORLDGATE_RENDER_OLD, default b5b1eba, the last one before FrameRenderer). Results:
# bench/results/render.md. Run it on a quiet machine: both sides share the CPU.
set -euo pipefail
cd "$(dirname "$0")/../.."
env-bridge-python/install.sh >&2
old_commit="${WORLDGATE_RENDER_OLD:-b5b1eba}"
old_src_args=()
if git cat-file -e "$old_commit^{commit}" 2>/dev/null; then
  old_tree="$(mktemp -d)"
  trap 'rm -rf "$old_tree"' EXIT
  git archive "$old_commit" env-bridge-python/src | tar -x -C "$old_tree"
  # the gRPC stubs are generated, not committed: the proto is the same on both sides
  cp env-bridge-python/src/worldgate_envs/_proto/*_pb2*.py* "$old_tree/env-bridge-python/src/worldgate_envs/_proto/"
  old_src_args=(--old-src "$old_tree/env-bridge-python/src")
else
  echo "render bench: commit $old_commit not in this clone; the OLD worker is skipped" >&2
fi
PYTHONPATH="$PWD/env-bridge-python/src" .venv/bin/python bench/render/render_speed.py \
  --workers "${old_src_args[@]}" --out bench/results/render.md "$@"
