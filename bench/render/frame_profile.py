#!/usr/bin/env python3
"""Where one 64x64 MuJoCo frame's time goes on OSMesa: cProfile of the OLD render call, then
the CPU cost per frame of the kept renderer with one ingredient of the picture changed at a
time (shadows, reflections, MSAA, shadow map size, offscreen buffer size). Only the first
row has today's pixels; the others show what each ingredient costs. Prints Markdown.

    PYTHONPATH=env-bridge-python/src .venv/bin/python bench/render/frame_profile.py
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
import time
from typing import Any, Callable

import numpy as np

import worldgate_envs  # noqa: F401  (MUJOCO_GL before any simulator import)
from worldgate_envs import make
from worldgate_envs.adapters._frames import FrameRenderer

FRAMES = {"dmc": 60, "metaworld": 12}


def cpu_ms(n: int, fn: Callable[[], Any]) -> float:
    fn()
    best = float("inf")
    for _ in range(2):  # best of two: the machine is shared
        c = time.process_time()
        for _ in range(n):
            fn()
        best = min(best, (time.process_time() - c) / n * 1e3)
    return best


def renderer(env: Any, **kw: Any) -> FrameRenderer:
    import mujoco

    if env.spec.family == "dmc":
        physics = env._env.physics
        model, data, cam = physics.model.ptr, physics.data.ptr, env._camera
    else:
        model, data, cam = env._raw.model, env._raw.data, env._raw.mujoco_renderer.camera_id
    shadow = kw.pop("shadowsize", None)
    saved = model.vis.quality.shadowsize
    if shadow is not None:
        model.vis.quality.shadowsize = shadow
    flags = {getattr(mujoco.mjtRndFlag, f"mjRND_{k.upper()}"): v for k, v in kw.pop("flags", {}).items()}
    try:
        return FrameRenderer(model, data, cam, 64, 64, flags=flags, **kw)
    finally:
        model.vis.quality.shadowsize = saved


def old_call(env: Any) -> Callable[[], Any]:
    if env.spec.family == "dmc":
        physics, cam = env._env.physics, env._camera
        return lambda: physics.render(64, 64, camera_id=cam)
    viewer = env._raw.mujoco_renderer._get_viewer("rgb_array")

    def call() -> Any:
        viewer.make_context_current()  # the other renderers here have their own contexts
        return env._env.render()

    return call


def top_entries(fn: Callable[[], Any], n: int) -> str:
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(n):
        fn()
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(8)
    keep = [line for line in out.getvalue().splitlines() if line.strip() and not line.startswith("   Ordered")]
    return "\n".join(keep[-10:])


def main() -> int:
    env_ids = sys.argv[1:] or ["dmc:cartpole-swingup", "metaworld:reach-v3?obs=image"]
    for env_id in env_ids:
        env = make(env_id)
        env.reset(seed=0)
        n = FRAMES[env.spec.family]
        model = env._env.physics.model.ptr if env.spec.family == "dmc" else env._raw.model
        q = model.vis.quality
        print(f"### {env_id}\n")
        print(f"Model: offscreen {model.vis.global_.offwidth}x{model.vis.global_.offheight}, "
              f"{q.offsamples}x MSAA, shadow map {q.shadowsize}x{q.shadowsize}, "
              f"{int(model.light_castshadow.sum())} of {model.nlight} lights cast shadows.\n")
        old = old_call(env)
        old()
        print("cProfile of the OLD call, top entries by own time (dm_control renders on its own thread: its GL work shows as lock waits):\n")
        print("```\n" + top_entries(old, n) + "\n```\n")
        rows = [("OLD call (Physics.render / MujocoRenderer)", old)]
        variants: list[tuple[str, dict]] = [
            ("kept renderer, frame-size buffer (NEW, same pixels)", {}),
            ("kept renderer, 640x480 buffer (same pixels)", {"offscreen": (640, 480)}),
            ("no shadows", {"flags": {"shadow": False}}),
            ("no reflections", {"flags": {"reflection": False}}),
            ("no MSAA", {"offsamples": 0}),
            ("shadow map 1024", {"shadowsize": 1024}),
            ("shadow map 256", {"shadowsize": 256}),
            ("no MSAA, shadows, reflections (fast_render)", {"offsamples": 0, "flags": {"shadow": False, "reflection": False}}),
        ]
        made = []
        for name, kw in variants:
            r = renderer(env, **kw)
            made.append(r)
            rows.append((name, r.render))
        print("| variant | CPU ms per 64x64 frame |\n|---|---|")
        for name, fn in rows:
            print(f"| {name} | {cpu_ms(n, fn):.2f} |")
        print()
        for r in made:
            r.close()
        env.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
