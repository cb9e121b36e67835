"""Frames of the adapters' own renderer are byte-identical to the simulators' render calls.

The adapters render through one kept FrameRenderer per env (adapters/_frames.py). The
reference here is the path they used before, computed in the test on the same physics
state: dm_control's ``Physics.render`` and Gymnasium's ``MujocoRenderer``, each with its
own GL context and the model's 640x480 offscreen buffer.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from worldgate_envs import make

STEPS = 8


def actions(env: Any, n: int) -> list[np.ndarray]:
    rng = np.random.default_rng(3)
    return [env.spec.action_space.sample(rng, 1)[0] for _ in range(n)]


def dmc_reference(env: Any, size: int, fast: bool) -> np.ndarray:
    physics = env._env.physics
    flags = {"shadow": False, "reflection": False} if fast else None
    return physics.render(size, size, camera_id=env._camera, render_flag_overrides=flags)


@pytest.mark.parametrize(
    "env_id",
    ["dmc:cartpole-swingup", "dmc:walker-walk", "dmc:quadruped-walk", "dmc:cartpole-swingup?fast_render=true"],
)
def test_dmc_frames_equal_physics_render(env_id):
    env = make(env_id)
    fast = env.spec.options["fast_render"] == "true"
    try:
        if fast:
            # The old fast path turned MSAA off on the model before its first render.
            env._env.physics.model.vis.quality.offsamples = 0
        obs, _ = env.reset(seed=11)
        frames = [obs["image"]]
        expected = [dmc_reference(env, 64, fast)]
        for a in actions(env, STEPS):
            obs, *_ = env.step(a)
            frames.append(obs["image"])
            expected.append(dmc_reference(env, 64, fast))
        rendered = env.render()
        assert rendered.shape == (256, 256, 3)
        assert np.array_equal(rendered, dmc_reference(env, 256, fast))
    finally:
        env.close()
    assert len({f.tobytes() for f in frames}) > 1  # the scene moves: the comparison means something
    for i, (got, want) in enumerate(zip(frames, expected)):
        assert got.dtype == np.uint8 and got.flags.c_contiguous
        assert np.array_equal(got, want), f"{env_id}: frame {i} differs in {int((got != want).any(-1).sum())} pixels"


def metaworld_reference(env: Any) -> np.ndarray:
    gym_renderer = env._raw.mujoco_renderer
    gym_renderer._get_viewer("rgb_array").make_context_current()
    img = gym_renderer.render("rgb_array")
    return img[::-1, ::-1] if env._opts.upright else img


@pytest.mark.parametrize("env_id", ["metaworld:reach-v3", "metaworld:push-v3?upright=false&obs=image"])
def test_metaworld_frames_equal_gymnasium_render(env_id):
    env = make(env_id)
    try:
        obs, _ = env.reset(seed=4)
        frames = [obs["image"]]
        expected = [metaworld_reference(env)]
        for a in actions(env, 4):
            obs, *_ = env.step(a)
            frames.append(obs["image"])
            expected.append(metaworld_reference(env))
    finally:
        env.close()
    assert len({f.tobytes() for f in frames}) > 1
    for i, (got, want) in enumerate(zip(frames, expected)):
        assert np.array_equal(got, want), f"{env_id}: frame {i} differs in {int((got != want).any(-1).sum())} pixels"


def test_metaworld_envs_sharing_a_thread_render_their_own_scene():
    # A worker steps K envs on one thread; each frame must come from its own env's GL context.
    alone = make("metaworld:reach-v3?obs=image")
    try:
        obs, _ = alone.reset(seed=4)
        want = [obs["image"]]
        for a in actions(alone, 3):
            want.append(alone.step(a)[0]["image"])
    finally:
        alone.close()
    first, second = make("metaworld:reach-v3?obs=image"), make("metaworld:push-v3?obs=image")
    try:
        got = [first.reset(seed=4)[0]["image"]]
        second.reset(seed=4)
        for a in actions(first, 3):
            second.step(a)
            got.append(first.step(a)[0]["image"])
            second.step(a)
    finally:
        first.close()
        second.close()
    for i, (g, w) in enumerate(zip(got, want)):
        assert np.array_equal(g, w), f"frame {i} differs in {int((g != w).any(-1).sum())} pixels"
