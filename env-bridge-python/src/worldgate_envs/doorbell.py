"""The session of transport ``shm``: a step is one byte each way over a Unix socket.

grpcio's own threads cost about 300 us per message on a small machine; a byte over a Unix
socket costs about 20. So after the gRPC handshake and Describe the gateway connects to this
socket and the session runs here: ``S`` from the gateway means "the actions are in the step
channel" and ``S`` back means "the results are in it" (``step_channel.py``, observations in the
observation file). Everything else, and a step that failed, travels as ``R`` + uint32 length +
an EnvRequest (gateway) or EnvResponse (worker) in protobuf bytes, answered by the same code as
the gRPC session. The gateway closing the socket ends the session; the worker dying shows the
gateway an end of file, which it treats like a broken gRPC stream.

The session runs on the worker's loop thread (the simulator's thread) and blocks it, so while a
gateway is connected the gRPC server answers nothing: the gateway asks it nothing then.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import struct
from typing import Any, Protocol

from worldgate_envs.core import WorkerCore
from worldgate_envs.lifecycle import Shutdown
from worldgate_envs.step_channel import StepChannel
from worldgate_envs.wire import pb

log = logging.getLogger("worldgate_envs.doorbell")

STEP = b"S"
FRAME = b"R"
_LENGTH = struct.Struct("<I")
MAX_FRAME_BYTES = 256 * 1024 * 1024
POLL_S = 0.5
"""How often a waiting session looks at the shutdown flag (a blocking recv cannot see a signal)."""


class _Handler(Protocol):
    def handle(self, req: Any) -> tuple[Any, bool]: ...

    def failed(self, kind: str | None, request_id: int, e: Exception) -> Any: ...


class _Closed(Exception):
    """The gateway closed the socket, or the worker is shutting down."""


class DoorbellSession:
    """Serves one connected gateway until it hangs up, sends Close, or the worker shuts down."""

    def __init__(self, core: WorkerCore, channel: StepChannel, handler: _Handler, shutdown: Shutdown) -> None:
        self.core = core
        self.channel = channel
        self.handler = handler
        self.shutdown = shutdown
        self._info_keys = tuple(core.spec.info_keys)

    def serve(self, conn: socket.socket) -> None:
        conn.settimeout(POLL_S)
        try:
            while True:
                bell = self._recv(conn, 1)
                if bell == STEP:
                    failed = self._step()
                    if failed is None:
                        conn.sendall(STEP)
                    else:
                        self._send_frame(conn, failed)
                elif bell == FRAME:
                    (n,) = _LENGTH.unpack(self._recv(conn, 4))
                    if n > MAX_FRAME_BYTES:
                        log.error("a request frame of %d bytes; closing the session", n)
                        return
                    resp, end = self.handler.handle(pb.EnvRequest.FromString(self._recv(conn, n)))
                    self._send_frame(conn, resp)
                    if end:
                        return
                else:
                    log.error("unknown doorbell byte %r; closing the session", bell)
                    return
        except _Closed:
            return
        except OSError as e:
            log.info("doorbell session ended: %s", e)

    def _recv(self, conn: socket.socket, n: int) -> bytes:
        """``n`` bytes; the doorbell itself (one byte, the one call per step) in a single recv."""
        parts = []
        while n:
            try:
                b = conn.recv(n)  # requests are small: a frame arrives in one or two pieces
            except TimeoutError:
                if self.shutdown.event.is_set():
                    raise _Closed() from None
                continue
            if not b:
                raise _Closed()
            if not parts and len(b) == n:
                return b
            parts.append(b)
            n -= len(b)
        return b"".join(parts)

    @staticmethod
    def _send_frame(conn: socket.socket, resp: Any) -> None:
        data = resp.SerializeToString()
        conn.sendall(FRAME + _LENGTH.pack(len(data)) + data)

    def _step(self) -> Any:
        """Steps with the channel's actions and writes the results there; an EnvResponse on failure."""
        ch = self.channel
        try:
            reply = self.core.step(ch.actions.copy())  # a copy: an env may keep its action past the step
        except Exception as e:  # noqa: BLE001 - every failure becomes a Status, as in the gRPC session
            return self.handler.failed("step", 0, e)  # the doorbell carries no request id
        s = reply.step
        ch.rewards[:] = s.reward
        ch.episode_steps[:] = s.episode_steps
        ch.terminated[:] = s.terminated
        ch.truncated[:] = s.truncated
        ch.is_first[:] = s.is_first
        for i, key in enumerate(self._info_keys):
            ch.infos[i] = s.infos[key]
        ch.obs_generation[0] = reply.shm_generation or 0
        ch.obs_slot[0] = reply.shm_slot or 0
        return None


def listen(path: str) -> socket.socket:
    """A listening Unix socket at ``path`` (an old file there is replaced), non-blocking for asyncio."""
    if os.path.exists(path):
        os.unlink(path)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(path)
    os.chmod(path, 0o600)
    sock.listen(1)
    sock.setblocking(False)
    return sock


async def accept_sessions(sock: socket.socket, session: DoorbellSession) -> None:
    """Serves gateways one after the other; runs on the loop thread until cancelled."""
    loop = asyncio.get_running_loop()
    while True:
        conn, _ = await loop.sock_accept(sock)
        log.info("doorbell session opened")
        with conn:
            conn.setblocking(True)
            session.serve(conn)  # blocking on purpose: the simulator's calls stay on this thread
        log.info("doorbell session closed")
        if session.shutdown.event.is_set():
            return
