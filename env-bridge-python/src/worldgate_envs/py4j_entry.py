"""Py4J entry point (``python -m worldgate_envs py4j-serve``).

Java drives: it calls methods of :class:`PyEnvWorker` (the Python server entry
point, object id ``t``) through a Py4J ``ClientServer``. Control and small data
travel through Py4J as JSON text; observations always go through the shm file
(Py4J sends ``byte[]`` as base64 text, far too slow for pixels). The matching
Java interface::

    public interface PythonEnvWorker {
        String handshake();                 // {"protocol":1,"capabilities":[...],"pid":...}
        String describe();                  // EnvSpec as JSON, with "shm" layout and "num_envs"
        String reset(long seed);            // seed < 0: no reseed
        String step(byte[] actions);        // raw little-endian [K,*shape] float32, or [K] int64
        byte[] render(int envIndex);        // raw uint8 HxWx3; shape in lastRenderShape()
        String lastRenderShape();           // JSON [H,W,3]
        String close(boolean shutdown);
    }

Every String result is a JSON object with ``status`` = ``{"code": "OK"|...,
"message": ..., "traceback": ...}``; step/reset results add ``shm`` =
``{"slot", "generation"}``, ``rewards``, ``terminated``, ``truncated``,
``is_first``, ``episode_steps`` and ``infos``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import socket
import sys
import threading
import time
from typing import Any

import numpy as np

from worldgate_envs import PROTOCOL_VERSION, __version__
from worldgate_envs.core import Failure, Reply, WorkerCore, classify
from worldgate_envs.lifecycle import Shutdown
from worldgate_envs.spaces import DiscreteSpace

log = logging.getLogger("worldgate_envs.py4j")


def _status(f: Failure | None = None) -> dict[str, str]:
    if f is None:
        return {"code": "OK", "message": "", "traceback": ""}
    return {"code": f.code.name, "message": f.message, "traceback": f.traceback}


def _reply_json(reply: Reply) -> str:
    s = reply.step
    return json.dumps(
        {
            "status": _status(),
            "shm": {"slot": reply.shm_slot, "generation": reply.shm_generation},
            "rewards": s.reward.tolist(),
            "terminated": s.terminated.tolist(),
            "truncated": s.truncated.tolist(),
            "is_first": s.is_first.tolist(),
            "episode_steps": s.episode_steps.tolist(),
            "infos": {k: v.tolist() for k, v in s.infos.items()},
        },
        separators=(",", ":"),
    )


def _failure_json(e: BaseException) -> str:
    return json.dumps({"status": _status(classify(e))}, separators=(",", ":"))


# How long the worker waits, after close(shutdown=true), for Java to read the reply and disconnect.
CLOSE_REPLY_GRACE_S = 2.0


class PyEnvWorker:
    """The object Java calls. Methods never raise: failures come back as status."""

    def __init__(self, core: WorkerCore, shutdown: Shutdown) -> None:
        self.core = core
        self.shutdown = shutdown
        self.closing_thread: threading.Thread | None = None
        self._render_shape: list[int] = []

    def handshake(self) -> str:
        return json.dumps(
            {
                "status": _status(),
                "protocol": PROTOCOL_VERSION,
                "capabilities": self.core.capabilities,
                "pid": os.getpid(),
                "worker_version": __version__,
            }
        )

    def describe(self) -> str:
        spec = self.core.spec.to_dict()
        spec["num_envs"] = self.core.num_envs
        spec["seed"] = self.core.seed
        spec["shm"] = self.core.shm_layout.to_dict() if self.core.shm_layout else None
        return json.dumps({"status": _status(), "spec": spec})

    def reset(self, seed: int) -> str:
        try:
            return _reply_json(self.core.reset(None if seed is None or int(seed) < 0 else int(seed)))
        except Exception as e:  # noqa: BLE001
            return _failure_json(e)

    def step(self, actions: Any) -> str:
        try:
            space = self.core.spec.action_space
            raw = bytes(actions)
            k = self.core.num_envs
            dtype: np.dtype
            shape: tuple[int, ...]
            if isinstance(space, DiscreteSpace):
                dtype, shape = np.dtype("<i8"), (k,)
            else:
                dtype, shape = np.dtype("<f4"), (k, *space.shape)
            want = int(np.prod(shape)) * dtype.itemsize
            if len(raw) != want:
                raise ValueError(f"actions: expected {want} bytes ({dtype.name} {list(shape)}), got {len(raw)}")
            arr = np.frombuffer(raw, dtype=dtype).astype(dtype.newbyteorder("="), copy=False).reshape(shape)
            return _reply_json(self.core.step(arr))
        except Exception as e:  # noqa: BLE001
            return _failure_json(e)

    def render(self, env_index: int) -> bytes:
        try:
            frame = self.core.render(int(env_index))
            self._render_shape = list(frame.shape)
            return frame.tobytes()
        except Exception as e:  # noqa: BLE001
            log.warning("render failed: %s", e)
            self._render_shape = []
            return b""

    def lastRenderShape(self) -> str:  # noqa: N802 - Java naming
        return json.dumps(self._render_shape)

    def close(self, shutdown: bool = False) -> str:
        if shutdown:
            # py4j writes the reply after this returns, on this connection's thread: the main
            # thread joins it before closing the server, or Java may read an empty reply.
            self.closing_thread = threading.current_thread()
            self.shutdown.request("close(shutdown=true) from Java")
        return json.dumps({"status": _status()})


def add_py4j_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--address", default="127.0.0.1", help="address the Py4J Python server binds (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="Python server port (0 = OS chooses)")
    p.add_argument("--java-port", type=int, default=25333, help="Java gateway port (only used for calls into Java)")


def py4j_main(args: argparse.Namespace) -> int:
    from py4j.clientserver import ClientServer, JavaParameters, PythonParameters

    from worldgate_envs import lifecycle
    from worldgate_envs.registry import parse_option_list

    ppid = os.getppid()
    handshake_out = lifecycle.reserve_stdout()
    lifecycle.setup_logging(args.log_level)
    logging.getLogger("py4j").setLevel(logging.WARNING)
    shutdown = Shutdown()
    shutdown.install_signal_handlers()
    if args.exit_with_parent:
        lifecycle.exit_with_parent(ppid, shutdown.request)
    if not args.shm:
        print("worldgate-worker: py4j-serve needs --shm PATH (observations travel through shared memory)", file=sys.stderr)
        return 2
    try:
        core = WorkerCore(args.env, args.num_envs, args.seed, parse_option_list(args.option), args.shm, args.shm_slots)
    except Exception as e:  # noqa: BLE001
        print(f"worldgate-worker: cannot start {args.env}: {e}", file=sys.stderr, flush=True)
        return 2
    token = os.environ.get("WORLDGATE_PY4J_TOKEN") or None
    entry = PyEnvWorker(core, shutdown)
    gateway = ClientServer(
        java_parameters=JavaParameters(port=args.java_port, auto_convert=True, auth_token=token),
        python_parameters=PythonParameters(address=args.address, port=args.port, daemonize=True,
                                           daemonize_connections=True, auth_token=token),
        python_server_entry_point=entry,
    )
    server = gateway.get_callback_server()
    _wait_until_listening(server.server_socket)
    port = server.get_listening_port()
    lifecycle.announce(
        handshake_out,
        {
            "protocol": PROTOCOL_VERSION,
            "address": f"{args.address}:{port}",
            "pid": os.getpid(),
            "capabilities": core.capabilities,
            "transport": "py4j",
        },
    )
    log.info("py4j serving %s x%d on %s:%d (shm %s)", core.spec.env_id, core.num_envs, args.address, port, args.shm)
    shutdown.wait()
    lifecycle.hard_exit_after(10.0)
    if entry.closing_thread is not None:
        # it ends when Java disconnects after reading the reply; do not wait for longer than that takes
        entry.closing_thread.join(CLOSE_REPLY_GRACE_S)
    # py4j's shutdown joins its accept loop (up to its accept timeout): bound it.
    closer = threading.Thread(target=gateway.shutdown_callback_server, daemon=True)
    closer.start()
    closer.join(2.0)
    core.close()
    logging.shutdown()
    sys.stderr.flush()
    os._exit(0)


def _wait_until_listening(sock: socket.socket, timeout: float = 10.0) -> None:
    """Returns once ``sock`` accepts connections.

    py4j binds its server socket when it starts but calls ``listen()`` only in its accept
    thread; announcing the port before that lets a quick client be refused (seen under load).
    """
    deadline = time.monotonic() + timeout
    while not sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
        if time.monotonic() > deadline:
            raise RuntimeError(f"the py4j server socket did not start listening within {timeout:.0f} s")
        time.sleep(0.002)
