"""``const:<n>``: a trivial constant env for latency benchmarks and failure tests.

Its fault options (``fail_at``, ``hang_at``, ``crash_at``, ``render_hang``, ``step_delay_ms``)
exist for the supervision and shutdown tests, but reach the gateway's API like any option: so
``step_delay_ms`` is bounded.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import numpy as np

from worldgate_envs.adapters.base import Env, Info, Obs, StepTuple
from worldgate_envs.errors import OptionError, UnknownEnvError
from worldgate_envs.family import EnvFamily
from worldgate_envs.options import options_as_text
from worldgate_envs.spaces import ArraySpec, BoxSpace, DiscreteSpace, EnvSpec


MAX_STEP_DELAY_MS = 10_000
"""The longest ``step_delay_ms``: slow enough for any shutdown test, short of holding a worker for hours."""


@dataclass
class ConstOptions:
    length: int = 100          # agent steps per episode (then truncated)
    action: str = "box"        # "box" (float32 [1] in [-1, 1]) or "discrete" (2 actions)
    image: int = 0             # >0 adds a zero uint8 image observation of image x image x 3
    fail_at: int = 0           # >0: step number fail_at of an episode raises RuntimeError (tests)
    hang_at: int = 0           # >0: step number hang_at of an episode sleeps forever (supervision tests)
    crash_at: int = 0          # >0: step number crash_at of an episode ends the process with os._exit(1) (tests)
    render_hang: bool = False  # True: render sleeps forever (supervision tests)
    step_delay_ms: int = 0     # >0: every step takes this long, as a slow simulator (shutdown tests)

    def validate(self, family: str) -> None:
        if self.length < 1:
            raise OptionError(f"{family}: length must be >= 1")
        if self.action not in ("box", "discrete"):
            raise OptionError(f"{family}: action must be box or discrete, got {self.action!r}")
        if min(self.image, self.fail_at, self.hang_at, self.crash_at, self.step_delay_ms) < 0:
            raise OptionError(f"{family}: image, fail_at, hang_at, crash_at and step_delay_ms must be >= 0")
        if self.step_delay_ms > MAX_STEP_DELAY_MS:
            raise OptionError(f"{family}: step_delay_ms must be at most {MAX_STEP_DELAY_MS}, got {self.step_delay_ms}")


class InjectedFailure(RuntimeError):
    """Raised on purpose by ``const:<n>?fail_at=N``."""


class ConstEnv(Env):
    """Observation ``state``: float32 zeros of size n; reward 0; fixed length."""

    def __init__(self, name: str, opts: ConstOptions) -> None:
        super().__init__()
        try:
            size = int(name)
        except ValueError:
            raise UnknownEnvError(f"const:<n> needs an integer size, got 'const:{name}' (try const:4)") from None
        if size < 1:
            raise UnknownEnvError(f"const:<n> needs n >= 1, got {size}")
        self._opts = opts
        obs = [ArraySpec.vector("state", size)]
        if opts.image:
            obs.insert(0, ArraySpec.image("image", opts.image, opts.image, 3))
        action = DiscreteSpace(2) if opts.action == "discrete" else BoxSpace.of((1,), -1.0, 1.0)
        self._spec = EnvSpec(
            env_id=f"const:{size}",
            family="const",
            observations=tuple(obs),
            action_space=action,
            max_episode_steps=opts.length,
            options=options_as_text(opts),
            can_render=True,
        )
        self._obs = {o.name: o.zeros() for o in self._spec.observations}

    @property
    def spec(self) -> EnvSpec:
        return self._spec

    def _reset(self, seed: int | None) -> tuple[Obs, Info]:
        return {k: v.copy() for k, v in self._obs.items()}, {}

    def _step(self, action: object) -> StepTuple:
        step = self.episode_steps + 1
        if self._opts.crash_at and step >= self._opts.crash_at:
            os._exit(1)
        if self._opts.hang_at and step >= self._opts.hang_at:
            while True:  # a simulator stuck for good; only a kill ends it
                time.sleep(3600)
        if self._opts.step_delay_ms:
            time.sleep(self._opts.step_delay_ms / 1000)
        if self._opts.fail_at and self.episode_steps + 1 >= self._opts.fail_at:
            raise InjectedFailure(f"const env: injected failure at step {self.episode_steps + 1} (fail_at={self._opts.fail_at})")
        return {k: v.copy() for k, v in self._obs.items()}, 0.0, False, False, {}

    def render(self) -> np.ndarray:
        while self._opts.render_hang:  # a camera stuck for good; only a kill ends it
            time.sleep(3600)
        return np.zeros((64, 64, 3), dtype=np.uint8)


FAMILY = EnvFamily(
    name="const",
    description="constant env: state float32 zeros of size n, reward 0, 100 steps; options fail_at, image, action",
    examples={
        "const:4": "constant zeros of size n for latency tests (options length, image, action, fail_at, hang_at, crash_at)",
    },
    make=ConstEnv,
    options=ConstOptions,
)
