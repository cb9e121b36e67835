"""Protobuf conversions: numpy <-> Tensor, EnvSpec -> proto, results -> proto."""

from __future__ import annotations

import importlib
import math
import sys
from types import ModuleType
from typing import Any

import numpy as np

from worldgate_envs.shm import HEADER_BYTES, ShmLayout
from worldgate_envs.spaces import BoxSpace, DiscreteSpace, EnvSpec


def _load_stubs() -> tuple[ModuleType, ModuleType]:
    try:
        pb = importlib.import_module("worldgate_envs._proto.env_bridge_pb2")
        grpc_mod = importlib.import_module("worldgate_envs._proto.env_bridge_pb2_grpc")
        return pb, grpc_mod
    except ImportError as first:
        try:
            from worldgate_envs import codegen

            codegen.generate()
        except Exception as e:  # noqa: BLE001
            raise ImportError(
                "the gRPC stubs of worldgate_envs are missing and could not be generated "
                f"({e}); run env-bridge-python/install.sh"
            ) from first
        importlib.invalidate_caches()
        pb = importlib.import_module("worldgate_envs._proto.env_bridge_pb2")
        grpc_mod = importlib.import_module("worldgate_envs._proto.env_bridge_pb2_grpc")
        return pb, grpc_mod


pb, pb_grpc = _load_stubs()

_TO_PROTO: dict[np.dtype, int] = {
    np.dtype("uint8"): pb.DTYPE_UINT8,
    np.dtype("int32"): pb.DTYPE_INT32,
    np.dtype("int64"): pb.DTYPE_INT64,
    np.dtype("float32"): pb.DTYPE_FLOAT32,
    np.dtype("float64"): pb.DTYPE_FLOAT64,
    np.dtype("bool"): pb.DTYPE_BOOL,
}
_FROM_PROTO: dict[int, np.dtype] = {v: k for k, v in _TO_PROTO.items()}
# The wire is little-endian: on a little-endian host the native dtypes read it as it is.
_WIRE_DTYPE: dict[int, np.dtype] = (
    _FROM_PROTO if sys.byteorder == "little" else {k: v.newbyteorder("<") for k, v in _FROM_PROTO.items()}
)


def dtype_to_proto(dtype: Any) -> int:
    dt = np.dtype(dtype)
    try:
        return _TO_PROTO[dt.newbyteorder("=")]
    except KeyError:
        raise ValueError(f"dtype {dt} has no wire representation") from None


def to_tensor(arr: np.ndarray) -> Any:
    a = np.asarray(arr)
    code = dtype_to_proto(a.dtype)
    data = np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<")).tobytes()
    return pb.Tensor(dtype=code, shape=list(a.shape), data=data)


def from_tensor(t: Any) -> np.ndarray:
    """Decode a Tensor; raises ValueError on unknown dtype or size mismatch."""
    dt = _WIRE_DTYPE.get(t.dtype)
    if dt is None:
        raise ValueError(f"tensor dtype {t.dtype} is not a known DType")
    shape = tuple(t.shape)
    if min(shape, default=0) < 0:
        raise ValueError(f"tensor shape {shape} has a negative dimension")
    data = t.data
    # math.prod, not np.prod: this runs on every step and numpy's reduction costs microseconds.
    want = math.prod(shape) * dt.itemsize
    if len(data) != want:
        raise ValueError(f"tensor data has {len(data)} bytes, shape {shape} of {_FROM_PROTO[t.dtype]} needs {want}")
    arr = np.frombuffer(data, dtype=dt).reshape(shape)
    return arr if arr.dtype.isnative else arr.astype(_FROM_PROTO[t.dtype])


def spec_to_proto(spec: EnvSpec, num_envs: int, seed: int | None, shm: ShmLayout | None) -> Any:
    msg = pb.EnvSpec(
        env_id=spec.env_id,
        family=spec.family,
        num_envs=num_envs,
        max_episode_steps=spec.max_episode_steps,
        info_keys=list(spec.info_keys),
        seed=seed or 0,
    )
    msg.options.update(dict(spec.options))
    for o in spec.observations:
        msg.observations.add(
            name=o.name, shape=list(o.shape), dtype=dtype_to_proto(o.dtype), low=o.low_list(), high=o.high_list()
        )
    space = spec.action_space
    if isinstance(space, DiscreteSpace):
        msg.action_space.discrete.n = space.n
    else:
        assert isinstance(space, BoxSpace)
        box = msg.action_space.box
        box.shape.extend(space.shape)
        box.dtype = pb.DTYPE_FLOAT32
        d = space.to_dict()
        box.low.extend(float(v) for v in d["low"])
        box.high.extend(float(v) for v in d["high"])
    if shm is not None:
        msg.shm.path = shm.path
        msg.shm.file_size = shm.file_size
        msg.shm.header_bytes = HEADER_BYTES
        msg.shm.num_slots = shm.num_slots
        msg.shm.slot_bytes = shm.slot_bytes
        for r in shm.regions:
            msg.shm.regions.add(name=r.name, offset=r.offset, length=r.length)
    return msg
