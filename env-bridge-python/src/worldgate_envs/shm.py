"""The shared-memory observation file (layout documented in env_bridge.proto).

Header (64 bytes, little-endian)::

    0  bytes[8]  magic b"WGENVSHM"
    8  uint32    layout version (1)
    12 uint32    header size (64)
    16 uint32    num_envs K
    20 uint32    num_slots N
    24 uint64    slot_bytes
    32 uint64    generation of the last completed write (0 = none)
    40 uint32    slot of the last completed write
    44 uint32    number of observation regions
    48 bytes[16] reserved

Slot s starts at ``64 + s * slot_bytes``; inside it, one region per
observation in spec order, contiguous: the C-order array ``[K, *shape]``.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from worldgate_envs.spaces import EnvSpec

MAGIC = b"WGENVSHM"
LAYOUT_VERSION = 1
HEADER_BYTES = 64
_HEADER = struct.Struct("<8sIIIIQQII16s")
assert _HEADER.size == HEADER_BYTES
_GEN = struct.Struct("<QI")  # generation at 32, slot at 40
_GEN_OFFSET = 32


@dataclass(frozen=True)
class ShmRegion:
    name: str
    offset: int                 # absolute offset in slot 0
    shape: tuple[int, ...]      # [K, *shape]
    dtype: str

    @property
    def length(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64)) * np.dtype(self.dtype).itemsize


@dataclass(frozen=True)
class ShmLayout:
    path: str
    num_envs: int
    num_slots: int
    slot_bytes: int
    regions: tuple[ShmRegion, ...]

    @property
    def file_size(self) -> int:
        return HEADER_BYTES + self.num_slots * self.slot_bytes

    @staticmethod
    def for_spec(path: str, spec: EnvSpec, num_envs: int, num_slots: int = 1) -> "ShmLayout":
        if num_slots < 1:
            raise ValueError("num_slots must be >= 1")
        regions = []
        offset = HEADER_BYTES
        for o in spec.observations:
            r = ShmRegion(o.name, offset, (num_envs, *o.shape), o.dtype)
            regions.append(r)
            offset += r.length
        return ShmLayout(path, num_envs, num_slots, offset - HEADER_BYTES, tuple(regions))

    def to_dict(self) -> dict[str, object]:
        return {
            "path": self.path,
            "file_size": self.file_size,
            "header_bytes": HEADER_BYTES,
            "num_slots": self.num_slots,
            "slot_bytes": self.slot_bytes,
            "regions": [{"name": r.name, "offset": r.offset, "length": r.length} for r in self.regions],
        }


def _views(mm: np.ndarray, layout: ShmLayout, slot: int) -> dict[str, np.ndarray]:
    base = slot * layout.slot_bytes
    out = {}
    for r in layout.regions:
        start = base + r.offset
        out[r.name] = mm[start : start + r.length].view(np.dtype(r.dtype).newbyteorder("<")).reshape(r.shape)
    return out


class ShmWriter:
    """Creates (truncating) and owns the file; unlinks it on ``close(unlink=True)``."""

    def __init__(self, layout: ShmLayout) -> None:
        self.layout = layout
        path = Path(layout.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            os.ftruncate(fd, layout.file_size)
        finally:
            os.close(fd)
        self._mm: np.memmap | None = np.memmap(path, dtype=np.uint8, mode="r+", shape=(layout.file_size,))
        header = _HEADER.pack(
            MAGIC, LAYOUT_VERSION, HEADER_BYTES, layout.num_envs, layout.num_slots,
            layout.slot_bytes, 0, 0, len(layout.regions), b"\0" * 16,
        )
        self._mm[:HEADER_BYTES] = np.frombuffer(header, np.uint8)
        # Plain ndarray views of the map: np.memmap's subclass hooks cost microseconds on every
        # write, which a step of a cheap env notices.
        self._plain = np.asarray(self._mm)
        self._slots = [_views(self._plain, layout, s) for s in range(layout.num_slots)]
        self.generation = 0

    def next_slot(self) -> tuple[int, int, dict[str, np.ndarray]]:
        """``(generation, slot, views)`` for the next write; call ``commit`` after filling."""
        gen = self.generation + 1
        slot = (gen - 1) % self.layout.num_slots
        return gen, slot, self._slots[slot]

    def commit(self, generation: int, slot: int) -> None:
        assert self._mm is not None
        _GEN.pack_into(self._plain, _GEN_OFFSET, generation, slot)
        self.generation = generation

    def close(self, unlink: bool = True) -> None:
        mm, self._mm = self._mm, None
        self._slots = []
        self._plain = None
        if mm is not None:
            del mm
        if unlink:
            try:
                os.unlink(self.layout.path)
            except FileNotFoundError:
                pass


@dataclass(frozen=True)
class ShmHeader:
    version: int
    header_bytes: int
    num_envs: int
    num_slots: int
    slot_bytes: int
    generation: int
    slot: int
    num_regions: int


class ShmReader:
    """Read side (tests, Python clients). The Java side maps the same file."""

    def __init__(self, layout: ShmLayout) -> None:
        self.layout = layout
        self._mm = np.memmap(layout.path, dtype=np.uint8, mode="r", shape=(layout.file_size,))

    def header(self) -> ShmHeader:
        magic, *rest = _HEADER.unpack(bytes(self._mm[:HEADER_BYTES]))
        if magic != MAGIC:
            raise ValueError(f"{self.layout.path}: bad magic {magic!r}")
        return ShmHeader(*rest[:8])

    def read(self, slot: int, generation: int | None = None) -> dict[str, np.ndarray]:
        """Copies of the observation arrays in ``slot``; checks the generation when given."""
        if generation is not None:
            h = self.header()
            if h.generation < generation:
                raise ValueError(f"shm generation {h.generation} is older than {generation}")
        return {k: v.copy() for k, v in _views(self._mm, self.layout, slot).items()}

    def close(self) -> None:
        del self._mm
