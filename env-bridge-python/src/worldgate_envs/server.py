"""The gRPC env worker (``python -m worldgate_envs serve``)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import threading
from concurrent.futures import Future
from typing import Any

import grpc

from worldgate_envs import PROTOCOL_VERSION, __version__, doorbell
from worldgate_envs.core import Code, Failure, Reply, WorkerCore, classify
from worldgate_envs.lifecycle import Shutdown
from worldgate_envs.step_channel import StepChannel, StepChannelLayout
from worldgate_envs.wire import from_tensor, pb, pb_grpc, spec_to_proto, to_tensor

log = logging.getLogger("worldgate_envs.server")

MAX_MESSAGE_BYTES = 256 * 1024 * 1024
GRPC_OPTIONS = [
    ("grpc.max_receive_message_length", MAX_MESSAGE_BYTES),
    ("grpc.max_send_message_length", MAX_MESSAGE_BYTES),
    ("grpc.so_reuseport", 0),
]


def _status(f: Failure | None = None) -> Any:
    if f is None:
        return pb.Status(code=pb.STATUS_CODE_OK)
    return pb.Status(code=int(f.code), message=f.message, traceback=f.traceback)


def fill_step_result(msg: Any, core: WorkerCore, reply: Reply) -> None:
    """Write a reset/step reply into ``msg`` (a StepResult inside the response, so nothing is copied)."""
    s = reply.step
    msg.rewards.extend(s.reward.tolist())
    msg.terminated.extend(s.terminated.tolist())
    msg.truncated.extend(s.truncated.tolist())
    msg.is_first.extend(s.is_first.tolist())
    msg.episode_steps.extend(s.episode_steps.tolist())
    if reply.shm_slot is not None:
        msg.shm.slot = reply.shm_slot
        msg.shm.generation = reply.shm_generation or 0
    else:
        for o in core.spec.observations:
            msg.observations.add(name=o.name, tensor=to_tensor(s.obs[o.name]))
    for key, arr in s.infos.items():
        msg.infos.add(name=key, tensor=to_tensor(arr))


class EnvWorkerServicer(pb_grpc.EnvWorkerServicer):  # type: ignore[misc,name-defined]
    """The handlers run on the server's event loop thread, which is also the thread that
    built the envs: requests step the envs directly, with no hop to another thread."""

    def __init__(self, core: WorkerCore, shutdown: Shutdown) -> None:
        self.core = core
        self.shutdown = shutdown
        self._session_open = False

    async def Handshake(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        if request.protocol_version != PROTOCOL_VERSION:
            await context.abort(
                grpc.StatusCode.FAILED_PRECONDITION,
                f"protocol version mismatch: client {request.protocol_version}, worker {PROTOCOL_VERSION}",
            )
        log.info("handshake from %r", request.client or context.peer())
        return pb.HandshakeResponse(
            protocol_version=PROTOCOL_VERSION,
            capabilities=self.core.capabilities,
            worker_pid=os.getpid(),
            worker_version=__version__,
        )

    async def Describe(self, request: Any, context: grpc.aio.ServicerContext) -> Any:
        return spec_to_proto(self.core.spec, self.core.num_envs, self.core.seed, self.core.shm_layout)

    def handle(self, req: Any) -> tuple[Any, bool]:
        """One request -> (response, end_session)."""
        resp = pb.EnvResponse(request_id=req.request_id)
        kind = req.WhichOneof("kind")
        try:
            if kind == "step":
                try:
                    actions = from_tensor(req.step.actions)
                except ValueError as e:
                    raise ValueError(f"actions: {e}") from None
                fill_step_result(resp.step, self.core, self.core.step(actions))
            elif kind == "reset":
                seed = req.reset.seed if req.reset.HasField("seed") else None
                fill_step_result(resp.step, self.core, self.core.reset(seed))
            elif kind == "render":
                frame = self.core.render(int(req.render.env_index))
                resp.render.env_index = req.render.env_index
                resp.render.image.CopyFrom(to_tensor(frame))
            elif kind == "close":
                resp.closed.SetInParent()
                resp.status.CopyFrom(_status())
                if req.close.shutdown:
                    self.shutdown.request("Close{shutdown: true}")
                return resp, True
            else:
                raise ValueError("EnvRequest has no kind set (reset, step, render or close)")
            resp.status.code = pb.STATUS_CODE_OK
        except Exception as e:  # noqa: BLE001 - every failure becomes a Status
            return self.failed(kind, req.request_id, e), False
        return resp, False

    @staticmethod
    def failed(kind: str | None, request_id: int, e: Exception) -> Any:
        """The response to a request that raised ``e``: its Status, no result."""
        failure = classify(e)
        if failure.code in (Code.ENV_ERROR, Code.INTERNAL):
            log.error("%s request %d failed: %s\n%s", kind, request_id, failure.message, failure.traceback)
        return pb.EnvResponse(request_id=request_id, status=_status(failure))

    async def Session(self, request_iterator: Any, context: grpc.aio.ServicerContext) -> None:
        # One loop thread serves every call, so a plain flag is enough to keep sessions exclusive.
        if self._session_open:
            await context.abort(grpc.StatusCode.FAILED_PRECONDITION, "another Session is already open on this worker")
        self._session_open = True
        try:
            log.info("session opened by %s", context.peer())
            while True:
                req = await context.read()
                if req is grpc.aio.EOF:
                    break
                # Blocking on purpose: the step is this worker's only work, and stepping here keeps
                # every simulator call on the loop thread (GL contexts are bound to their thread).
                resp, end = self.handle(req)
                await context.write(resp)
                if end:
                    break
        finally:
            log.info("session closed")
            self._session_open = False


def build_server(
    core: WorkerCore, shutdown: Shutdown, listen: str, servicer: EnvWorkerServicer | None = None
) -> tuple[grpc.aio.Server, str]:
    """An asyncio server: one session's request and response pass through the loop thread
    without the thread hand-offs of the thread-pool server. Call on the loop's thread."""
    server = grpc.aio.server(options=GRPC_OPTIONS)
    pb_grpc.add_EnvWorkerServicer_to_server(servicer or EnvWorkerServicer(core, shutdown), server)
    if listen.startswith("unix:"):
        path = listen[len("unix:"):]
        if path.startswith("//"):
            path = path[2:]
        if os.path.exists(path):
            os.unlink(path)
        if not server.add_insecure_port(f"unix:{path}"):
            raise OSError(f"cannot listen on unix:{path}")
        return server, f"unix:{path}"
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"--listen must be HOST:PORT or unix:/path, got {listen!r}")
    bound = server.add_insecure_port(listen)
    if not bound:
        raise OSError(f"cannot listen on {listen}")
    return server, f"{host}:{bound}"


