"""A small Python client for env workers: start one, read its handshake line,
and drive a Session. Used by the tests and benchmarks; the gateway's Java
client follows the same steps."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

import grpc
import numpy as np

from worldgate_envs import PROTOCOL_VERSION
from worldgate_envs.lifecycle import HANDSHAKE_PREFIX
from worldgate_envs.server import GRPC_OPTIONS
from worldgate_envs.shm import HEADER_BYTES, ShmLayout, ShmReader, ShmRegion
from worldgate_envs.wire import from_tensor, pb, pb_grpc, to_tensor


class WorkerError(RuntimeError):
    """A non-OK Status from the worker."""

    def __init__(self, code: int, message: str, traceback: str = "") -> None:
        super().__init__(f"{pb.StatusCode.Name(code)}: {message}")
        self.code = code
        self.message = message
        self.traceback = traceback


@dataclass
class WorkerProcess:
    """A started worker subprocess and its parsed handshake line."""

    proc: subprocess.Popen[bytes]
    info: dict[str, Any]
    stderr_lines: list[str] = field(default_factory=list)

    @property
    def address(self) -> str:
        return str(self.info["address"])

    @staticmethod
    def start(
        args: Sequence[str],
        subcommand: str = "serve",
        timeout: float = 60.0,
        python: str = sys.executable,
        env: dict[str, str] | None = None,
    ) -> "WorkerProcess":
        cmd = [python, "-m", "worldgate_envs", subcommand, *args]
        proc = subprocess.Popen(
            cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )
        stderr_lines: list[str] = []

        def drain() -> None:
            assert proc.stderr is not None
            for line in iter(proc.stderr.readline, b""):
                stderr_lines.append(line.decode(errors="replace").rstrip("\n"))

        threading.Thread(target=drain, daemon=True).start()
        lines: queue.Queue[bytes] = queue.Queue()

        def read_stdout() -> None:
            assert proc.stdout is not None
            for line in iter(proc.stdout.readline, b""):
                lines.put(line)
            lines.put(b"")

        threading.Thread(target=read_stdout, daemon=True).start()
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                proc.kill()
                raise TimeoutError(f"no handshake line within {timeout} s from {cmd}; stderr: {stderr_lines[-20:]}")
            try:
                raw = lines.get(timeout=min(left, 0.5))
            except queue.Empty:
                continue
            if raw == b"":
                proc.wait(5)
                time.sleep(0.2)
                raise RuntimeError(f"worker exited ({proc.returncode}) before its handshake; stderr: {stderr_lines[-20:]}")
            text = raw.decode().rstrip("\n")
            if text.startswith(HANDSHAKE_PREFIX):
                info = json.loads(text[len(HANDSHAKE_PREFIX):])
                return WorkerProcess(proc, info, stderr_lines)

    def stop(self, timeout: float = 10.0) -> int:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return int(self.proc.returncode)


@dataclass
class StepOut:
    obs: dict[str, np.ndarray]
    reward: np.ndarray
    terminated: np.ndarray
    truncated: np.ndarray
    is_first: np.ndarray
    episode_steps: np.ndarray
    infos: dict[str, np.ndarray]
    shm: tuple[int, int] | None


def layout_from_proto(msg: Any, num_envs: int, observations: Sequence[Any]) -> ShmLayout:
    dtypes = {o.name: np.dtype(pb.DType.Name(o.dtype)[len("DTYPE_"):].lower()) for o in observations}
    shapes = {o.name: tuple(o.shape) for o in observations}
    regions = tuple(
        ShmRegion(r.name, int(r.offset), (num_envs, *shapes[r.name]), dtypes[r.name].name) for r in msg.regions
    )
    assert msg.header_bytes == HEADER_BYTES
    return ShmLayout(msg.path, num_envs, int(msg.num_slots), int(msg.slot_bytes), regions)


class WorkerClient:
    """gRPC client with one open Session (lockstep request/response)."""

    def __init__(self, address: str, timeout: float = 60.0) -> None:
        self.channel = grpc.insecure_channel(address, options=GRPC_OPTIONS)
        grpc.channel_ready_future(self.channel).result(timeout=timeout)
        self.stub = pb_grpc.EnvWorkerStub(self.channel)
        self.timeout = timeout
        self._requests: queue.Queue[Any] = queue.Queue()
        self._responses: Iterator[Any] | None = None
        self._next_id = 0
        self.spec: Any = None
        self._shm: ShmReader | None = None

    def handshake(self, version: int = PROTOCOL_VERSION) -> Any:
        return self.stub.Handshake(pb.HandshakeRequest(protocol_version=version, client="worldgate-envs-client"),
                                   timeout=self.timeout)

    def describe(self) -> Any:
        self.spec = self.stub.Describe(pb.DescribeRequest(), timeout=self.timeout)
        if self.spec.HasField("shm"):
            self._shm = ShmReader(layout_from_proto(self.spec.shm, self.spec.num_envs, self.spec.observations))
        return self.spec

    def _iter(self) -> Iterator[Any]:
        while True:
            item = self._requests.get()
            if item is None:
                return
            yield item

    def request(self, **kind: Any) -> Any:
        """Send one EnvRequest (e.g. ``reset=pb.Reset(seed=1)``) and return its EnvResponse."""
        if self._responses is None:
            self._responses = self.stub.Session(self._iter())
        self._next_id += 1
        self._requests.put(pb.EnvRequest(request_id=self._next_id, **kind))
        resp = next(self._responses)
        assert resp.request_id == self._next_id, (resp.request_id, self._next_id)
        return resp

    def _result(self, resp: Any) -> StepOut:
        if resp.status.code != pb.STATUS_CODE_OK:
            raise WorkerError(resp.status.code, resp.status.message, resp.status.traceback)
        s = resp.step
        if s.HasField("shm"):
            assert self._shm is not None, "call describe() first"
            obs = self._shm.read(s.shm.slot, s.shm.generation)
            ref: tuple[int, int] | None = (s.shm.slot, s.shm.generation)
        else:
            obs = {t.name: from_tensor(t.tensor) for t in s.observations}
            ref = None
        return StepOut(
            obs=obs,
            reward=np.asarray(s.rewards, np.float64),
            terminated=np.asarray(s.terminated, bool),
            truncated=np.asarray(s.truncated, bool),
            is_first=np.asarray(s.is_first, bool),
            episode_steps=np.asarray(s.episode_steps, np.int64),
            infos={t.name: from_tensor(t.tensor) for t in s.infos},
            shm=ref,
        )

    def reset(self, seed: int | None = None) -> StepOut:
        msg = pb.Reset() if seed is None else pb.Reset(seed=seed)
        return self._result(self.request(reset=msg))

    def step(self, actions: np.ndarray) -> StepOut:
        return self._result(self.request(step=pb.Step(actions=to_tensor(actions))))

    def render(self, index: int) -> np.ndarray:
        resp = self.request(render=pb.Render(env_index=index))
        if resp.status.code != pb.STATUS_CODE_OK:
            raise WorkerError(resp.status.code, resp.status.message, resp.status.traceback)
        return from_tensor(resp.render.image)

    def close(self, shutdown: bool = False) -> None:
        if self._responses is not None:
            try:
                self.request(close=pb.Close(shutdown=shutdown))
            except (grpc.RpcError, StopIteration):
                pass
            self._requests.put(None)
            self._responses = None
        if self._shm is not None:
            self._shm.close()
            self._shm = None
        self.channel.close()

    def __enter__(self) -> "WorkerClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def python_for_workers() -> str:
    """The interpreter to start workers with (this one, or $WORLDGATE_WORKER_PYTHON)."""
    return os.environ.get("WORLDGATE_WORKER_PYTHON", sys.executable)
