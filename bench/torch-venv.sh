#!/usr/bin/env bash
# Prints the path of the bench-only PyTorch venv (bench/.venv-torch, git-ignored), creating it on
# first use: torch 2.7.1, the libtorch version DJL 0.35 runs, so that comparisons are like for like.
# Extra packages a script needs besides torch and numpy are named as arguments (their import
# names, which are also their pip names here, e.g. `transformers safetensors`) and added when missing.
#
#   VENV=$(bench/torch-venv.sh [PACKAGE ...])
set -euo pipefail
VENV="$(cd "$(dirname "$0")" && pwd)/.venv-torch"
if ! "$VENV/bin/python" -c 'import torch' >/dev/null 2>&1; then
    python3 -m venv "$VENV" >&2
    "$VENV/bin/pip" install -q torch==2.7.1 numpy >&2
fi
for package in "$@"; do
    if ! "$VENV/bin/python" -c "import $package" >/dev/null 2>&1; then
        "$VENV/bin/pip" install -q "$package" >&2
    fi
done
echo "$VENV"