def add_worker_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--env", required=True, help="env id, e.g. dmc:walker-walk or atari:Pong?sticky=true")
    p.add_argument("--num-envs", type=int, default=1, help="K envs in this worker (default 1)")
    p.add_argument("--seed", type=int, default=0, help="env i is seeded with seed+i on the first Reset without a seed")
    p.add_argument("--option", action="append", default=[], metavar="KEY=VALUE", help="env option (repeatable)")
    p.add_argument("--shm", default=None, metavar="PATH", help="write observations to this shared-memory file")
    p.add_argument("--shm-slots", type=int, default=1, help="slots in the shm file (default 1)")
    p.add_argument("--exit-with-parent", action="store_true", help="exit when the parent process dies")
    p.add_argument("--log-level", default="INFO")


class _Startup(Exception):
    """A startup failure already worded for stderr; exits with status 2."""


async def _serve(
    args: argparse.Namespace, shutdown: Shutdown, started: Future[tuple[str, list[str]]], stop: asyncio.Event
) -> None:
    """The worker's life on its loop thread: build the envs, serve until ``stop``, close."""
    from worldgate_envs.registry import parse_option_list

    try:
        core = WorkerCore(
            args.env, args.num_envs, args.seed, parse_option_list(args.option), args.shm, args.shm_slots, inline=True
        )
    except Exception as e:  # noqa: BLE001 - startup errors are reported on stderr with a non-zero exit
        log.debug("startup failed", exc_info=True)
        started.set_exception(_Startup(f"worldgate-worker: cannot start {args.env}: {e}"))
        return
    channel = bell = sessions = None
    try:
        if shutdown.event.is_set():
            started.set_result(("", []))
            return
        servicer = EnvWorkerServicer(core, shutdown)
        if getattr(args, "doorbell", None):
            try:
                channel, bell = _open_doorbell(args, core)
            except Exception as e:  # noqa: BLE001
                started.set_exception(_Startup(f"worldgate-worker: cannot open the doorbell {args.doorbell}: {e}"))
                return
        try:
            server, address = build_server(core, shutdown, args.listen, servicer)
            await server.start()
        except Exception as e:  # noqa: BLE001
            started.set_exception(_Startup(f"worldgate-worker: cannot listen on {args.listen}: {e}"))
            return
        if bell is not None:
            session = doorbell.DoorbellSession(core, channel, servicer, shutdown, getattr(args, "spin_us", 0))
            sessions = asyncio.ensure_future(doorbell.accept_sessions(bell, session))
        started.set_result((address, core.capabilities))
        log.info("serving %s x%d on %s", core.spec.env_id, core.num_envs, address)
        await stop.wait()
        if sessions is not None:
            sessions.cancel()
        await server.stop(grace=1.0)
    finally:
        if bell is not None:
            bell.close()
            _unlink(args.doorbell)
        if channel is not None:
            channel.close()
        core.close()


