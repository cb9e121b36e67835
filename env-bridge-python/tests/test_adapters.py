"""Spec shapes and seeding determinism of every family, on the real simulators."""

from __future__ import annotations

import numpy as np
import pytest

from worldgate_envs import BoxSpace, DiscreteSpace, OptionError, make
from worldgate_envs.adapters.const import MAX_STEP_DELAY_MS
from worldgate_envs.spaces import EnvSpec

from conftest import rollout, same_rollouts


def obs_shapes(spec: EnvSpec) -> dict[str, tuple[tuple[int, ...], str]]:
    return {o.name: (o.shape, o.dtype) for o in spec.observations}


def check_obs(spec: EnvSpec, obs: dict[str, np.ndarray]) -> None:
    assert list(obs) == list(spec.observation_names)
    for o in spec.observations:
        assert obs[o.name].shape == o.shape and obs[o.name].dtype == o.np_dtype, o.name


@pytest.fixture(scope="module")
def walker():
    env = make("dmc:walker-walk")
    yield env
    env.close()


def test_dmc_image_spec_and_step(walker):
    spec = walker.spec
    assert spec.env_id == "dmc:walker-walk" and spec.family == "dmc"
    assert obs_shapes(spec) == {"image": ((64, 64, 3), "uint8")}
    assert isinstance(spec.action_space, BoxSpace) and spec.action_space.shape == (6,)
    assert spec.action_space.dtype == "float32"
    assert np.all(spec.action_space.low == -1) and np.all(spec.action_space.high == 1)
    assert spec.max_episode_steps == 500  # 1000 control steps at action_repeat 2
    obs, _ = walker.reset(seed=0)
    check_obs(spec, obs)
    assert obs["image"].std() > 0  # a real frame, not a blank buffer
    obs, r, term, trunc, _ = walker.step(np.zeros(6, np.float32))
    check_obs(spec, obs)
    assert isinstance(r, float) and not term and not trunc


def test_dmc_determinism(walker):
    a = rollout(walker, seed=3, steps=4)
    b = rollout(walker, seed=3, steps=4)
    c = rollout(walker, seed=4, steps=4)
    assert same_rollouts(a, b)
    assert not same_rollouts(a, c)


def test_dmc_state_and_both_and_underscored_domain():
    env = make("dmc:ball_in_cup-catch?obs=both")
    try:
        assert obs_shapes(env.spec) == {"image": ((64, 64, 3), "uint8"), "state": ((8,), "float32")}
        a = rollout(env, seed=1, steps=3)
        assert same_rollouts(a, rollout(env, seed=1, steps=3))
    finally:
        env.close()
    env = make("dmc:cartpole-swingup", {"obs": "state"})
    try:
        assert obs_shapes(env.spec) == {"state": ((5,), "float32")}  # position 3 + velocity 2
        obs, _ = env.reset(seed=0)
        check_obs(env.spec, obs)
    finally:
        env.close()


def test_dmc_truncates_at_the_time_limit():
    env = make("dmc:cartpole-swingup?obs=state&episode_steps=6")
    try:
        assert env.spec.max_episode_steps == 3
        env.reset(seed=0)
        flags = [env.step(np.zeros(1, np.float32))[2:4] for _ in range(3)]
        assert flags == [(False, False), (False, False), (False, True)]
    finally:
        env.close()


def test_fast_render_option_gives_real_frames():
    env = make("dmc:cartpole-swingup?fast_render=true")
    try:
        obs, _ = env.reset(seed=0)
        assert obs["image"].shape == (64, 64, 3) and obs["image"].std() > 0
        assert same_rollouts(rollout(env, seed=1, steps=2), rollout(env, seed=1, steps=2))
    finally:
        env.close()


