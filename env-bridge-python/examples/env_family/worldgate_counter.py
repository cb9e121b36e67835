"""``counter:<n>``: an example env family, registered by this distribution's entry point.

Observation ``state``: the step count divided by n (float32[1]), and with ``image=S`` also an
``image`` (uint8 S x S x 3) as bright as that fraction; two discrete actions; reward 1 per step;
terminated after n steps. It serves the docs and the tests of the family mechanism.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from worldgate_envs.adapters.base import Env, Info, Obs, StepTuple
from worldgate_envs.errors import OptionError, UnknownEnvError
from worldgate_envs.family import EnvFamily
from worldgate_envs.options import options_as_text
from worldgate_envs.spaces import ArraySpec, DiscreteSpace, EnvSpec


@dataclass
class CounterOptions:
    image: int = 0  # >0 adds an image observation of image x image x 3

    def validate(self, family: str) -> None:
        if not 0 <= self.image <= 256:
            raise OptionError(f"{family}: image must be in 0..256, got {self.image}")


class CounterEnv(Env):
    def __init__(self, task: str, opts: CounterOptions) -> None:
        super().__init__()
        if not task.isdigit() or int(task) < 1:
            raise UnknownEnvError(f"counter:<n> needs a whole number n >= 1, got 'counter:{task}' (try counter:5)")
        self._n = int(task)
        self._opts = opts
        obs = [ArraySpec.vector("state", 1, 0.0, 1.0)]
        if opts.image:
            obs.insert(0, ArraySpec.image("image", opts.image, opts.image, 3))
        self._spec = EnvSpec(
            env_id=f"counter:{self._n}",
            family="counter",
            observations=tuple(obs),
            action_space=DiscreteSpace(2),
            max_episode_steps=0,
            options=options_as_text(opts),
        )

    @property
    def spec(self) -> EnvSpec:
        return self._spec

    def _obs(self, count: int) -> Obs:
        fraction = count / self._n
        out = {"state": np.array([fraction], dtype=np.float32)}
        if self._opts.image:
            size = self._opts.image
            out["image"] = np.full((size, size, 3), round(255 * fraction), dtype=np.uint8)
        return out

    def _reset(self, seed: int | None) -> tuple[Obs, Info]:
        return self._obs(0), {}

    def _step(self, action: Any) -> StepTuple:
        count = self.episode_steps + 1
        return self._obs(count), 1.0, count >= self._n, False, {}


FAMILY = EnvFamily(
    name="counter",
    description="counts steps to n; reward 1 per step (an example family from an entry point)",
    examples={"counter:5": "terminates after 5 steps; image=64 adds a 64x64 RGB observation"},
    make=CounterEnv,
    options=CounterOptions,
)
