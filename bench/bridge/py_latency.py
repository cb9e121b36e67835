#!/usr/bin/env python3
"""Round-trip latency of one lockstep Step on a const worker, from a Python gRPC client.

A reference for the gateway's own numbers: what the Python worker costs by itself, without the
JVM. Prints one CSV line ``python-grpc,<p50_us>,<p99_us>,<steps_per_s>``.

    .venv/bin/python bench/bridge/py_latency.py --steps 2000
"""

from __future__ import annotations

import argparse
import sys
import time

import worldgate_envs  # noqa: F401
import numpy as np


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--env", default="const:4")
    p.add_argument("--steps", type=int, default=2000)
    args = p.parse_args()
    from worldgate_envs.client import WorkerClient, WorkerProcess

    w = WorkerProcess.start(["--env", args.env, "--num-envs", "1", "--log-level", "WARNING"], python=sys.executable)
    try:
        with WorkerClient(w.address) as c:
            c.describe()
            c.reset(0)
            a = np.zeros((1, 1), np.float32)
            for _ in range(200):
                c.step(a)
            d = np.empty(args.steps)
            t0 = time.perf_counter()
            for i in range(args.steps):
                s = time.perf_counter()
                c.step(a)
                d[i] = time.perf_counter() - s
            total = time.perf_counter() - t0
    finally:
        w.stop()
    print(f"python-grpc,{np.percentile(d, 50) * 1e6:.1f},{np.percentile(d, 99) * 1e6:.1f},{args.steps / total:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
