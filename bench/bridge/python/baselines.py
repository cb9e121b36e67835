#!/usr/bin/env python3
"""Python-side baselines for the env bridge: random-action steps per second.

Modes:
  inproc      one env stepped in a plain loop through the worldgate_envs adapter
  async       gymnasium.vector.AsyncVectorEnv(shared_memory=True) with N envs
              (spawned processes), each an adapter wrapped as a gymnasium.Env
  grpc        one worldgate worker with K=N envs, stepped over the gRPC Session
  grpc-shm    the same with observations in a /dev/shm file

Writes CSV rows ``env,mode,num_envs,steps_per_s`` (env steps summed over the
batch) to --out. Run with the repo venv, e.g.

  .venv/bin/python bench/bridge/python/baselines.py --out bench/results/py-baselines.csv
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Callable

import worldgate_envs  # noqa: F401  (headless MuJoCo defaults before any simulator import)
import numpy as np

DEFAULT_ENVS = ["dmc:cartpole-swingup", "atari:Pong", "metaworld:reach-v3", "const:4"]
DEFAULT_MODES = ["inproc", "async"]


def timed(step: Callable[[], int], seconds: float, warmup: int = 3) -> float:
    for _ in range(warmup):
        step()
    n = 0
    t0 = time.perf_counter()
    while True:
        n += step()
        dt = time.perf_counter() - t0
        if dt >= seconds:
            return n / dt


def bench_inproc(env_id: str, num_envs: int, seconds: float) -> float:
    from worldgate_envs import make

    env = make(env_id)
    rng = np.random.default_rng(0)
    space = env.spec.action_space
    env.reset(seed=0)

    def step() -> int:
        _, _, term, trunc, _ = env.step(space.sample(rng, 1)[0])
        if term or trunc:
            env.reset()
        return 1

    try:
        return timed(step, seconds)
    finally:
        env.close()


def _make_gym(env_id: str) -> Callable[[], object]:
    def thunk() -> object:
        import worldgate_envs  # noqa: F401  (in the spawned child, before any simulator import)
        from worldgate_envs.gym_compat import GymnasiumEnv

        return GymnasiumEnv(env_id)

    return thunk


def bench_async(env_id: str, num_envs: int, seconds: float) -> float:
    import gymnasium as gym

    venv = gym.vector.AsyncVectorEnv([_make_gym(env_id) for _ in range(num_envs)], shared_memory=True, context="spawn")
    try:
        venv.reset(seed=0)
        venv.action_space.seed(0)

        def step() -> int:
            venv.step(venv.action_space.sample())  # autoreset: next-step (Gymnasium's default)
            return num_envs

        return timed(step, seconds)
    finally:
        venv.close()


def bench_grpc(env_id: str, num_envs: int, seconds: float, shm: bool) -> float:
    from worldgate_envs.client import WorkerClient, WorkerProcess

    args = ["--env", env_id, "--num-envs", str(num_envs), "--log-level", "WARNING"]
    path = None
    if shm:
        path = f"/dev/shm/worldgate-bench-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        args += ["--shm", path]
    w = WorkerProcess.start(args, python=sys.executable)
    try:
        with WorkerClient(w.address) as c:
            c.describe()
            from worldgate_envs import make

            probe = make(env_id)
            space = probe.spec.action_space
            probe.close()
            rng = np.random.default_rng(0)
            c.reset(0)

            def step() -> int:
                c.step(space.sample(rng, num_envs))
                return num_envs

            return timed(step, seconds)
    finally:
        w.stop()
        if path and os.path.exists(path):
            os.unlink(path)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", required=True, help="CSV file to write (env,mode,num_envs,steps_per_s)")
    p.add_argument("--envs", nargs="+", default=DEFAULT_ENVS)
    p.add_argument("--modes", nargs="+", default=DEFAULT_MODES, choices=["inproc", "async", "grpc", "grpc-shm"])
    p.add_argument("--num-envs", type=int, default=2, help="N for async and grpc modes (default 2 = cores here)")
    p.add_argument("--seconds", type=float, default=3.0, help="measured time per env and mode")
    args = p.parse_args(argv)

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for env_id in args.envs:
        for mode in args.modes:
            n = 1 if mode == "inproc" else args.num_envs
            try:
                if mode == "inproc":
                    sps = bench_inproc(env_id, n, args.seconds)
                elif mode == "async":
                    sps = bench_async(env_id, n, args.seconds)
                else:
                    sps = bench_grpc(env_id, n, args.seconds, shm=mode == "grpc-shm")
            except Exception as e:  # noqa: BLE001 - keep measuring the rest
                print(f"{env_id} {mode}: failed: {e}", file=sys.stderr)
                continue
            rows.append((env_id, mode, n, f"{sps:.1f}"))
            print(f"{env_id:28s} {mode:9s} N={n:<3d} {sps:10.1f} steps/s", file=sys.stderr, flush=True)
    with out.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["env", "mode", "num_envs", "steps_per_s"])
        w.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
