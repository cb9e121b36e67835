"""The bridge's envs against the conventions of the reference agents (DreamerV3's env code) and
Gymnasium's own checker, one env of every family."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from PIL import Image

from worldgate_envs import make
from worldgate_envs.gym_compat import GymnasiumEnv
from worldgate_envs.registry import BUILTIN_FAMILIES


@pytest.mark.parametrize("env_id", [next(iter(f.examples)) for f in BUILTIN_FAMILIES])
def test_gymnasium_env_checker_passes_on_every_family(env_id: str) -> None:
    env = GymnasiumEnv(env_id)
    try:
        check_env(env, skip_render_check=False)
    finally:
        env.close()


def test_gymnasium_env_checker_passes_on_a_stacked_dmc_env() -> None:
    env = GymnasiumEnv("dmc:cartpole-swingup?frame_stack=3")
    try:
        assert env.observation_space["image"].shape == (64, 64, 9)
        check_env(env, skip_render_check=True)
    finally:
        env.close()


def _ale(env: Any) -> Any:
    return env._ale  # the adapter's emulator, to count the frames it played


def test_atari_no_op_starts_draw_zero_to_noops_inclusive() -> None:
    env = make("atari:Pong?noops=2")
    try:
        counts = set()
        for seed in range(40):
            env.reset(seed)
            counts.add(int(_ale(env).getEpisodeFrameNumber()))
        assert counts == {0, 1, 2}
    finally:
        env.close()


def test_atari_no_op_frames_do_not_count_towards_the_frame_cap() -> None:
    # 8 frames per episode at frameskip 4: exactly two agent steps after any no-op start
    env = make("atari:Pong?noops=30&max_frames=8")
    try:
        for seed in range(3):
            env.reset(seed)
            _, _, terminated, truncated, _ = env.step(0)
            assert not (terminated or truncated)
            _, _, terminated, truncated, _ = env.step(0)
            assert truncated and not terminated
    finally:
        env.close()


def test_atari_frames_are_resized_bilinearly_then_converted_to_gray() -> None:
    rgb = make("atari:Pong?noops=0")
    gray = make("atari:Pong?noops=0&gray=true")
    try:
        obs, _ = rgb.reset(7)
        raw = rgb.render()
        expected = np.asarray(Image.fromarray(raw).resize((64, 64), Image.Resampling.BILINEAR))
        np.testing.assert_array_equal(obs["image"], expected)
        gobs, _ = gray.reset(7)
        weights = np.array([0.299, 0.587, 1 - (0.299 + 0.587)])
        np.testing.assert_array_equal(gobs["image"][:, :, 0], (expected * weights).sum(-1).astype(np.uint8))
    finally:
        rgb.close()
        gray.close()


def test_atari_box_resize_stays_available_and_differs_on_thin_objects() -> None:
    bilinear = make("atari:Pong?noops=0")
    box = make("atari:Pong?noops=0&resize=box")
    try:
        a, _ = bilinear.reset(3)
        b, _ = box.reset(3)
        assert a["image"].shape == b["image"].shape == (64, 64, 3)
        assert not np.array_equal(a["image"], b["image"])
    finally:
        bilinear.close()
        box.close()


def test_metaworld_observations_lie_inside_their_declared_space() -> None:
    env = make("metaworld:button-press-v3?obs=state")
    try:
        space = next(o for o in env.spec.observations if o.name == "state")
        for seed in range(3):
            obs, _ = env.reset(seed)
            state = obs["state"]
            assert np.all(state >= space.low) and np.all(state <= space.high), seed
    finally:
        env.close()
