"""Observation/action space descriptions shared by every adapter.

Convention: observations are dicts of named numpy arrays (``image``: uint8
HxWxC, ``state``: float32 vector); actions are either a float32 Box within the
env's bounds or a Discrete integer in ``[0, n)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Mapping, Sequence, Union

import numpy as np

from worldgate_envs.errors import ActionError

#: dtypes allowed on the wire (names as numpy spells them).
WIRE_DTYPES = ("uint8", "int32", "int64", "float32", "float64", "bool")


def _bounds_to_list(values: np.ndarray) -> list[float]:
    """One value when uniform, else every element (row-major)."""
    flat = np.asarray(values, dtype=np.float64).reshape(-1)
    if flat.size == 0:
        return []
    if np.all(flat == flat[0]):
        return [float(flat[0])]
    return [float(v) for v in flat]


def _json_number(v: float) -> float | str:
    if np.isposinf(v):
        return "inf"
    if np.isneginf(v):
        return "-inf"
    return v


@dataclass(frozen=True)
class ArraySpec:
    """One named observation array of ONE env."""

    name: str
    shape: tuple[int, ...]
    dtype: str
    low: np.ndarray = field(compare=False)
    high: np.ndarray = field(compare=False)

    @staticmethod
    def image(name: str, height: int, width: int, channels: int = 3) -> "ArraySpec":
        return ArraySpec(name, (height, width, channels), "uint8", np.array(0.0), np.array(255.0))

    @staticmethod
    def vector(name: str, size: int, low: Any = -np.inf, high: Any = np.inf) -> "ArraySpec":
        lo = np.broadcast_to(np.asarray(low, dtype=np.float64), (size,)).copy()
        hi = np.broadcast_to(np.asarray(high, dtype=np.float64), (size,)).copy()
        return ArraySpec(name, (size,), "float32", lo, hi)

    @property
    def np_dtype(self) -> np.dtype:
        return np.dtype(self.dtype)

    @property
    def nbytes(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * self.np_dtype.itemsize

    def low_list(self) -> list[float]:
        return _bounds_to_list(self.low)

    def high_list(self) -> list[float]:
        return _bounds_to_list(self.high)

    def zeros(self, batch: int | None = None) -> np.ndarray:
        shape = self.shape if batch is None else (batch, *self.shape)
        return np.zeros(shape, dtype=self.np_dtype)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "shape": list(self.shape),
            "dtype": self.dtype,
            "low": [_json_number(v) for v in self.low_list()],
            "high": [_json_number(v) for v in self.high_list()],
        }


@dataclass(frozen=True)
class DiscreteSpace:
    """Integer actions in ``[0, n)``."""

    n: int

    @property
    def shape(self) -> tuple[int, ...]:
        return ()

    def to_dict(self) -> dict[str, Any]:
        return {"type": "discrete", "n": self.n}

    def sample(self, rng: np.random.Generator, batch: int) -> np.ndarray:
        return rng.integers(0, self.n, size=(batch,), dtype=np.int64)

    def validate_batch(self, actions: Any, num_envs: int) -> np.ndarray:
        arr = actions if isinstance(actions, np.ndarray) else None
        if arr is None:
            raise ActionError(f"actions: expected a numpy array of integers with shape ({num_envs},), got {type(actions).__name__}")
        if arr.dtype.kind not in "iu":
            raise ActionError(f"actions: expected an integer dtype (int64 or int32) for Discrete({self.n}), got {arr.dtype}")
        if arr.shape != (num_envs,):
            raise ActionError(f"actions: expected shape ({num_envs},) = [num_envs] for Discrete({self.n}), got {tuple(arr.shape)}")
        bad = np.nonzero((arr < 0) | (arr >= self.n))[0]
        if bad.size:
            i = int(bad[0])
            raise ActionError(f"actions: env {i} action {int(arr[i])} is outside Discrete({self.n}) = [0, {self.n - 1}]")
        return arr.astype(np.int64, copy=False)


@dataclass(frozen=True)
class BoxSpace:
    """float32 actions of a fixed shape within ``[low, high]`` element-wise."""

    shape: tuple[int, ...]
    low: np.ndarray = field(compare=False)
    high: np.ndarray = field(compare=False)
    dtype: str = "float32"

    @cached_property
    def _finite_bounds(self) -> bool:
        return bool(np.isfinite(self.low).all() and np.isfinite(self.high).all())

    @staticmethod
    def of(shape: Sequence[int], low: Any, high: Any) -> "BoxSpace":
        shp = tuple(int(s) for s in shape)
        lo = np.broadcast_to(np.asarray(low, dtype=np.float32), shp).copy()
        hi = np.broadcast_to(np.asarray(high, dtype=np.float32), shp).copy()
        return BoxSpace(shp, lo, hi)

    def to_dict(self) -> dict[str, Any]:
        return {
            "type": "box",
            "shape": list(self.shape),
            "dtype": self.dtype,
            "low": [_json_number(v) for v in _bounds_to_list(self.low)],
            "high": [_json_number(v) for v in _bounds_to_list(self.high)],
        }

    def sample(self, rng: np.random.Generator, batch: int) -> np.ndarray:
        lo = np.where(np.isfinite(self.low), self.low, -1.0)
        hi = np.where(np.isfinite(self.high), self.high, 1.0)
        u = rng.random((batch, *self.shape))
        return (lo + u * (hi - lo)).astype(np.float32)

    def validate_batch(self, actions: Any, num_envs: int) -> np.ndarray:
        want = (num_envs, *self.shape)
        if not isinstance(actions, np.ndarray):
            raise ActionError(f"actions: expected a float32 numpy array of shape {want}, got {type(actions).__name__}")
        arr = actions
        if arr.dtype != np.float32:
            raise ActionError(f"actions: expected dtype float32, got {arr.dtype}")
        if arr.shape != want:
            raise ActionError(f"actions: expected shape {want} = [num_envs, *action_shape], got {tuple(arr.shape)}")
        # NaN fails both comparisons, so one pass over the batch clears the usual case; the
        # separate finiteness pass is only for bounds that let +/-inf through, and for the message.
        if ((arr >= self.low) & (arr <= self.high)).all() and (self._finite_bounds or np.isfinite(arr).all()):
            return arr
        finite = np.isfinite(arr)
        if not finite.all():
            idx = np.argwhere(~finite)[0]
            raise ActionError(f"actions: env {int(idx[0])} has a non-finite value {arr[tuple(idx)]} at index {tuple(int(v) for v in idx[1:])}")
        outside = (arr < self.low) | (arr > self.high)
        if outside.any():
            idx = np.argwhere(outside)[0]
            j = tuple(int(v) for v in idx[1:])
            raise ActionError(
                f"actions: env {int(idx[0])} value {float(arr[tuple(idx)])} at index {j} is outside "
                f"[{float(self.low[j])}, {float(self.high[j])}]"
            )
        return arr


ActionSpace = Union[DiscreteSpace, BoxSpace]


@dataclass(frozen=True)
class EnvSpec:
    """Spec of ONE env of a family (a batch adds a leading K dimension)."""

    env_id: str
    family: str
    observations: tuple[ArraySpec, ...]
    action_space: ActionSpace
    max_episode_steps: int
    options: Mapping[str, str] = field(default_factory=dict)
    info_keys: tuple[str, ...] = ()
    can_render: bool = False

    def observation(self, name: str) -> ArraySpec:
        for o in self.observations:
            if o.name == name:
                return o
        raise KeyError(name)

    @property
    def observation_names(self) -> tuple[str, ...]:
        return tuple(o.name for o in self.observations)

    def to_dict(self) -> dict[str, Any]:
        return {
            "env_id": self.env_id,
            "family": self.family,
            "observations": [o.to_dict() for o in self.observations],
            "action_space": self.action_space.to_dict(),
            "max_episode_steps": self.max_episode_steps,
            "options": dict(self.options),
            "info_keys": list(self.info_keys),
            "can_render": self.can_render,
        }
