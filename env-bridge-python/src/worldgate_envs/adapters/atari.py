"""``atari:<Game>``: ALE v5 with the DreamerV3 Atari100k conventions.

Frameskip 4 with a max-pool over the last two frames, rewards summed over the
skipped frames, 0 to 30 no-op starts (uniform, both ends included), no sticky
actions unless ``sticky=true`` (then 0.25), the minimal action set, 64x64 RGB.
Frames are resized as DreamerV3's current code does (its ``resize='pillow'``:
Pillow's bilinear filter), and ``gray=true`` converts to luminance after
resizing, with its weights and truncation. An episode is truncated after
``max_frames`` emulator frames counted from the end of the no-op start, as
there. The ALE itself runs with ``frameskip=1``. ``resize=box`` gives the
area-averaged frames of Worldgate before 2026-12 (they differ from bilinear by
up to 96 on thin objects such as Pong's ball).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from worldgate_envs.adapters._image import resize_area, resize_bilinear, to_gray
from worldgate_envs.adapters._imports import require
from worldgate_envs.adapters.base import Env, Info, Obs, StepTuple
from worldgate_envs.errors import OptionError, UnknownEnvError
from worldgate_envs.family import EnvFamily
from worldgate_envs.options import options_as_text
from worldgate_envs.spaces import ArraySpec, DiscreteSpace, EnvSpec

_NOOP = 0


@dataclass
class AtariOptions:
    size: int = 64
    gray: bool = False
    sticky: bool = False               # repeat_action_probability 0.25 instead of 0
    frameskip: int = 4
    noops: int = 30
    life_loss_terminal: bool = False
    full_action_space: bool = False
    max_frames: int = 108000           # emulator frames per episode after the no-op start (then truncated)
    resize: str = "bilinear"           # bilinear (DreamerV3's Pillow resize) or box (area averaging)

    def validate(self, family: str) -> None:
        if self.size < 1 or self.frameskip < 1 or self.noops < 0 or self.max_frames < 1:
            raise OptionError(f"{family}: size, frameskip, max_frames must be >= 1 and noops >= 0")
        if self.resize not in ("bilinear", "box"):
            raise OptionError(f"{family}: resize must be bilinear or box, not {self.resize!r}")


class AtariEnv(Env):
    def __init__(self, name: str, opts: AtariOptions) -> None:
        super().__init__()
        gym = require("atari", "gymnasium", "gymnasium==1.4.0")
        ale_py = require("atari", "ale_py", "ale-py==0.12.1")
        gym.register_envs(ale_py)
        gym_id = f"ALE/{name}-v5"
        if gym_id not in gym.registry:
            games = sorted(k[4:-3] for k in gym.registry if k.startswith("ALE/") and k.endswith("-v5"))
            close = [g for g in games if g.lower().startswith(name[:3].lower())] or games[:10]
            raise UnknownEnvError(f"atari: unknown game '{name}' (ids look like atari:Pong); e.g. {', '.join(close)}")
        self._opts = opts
        self._env = gym.make(
            gym_id,
            frameskip=1,
            repeat_action_probability=0.25 if opts.sticky else 0.0,
            full_action_space=opts.full_action_space,
            disable_env_checker=True,
        )
        self._ale = self._env.unwrapped.ale
        n = int(self._env.action_space.n)
        channels = 1 if opts.gray else 3
        self._spec = EnvSpec(
            env_id=f"atari:{name}",
            family="atari",
            observations=(ArraySpec.image("image", opts.size, opts.size, channels),),
            action_space=DiscreteSpace(n),
            max_episode_steps=max(1, opts.max_frames // opts.frameskip),
            options=options_as_text(opts),
            # "lives" stays in each step's info (Gymnasium's convention) but is not one of the
            # numbers carried to the gateway's metrics: an episode's summary of a count that only
            # falls (its largest value, as for Meta-World's success flag) is just its start
            can_render=True,
        )
        self._rng = np.random.default_rng()
        self._last_frame = np.zeros((210, 160, 3), np.uint8)
        self._lives = 0
        self._frames = 0

    @property
    def spec(self) -> EnvSpec:
        return self._spec

    def _observe(self, frame: np.ndarray) -> Obs:
        size = self._opts.size
        img = resize_bilinear(frame, size, size) if self._opts.resize == "bilinear" else resize_area(frame, size, size)
        return {"image": to_gray(img) if self._opts.gray else img}

    def _reset(self, seed: int | None) -> tuple[Obs, Info]:
        if seed is not None:
            self._rng = np.random.default_rng(seed)
        frame, info = self._env.reset(seed=seed)
        for _ in range(int(self._rng.integers(self._opts.noops + 1))):
            frame, _, term, trunc, info = self._env.step(_NOOP)
            if term or trunc:
                frame, info = self._env.reset()
        self._frames = 0
        self._lives = int(self._ale.lives())
        self._last_frame = frame
        return self._observe(frame), {"lives": float(self._lives)}

    def _step(self, action: Any) -> StepTuple:
        a = int(action)
        reward = 0.0
        terminated = truncated = False
        prev: np.ndarray | None = None
        frame = self._last_frame
        skip = self._opts.frameskip
        for k in range(skip):
            frame, r, term, trunc, _ = self._env.step(a)
            self._frames += 1
            reward += float(r)
            if k == skip - 2:
                prev = frame
            if term or trunc or self._frames >= self._opts.max_frames:
                terminated = bool(term)
                truncated = not terminated
                break
            if self._opts.life_loss_terminal and int(self._ale.lives()) < self._lives:
                terminated = True
                break
        self._lives = int(self._ale.lives())
        self._last_frame = frame
        pooled = np.maximum(prev, frame) if prev is not None else frame
        return self._observe(pooled), reward, terminated, truncated, {"lives": float(self._lives)}

    def render(self) -> np.ndarray:
        return np.array(self._last_frame, copy=True)

    def close(self) -> None:
        self._env.close()


FAMILY = EnvFamily(
    name="atari",
    description="Arcade Learning Environment v5, DreamerV3 Atari100k conventions (frameskip 4 + max-pool, 30 no-ops, 64x64)",
    examples={
        "atari:Pong": "Atari Pong (ALE v5), 64x64 RGB (gray=true), frameskip 4 with max-pool, discrete actions",
        "atari:Breakout": "Atari Breakout, same conventions",
    },
    make=AtariEnv,
    options=AtariOptions,
    packages=("ale-py==0.12.1",),
)
