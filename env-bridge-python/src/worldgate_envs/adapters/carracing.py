"""``gym:CarRacing-v3``: Gymnasium's Box2D car racing with the frames of World Models.

Ha and Schmidhuber (2018) feed their VAE 64x64 RGB frames: the 96x96 frame without the bottom 12
rows (the speed, ABS and steering bar), squeezed to 64x64 with a bilinear resize. That is
``frames=paper`` (the default); ``frames=raw`` gives Gymnasium's 96x96 frames unchanged.

Their code hands float frames to scipy's ``imresize`` (which stretches each frame's own min..max
to 0..255) and then computes ``(1 - x) * 255`` on the uint8 result, which wraps around to
``x - 1``: the frames they trained on are upright colours, not inverted. Neither artefact is
reproduced here: the frames keep Gymnasium's colours.

Actions are Gymnasium's: steer in [-1, 1], gas in [0, 1], brake in [0, 1]. An episode is
terminated when every tile is visited or the car leaves the playfield (reward -100) and truncated
at the registered 1000 steps (``max_episode_steps``). ``reset(seed)`` seeds the track.

``track_seed=N`` (off by default) changes the task: every episode, seeded or not (a worker's
auto-resets pass no seed), is played on the track of seed ``N`` from the same start, so an episode
is a function of its actions alone. It is for tests and curricula, where candidates must be
compared on equal terms (common random numbers); a policy evolved on one track need not drive on
another.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from worldgate_envs.adapters._image import resize_bilinear
from worldgate_envs.adapters._imports import require
from worldgate_envs.adapters.base import Env, Info, Obs, StepTuple
from worldgate_envs.options import options_as_text
from worldgate_envs.spaces import ArraySpec, BoxSpace, EnvSpec

NAME = "CarRacing-v3"
_BAR_ROWS = 12      # the indicator bar at the bottom of the 96x96 frame
_PAPER_SIZE = 64


def world_models_frame(frame: np.ndarray) -> np.ndarray:
    """A 96x96x3 CarRacing frame -> the 64x64x3 frame of World Models (bar cropped, bilinear)."""
    return resize_bilinear(np.ascontiguousarray(frame[: frame.shape[0] - _BAR_ROWS]), _PAPER_SIZE, _PAPER_SIZE)


class CarRacingEnv(Env):
    def __init__(self, opts: Any) -> None:
        super().__init__()
        gym = require("gym", "gymnasium", "gymnasium==1.4.0")
        require("gym", "Box2D", "box2d==2.3.10")
        require("gym", "pygame", "pygame-ce==2.5.8")
        kwargs: dict[str, Any] = {"disable_env_checker": True, "render_mode": "rgb_array"}
        if opts.max_episode_steps > 0:
            kwargs["max_episode_steps"] = opts.max_episode_steps
        self._env = gym.make(NAME, **kwargs)
        self._paper = opts.frames == "paper"
        self._track_seed = opts.track_seed if opts.track_seed >= 0 else None
        height, width, channels = self._env.observation_space.shape
        side = (_PAPER_SIZE, _PAPER_SIZE) if self._paper else (height, width)
        aspace = self._env.action_space
        spec = self._env.spec
        self._spec = EnvSpec(
            env_id=f"gym:{NAME}",
            family="gym",
            observations=(ArraySpec.image("image", side[0], side[1], channels),),
            action_space=BoxSpace.of(aspace.shape, aspace.low, aspace.high),
            max_episode_steps=int(spec.max_episode_steps) if spec is not None and spec.max_episode_steps else 0,
            options=options_as_text(opts),
            can_render=True,
        )

    @property
    def spec(self) -> EnvSpec:
        return self._spec

    def _obs(self, frame: np.ndarray) -> Obs:
        return {"image": world_models_frame(frame) if self._paper else np.asarray(frame, dtype=np.uint8)}

    def _reset(self, seed: int | None) -> tuple[Obs, Info]:
        frame, _ = self._env.reset(seed=seed if self._track_seed is None else self._track_seed)
        return self._obs(frame), {}

    def _step(self, action: Any) -> StepTuple:
        frame, reward, terminated, truncated, _ = self._env.step(np.asarray(action, dtype=np.float32))
        return self._obs(frame), float(reward), bool(terminated), bool(truncated), {}

    def render(self) -> np.ndarray:
        """Gymnasium's 600x400 view for humans."""
        return np.asarray(self._env.render(), dtype=np.uint8)

    def close(self) -> None:
        self._env.close()
