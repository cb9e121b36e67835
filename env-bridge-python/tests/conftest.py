"""Shared fixtures. Every test uses the real simulators; keep step counts small."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Callable, Iterator

import numpy as np
import pytest

import worldgate_envs  # noqa: F401  (sets MUJOCO_GL before any simulator import)
from worldgate_envs.client import WorkerProcess, python_for_workers


@pytest.fixture
def shm_path() -> Iterator[str]:
    base = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path("/tmp")
    path = base / f"worldgate-test-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    yield str(path)
    if path.exists():
        path.unlink()


@pytest.fixture
def start_worker() -> Iterator[Callable[..., WorkerProcess]]:
    started: list[WorkerProcess] = []

    def start(*args: str, subcommand: str = "serve", env: dict[str, str] | None = None) -> WorkerProcess:
        w = WorkerProcess.start(list(args), subcommand=subcommand, python=python_for_workers(), env=env)
        started.append(w)
        return w

    yield start
    for w in started:
        w.stop()


def rollout(env, seed: int, steps: int, action_seed: int = 0) -> tuple[list[dict[str, np.ndarray]], list[float]]:
    """Reset with ``seed`` and take ``steps`` random actions drawn from ``action_seed``."""
    rng = np.random.default_rng(action_seed)
    obs, _ = env.reset(seed=seed)
    frames = [{k: v.copy() for k, v in obs.items()}]
    rewards: list[float] = []
    for _ in range(steps):
        a = env.spec.action_space.sample(rng, 1)[0]
        obs, r, term, trunc, _ = env.step(a)
        frames.append({k: v.copy() for k, v in obs.items()})
        rewards.append(r)
        if term or trunc:
            break
    return frames, rewards


def same_rollouts(a, b) -> bool:
    fa, ra = a
    fb, rb = b
    if ra != rb or len(fa) != len(fb):
        return False
    return all(x.keys() == y.keys() and all(np.array_equal(x[k], y[k]) for k in x) for x, y in zip(fa, fb))