def _open_doorbell(args: argparse.Namespace, core: WorkerCore) -> tuple[StepChannel, Any]:
    """The step channel file and the doorbell socket of transport ``shm``."""
    if not args.shm or not args.step_shm:
        raise ValueError("--doorbell needs --shm (observations) and --step-shm (actions and results)")
    channel = StepChannel(args.step_shm, StepChannelLayout.for_spec(core.spec, core.num_envs))
    try:
        sock = doorbell.listen(args.doorbell)
    except BaseException:
        channel.close()
        raise
    core.extra_capabilities.append("step-shm")
    return channel, sock


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def serve_main(args: argparse.Namespace) -> int:
    from worldgate_envs import lifecycle

    ppid = os.getppid()
    handshake_out = lifecycle.reserve_stdout()
    lifecycle.setup_logging(args.log_level)
    shutdown = Shutdown()
    shutdown.install_signal_handlers()
    if args.exit_with_parent:
        lifecycle.exit_with_parent(ppid, shutdown.request)
    # The main thread only waits for signals (Python runs handlers there) and for the end; the
    # envs and the server live on one loop thread, so a stuck simulator cannot block a SIGTERM.
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    started: Future[tuple[str, list[str]]] = Future()

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(_serve(args, shutdown, started, stop))
        except BaseException as e:  # noqa: BLE001 - reported by the main thread
            if not started.done():
                started.set_exception(e)
            else:
                log.error("the worker's event loop failed", exc_info=True)
                shutdown.request(f"event loop failed: {e}")

    loop_thread = threading.Thread(target=run, name="worldgate-env", daemon=True)
    loop_thread.start()
    try:
        address, capabilities = started.result()
    except _Startup as e:
        loop_thread.join()
        print(str(e), file=sys.stderr, flush=True)
        return 2
    if address:
        lifecycle.announce(
            handshake_out,
            {"protocol": PROTOCOL_VERSION, "address": address, "pid": os.getpid(), "capabilities": capabilities},
        )
        shutdown.wait()
    lifecycle.hard_exit_after(10.0)
    loop.call_soon_threadsafe(stop.set)
    loop_thread.join()
    if address.startswith("unix:"):
        try:
            os.unlink(address[len("unix:"):])
        except OSError:
            pass
    log.info("bye (%s)", shutdown.reason)
    logging.shutdown()
    sys.stderr.flush()
    os._exit(0)  # skip interpreter teardown: simulator atexit hooks can hang or print noise
