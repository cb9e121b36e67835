"""Process plumbing for workers: stdout hygiene, signals, parent death."""

from __future__ import annotations

import ctypes
import json
import logging
import os
import signal
import sys
import threading
import time
from typing import IO, Any, Callable

log = logging.getLogger("worldgate_envs")

HANDSHAKE_PREFIX = "WORLDGATE_WORKER "
PR_SET_PDEATHSIG = 1


def setup_logging(level: str = "INFO") -> None:
    logging.basicConfig(
        stream=sys.stderr,
        level=getattr(logging, level.upper(), logging.INFO),
        format=f"worldgate-worker[{os.getpid()}] %(levelname)s %(name)s: %(message)s",
    )


def reserve_stdout() -> IO[str]:
    """Keep the real stdout for the handshake line and point fd 1 at stderr, so
    that simulators printing banners (ALE, MuJoCo) cannot break the protocol."""
    sys.stdout.flush()
    fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = os.fdopen(os.dup(2), "w", buffering=1)
    return os.fdopen(fd, "w", buffering=1)


def announce(stream: IO[str], payload: dict[str, Any]) -> None:
    """Print the one handshake line and flush."""
    stream.write(HANDSHAKE_PREFIX + json.dumps(payload, separators=(",", ":")) + "\n")
    stream.flush()


class Shutdown:
    """A shutdown flag set by SIGTERM/SIGINT, parent death or a Close{shutdown}."""

    def __init__(self) -> None:
        self.event = threading.Event()
        self.reason = ""

    def request(self, reason: str) -> None:
        if not self.event.is_set():
            self.reason = reason
            log.info("shutting down: %s", reason)
        self.event.set()

    def install_signal_handlers(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(sig, lambda signum, _frame: self.request(signal.Signals(signum).name))

    def wait(self) -> None:
        while not self.event.wait(0.5):
            pass


def set_parent_death_signal(sig: int = signal.SIGTERM) -> bool:
    """Linux PR_SET_PDEATHSIG; False where unavailable."""
    if not sys.platform.startswith("linux") or os.environ.get("WORLDGATE_DISABLE_PDEATHSIG"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) != 0:
            log.warning("prctl(PR_SET_PDEATHSIG) failed: errno %d", ctypes.get_errno())
            return False
        return True
    except (OSError, AttributeError) as e:
        log.warning("prctl unavailable: %s", e)
        return False


ORPHAN_GRACE_S = 2.0
"""How long an orphaned worker may take to close its envs before it exits hard. Nobody is left to
answer, so this is shorter than the backstop of a shutdown the gateway asked for."""


def exit_with_parent(
    original_ppid: int, on_death: Callable[[str], None], poll_s: float = 0.25, grace_s: float = ORPHAN_GRACE_S
) -> None:
    """Arm PR_SET_PDEATHSIG(SIGTERM) and a watchdog thread that calls ``on_death`` once
    ``os.getppid()`` differs from ``original_ppid``, then exits hard if the process is still
    there ``grace_s`` later (a graceful close stuck in a simulator must not leave an orphan)."""
    set_parent_death_signal(signal.SIGTERM)
    if os.getppid() != original_ppid or original_ppid == 1:
        on_death(f"parent {original_ppid} already gone")
        hard_exit_after(grace_s)
        return

    def watch() -> None:
        while True:
            time.sleep(poll_s)
            if os.getppid() != original_ppid:
                hard_exit_after(grace_s)
                on_death(f"parent {original_ppid} exited")
                return

    threading.Thread(target=watch, name="worldgate-parent-watchdog", daemon=True).start()


def hard_exit_after(seconds: float, code: int = 1) -> None:
    """Backstop: leave even if a graceful shutdown hangs (e.g. a stuck simulator)."""

    def bomb() -> None:
        time.sleep(seconds)
        log.error("graceful shutdown took more than %.0f s; exiting hard", seconds)
        os._exit(code)

    threading.Thread(target=bomb, name="worldgate-exit-backstop", daemon=True).start()
