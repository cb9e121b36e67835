"""The two tasks of World Models: gym:CarRacing-v3 (Box2D) and doom:TakeCover (ViZDoom), on the
real simulators: specs, the paper's frames, seeding, episode ends, Gymnasium's checker."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env
from PIL import Image

from worldgate_envs import BoxSpace, DiscreteSpace, OptionError, UnknownEnvError, make
from worldgate_envs.gym_compat import GymnasiumEnv

from conftest import rollout, same_rollouts

GAS = np.array([0.0, 0.5, 0.0], np.float32)


def image_spec(env) -> tuple[tuple[int, ...], str]:
    assert env.spec.observation_names == ("image",)
    o = env.spec.observation("image")
    return o.shape, o.dtype


@pytest.mark.parametrize("env_id", ["gym:CarRacing-v3", "doom:TakeCover"])
def test_gymnasium_env_checker_passes(env_id: str) -> None:
    env = GymnasiumEnv(env_id)
    try:
        check_env(env, skip_render_check=False)
    finally:
        env.close()


# ---------------------------------------------------------------- CarRacing


def test_carracing_spec_is_64x64_rgb_with_steer_gas_brake_actions() -> None:
    with make("gym:CarRacing-v3") as env:
        assert image_spec(env) == ((64, 64, 3), "uint8")
        space = env.spec.action_space
        assert isinstance(space, BoxSpace) and space.shape == (3,)
        assert space.low.tolist() == [-1.0, 0.0, 0.0] and space.high.tolist() == [1.0, 1.0, 1.0]
        assert env.spec.max_episode_steps == 1000 and env.spec.can_render
        obs, _ = env.reset(seed=0)
        assert obs["image"].shape == (64, 64, 3) and obs["image"].dtype == np.uint8
        assert env.render().shape == (400, 600, 3)
    with make("gym:CarRacing-v3?frames=raw") as raw:
        assert image_spec(raw) == ((96, 96, 3), "uint8")


def test_carracing_paper_frames_are_the_raw_frames_above_the_bar_resized_bilinearly() -> None:
    paper, raw = make("gym:CarRacing-v3"), make("gym:CarRacing-v3?frames=raw")
    try:
        p, _ = paper.reset(seed=3)
        r, _ = raw.reset(seed=3)
        for _ in range(60):  # past the opening zoom
            p, *_ = paper.step(GAS)
            r, *_ = raw.step(GAS)
        frame = r["image"]
        assert frame[84:].mean() < 40, "the bottom 12 rows of a raw frame are the black indicator bar"
        want = np.asarray(Image.fromarray(frame[:84]).resize((64, 64), Image.Resampling.BILINEAR))
        assert np.array_equal(p["image"], want)
        assert p["image"][-4:].mean() > 80, "no bar at the bottom of the paper's frame"
    finally:
        paper.close()
        raw.close()


def test_carracing_same_seed_same_episode_and_another_seed_another_track() -> None:
    with make("gym:CarRacing-v3") as env:
        a = rollout(env, seed=5, steps=30)
        assert same_rollouts(a, rollout(env, seed=5, steps=30))
        assert not same_rollouts(a, rollout(env, seed=6, steps=30))


def test_carracing_truncates_at_its_step_limit() -> None:
    with make("gym:CarRacing-v3?max_episode_steps=5") as env:
        env.reset(seed=0)
        flags = [env.step(GAS)[2:4] for _ in range(5)]
        assert flags == [(False, False)] * 4 + [(False, True)]


def _play(env, actions: np.ndarray, seed: int | None) -> tuple[np.ndarray, float, np.ndarray]:
    """Resets with ``seed``, plays ``actions``; returns the first frame, the return and the last frame."""
    obs, _ = env.reset(seed=seed)
    first, total = obs["image"].copy(), 0.0
    for a in actions:
        obs, reward, terminated, truncated, _ = env.step(a)
        total += reward
        if terminated or truncated:
            break
    return first, total, obs["image"].copy()


def test_track_seed_plays_every_episode_on_one_track_whatever_the_reset_seed() -> None:
    actions = np.random.default_rng(0).uniform([-1, 0, 0], [1, 1, 1], size=(80, 3)).astype(np.float32)
    with make("gym:CarRacing-v3?track_seed=7") as fixed, make("gym:CarRacing-v3") as free:
        want = _play(free, actions, seed=7)
        # seeded and unseeded resets (a worker's auto-reset passes none), after other episodes
        for seed in (7, None, 123, None):
            got = _play(fixed, actions, seed)
            assert np.array_equal(got[0], want[0]) and got[1] == want[1] and np.array_equal(got[2], want[2]), seed
        assert fixed.spec.options["track_seed"] == "7"


def test_another_track_seed_is_another_track_and_the_default_keeps_new_tracks() -> None:
    gas = np.tile(GAS, (60, 1))
    with make("gym:CarRacing-v3?track_seed=7") as a, make("gym:CarRacing-v3?track_seed=8") as b:
        first_a, return_a, last_a = _play(a, gas, None)
        first_b, return_b, last_b = _play(b, gas, None)
        assert not np.array_equal(first_a, first_b) and not np.array_equal(last_a, last_b)
    with make("gym:CarRacing-v3") as env:
        assert env.spec.options["track_seed"] == "-1"
        _play(env, gas[:1], 7)
        assert not np.array_equal(_play(env, gas[:1], None)[0], first_a), "off by default: an unseeded reset draws a new track"


def test_track_seed_is_refused_for_state_envs_and_checked() -> None:
    with pytest.raises(OptionError, match="CarRacing-v3 only"):
        make("gym:CartPole-v1?track_seed=3")
    with pytest.raises(OptionError, match="track_seed"):
        make("gym:CarRacing-v3?track_seed=-2")


def test_gymnasium_env_checker_passes_on_a_fixed_track() -> None:
    env = GymnasiumEnv("gym:CarRacing-v3", {"track_seed": "7"})
    try:
        check_env(env, skip_render_check=True)
    finally:
        env.close()


def test_box2d_state_envs_are_served_as_state() -> None:
    with make("gym:LunarLander-v3") as env:
        assert env.spec.observation_names == ("state",) and env.spec.observation("state").shape == (8,)
        assert env.spec.action_space == DiscreteSpace(4)
        assert same_rollouts(rollout(env, seed=2, steps=10), rollout(env, seed=2, steps=10))


def test_frames_is_refused_for_state_envs_and_checked() -> None:
    with pytest.raises(OptionError, match="CarRacing-v3 only"):
        make("gym:CartPole-v1?frames=raw")
    with pytest.raises(OptionError, match="paper or raw"):
        make("gym:CarRacing-v3?frames=gray")


# ---------------------------------------------------------------- Doom TakeCover


def test_doom_take_cover_spec_is_64x64_rgb_with_stay_left_right() -> None:
    with make("doom:TakeCover") as env:
        assert image_spec(env) == ((64, 64, 3), "uint8")
        assert env.spec.action_space == DiscreteSpace(3)
        assert env.spec.max_episode_steps == 2100 and env.spec.can_render
        obs, _ = env.reset(seed=0)
        assert obs["image"].shape == (64, 64, 3) and obs["image"].dtype == np.uint8
        assert obs["image"].mean() > 20, "a rendered frame, not zeros"
        assert env.render().shape == (240, 320, 3)
    with make("doom:TakeCover?frames=raw&resolution=160x120") as raw:
        assert image_spec(raw) == ((120, 160, 3), "uint8")


def test_doom_paper_frames_have_no_status_bar() -> None:
    with make("doom:TakeCover") as env:
        obs, _ = env.reset(seed=0)
        full = env.render()  # the 320x240 screen with the status bar in its bottom sixth
        want = np.asarray(Image.fromarray(full[:200]).resize((64, 64), Image.Resampling.BILINEAR))
        assert np.array_equal(obs["image"], want)
        assert not np.array_equal(obs["image"], np.asarray(Image.fromarray(full).resize((64, 64), Image.Resampling.BILINEAR)))


def test_doom_same_seed_same_episode_and_another_seed_another() -> None:
    with make("doom:TakeCover") as env:
        a = rollout(env, seed=11, steps=150)
        assert same_rollouts(a, rollout(env, seed=11, steps=150))
        assert not same_rollouts(a, rollout(env, seed=12, steps=150))


def _y(env) -> float:
    import vizdoom

    return float(env._game.get_game_variable(vizdoom.GameVariable.POSITION_Y))


def test_doom_actions_are_stay_left_right() -> None:
    with make("doom:TakeCover") as env:
        moved = []
        for action in (0, 1, 2):
            env.reset(seed=1)
            y0 = _y(env)
            for _ in range(10):
                env.step(action)
            moved.append(_y(env) - y0)
        stay, left, right = moved
        # the player faces +x (angle 0), so its left is +y
        assert stay == 0.0 and left > 10.0 and right < -10.0


def test_doom_random_policy_dies_with_the_expected_return() -> None:
    """One reward per tic alive; a random player dies after about 200 tics (the paper: 210 +- 108)."""
    rng = np.random.default_rng(0)
    returns = []
    with make("doom:TakeCover") as env:
        for episode in range(8):
            env.reset(seed=episode)
            total, steps, terminated, truncated = 0.0, 0, False, False
            while not (terminated or truncated):
                obs, reward, terminated, truncated, _ = env.step(int(rng.integers(3)))
                total += reward
                steps += 1
            assert terminated and not truncated, "episodes end by death"
            assert obs["image"].mean() > 20, "the final observation is the last frame, not zeros"
            assert abs(total - steps) <= 1
            returns.append(total)
    assert 100 <= float(np.mean(returns)) <= 400, returns


def _health(env) -> float:
    import vizdoom

    return float(env._game.get_game_variable(vizdoom.GameVariable.HEALTH))


def _redness(frame: np.ndarray) -> float:
    return float((frame[..., 0].astype(np.float64) - frame[..., 1]).mean())


def test_doom_paper_frames_flash_red_when_the_player_is_hit() -> None:
    """gym-doom's engine always drew the damage flash; with the status bar cropped, it is the
    frame's only sign of a hit (a hit that kills has no frame: look for one that does not)."""
    with make("doom:TakeCover") as env:
        for seed in range(20):
            rng = np.random.default_rng(seed)
            obs, _ = env.reset(seed=seed)
            health, action = _health(env), 0
            for t in range(2100):
                if t % 8 == 0:
                    action = int(rng.integers(3))
                before = obs["image"]
                obs, _, terminated, _, _ = env.step(action)
                if terminated:
                    break
                if _health(env) < health:
                    assert _redness(obs["image"]) > _redness(before) + 50, (seed, t)
                    return
        pytest.fail("no seed had a hit the player survived")


