"""Writes ``activations.pt``, the TorchScript module behind ``FusedActivations`` (runtime.nn.internal).

DJL 0.35's JNI has no SiLU: composed as ``x * sigmoid(x)`` it is two operators forward and more
backward, and autograd keeps ``sigmoid(x)`` beside ``x``. libtorch has a single kernel for it, which
DJL can reach through a TorchScript module's method. The module has no parameters, so the file
holds only the scripted code.

Run with torch 2.7.1, the libtorch DJL 0.35 loads (a newer libtorch also reads it), e.g. with the
bench environment that ``bench/torch-venv.sh`` sets up (it prints its path):

    "$(bench/torch-venv.sh)/bin/python" runtime/torchscript/make_activations.py

and commit the file it writes. ``FusedActivationsTest`` checks the module against hand-derived
values and against the composed form.
"""

from __future__ import annotations

import sys
from pathlib import Path

import torch
import torch.nn.functional as F

OUT = Path(__file__).resolve().parents[1] / "src/main/resources/io/worldgate/runtime/nn/internal/activations.pt"


class Activations(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """SiLU, x * sigmoid(x), as one kernel forward and one backward."""
        return F.silu(x)


def main() -> int:
    if not torch.__version__.startswith("2.7.1"):
        print(f"torch {torch.__version__}: use 2.7.1, the libtorch of DJL 0.35", file=sys.stderr)
        return 2
    OUT.parent.mkdir(parents=True, exist_ok=True)
    torch.jit.script(Activations()).save(str(OUT))
    print(f"wrote {OUT} ({OUT.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
