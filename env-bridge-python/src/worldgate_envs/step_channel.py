"""The step channel: one step's actions and results in shared memory (transport ``shm``).

Observations keep going through the observation file (``shm.py``); this second file carries
what a step sends and returns besides them, at offsets fixed by the spec, so that a step needs
no message at all, only a one-byte doorbell (``doorbell.py``). Layout v2, little-endian
(documented in ``env_bridge.proto``)::

    header, 64 bytes:
      0  bytes[8]  magic b"WGSTEPCH"
      8  uint32    layout version (2)
      12 uint32    header size (64)
      16 uint32    num_envs K
      20 uint32    action bytes per env (int32 for Discrete, float32 * prod(shape) for Box)
      24 uint32    number of infos I (EnvSpec.info_keys, in order)
      28 uint32    reserved
      32 uint64    file size
      40 uint64    request_seq: the gateway's count of steps, stored after the actions
      48 uint64    answer_seq: the request_seq of the last step answered, stored after the results
      56 bytes[8]  reserved

The two counters let a side that expects an answer soon see it by watching memory
(``spin.py``) instead of sleeping in ``recv`` until the doorbell's byte wakes it: a wake-up on
another core costs 30-40 us here, most of a cheap step's round trip. The doorbell byte is sent
all the same, so a side that stopped watching and sleeps is always woken.
    then, each region starting at a multiple of 8:
      actions        K * action bytes     written by the gateway
      rewards        float64[K]           written by the worker, as are the rest
      episode_steps  int64[K]
      obs_generation uint64, obs_slot uint32, 4 bytes padding: the ShmRef of the observations
      infos          float32[I, K]
      terminated, truncated, is_first: bool[K] each (one byte, 0 or 1)
"""

from __future__ import annotations

import mmap
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from worldgate_envs.spaces import BoxSpace, EnvSpec

MAGIC = b"WGSTEPCH"
LAYOUT_VERSION = 2
REQUEST_SEQ = 40
ANSWER_SEQ = 48
HEADER_BYTES = 64
_HEADER = struct.Struct("<8sIIIIIIQ24s")
assert _HEADER.size == HEADER_BYTES


def _align(n: int) -> int:
    return (n + 7) & ~7


@dataclass(frozen=True)
class StepChannelLayout:
    """Byte offsets of the regions, computed from K, the action space and the info keys alone."""

    num_envs: int
    action_bytes: int
    action_dtype: str
    action_shape: tuple[int, ...]
    num_infos: int
    actions: int
    rewards: int
    episode_steps: int
    obs_ref: int
    infos: int
    terminated: int
    truncated: int
    is_first: int
    file_size: int

    @staticmethod
    def for_spec(spec: EnvSpec, num_envs: int) -> "StepChannelLayout":
        space = spec.action_space
        if isinstance(space, BoxSpace):
            shape, dtype = tuple(space.shape), "float32"
        else:
            shape, dtype = (), "int32"
        action_bytes = int(np.prod(shape, dtype=np.int64)) * 4
        k, infos = num_envs, len(spec.info_keys)
        offset = HEADER_BYTES
        regions = {}
        for name, size in (
            ("actions", k * action_bytes), ("rewards", 8 * k), ("episode_steps", 8 * k), ("obs_ref", 16),
            ("infos", 4 * infos * k), ("terminated", k), ("truncated", k), ("is_first", k),
        ):
            regions[name] = offset
            offset = _align(offset + size)
        return StepChannelLayout(k, action_bytes, dtype, shape, infos, file_size=offset, **regions)


class StepChannel:
    """The worker's side: creates (truncating) and maps the file; numpy views on each region."""

    def __init__(self, path: str, layout: StepChannelLayout) -> None:
        self.path = path
        self.layout = layout
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.ftruncate(fd, layout.file_size)
            self._mm = mmap.mmap(fd, layout.file_size)
        finally:
            os.close(fd)
        _HEADER.pack_into(
            self._mm, 0, MAGIC, LAYOUT_VERSION, HEADER_BYTES, layout.num_envs, layout.action_bytes,
            layout.num_infos, 0, layout.file_size, b"\0" * 24,
        )
        k = layout.num_envs
        buf = self._mm

        def view(offset: int, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
            count = int(np.prod(shape, dtype=np.int64))
            return np.frombuffer(buf, np.dtype(dtype).newbyteorder("<"), count, offset).reshape(shape)

        self.actions = view(layout.actions, layout.action_dtype, (k, *layout.action_shape))
        self.rewards = view(layout.rewards, "float64", (k,))
        self.episode_steps = view(layout.episode_steps, "int64", (k,))
        self.obs_generation = view(layout.obs_ref, "uint64", (1,))
        self.obs_slot = view(layout.obs_ref + 8, "uint32", (1,))
        self.infos = view(layout.infos, "float32", (layout.num_infos, k))
        self.terminated = view(layout.terminated, "bool", (k,))
        self.truncated = view(layout.truncated, "bool", (k,))
        self.is_first = view(layout.is_first, "bool", (k,))
        self.request_seq = view(REQUEST_SEQ, "uint64", (1,))
        self.answer_seq = view(ANSWER_SEQ, "uint64", (1,))

    def close(self, unlink: bool = True) -> None:
        # Views hold exports of the map: drop them before closing it.
        for name in ("actions", "rewards", "episode_steps", "obs_generation", "obs_slot", "infos",
                     "terminated", "truncated", "is_first",
                     "request_seq", "answer_seq"):
            self.__dict__.pop(name, None)
        try:
            self._mm.close()
        except BufferError:
            pass  # a view is still referenced somewhere; the map goes with the process
        if unlink:
            try:
                os.unlink(self.path)
            except FileNotFoundError:
                pass
