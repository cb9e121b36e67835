#!/usr/bin/env python3
"""Pixel stepping speed of the MuJoCo families: the simulators' own render calls (OLD) vs
the adapters' kept FrameRenderer (NEW), in one process, interleaved, a few rounds.

OLD is rebuilt here as the adapters did it before: a state-only env steps the physics and
the frame comes from dm_control's ``Physics.render`` (dmc) or Gymnasium's
``MujocoRenderer`` plus the 180-degree turn (Meta-World). NEW is ``make(env_id)`` stepping
with pixels. Each row also renders the frame alone (no physics) and, with ``--workers``,
steps a real worker over gRPC (NEW; and OLD from the source tree given by ``--old-src``).
CPU time is the process's (all threads: llvmpipe's too), wall time what a caller waits.

    .venv/bin/python bench/render/render_speed.py --rounds 3 --out bench/results/render.md
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

import worldgate_envs  # noqa: F401  (MUJOCO_GL before any simulator import)
from worldgate_envs import make

CASES = {
    # env id with pixels -> the same env without pixels, stepped by the OLD path
    "dmc:cartpole-swingup": "dmc:cartpole-swingup?obs=state",
    "dmc:walker-walk": "dmc:walker-walk?obs=state",
    "metaworld:reach-v3?obs=image": "metaworld:reach-v3?obs=state",
    # opt-in, other pixels: no MSAA, shadows or reflections (OLD: the same settings, old path)
    "dmc:cartpole-swingup?fast_render=true": "dmc:cartpole-swingup?obs=state",
    "metaworld:reach-v3?obs=image&fast_render=true": "metaworld:reach-v3?obs=state",
}


@dataclass
class Timing:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)

    def add(self, n: int, fn: Callable[[], Any]) -> None:
        fn()
        w, c = time.perf_counter(), time.process_time()
        for _ in range(n):
            fn()
        self.wall.append((time.perf_counter() - w) / n * 1e3)
        self.cpu.append((time.process_time() - c) / n * 1e3)


def old_frame(env: Any, fast: bool) -> Callable[[], np.ndarray]:
    """The pre-FrameRenderer frame of a state-only env, as the adapters made it."""
    import mujoco

    if env.spec.family == "dmc":
        physics, cam, size = env._env.physics, env._camera, env._opts.size
        flags = {"shadow": False, "reflection": False} if fast else None
        if fast:
            physics.model.vis.quality.offsamples = 0  # before the first render makes the GL context
        return lambda: physics.render(size, size, camera_id=cam, render_flag_overrides=flags)
    gym_env = env._env
    if fast:
        gym_env.unwrapped.model.vis.quality.offsamples = 0
        scene = gym_env.unwrapped.mujoco_renderer._get_viewer("rgb_array").scn
        scene.flags[mujoco.mjtRndFlag.mjRND_SHADOW] = 0
        scene.flags[mujoco.mjtRndFlag.mjRND_REFLECTION] = 0
    return lambda: np.ascontiguousarray(gym_env.render()[::-1, ::-1])


def old_observe(env: Any, fast: bool) -> Callable[[np.ndarray], None]:
    frame = old_frame(env, fast)

    def step(a: np.ndarray) -> None:
        env.step(a)
        frame()

    return step


def measure_in_process(env_id: str, steps: int, rounds: int) -> tuple[dict[str, Timing], tuple[int, ...]]:
    new, old = make(env_id), make(CASES[env_id])
    rng = np.random.default_rng(0)
    acts = [new.spec.action_space.sample(rng, 1)[0] for _ in range(steps)]
    t = {k: Timing() for k in ("old step", "new step", "old frame", "new frame")}
    try:
        new.reset(seed=0)
        old.reset(seed=0)
        fast = new._opts.fast_render
        old_step, old_render = old_observe(old, fast), old_frame(old, fast)
        new_render = new._renderers[new._opts.size].render if new.spec.family == "dmc" else new._frame
        for _ in range(rounds):
            it = iter(acts * 2)
            t["old step"].add(steps, lambda: old_step(next(it)))
            it = iter(acts * 2)
            t["new step"].add(steps, lambda: new.step(next(it)))
            t["old frame"].add(steps, old_render)
            t["new frame"].add(steps, new_render)
        shape = tuple(new.spec.action_space.shape)
    finally:
        new.close()
        old.close()
    return t, shape


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure_worker(env_id: str, action_shape: tuple[int, ...], steps: int, rounds: int, src: str) -> Timing:
    """Lockstep steps of a real worker over gRPC; CPU time is the worker process's."""
    from worldgate_envs.client import WorkerClient, WorkerProcess

    env = {**os.environ, "PYTHONPATH": src}
    w = WorkerProcess.start(["--env", env_id, "--num-envs", "1", "--log-level", "WARNING"], python=sys.executable, env=env)
    t = Timing()
    try:
        with WorkerClient(w.address) as c:
            c.describe()
            c.reset(0)
            a = np.zeros((1, *action_shape), np.float32)
            c.step(a)
            for _ in range(rounds):
                cpu, wall = cpu_seconds(w.proc.pid), time.perf_counter()
                for _ in range(steps):
                    c.step(a)
                t.wall.append((time.perf_counter() - wall) / steps * 1e3)
                t.cpu.append((cpu_seconds(w.proc.pid) - cpu) / steps * 1e3)
    finally:
        w.stop()
    return t