def test_dmc_frame_stack_holds_the_last_frames_oldest_first():
    stacked, single = make("dmc:cartpole-swingup?frame_stack=3"), make("dmc:cartpole-swingup")
    try:
        assert obs_shapes(stacked.spec) == {"image": ((64, 64, 9), "uint8")}
        assert stacked.spec.options["frame_stack"] == "3"
        frames, _ = rollout(single, seed=5, steps=4)
        stacks, _ = rollout(stacked, seed=5, steps=4)
        assert len(stacks) == len(frames) == 5
        # at reset every slot holds the first frame; then each step shifts in the new one
        for t, stack in enumerate(stacks):
            groups = [stack["image"][:, :, 3 * k : 3 * k + 3] for k in range(3)]
            for k, group in enumerate(groups):
                assert np.array_equal(group, frames[max(0, t - 2 + k)]["image"]), (t, k)
        assert not np.array_equal(frames[1]["image"], frames[4]["image"])  # the stack saw motion
    finally:
        stacked.close()
        single.close()


def test_dmc_frame_stack_starts_again_at_reset_with_action_repeat_and_both():
    env = make("dmc:cartpole-swingup?obs=both&frame_stack=2&action_repeat=4&episode_steps=8")
    try:
        assert obs_shapes(env.spec) == {"image": ((64, 64, 6), "uint8"), "state": ((5,), "float32")}
        env.reset(seed=1)
        obs, _, term, trunc, _ = env.step(np.ones(1, np.float32))
        obs, _, term, trunc, _ = env.step(np.ones(1, np.float32))
        assert (term, trunc) == (False, True)
        assert not np.array_equal(obs["image"][:, :, :3], obs["image"][:, :, 3:])
        first, _ = env.reset(seed=1)
        assert np.array_equal(first["image"][:, :, :3], first["image"][:, :, 3:])
        assert same_rollouts(rollout(env, seed=2, steps=3), rollout(env, seed=2, steps=3))
    finally:
        env.close()


@pytest.mark.parametrize(
    "options", [{"frame_stack": "0"}, {"frame_stack": "17"}, {"frame_stack": "-1"}, {"frame_stack": "3", "obs": "state"}]
)
def test_dmc_frame_stack_refuses_bad_values(options):
    with pytest.raises(OptionError, match="frame_stack"):
        make("dmc:cartpole-swingup", options)


@pytest.fixture(scope="module")
def pong():
    env = make("atari:Pong")
    yield env
    env.close()


def test_atari_spec_and_step(pong):
    spec = pong.spec
    assert obs_shapes(spec) == {"image": ((64, 64, 3), "uint8")}
    assert spec.action_space == DiscreteSpace(6)
    obs, info = pong.reset(seed=0)
    check_obs(spec, obs)
    obs, r, term, trunc, info = pong.step(1)
    check_obs(spec, obs)
    assert "lives" in info
    # but not carried to the gateway's metrics, where its per-episode summary would be noise
    assert spec.info_keys == ()
    assert pong.render().shape == (210, 160, 3)


def test_atari_determinism_and_options(pong):
    a = rollout(pong, seed=5, steps=30)
    assert same_rollouts(a, rollout(pong, seed=5, steps=30))
    gray = make("atari:Pong?gray=true&sticky=true&size=32")
    try:
        assert obs_shapes(gray.spec) == {"image": ((32, 32, 1), "uint8")}
        b = rollout(gray, seed=5, steps=30)
        assert same_rollouts(b, rollout(gray, seed=5, steps=30))  # sticky actions are seeded too
    finally:
        gray.close()


@pytest.fixture(scope="module")
def reach():
    env = make("metaworld:reach-v3")
    yield env
    env.close()


