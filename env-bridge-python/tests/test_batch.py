"""The K-env batch: seeds, action validation, auto-reset and final observations."""

from __future__ import annotations

import numpy as np
import pytest

from worldgate_envs import ActionError, make
from worldgate_envs.batch import EnvBatch, EnvStepError
from worldgate_envs.errors import StateError


def test_seeds_are_seed_plus_i():
    with EnvBatch("gym:CartPole-v1", num_envs=3) as b:
        first = b.reset(seed=10)
        assert first.is_first.all() and first.obs["state"].shape == (3, 4)
    for i in range(3):
        single = make("gym:CartPole-v1")
        obs, _ = single.reset(seed=10 + i)
        assert np.array_equal(obs["state"], first.obs["state"][i])
        single.close()


def test_first_reset_without_seed_uses_the_batch_seed():
    with EnvBatch("gym:CartPole-v1", num_envs=2, seed=5) as a, EnvBatch("gym:CartPole-v1", num_envs=2) as b:
        assert np.array_equal(a.reset().obs["state"], b.reset(seed=5).obs["state"])


@pytest.mark.parametrize(
    "actions, message",
    [
        (np.zeros((2, 1), np.float64), "dtype float32"),
        (np.zeros((2, 2), np.float32), "shape"),
        (np.zeros((3, 1), np.float32), "shape"),
        (np.array([[0.0], [np.nan]], np.float32), "env 1 has a non-finite"),
        (np.array([[0.0], [np.inf]], np.float32), "non-finite"),
        (np.array([[2.5], [0.0]], np.float32), "env 0 value 2.5 .* outside \\[-2.0, 2.0\\]"),
        ([[0.0], [0.0]], "numpy array"),
    ],
)
def test_box_action_validation(actions, message):
    with EnvBatch("gym:Pendulum-v1", num_envs=2) as b:
        before = b.reset(seed=0).obs["state"].copy()
        with pytest.raises(ActionError, match=message):
            b.step(actions)
        # nothing was stepped: the same actions from the same state give the same result
        ok = b.step(np.zeros((2, 1), np.float32))
        with EnvBatch("gym:Pendulum-v1", num_envs=2) as ref:
            ref.reset(seed=0)
            assert np.array_equal(ref.step(np.zeros((2, 1), np.float32)).obs["state"], ok.obs["state"])
        assert before.shape == (2, 3)


def test_box_bounds_with_infinities_still_refuse_non_finite_actions():
    from worldgate_envs.spaces import BoxSpace

    space = BoxSpace.of((2,), [-1.0, -np.inf], [1.0, np.inf])
    assert space.validate_batch(np.array([[0.5, -1e30], [-1.0, 3e38]], np.float32), 2).shape == (2, 2)
    for bad, message in [
        ([[0.0, np.inf], [0.0, 0.0]], "env 0 has a non-finite value inf at index \\(1,\\)"),
        ([[0.0, 0.0], [np.nan, 0.0]], "env 1 has a non-finite"),
        ([[0.0, 0.0], [1.5, 0.0]], "env 1 value 1.5 at index \\(0,\\) is outside \\[-1.0, 1.0\\]"),
    ]:
        with pytest.raises(ActionError, match=message):
            space.validate_batch(np.array(bad, np.float32), 2)


@pytest.mark.parametrize(
    "actions, message",
    [
        (np.array([0, 2, 1], np.int64), "env 1 action 2 is outside Discrete\\(2\\)"),
        (np.array([0, -1, 1], np.int32), "outside"),
        (np.array([0.0, 1.0, 1.0], np.float32), "integer dtype"),
        (np.array([[0], [1], [1]], np.int64), "shape"),
    ],
)
def test_discrete_action_validation(actions, message):
    with EnvBatch("gym:CartPole-v1", num_envs=3) as b:
        b.reset(seed=0)
        with pytest.raises(ActionError, match=message):
            b.step(actions)
        assert (b.step(np.array([0, 1, 1], np.int32)).episode_steps == 1).all()  # int32 is fine


def test_step_before_reset_is_refused():
    with EnvBatch("const:2", num_envs=1) as b:
        with pytest.raises(StateError, match="Reset"):
            b.step(np.zeros((1, 1), np.float32))


def test_auto_reset_returns_final_observation_then_first():
    """CartPole with a constant push falls over; the terminal state must be returned."""
    with EnvBatch("gym:CartPole-v1", num_envs=2, seed=0) as b:
        b.reset(seed=0)
        push = np.array([1, 1], np.int64)
        ended = None
        for t in range(60):
            res = b.step(push)
            if res.terminated[0]:
                ended = res
                break
            assert not res.is_first.any()
        assert ended is not None, "CartPole did not terminate"
        x, theta = ended.obs["state"][0][0], ended.obs["state"][0][2]
        assert abs(theta) > 0.2095 or abs(x) > 2.4  # the FINAL (terminal) observation
        assert not ended.truncated[0] and not ended.is_first[0] and ended.reward[0] == 1.0
        steps = int(ended.episode_steps[0])
        nxt = b.step(np.array([1, 0], np.int64))  # env 0's action is ignored
        assert nxt.is_first[0] and nxt.reward[0] == 0.0
        assert not nxt.terminated[0] and not nxt.truncated[0] and nxt.episode_steps[0] == 0
        s0 = nxt.obs["state"][0]
        assert np.all(np.abs(s0) <= 0.05)  # CartPole starts within +-0.05
        assert steps > 1


def test_truncation_then_reset_with_const():
    with EnvBatch("const:3?length=2", num_envs=2) as b:
        r = b.reset(seed=1)
        assert r.is_first.all()
        a = np.zeros((2, 1), np.float32)
        s1, s2, s3, s4 = (b.step(a) for _ in range(4))
        assert not s1.truncated.any() and s2.truncated.all() and not s2.terminated.any()
        assert s3.is_first.all() and (s3.reward == 0).all() and (s3.episode_steps == 0).all()
        assert not s4.is_first.any() and (s4.episode_steps == 1).all()


def test_env_exception_carries_traceback_and_requires_reset():
    with EnvBatch("const:4?fail_at=3", num_envs=2) as b:
        b.reset(seed=0)
        a = np.zeros((2, 1), np.float32)
        b.step(a)
        b.step(a)
        with pytest.raises(EnvStepError) as e:
            b.step(a)
        assert "InjectedFailure" in str(e.value)
        assert "Traceback" in e.value.traceback_text and "const.py" in e.value.traceback_text
        with pytest.raises(StateError, match="Reset"):
            b.step(a)
        assert b.reset(seed=0).is_first.all()


def test_batch_of_pixel_envs_fills_every_row():
    with EnvBatch("dmc:cartpole-swingup", num_envs=2) as b:
        r = b.reset(seed=0)
        assert r.obs["image"].shape == (2, 64, 64, 3)
        assert not np.array_equal(r.obs["image"][0], r.obs["image"][1])  # different seeds, different starts
        s = b.step(np.zeros((2, 1), np.float32))
        assert s.obs["image"].std() > 0
