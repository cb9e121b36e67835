"""The adapter base class: one Gymnasium-like interface for every simulator."""

from __future__ import annotations

import abc
from typing import Any

import numpy as np

from worldgate_envs.errors import StateError
from worldgate_envs.spaces import BoxSpace, DiscreteSpace, EnvSpec

Obs = dict[str, np.ndarray]
Info = dict[str, Any]
StepTuple = tuple[Obs, float, bool, bool, Info]


class Env(abc.ABC):
    """A single environment.

    ``reset(seed)`` returns ``(obs, info)``; ``step(action)`` returns
    ``(obs, reward, terminated, truncated, info)`` with separate terminated and
    truncated flags. The base class counts agent steps, truncates at
    ``spec.max_episode_steps`` and refuses ``step`` before ``reset`` or after
    the episode ended. Subclasses implement ``_reset`` and ``_step``.
    """

    def __init__(self) -> None:
        self._episode_steps = 0
        self._needs_reset = True

    # -- to implement ---------------------------------------------------------
    @property
    @abc.abstractmethod
    def spec(self) -> EnvSpec:
        """Spaces, limits and id of this env."""

    @abc.abstractmethod
    def _reset(self, seed: int | None) -> tuple[Obs, Info]:
        ...

    @abc.abstractmethod
    def _step(self, action: Any) -> StepTuple:
        ...

    def render(self) -> np.ndarray:
        """An RGB frame (uint8 HxWx3) of the current state, for humans."""
        raise NotImplementedError(f"{self.spec.family} env '{self.spec.env_id}' cannot render")

    def close(self) -> None:
        """Free simulator resources. Idempotent."""

    # -- public ----------------------------------------------------------------
    @property
    def episode_steps(self) -> int:
        return self._episode_steps

    def reset(self, seed: int | None = None) -> tuple[Obs, Info]:
        if seed is not None and (not isinstance(seed, (int, np.integer)) or seed < 0):
            raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")
        self._needs_reset = True
        obs, info = self._reset(None if seed is None else int(seed))
        self._episode_steps = 0
        self._needs_reset = False
        return obs, info

    def step(self, action: Any) -> StepTuple:
        """Validate one action, step, and apply the time limit."""
        space = self.spec.action_space
        if isinstance(space, DiscreteSpace):
            arr = np.asarray(action)
            if arr.dtype.kind not in "iu" and arr.dtype != object:
                arr = np.asarray(action, dtype=np.float64)
                if not np.all(arr == np.round(arr)):
                    raise ValueError(f"discrete action must be an integer, got {action!r}")
            space.validate_batch(arr.astype(np.int64).reshape(1), 1)
            return self.step_unchecked(int(arr))
        assert isinstance(space, BoxSpace)
        arr = np.asarray(action, dtype=np.float32).reshape(space.shape)
        space.validate_batch(arr[None], 1)
        return self.step_unchecked(arr)

    def step_unchecked(self, action: Any) -> StepTuple:
        """Step with an action that was already validated (used by batches)."""
        if self._needs_reset:
            raise StateError(f"{self.spec.env_id}: call reset() before step() (and after an episode ends)")
        self._needs_reset = True  # stays set if _step raises
        obs, reward, terminated, truncated, info = self._step(action)
        self._episode_steps += 1
        terminated = bool(terminated)
        truncated = bool(truncated) and not terminated
        limit = self.spec.max_episode_steps
        if not terminated and limit > 0 and self._episode_steps >= limit:
            truncated = True
        self._needs_reset = terminated or truncated
        return obs, float(reward), terminated, truncated, info

    def __enter__(self) -> "Env":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
