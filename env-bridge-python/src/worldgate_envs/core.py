"""Transport-neutral worker core shared by the gRPC server and the Py4J entry.

Every simulator call runs on ONE thread (MuJoCo/OSMesa GL contexts are bound
to the thread that made them). By default that is a dedicated thread, whatever
thread the request came in on; with ``inline=True`` the caller promises to make
every call, construction included, from one thread, and the core calls the
simulator directly: a thread hop per step costs more than a trivial env's step.
"""

from __future__ import annotations

import enum
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Mapping, TypeVar

import numpy as np

from worldgate_envs.batch import BatchStep, EnvBatch, EnvStepError
from worldgate_envs.errors import ActionError, OptionError, StateError, UnknownEnvError
from worldgate_envs.shm import ShmLayout, ShmWriter
from worldgate_envs.spaces import EnvSpec

T = TypeVar("T")


class Code(enum.IntEnum):
    """Mirrors proto ``StatusCode``."""

    OK = 0
    INVALID_ARGUMENT = 1
    FAILED_PRECONDITION = 2
    ENV_ERROR = 3
    UNIMPLEMENTED = 4
    INTERNAL = 5


@dataclass(frozen=True)
class Failure:
    code: Code
    message: str
    traceback: str = ""


def classify(exc: BaseException) -> Failure:
    """Map an exception from a request to a status (never raises)."""
    if isinstance(exc, EnvStepError):
        return Failure(Code.ENV_ERROR, str(exc), exc.traceback_text)
    if isinstance(exc, (ActionError, OptionError, UnknownEnvError, IndexError, ValueError)):
        return Failure(Code.INVALID_ARGUMENT, str(exc))
    if isinstance(exc, StateError):
        return Failure(Code.FAILED_PRECONDITION, str(exc))
    if isinstance(exc, NotImplementedError):
        return Failure(Code.UNIMPLEMENTED, str(exc) or "not implemented")
    return Failure(Code.INTERNAL, f"{type(exc).__name__}: {exc}", "".join(traceback.format_exception(exc)))


@dataclass
class Reply:
    """A reset/step result; ``obs`` is empty when the observations went to shm."""

    step: BatchStep
    shm_slot: int | None = None
    shm_generation: int | None = None


class WorkerCore:
    def __init__(
        self,
        env_id: str,
        num_envs: int,
        seed: int | None,
        options: Mapping[str, str] | None = None,
        shm_path: str | None = None,
        shm_slots: int = 1,
        inline: bool = False,
    ) -> None:
        self._thread = None if inline else ThreadPoolExecutor(max_workers=1, thread_name_prefix="worldgate-env")
        self._lock = threading.Lock()
        self.seed = seed
        self.num_envs = num_envs
        self.batch: EnvBatch = self._call(EnvBatch, env_id, num_envs, seed, options)
        self.spec: EnvSpec = self.batch.spec
        self.shm_layout: ShmLayout | None = None
        self._shm: ShmWriter | None = None
        if shm_path:
            self.shm_layout = ShmLayout.for_spec(shm_path, self.spec, num_envs, shm_slots)
            self._shm = ShmWriter(self.shm_layout)
        self._closed = False
        self.extra_capabilities: list[str] = []  # added by the transport (e.g. "step-shm")

    @property
    def capabilities(self) -> list[str]:
        caps = list(self.extra_capabilities)
        if self.spec.can_render:
            caps.append("render")
        if self._shm is not None:
            caps.append("shm")
        return caps

    def _call(self, fn: Callable[..., T], *args: Any) -> T:
        if self._thread is None:
            return fn(*args)
        return self._thread.submit(fn, *args).result()

    def _run(self, fn: Callable[[dict[str, np.ndarray] | None], BatchStep]) -> Reply:
        with self._lock:
            if self._closed:
                raise StateError("the worker is closed")
            if self._shm is None:
                return Reply(self._call(fn, None))
            gen, slot, views = self._shm.next_slot()
            res = self._call(fn, views)
            self._shm.commit(gen, slot)
            res.obs = {}
            return Reply(res, slot, gen)

    def reset(self, seed: int | None) -> Reply:
        return self._run(lambda out: self.batch.reset(seed, out=out))

    def step(self, actions: np.ndarray) -> Reply:
        return self._run(lambda out: self.batch.step(actions, out=out))

    def render(self, index: int) -> np.ndarray:
        with self._lock:
            return self._call(self.batch.render, index)

    def close(self, unlink_shm: bool = True) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            try:
                self._call(self.batch.close)
            finally:
                if self._thread is not None:
                    self._thread.shutdown(wait=False)
                if self._shm is not None:
                    self._shm.close(unlink=unlink_shm)
