#!/usr/bin/env bash
# Regenerates the Hugging Face ViT-MAE fixture of plugins/mae's HfVitMaeTest (see hf_fixture.py)
# with torch and transformers from a bench-only venv, bench/.venv-torch (git-ignored; made here on
# first use). The Java test itself needs no Python.
#
#   bench/mae/hf_fixture.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=bench/.venv-torch
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import torch, transformers, safetensors' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q torch==2.7.1 transformers safetensors numpy
fi
"$VENV/bin/python" bench/mae/hf_fixture.py "$@"
