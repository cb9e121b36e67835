#!/usr/bin/env bash
# Regenerates the Hugging Face ViT-MAE fixture of plugins/mae's HfVitMaeTest (see hf_fixture.py)
# with torch and transformers from the bench-only venv that bench/torch-venv.sh makes (git-ignored,
# shared with the other benches). The Java test itself needs no Python.
#
#   bench/mae/hf_fixture.sh [OUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=$(bench/torch-venv.sh transformers safetensors)
"$VENV/bin/python" bench/mae/hf_fixture.py "$@"
