"""K envs stepped as one batch, with the bridge's auto-reset rule.

* ``reset(seed)`` seeds env i with ``seed + i`` (``None``: keep the streams;
  the very first reset without a seed uses the batch's ``default_seed``).
* When env i ends (terminated or truncated), that step's result carries the
  FINAL observation of the episode. The NEXT ``step`` resets env i instead of
  stepping it (its action is validated but ignored) and returns the first
  observation with ``is_first=True``, reward 0 and both end flags false.
* Actions are validated for the whole batch before anything is stepped.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from worldgate_envs.adapters.base import Env, Info, Obs
from worldgate_envs.errors import EnvError, StateError
from worldgate_envs.registry import make
from worldgate_envs.spaces import EnvSpec


class EnvStepError(EnvError, RuntimeError):
    """An env raised while resetting or stepping; ``traceback_text`` has the Python traceback."""

    def __init__(self, message: str, traceback_text: str) -> None:
        super().__init__(message)
        self.traceback_text = traceback_text


@dataclass
class BatchStep:
    """Result of a batch reset/step. Arrays have a leading K dimension."""

    obs: dict[str, np.ndarray]
    reward: np.ndarray           # float64 [K]
    terminated: np.ndarray       # bool [K]
    truncated: np.ndarray        # bool [K]
    is_first: np.ndarray         # bool [K]
    episode_steps: np.ndarray    # int64 [K]
    infos: dict[str, np.ndarray] = field(default_factory=dict)  # float32 [K] per spec.info_keys


class EnvBatch:
    """K copies of one env id in this process."""

    def __init__(
        self,
        env_id: str,
        num_envs: int = 1,
        seed: int | None = None,
        options: Mapping[str, str] | None = None,
    ) -> None:
        if num_envs < 1:
            raise ValueError(f"num_envs must be >= 1, got {num_envs}")
        self.num_envs = num_envs
        self.default_seed = seed
        self.envs: list[Env] = []
        try:
            for _ in range(num_envs):
                self.envs.append(make(env_id, options))
        except BaseException:
            self.close()
            raise
        self.spec: EnvSpec = self.envs[0].spec
        self._needs_reset = np.ones(num_envs, dtype=bool)
        self._started = False
        self._broken: str | None = None
        self._seeded = False

    # ------------------------------------------------------------------ helpers
    def alloc_obs(self) -> dict[str, np.ndarray]:
        return {o.name: o.zeros(self.num_envs) for o in self.spec.observations}

    def _new_result(self, out: dict[str, np.ndarray] | None) -> BatchStep:
        k = self.num_envs
        return BatchStep(
            obs=out if out is not None else self.alloc_obs(),
            reward=np.zeros(k, np.float64),
            terminated=np.zeros(k, bool),
            truncated=np.zeros(k, bool),
            is_first=np.zeros(k, bool),
            episode_steps=np.zeros(k, np.int64),
            infos={key: np.zeros(k, np.float32) for key in self.spec.info_keys},
        )

    def _write(self, res: BatchStep, i: int, obs: Obs, info: Info) -> None:
        for name, buf in res.obs.items():
            value = obs[name]
            if value.shape != buf.shape[1:]:
                raise EnvStepError(
                    f"env {i} returned observation {name!r} of shape {value.shape}, spec says {buf.shape[1:]}", ""
                )
            buf[i] = value
        for key, arr in res.infos.items():
            arr[i] = float(info.get(key, 0.0))
        res.episode_steps[i] = self.envs[i].episode_steps

    def _fail(self, i: int, what: str, exc: BaseException) -> EnvStepError:
        tb = "".join(traceback.format_exception(exc))
        self._broken = f"env {i} raised during {what}"
        self._needs_reset[:] = True
        return EnvStepError(f"env {i} of {self.spec.env_id} raised {type(exc).__name__} during {what}: {exc}", tb)

    # ------------------------------------------------------------------ API
    def validate_actions(self, actions: Any) -> np.ndarray:
        return self.spec.action_space.validate_batch(actions, self.num_envs)

    def reset(self, seed: int | None = None, out: dict[str, np.ndarray] | None = None) -> BatchStep:
        """Reset every env; env i gets ``seed + i``. The first reset without a
        seed uses the batch's ``default_seed``; later ones keep the streams."""
        if seed is None and not self._seeded:
            seed = self.default_seed
        if seed is not None and (not isinstance(seed, (int, np.integer)) or seed < 0):
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        res = self._new_result(out)
        for i, env in enumerate(self.envs):
            try:
                obs, info = env.reset(None if seed is None else int(seed) + i)
                self._write(res, i, obs, info)
            except EnvStepError:
                raise
            except Exception as e:  # noqa: BLE001 - reported to the client
                raise self._fail(i, "reset", e) from e
        res.is_first[:] = True
        self._seeded = self._seeded or seed is not None
        self._needs_reset[:] = False
        self._started = True
        self._broken = None
        return res

    def step(self, actions: Any, out: dict[str, np.ndarray] | None = None) -> BatchStep:
        """Step all envs (validating first); ended envs are reset instead."""
        if not self._started:
            raise StateError("step before the first reset: send Reset first")
        if self._broken is not None:
            raise StateError(f"{self._broken}; send Reset before stepping again")
        acts = self.validate_actions(actions)
        res = self._new_result(out)
        for i, env in enumerate(self.envs):
            try:
                if self._needs_reset[i]:
                    obs, info = env.reset(None)
                    self._write(res, i, obs, info)
                    res.is_first[i] = True
                    self._needs_reset[i] = False
                    continue
                obs, reward, terminated, truncated, info = env.step_unchecked(acts[i])
                self._write(res, i, obs, info)
                res.reward[i] = reward
                res.terminated[i] = terminated
                res.truncated[i] = truncated
                self._needs_reset[i] = terminated or truncated
            except EnvStepError:
                raise
            except Exception as e:  # noqa: BLE001 - reported to the client
                raise self._fail(i, "step", e) from e
        return res

    def render(self, index: int) -> np.ndarray:
        if not 0 <= index < self.num_envs:
            raise IndexError(f"env_index {index} is outside [0, {self.num_envs})")
        frame = self.envs[index].render()
        return np.ascontiguousarray(frame, dtype=np.uint8)

    def close(self) -> None:
        envs, self.envs = self.envs, []
        for env in envs:
            try:
                env.close()
            except Exception:  # noqa: BLE001 - best effort
                pass

    def __enter__(self) -> "EnvBatch":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
