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

Before sleeping in ``recv`` the session may watch the step channel's ``request_seq`` for a
short while (``spin.py``); a step it sees there is taken at once, and the ``S`` byte that the
gateway sent for it all the same is then owed: skipped when it arrives. Each step request
brings exactly one ``S`` byte, so counting them keeps the stream in order whichever way a step
was noticed. The worker stores ``answer_seq`` after a step's results and before its ``S``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import select
import socket
import struct
from typing import Any, Callable, Protocol

from worldgate_envs.core import WorkerCore
from worldgate_envs.lifecycle import Shutdown
from worldgate_envs.spin import AdaptiveSpin
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

    def __init__(
        self, core: WorkerCore, channel: StepChannel, handler: _Handler, shutdown: Shutdown, spin_us: int = 0
    ) -> None:
        self.core = core
        self.channel = channel
        self.handler = handler
        self.shutdown = shutdown
        self.spin_us = spin_us
        self._info_keys = tuple(core.spec.info_keys)

    def serve(self, conn: socket.socket) -> None:
        conn.settimeout(POLL_S)
        waiter = _Waiter(self.channel, conn, lambda n: self._recv(conn, n), AdaptiveSpin(self.spin_us))
        try:
            while True:
                bell = waiter.next_request()
                if bell == STEP:
                    waiter.seen = int(self.channel.request_seq[0])
                    failed = self._step()
                    if failed is None:
                        self.channel.answer_seq[0] = waiter.seen  # after the results: the gateway may be watching it
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


class _Waiter:
    """Waits for the gateway's next request: a step seen in ``request_seq`` while watching, or the
    socket's next byte after skipping the S bytes owed for steps already taken that way."""

    SOCKET_CHECK_EVERY = 16
    """While watching memory, the socket is polled every this many looks (a frame has no counter)."""

    def __init__(
        self, channel: StepChannel, conn: socket.socket, recv: Callable[[int], bytes], spin: AdaptiveSpin
    ) -> None:
        self.channel = channel
        self.conn = conn
        self.recv = recv
        self.spin = spin
        # request_seq of the last step taken; a gateway that connects after another goes on from
        # the count that one left in the file (only a change of request_seq is a step)
        self.seen = int(channel.request_seq[0])
        self.owed = 0  # S bytes of steps taken by watching memory, not yet read from the socket
        self._poll = select.poll()
        self._poll.register(conn.fileno(), select.POLLIN)
        self._looks = 0

    def next_request(self) -> bytes:
        seq = self.channel.request_seq
        if self.spin.spin(self._ready) and int(seq[0]) != self.seen:
            self.owed += 1
            self._drain_owed()
            self.spin.done()
            return STEP
        bell = self.recv(1)
        while bell == STEP and self.owed:
            self.owed -= 1
            bell = self.recv(1)
        self.spin.done()
        return bell

    def _ready(self) -> bool:
        if int(self.channel.request_seq[0]) != self.seen:
            return True
        self._looks += 1
        if self._looks % self.SOCKET_CHECK_EVERY or not self._poll.poll(0):
            return False
        if self.owed:
            self._drain_owed()
            return False
        return True  # a frame, or the byte of a step from a client that does not count its steps

    def _drain_owed(self) -> None:
        """Reads the owed S bytes already in the socket, without waiting.

        Only owed bytes can be there: the gateway sends nothing more before this step's answer.
        ``os.read`` on the descriptor, which a socket with a timeout keeps non-blocking: ``recv``
        with MSG_DONTWAIT would first wait out that timeout."""
        try:
            got = os.read(self.conn.fileno(), self.owed)
        except BlockingIOError:
            return
        if not got:
            raise _Closed()
        if got.strip(STEP):
            raise OSError(f"the gateway sent {got!r} before the answer to its step")
        self.owed -= len(got)


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