def test_metaworld_spec_success_and_determinism(reach):
    spec = reach.spec
    assert obs_shapes(spec) == {"image": ((64, 64, 3), "uint8"), "state": ((39,), "float32")}
    assert isinstance(spec.action_space, BoxSpace) and spec.action_space.shape == (4,)
    assert spec.max_episode_steps == 500 and spec.info_keys == ("success",)
    obs, info = reach.reset(seed=2)
    check_obs(spec, obs)
    obs, r, term, trunc, info = reach.step(np.zeros(4, np.float32))
    assert info["success"] in (0.0, 1.0)
    a = rollout(reach, seed=2, steps=3)
    assert same_rollouts(a, rollout(reach, seed=2, steps=3))
    other = make("metaworld:reach-v3")  # a second instance, as another worker would build it
    try:
        assert same_rollouts(a, rollout(other, seed=2, steps=3))
    finally:
        other.close()
    assert not same_rollouts(a, rollout(reach, seed=9, steps=3))  # another goal
    fast = make("metaworld:reach-v3?fast_render=true&obs=image")
    try:
        obs, _ = fast.reset(seed=2)
        assert list(obs) == ["image"] and obs["image"].std() > 0
    finally:
        fast.close()


def test_gym_classic_control():
    cp = make("gym:CartPole-v1")
    try:
        assert obs_shapes(cp.spec) == {"state": ((4,), "float32")}
        assert cp.spec.action_space == DiscreteSpace(2) and cp.spec.max_episode_steps == 500
        a = rollout(cp, seed=7, steps=20)
        assert same_rollouts(a, rollout(cp, seed=7, steps=20))
        assert not same_rollouts(a, rollout(cp, seed=8, steps=20))
    finally:
        cp.close()
    pe = make("gym:Pendulum-v1")
    try:
        space = pe.spec.action_space
        assert isinstance(space, BoxSpace) and space.shape == (1,) and float(space.high[0]) == 2.0
        assert same_rollouts(rollout(pe, seed=1, steps=5), rollout(pe, seed=1, steps=5))
    finally:
        pe.close()


def test_const_env():
    env = make("const:4")
    assert obs_shapes(env.spec) == {"state": ((4,), "float32")}
    assert env.spec.max_episode_steps == 100
    frames, rewards = rollout(env, seed=0, steps=200)
    assert len(rewards) == 100 and set(rewards) == {0.0}
    assert all(np.array_equal(f["state"], np.zeros(4, np.float32)) for f in frames)


def test_const_step_delay_is_bounded():
    # the fault options reach the API: a request cannot make every step sleep for hours
    make("const:2", {"step_delay_ms": str(MAX_STEP_DELAY_MS)}).close()
    for v in (MAX_STEP_DELAY_MS + 1, 10**9, -1):
        with pytest.raises(OptionError):
            make("const:2", {"step_delay_ms": str(v)})


def test_single_env_step_validation():
    env = make("gym:Pendulum-v1")
    try:
        with pytest.raises(Exception, match="reset"):
            env.step(np.zeros(1, np.float32))
        env.reset(seed=0)
        with pytest.raises(ValueError, match="outside"):
            env.step(np.array([3.0], np.float32))
    finally:
        env.close()


@pytest.mark.parametrize(
    "env_id,model_size", [("dmc:cartpole-swingup", 2048), ("metaworld:reach-v3?obs=image", 4096)]
)
def test_shadow_size_option_draws_the_scene_with_a_smaller_shadow_map(env_id, model_size):
    sep = "&" if "?" in env_id else "?"
    small, base = make(f"{env_id}{sep}shadow_size=1024"), make(env_id)
    try:
        a, _ = rollout(small, seed=3, steps=4)
        b, _ = rollout(base, seed=3, steps=4)
        renderer = small._renderers[64] if small.spec.family == "dmc" else small._renderer
        model_renderer = base._renderers[64] if base.spec.family == "dmc" else base._renderer
        assert renderer.shadow_size == 1024 and model_renderer.shadow_size == model_size
        # only shadow edges move (about 1% of Meta-World's pixels; turning shadows off changes 26%
        # of cartpole's)
        differing = sum(int((x["image"] != y["image"]).any(-1).sum()) for x, y in zip(a, b))
        assert differing < 0.03 * len(a) * 64 * 64, differing
    finally:
        small.close()
        base.close()
    with pytest.raises(OptionError, match="shadow_size"):
        make(f"{env_id}{sep}shadow_size=16")
