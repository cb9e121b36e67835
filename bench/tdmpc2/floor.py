"""How fast can a TD-MPC2 update and plan be on this CPU in float32? The products' floor.

Times the PyTorch twin (torch_twin.py) four times in one process, on the same shapes, threads
and batches: as it is (twin-full, libtorch's Mish kernel); with Mish in the one-exp form Worldgate
uses (twin-one-exp-mish, about 3x cheaper than the kernel on this CPU); with softmax (SimNorm's and
the two-hot decoding's; the losses' log_softmax and dropout stay) replaced by the identity as well
(twin-no-softmax: the products, LayerNorm and Mish, which the published architecture cannot do
without); and with LayerNorm and Mish replaced by the identity too (twin-products: the matrix
products and a few small elementwise operations).
The last is what any float32 implementation on libtorch's matrix kernels needs at least; issue 11's
goal (1.5x faster than the authors' code: 82 ms per 1M update, 100 ms per 1M plan) can be set
against the last two.

Usage: floor.py --preset 1M|5M [--updates N] [--plans N] [--warmup W] [--threads T] [--csv FILE]
Wall times: run it on a quiet machine. Appends one row per variant to the CSV.
"""
from __future__ import annotations

import argparse
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_twin  # noqa: E402


def identity(x, *args, **kwargs):
    return x


def one_exp_mish(x, inplace=False):
    """Mish as Worldgate's runtime computes it (runtime/nn/Mish.java): one exp, x p / (p + 2), p = n (n + 2)."""
    n = x.clamp(max=20.0).exp()
    p = n * (n + 2)
    return x * (p / (p + 2))


# what each variant replaces: by the identity, or Mish by its one-exp form
VARIANTS = {
    "twin-full": {},
    "twin-one-exp-mish": {"mish": one_exp_mish},
    "twin-no-softmax": {"mish": one_exp_mish, "softmax": identity},
    "twin-products": {"layer_norm": identity, "mish": identity, "softmax": identity},
}


def measure(preset: str, args: argparse.Namespace, replaced: dict) -> tuple[float, float]:
    saved = (F.layer_norm, F.mish, F.softmax)
    for name, function in replaced.items():
        setattr(F, name, function)
    try:
        torch.manual_seed(1)
        c = torch_twin.Cfg(preset)
        agent = torch_twin.Agent(c)
        batches = [(torch.randn(c.batch, c.horizon + 1, torch_twin.STATE),
                    torch.rand(c.batch, c.horizon, torch_twin.ACTIONS) * 2 - 1,
                    torch.rand(c.batch, c.horizon), torch.ones(c.batch, c.horizon))
                   for _ in range(args.warmup + args.updates)]
        args.precision = "fp32"
        per_update, _, per_plan, _ = torch_twin.timed(agent, batches, args)
        return per_update, per_plan
    finally:
        F.layer_norm, F.mish, F.softmax = saved


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--preset", default="1M", choices=["1M", "5M"])
    ap.add_argument("--updates", type=int, default=10)
    ap.add_argument("--plans", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--csv")
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    rows = []
    # one untimed pass first, so that one-time costs (allocator, kernels' first calls) land on no variant
    measure(args.preset, argparse.Namespace(**{**vars(args), "updates": 1, "plans": 1}), {})
    for impl, replaced in VARIANTS.items():
        per_update, per_plan = measure(args.preset, args, replaced)
        rows.append((impl, per_update, per_plan))
        print(f"{impl:14s} {args.preset}: {per_update * 1e3:7.1f} ms/update, {per_plan * 1e3:7.1f} ms/plan "
              f"(wall, {args.threads} threads: run it on a quiet machine)")
    full, products = rows[0], rows[-1]
    print(f"products' share: {products[1] / full[1]:.0%} of an update, {products[2] / full[2]:.0%} of a plan")
    if args.csv:
        new = not os.path.exists(args.csv)
        with open(args.csv, "a") as f:
            if new:
                f.write("impl,label,preset,threads,updates,plans,s_per_update,s_per_plan\n")
            for impl, u, p in rows:
                f.write(f"{impl},{args.label},{args.preset},{args.threads},{args.updates},{args.plans},{u:.4f},{p:.4f}\n")


if __name__ == "__main__":
    main()