def fmt(xs: list[float]) -> str:
    return ", ".join(f"{x:.2f}" for x in xs)


def machine_note() -> str:
    load = os.getloadavg()
    top = subprocess.run(["ps", "-eo", "pcpu,comm", "--sort=-pcpu"], capture_output=True, text=True).stdout.splitlines()[1:6]
    busy = "; ".join(" ".join(line.split()) for line in top)
    return f"load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}, {os.cpu_count()} CPUs; busiest processes: {busy}"


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--envs", default=",".join(CASES))
    p.add_argument("--steps", type=int, default=0, help="steps per round (default: 100 dmc, 20 Meta-World)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--workers", action="store_true", help="also step a real worker per env over gRPC")
    p.add_argument("--old-src", default="", help="env-bridge-python/src of the OLD tree, for the OLD worker")
    p.add_argument("--out", default="")
    p.add_argument("--note", default="")
    args = p.parse_args()
    new_src = str(Path(worldgate_envs.__file__).resolve().parents[1])
    before = machine_note()
    rows = []
    for env_id in args.envs.split(","):
        steps = args.steps or (20 if env_id.startswith("metaworld") else 100)
        t, shape = measure_in_process(env_id, steps, args.rounds)
        row: dict[str, Any] = {"env": env_id, **t}
        if args.workers:
            # interleaved, so both see the same machine
            for _ in range(args.rounds):
                for key, src in (("old worker", args.old_src), ("new worker", new_src)):
                    if src:
                        got = measure_worker(env_id, shape, steps, 1, src)
                        row.setdefault(key, Timing()).wall.extend(got.wall)
                        row[key].cpu.extend(got.cpu)
        rows.append(row)
        print(env_id, {k: fmt(v.wall) for k, v in row.items() if isinstance(v, Timing)}, flush=True)
    after = machine_note()
    lines = [
        "| env | what | OLD ms wall (rounds) | NEW ms wall (rounds) | ratio wall (median) | OLD ms CPU | NEW ms CPU | ratio CPU |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        pairs = [("step in process", "old step", "new step"), ("frame alone", "old frame", "new frame")]
        if "old worker" in row:
            pairs.append(("worker step (gRPC)", "old worker", "new worker"))
        for what, o, n in pairs:
            old, new = row[o], row[n]
            rw = np.median(old.wall) / np.median(new.wall)
            rc = np.median(old.cpu) / np.median(new.cpu)
            lines.append(
                f"| {row['env']} | {what} | {fmt(old.wall)} | {fmt(new.wall)} | {rw:.2f}x | {fmt(old.cpu)} | {fmt(new.cpu)} | {rc:.2f}x |"
            )
        if "old worker" not in row and "new worker" in row:
            lines.append(f"| {row['env']} | worker step (gRPC), NEW only | | {fmt(row['new worker'].wall)} | | | {fmt(row['new worker'].cpu)} | |")
    by_env = {row["env"]: row for row in rows}
    for row in rows:
        base = by_env.get(row["env"].replace("?fast_render=true", "").replace("&fast_render=true", ""))
        if base is not None and base is not row:
            old, new = base["old step"], row["new step"]
            lines.append(
                f"| {row['env']} | step in process vs OLD default pixels | {fmt(old.wall)} | {fmt(new.wall)} | "
                f"{np.median(old.wall) / np.median(new.wall):.2f}x | {fmt(old.cpu)} | {fmt(new.cpu)} | "
                f"{np.median(old.cpu) / np.median(new.cpu):.2f}x |"
            )
    table = "\n".join(lines)
    print(table)
    if args.out:
        note = f"\n{args.note}\n" if args.note else ""
        with Path(args.out).open("a") as f:  # runs pile up under the file's hand-written summary
            f.write(
            f"\n## Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}\n{note}\n"
            f"Machine before: {before}.\n\nMachine after: {after}.\n\n{table}\n"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
