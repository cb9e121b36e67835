"""Writes the TorchScript modules behind ``runtime.nn.internal`` (``ScriptedModule``).

DJL 0.35's JNI lacks some of libtorch's kernels; a TorchScript module's ``forward`` reaches them,
with autograd. Each module has no parameters, so its file holds only the scripted code:

* ``activations.pt``: SiLU as one kernel (``FusedActivations``). Composed as ``x * sigmoid(x)`` it
  is two operators forward and more backward, and autograd keeps ``sigmoid(x)`` beside ``x``.
* ``linear_bf16.pt``, ``matmul_bf16.pt`` and ``conv2d_bf16.pt``: a linear layer, a (batched) matrix
  product and a 2-d convolution whose operands are cast to bfloat16 and whose result is cast back to
  float32 (``Autocast``). DJL's
  ``toType(BFLOAT16)`` aborts the JVM in 0.35, and inside one call the casts cost no extra JNI trips.
  Autograd casts the gradients the same way, so the backward products run in bfloat16 too and the
  parameters' gradients arrive in float32, as under ``torch.autocast``.
* ``conv_transpose2d.pt``: libtorch's own transposed convolution (``TransposedConv2d``; DJL 0.35's
  JNI has none), taking the block's stride-1 kernel of the zero-dilated definition, which it flips
  and transposes into ``conv_transpose2d``'s layout, so parameters and outputs are those of the
  definition. Optionally with bfloat16 operands (float32 out), as ``conv2d_bf16.pt``.
* ``linear_bf16_hidden.pt``: the same linear layer with its bfloat16 result left in bfloat16, for a
  hidden layer whose LayerNorm and activation read it (``Products.hiddenLinear``): as under
  ``torch.autocast``, the activations between two products stay bfloat16.
* ``matmul_bf16_hidden.pt``: the batched product likewise, for the hidden layers of an ensemble
  of MLPs (``EnsembleMlp``).
* ``cast_bf16.pt``: a float32 array cast to bfloat16 (with autograd): the weight copies an
  inference scope keeps (``Autocast.openForInference``), so that a plan casts each weight once, not
  at every product, and the ensemble members' LayerNorm scales and offsets for bfloat16 activations.
* ``mish.pt``: libtorch's Mish as one kernel, for bfloat16 activations (it computes in float32
  inside and rounds once; the runtime's composed Mish would round each of its steps).

Run with torch 2.7.1, the libtorch DJL 0.35 loads (a newer libtorch also reads them), e.g. with the
bench environment that ``bench/torch-venv.sh`` sets up (it prints its path):

    "$(bench/torch-venv.sh)/bin/python" runtime/torchscript/make_modules.py

and commit the files it writes. ``FusedActivationsTest`` and ``AutocastTest`` check the modules
against hand-derived values and against float32.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import torch
import torch.nn.functional as F

OUT = Path(__file__).resolve().parents[1] / "src/main/resources/io/worldgate/runtime/nn/internal"


class Activations(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """SiLU, x * sigmoid(x), as one kernel forward and one backward."""
        return F.silu(x)


class LinearBf16(torch.nn.Module):
    def forward(self, x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """x w^T + b with bfloat16 operands; float32 out."""
        half = torch.bfloat16
        return F.linear(x.to(half), w.to(half), b.to(half)).to(torch.float32)


class LinearBf16Hidden(torch.nn.Module):
    def forward(self, x: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """x w^T + b with bfloat16 operands; bfloat16 out (a hidden layer's pre-activation)."""
        half = torch.bfloat16
        return F.linear(x.to(half), w.to(half), b.to(half))


class MatmulBf16Hidden(torch.nn.Module):
    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """a @ b (batched, broadcast as torch.matmul) with bfloat16 operands; bfloat16 out."""
        half = torch.bfloat16
        return torch.matmul(a.to(half), b.to(half))


class CastBf16(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x in bfloat16."""
        return x.to(torch.bfloat16)


class Mish(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Mish, x tanh(softplus(x)), as one kernel forward and one backward, in x's type."""
        return F.mish(x)


class MatmulBf16(torch.nn.Module):
    def forward(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """a @ b (batched, broadcast as torch.matmul) with bfloat16 operands; float32 out."""
        half = torch.bfloat16
        return torch.matmul(a.to(half), b.to(half)).to(torch.float32)


class Conv2dBf16(torch.nn.Module):
    def forward(self, x: torch.Tensor, w: torch.Tensor, b: torch.Tensor, geometry: torch.Tensor) -> torch.Tensor:
        """A 2-d convolution with bfloat16 operands; float32 out. geometry (int64): stride, padding and
        dilation (height, width each), then groups."""
        g: List[int] = geometry.tolist()
        half = torch.bfloat16
        y = F.conv2d(x.to(half), w.to(half), b.to(half), [g[0], g[1]], [g[2], g[3]], [g[4], g[5]], g[6])
        return y.to(torch.float32)


class ConvTranspose2d(torch.nn.Module):
    def forward(self, x: torch.Tensor, w: torch.Tensor, b: torch.Tensor, geometry: torch.Tensor) -> torch.Tensor:
        """The transposed convolution whose definition is the stride-1 convolution with kernel w
        [out, in, k, k] of x zero-dilated by the stride and padded by k - 1 - padding. geometry (int64):
        stride, padding (height, width each), whether b is a bias (else ignored), whether bfloat16.
        The input is made channels-last (a copy only where it is not), so that oneDNN computes and
        returns channels-last, the layout the channel layer norm after it reads without a copy."""
        g: List[int] = geometry.tolist()
        kernel = w.flip([2, 3]).transpose(0, 1)
        x = x.contiguous(memory_format=torch.channels_last)
        bias: Optional[torch.Tensor] = b if g[4] != 0 else None
        if g[5] != 0:
            half = torch.bfloat16
            y = F.conv_transpose2d(x.to(half), kernel.to(half), None if bias is None else bias.to(half),
                                   [g[0], g[1]], [g[2], g[3]])
            return y.to(torch.float32)
        return F.conv_transpose2d(x, kernel, bias, [g[0], g[1]], [g[2], g[3]])


MODULES = {
    "activations.pt": Activations,
    "linear_bf16.pt": LinearBf16,
    "linear_bf16_hidden.pt": LinearBf16Hidden,
    "mish.pt": Mish,
    "cast_bf16.pt": CastBf16,
    "matmul_bf16_hidden.pt": MatmulBf16Hidden,
    "matmul_bf16.pt": MatmulBf16,
    "conv2d_bf16.pt": Conv2dBf16,
    "conv_transpose2d.pt": ConvTranspose2d,
}


def main() -> int:
    if not torch.__version__.startswith("2.7.1"):
        print(f"torch {torch.__version__}: use 2.7.1, the libtorch of DJL 0.35", file=sys.stderr)
        return 2
    OUT.mkdir(parents=True, exist_ok=True)
    names = sys.argv[1:] or list(MODULES)
    for name in names:
        path = OUT / name
        torch.jit.script(MODULES[name]()).save(str(path))
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
