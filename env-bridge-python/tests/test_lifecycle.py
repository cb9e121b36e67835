"""Worker process lifetime: parent death and SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

INTERMEDIATE = textwrap.dedent(
    """
    import subprocess, sys
    w = subprocess.Popen([sys.executable, "-m", "worldgate_envs", "serve", "--env", "const:2",
                          "--exit-with-parent", "--shm", sys.argv[1]],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = w.stdout.readline()
    assert line.startswith("WORLDGATE_WORKER "), line
    print(w.pid, flush=True)
    import time
    time.sleep(600)
    """
)


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            state = next(line for line in f if line.startswith("State:"))
        return "Z" in state.split()[1]  # a zombie has exited; its reaper may be slow
    except (FileNotFoundError, ProcessLookupError, StopIteration):
        return True


def _gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not _gone(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return _gone(pid)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux process semantics")
@pytest.mark.parametrize("mechanism", ["pdeathsig", "watchdog"])
def test_worker_exits_when_its_parent_is_killed(mechanism, shm_path):
    env = dict(os.environ)
    if mechanism == "watchdog":
        env["WORLDGATE_DISABLE_PDEATHSIG"] = "1"  # only the getppid() watchdog is left
    mid = subprocess.Popen([sys.executable, "-c", INTERMEDIATE, shm_path], stdout=subprocess.PIPE, text=True, env=env)
    try:
        worker_pid = int(mid.stdout.readline())
        assert not _gone(worker_pid)
        assert os.path.exists(shm_path)
        mid.kill()
        mid.wait(5)
        assert _gone_within(worker_pid, 5.0), f"worker {worker_pid} outlived its parent ({mechanism})"
        assert not os.path.exists(shm_path)  # graceful path: the shm file was removed
    finally:
        if mid.poll() is None:
            mid.kill()


STUCK_CHILD = textwrap.dedent(
    """
    import os, time
    from worldgate_envs import lifecycle
    # on_death does nothing: a graceful close that never ends, e.g. stuck in a simulator
    lifecycle.exit_with_parent(os.getppid(), lambda reason: None, poll_s=0.05, grace_s=0.5)
    print("armed", flush=True)
    time.sleep(600)
    """
)

STUCK_PARENT = textwrap.dedent(
    """
    import subprocess, sys
    child = subprocess.Popen([sys.executable, "-c", sys.argv[1]], stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "armed"
    print(child.pid, flush=True)
    import time
    time.sleep(600)
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux process semantics")
def test_an_orphan_whose_close_hangs_still_exits_after_the_grace():
    env = dict(os.environ, WORLDGATE_DISABLE_PDEATHSIG="1")  # no SIGTERM: only the watchdog acts
    mid = subprocess.Popen([sys.executable, "-c", STUCK_PARENT, STUCK_CHILD], stdout=subprocess.PIPE, text=True, env=env)
    try:
        child_pid = int(mid.stdout.readline())
        time.sleep(1.0)  # longer than the grace: the backstop is armed by the parent's death, not by the start
        assert not _gone(child_pid)
        mid.kill()
        mid.wait(5)
        assert _gone_within(child_pid, 5.0), f"orphan {child_pid} with a stuck close did not exit"
    finally:
        if mid.poll() is None:
            mid.kill()


def test_sigterm_exits_cleanly(start_worker):
    w = start_worker("--env", "gym:CartPole-v1")
    os.kill(w.proc.pid, signal.SIGTERM)
    assert w.proc.wait(10) == 0
    time.sleep(0.1)
    assert any("bye (SIGTERM)" in line for line in w.stderr_lines)
