"""``gym:<id>``: Gymnasium envs with a Box state observation (classic control, Box2D), and
``gym:CarRacing-v3`` with pixel observations (``adapters/carracing.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from worldgate_envs.adapters import carracing
from worldgate_envs.adapters.base import Env, Info, Obs, StepTuple
from worldgate_envs.errors import MissingPackageError, OptionError, UnknownEnvError
from worldgate_envs.family import EnvFamily
from worldgate_envs.options import options_as_text
from worldgate_envs.spaces import ArraySpec, BoxSpace, DiscreteSpace, EnvSpec


@dataclass
class GymOptions:
    max_episode_steps: int = 0   # 0: the env's registered limit
    frames: str = "paper"        # CarRacing-v3 only: paper (World Models' 64x64) or raw (96x96)
    track_seed: int = -1         # CarRacing-v3 only: every episode on the track of this seed (-1: off)

    def validate(self, family: str) -> None:
        if self.frames not in ("paper", "raw"):
            raise OptionError(f"{family}: frames must be paper or raw, not {self.frames!r}")
        if self.track_seed < -1:
            raise OptionError(f"{family}: track_seed must be a seed >= 0, or -1 (off), not {self.track_seed}")


class GymEnv(Env):
    def __init__(self, name: str, opts: GymOptions) -> None:
        super().__init__()
        import gymnasium as gym

        if name not in gym.registry:
            close = [k for k in gym.registry if name.lower().split("-")[0] in k.lower()][:8]
            hint = f"; similar: {', '.join(close)}" if close else "; e.g. gym:CartPole-v1, gym:Pendulum-v1"
            raise UnknownEnvError(f"gym: no Gymnasium env registered as '{name}'{hint}")
        if opts.frames != "paper":
            raise OptionError(f"gym:{name}: option frames applies to gym:{carracing.NAME} only (state envs have no frames)")
        if opts.track_seed != -1:
            raise OptionError(f"gym:{name}: option track_seed applies to gym:{carracing.NAME} only")
        kwargs: dict[str, Any] = {"disable_env_checker": True}
        if opts.max_episode_steps > 0:
            kwargs["max_episode_steps"] = opts.max_episode_steps
        try:
            self._env = gym.make(name, **kwargs)
        except gym.error.DependencyNotInstalled as e:
            if "box2d" not in str(gym.spec(name).entry_point):
                raise
            raise MissingPackageError("gym", "box2d==2.3.10", "Box2D", e) from e
        ospace = self._env.observation_space
        if not isinstance(ospace, gym.spaces.Box):
            self._env.close()
            raise UnknownEnvError(f"gym:{name}: only Box observation spaces are supported, got {ospace}")
        size = int(np.prod(ospace.shape))
        state = ArraySpec.vector("state", size, ospace.low.reshape(-1).astype(np.float32), ospace.high.reshape(-1).astype(np.float32))
        aspace = self._env.action_space
        action: DiscreteSpace | BoxSpace
        if isinstance(aspace, gym.spaces.Discrete):
            if int(aspace.start) != 0:
                raise UnknownEnvError(f"gym:{name}: Discrete spaces must start at 0")
            action = DiscreteSpace(int(aspace.n))
            self._discrete = True
        elif isinstance(aspace, gym.spaces.Box):
            action = BoxSpace.of(aspace.shape, aspace.low, aspace.high)
            self._discrete = False
        else:
            raise UnknownEnvError(f"gym:{name}: unsupported action space {aspace}")
        spec = self._env.spec
        limit = int(spec.max_episode_steps) if spec is not None and spec.max_episode_steps else 0
        self._spec = EnvSpec(
            env_id=f"gym:{name}",
            family="gym",
            observations=(state,),
            action_space=action,
            max_episode_steps=limit,
            options=options_as_text(opts),
        )

    @property
    def spec(self) -> EnvSpec:
        return self._spec

    def _obs(self, raw: Any) -> Obs:
        return {"state": np.asarray(raw, dtype=np.float32).reshape(-1)}

    def _reset(self, seed: int | None) -> tuple[Obs, Info]:
        obs, info = self._env.reset(seed=seed)
        return self._obs(obs), dict(info)

    def _step(self, action: Any) -> StepTuple:
        a = int(action) if self._discrete else np.asarray(action, dtype=np.float32)
        obs, reward, terminated, truncated, info = self._env.step(a)
        return self._obs(obs), float(reward), bool(terminated), bool(truncated), dict(info)

    def close(self) -> None:
        self._env.close()


def make_gym(name: str, opts: GymOptions) -> Env:
    if name == carracing.NAME:
        return carracing.CarRacingEnv(opts)
    return GymEnv(name, opts)


FAMILY = EnvFamily(
    name="gym",
    description="Gymnasium envs with a Box state observation (classic control, Box2D); CarRacing-v3 with 64x64 frames",
    examples={
        "gym:CartPole-v1": "Gymnasium classic control, state observations, 2 discrete actions",
        "gym:Pendulum-v1": "Gymnasium pendulum, state observations, 1 continuous action",
        "gym:CarRacing-v3": "Box2D car racing, 64x64 RGB as in World Models (frames=raw: 96x96), steer/gas/brake Box",
    },
    make=make_gym,
    options=GymOptions,
    packages=("gymnasium==1.4.0", "box2d==2.3.10", "pygame-ce==2.5.8"),
)