def test_doom_skill_is_an_option_checked_against_vizdoom_levels() -> None:
    with make("doom:TakeCover") as env:
        assert env._game.get_doom_skill() == 4 and env.spec.options["skill"] == "4"
    with make("doom:TakeCover?skill=5") as env:
        assert env._game.get_doom_skill() == 5
        # Nightmare: a random player dies far sooner than at 4 (about 200 tics, the paper's game)
        rng = np.random.default_rng(0)
        steps = 0
        for episode in range(4):
            env.reset(seed=episode)
            while not env.step(int(rng.integers(3)))[2]:
                steps += 1
        assert steps / 4 < 120, steps / 4
    for bad in ("0", "6"):
        with pytest.raises(OptionError, match="skill must be 1 to 5"):
            make(f"doom:TakeCover?skill={bad}")


def test_doom_truncates_at_max_tics_and_frame_skip_sums_rewards() -> None:
    with make("doom:TakeCover?max_tics=10&frame_skip=2") as env:
        assert env.spec.max_episode_steps == 5
        env.reset(seed=0)
        steps = [env.step(0) for _ in range(5)]
        assert [s[1] for s in steps] == [2.0] * 5
        assert [s[2:4] for s in steps] == [(False, False)] * 4 + [(False, True)]


def test_doom_leaves_no_files_behind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    env = make("doom:TakeCover")
    home = Path(env._home)
    env.reset(seed=0)
    env.step(1)
    env.close()
    env.close()
    assert os.listdir(tmp_path) == [], "the engine writes ./_vizdoom* where it starts"
    assert not home.exists()


def test_doom_bad_ids_and_options_are_refused() -> None:
    with pytest.raises(UnknownEnvError, match="doom:TakeCover"):
        make("doom:Basic")
    with pytest.raises(OptionError, match="640x480"):
        make("doom:TakeCover?resolution=1x1")
    with pytest.raises(OptionError, match=">= 1"):
        make("doom:TakeCover?frame_skip=0")
