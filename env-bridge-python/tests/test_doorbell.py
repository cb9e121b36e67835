"""Transport ``shm``: the step channel's layout, and a real worker stepped through it."""

from __future__ import annotations

import socket
import struct

import numpy as np
import pytest

from worldgate_envs.batch import EnvBatch
from worldgate_envs.registry import make
from worldgate_envs.step_channel import HEADER_BYTES, MAGIC, StepChannel, StepChannelLayout
from worldgate_envs.wire import pb


def _layout(env_id: str, k: int) -> StepChannelLayout:
    env = make(env_id)
    try:
        return StepChannelLayout.for_spec(env.spec, k)
    finally:
        env.close()


def test_layout_of_a_box_env_is_fixed_by_the_spec():
    lay = _layout("const:4", 3)  # Box [1] float32, no infos
    assert lay.action_bytes == 4 and lay.action_dtype == "float32" and lay.action_shape == (1,)
    assert lay.actions == HEADER_BYTES
    assert lay.rewards == 64 + 16          # 12 action bytes, aligned to 8
    assert lay.episode_steps == 80 + 24
    assert lay.obs_ref == 104 + 24
    assert lay.infos == 128 + 16 and lay.num_infos == 0
    assert (lay.terminated, lay.truncated, lay.is_first) == (144, 152, 160)
    assert lay.file_size == 168
    for off in (lay.actions, lay.rewards, lay.episode_steps, lay.obs_ref, lay.infos, lay.terminated):
        assert off % 8 == 0


def test_layout_of_a_discrete_env_uses_int32_actions():
    lay = _layout("gym:CartPole-v1", 2)
    assert lay.action_bytes == 4 and lay.action_dtype == "int32" and lay.action_shape == ()
    assert lay.rewards == HEADER_BYTES + 8


def test_the_header_names_the_layout(shm_path):
    lay = _layout("const:4", 5)
    ch = StepChannel(shm_path, lay)
    try:
        with open(shm_path, "rb") as f:
            raw = f.read()
        assert len(raw) == lay.file_size
        magic, version, header, k, action_bytes, infos, _, size = struct.unpack_from("<8sIIIIIIQ", raw)
        assert (magic, version, header, k, action_bytes, infos, size) == (MAGIC, 2, 64, 5, 4, 0, lay.file_size)
        assert ch.request_seq[0] == 0 and ch.answer_seq[0] == 0
        ch.rewards[:] = [1, 2, 3, 4, 5]
        ch.is_first[2] = True
        with open(shm_path, "rb") as f:
            raw = f.read()
        assert struct.unpack_from("<5d", raw, lay.rewards) == (1, 2, 3, 4, 5)
        assert raw[lay.is_first : lay.is_first + 5] == b"\0\0\x01\0\0"
    finally:
        ch.close()


def _frame(sock: socket.socket, req) -> object:
    data = req.SerializeToString()
    sock.sendall(b"R" + struct.pack("<I", len(data)) + data)
    return _read_frame(sock)


def _read_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        assert chunk, "the worker closed the socket"
        buf += chunk
    return buf


def _read_frame(sock: socket.socket):
    assert _read_exact(sock, 1) == b"R"
    (n,) = struct.unpack("<I", _read_exact(sock, 4))
    return pb.EnvResponse.FromString(_read_exact(sock, n))


def test_a_real_worker_steps_through_the_doorbell_as_in_process(start_worker, tmp_path, shm_path):
    k = 2
    bell, step_shm = str(tmp_path / "bell.sock"), shm_path + "-step"
    w = start_worker("--env", "gym:CartPole-v1", "--num-envs", str(k), "--shm", shm_path,
                     "--step-shm", step_shm, "--doorbell", bell)
    assert "step-shm" in w.info["capabilities"]
    lay = _layout("gym:CartPole-v1", k)
    from worldgate_envs.shm import ShmLayout, ShmReader

    env = make("gym:CartPole-v1")
    obs_layout = ShmLayout.for_spec(shm_path, env.spec, k)
    env.close()
    obs = ShmReader(obs_layout)
    view = np.memmap(step_shm, dtype=np.uint8, mode="r+", shape=(lay.file_size,))
    actions = view[lay.actions : lay.actions + 4 * k].view("<i4")
    rng = np.random.default_rng(3)
    with EnvBatch("gym:CartPole-v1", k) as ref, socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(bell)
        r = _frame(s, pb.EnvRequest(request_id=1, reset=pb.Reset(seed=7)))
        assert r.status.code == pb.STATUS_CODE_OK and r.request_id == 1
        want = ref.reset(7)
        assert np.array_equal(obs.read(r.step.shm.slot, r.step.shm.generation)["state"], want.obs["state"])
        for _ in range(30):
            a = rng.integers(0, 2, size=k).astype(np.int32)
            actions[:] = a
            s.sendall(b"S")
            assert _read_exact(s, 1) == b"S"
            want = ref.step(a.astype(np.int64))
            gen, slot = struct.unpack_from("<QI", view, lay.obs_ref)
            assert np.array_equal(obs.read(slot, gen)["state"], want.obs["state"])
            assert np.array_equal(view[lay.rewards : lay.rewards + 8 * k].view("<f8"), want.reward)
            assert np.array_equal(view[lay.episode_steps : lay.episode_steps + 8 * k].view("<i8"), want.episode_steps)
            for name, arr in (("terminated", want.terminated), ("truncated", want.truncated), ("is_first", want.is_first)):
                off = getattr(lay, name)
                assert np.array_equal(view[off : off + k].view(bool), arr), name
        # a bad action comes back as a status frame, and the envs are untouched
        actions[:] = [5, 0]
        s.sendall(b"S")
        r = _read_frame(s)
        assert r.status.code == pb.STATUS_CODE_INVALID_ARGUMENT and r.WhichOneof("result") is None
        r = _frame(s, pb.EnvRequest(request_id=2, close=pb.Close(shutdown=False)))
        assert r.WhichOneof("result") == "closed"
        assert s.recv(1) == b""  # Close ends the session
    obs.close()
    del view, actions


@pytest.mark.parametrize("missing", ["--shm", "--step-shm"])
def test_the_doorbell_needs_both_files(start_worker, tmp_path, shm_path, missing):
    args = {"--shm": shm_path, "--step-shm": shm_path + "-step"}
    del args[missing]
    flat = [x for kv in args.items() for x in kv]
    with pytest.raises(RuntimeError, match="--doorbell needs"):
        start_worker("--env", "const:2", *flat, "--doorbell", str(tmp_path / "b.sock"))


def test_sigterm_during_a_session_exits_cleanly_and_removes_the_files(start_worker, tmp_path, shm_path):
    import os
    import time

    bell, step_shm = str(tmp_path / "bell.sock"), shm_path + "-step"
    w = start_worker("--env", "const:2", "--shm", shm_path, "--step-shm", step_shm, "--doorbell", bell)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(bell)
        assert _frame(s, pb.EnvRequest(request_id=1, reset=pb.Reset(seed=0))).status.code == pb.STATUS_CODE_OK
        start = time.monotonic()
        w.proc.terminate()  # the session blocks the loop thread in recv: it must still see the shutdown
        assert w.proc.wait(10) == 0
        assert time.monotonic() - start < 5
        assert s.recv(1) == b""  # the gateway sees an end of file
    for path in (bell, step_shm, shm_path):
        assert not os.path.exists(path), path


def test_a_frame_that_arrives_in_pieces_is_read_whole():
    import threading
    import time

    from worldgate_envs.doorbell import DoorbellSession, _Closed
    from worldgate_envs.lifecycle import Shutdown

    session = DoorbellSession.__new__(DoorbellSession)  # _recv needs only the shutdown flag
    session.shutdown = Shutdown()
    a, b = socket.socketpair()
    with a, b:
        b.settimeout(0.05)

        def send_in_pieces() -> None:
            a.sendall(b"\x01\x02")
            time.sleep(0.2)  # past the poll timeout: the reader waits, then gets the rest
            a.sendall(b"\x03\x04\x05S")

        t = threading.Thread(target=send_in_pieces)
        t.start()
        assert session._recv(b, 5) == b"\x01\x02\x03\x04\x05"
        assert session._recv(b, 1) == b"S"
        t.join()
        session.shutdown.request("test")
        with pytest.raises(_Closed):
            session._recv(b, 1)  # nothing more comes: the shutdown flag ends the wait


def test_a_worker_that_watches_the_step_channel_stays_in_step_with_a_counting_client(start_worker, tmp_path, shm_path):
    """With --spin-us the worker may see a step in request_seq before its S byte; the byte, which
    this client sends late when it saw the answer in answer_seq, must then be skipped, not taken
    for a second step, and frames after it must still be read whole. Whether the worker watched
    depends on the machine's load (a preempted watch stops), so both paths are accepted per step."""
    import time

    bell, step_shm = str(tmp_path / "bell.sock"), shm_path + "-step"
    start_worker("--env", "gym:CartPole-v1", "--shm", shm_path, "--step-shm", step_shm, "--doorbell", bell,
                 "--spin-us", "2000000")
    lay = _layout("gym:CartPole-v1", 1)
    view = np.memmap(step_shm, dtype=np.uint8, mode="r+", shape=(lay.file_size,))
    actions = view[lay.actions : lay.actions + 4].view("<i4")
    request_seq, answer_seq = view[40:48].view("<u8"), view[48:56].view("<u8")
    with EnvBatch("gym:CartPole-v1", 1) as ref, socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(bell)
        assert _frame(s, pb.EnvRequest(request_id=1, reset=pb.Reset(seed=3))).status.code == pb.STATUS_CODE_OK
        ref.reset(3)
        for n in range(1, 21):
            a = np.array([n % 2], np.int32)
            actions[:] = a
            request_seq[0] = n
            deadline = time.monotonic() + 0.05
            while answer_seq[0] != n and time.monotonic() < deadline:
                pass
            s.sendall(b"S")  # late when the worker already answered through the step channel
            assert _read_exact(s, 1) == b"S"
            assert answer_seq[0] == n
            want = ref.step(a.astype(np.int64))
            assert view[lay.rewards : lay.rewards + 8].view("<f8")[0] == want.reward[0]
            assert view[lay.episode_steps : lay.episode_steps + 8].view("<i8")[0] == want.episode_steps[0]
        # a refused step and a frame after owed bytes: both read in order
        actions[:] = [7]
        request_seq[0] = 21
        s.sendall(b"S")
        r = _read_frame(s)
        assert r.status.code == pb.STATUS_CODE_INVALID_ARGUMENT
        assert answer_seq[0] == 20
        r = _frame(s, pb.EnvRequest(request_id=2, reset=pb.Reset(seed=4)))
        assert r.status.code == pb.STATUS_CODE_OK and r.request_id == 2
        assert _frame(s, pb.EnvRequest(request_id=3, close=pb.Close(shutdown=False))).WhichOneof("result") == "closed"
    del view, actions, request_seq, answer_seq


class _LookOnce:
    """A watcher that looks exactly once per wait: the waiter's paths without the machine's timing."""

    def spin(self, ready) -> bool:
        return ready()

    def done(self) -> None:
        pass


def test_the_waiter_skips_the_bytes_of_steps_it_saw_in_memory(shm_path):
    from worldgate_envs.doorbell import FRAME, STEP, _Waiter

    channel = StepChannel(shm_path, _layout("const:2", 1))
    a, b = socket.socketpair()
    try:
        b.settimeout(5)

        def recv(n: int) -> bytes:
            return _read_exact(b, n)

        w = _Waiter(channel, b, recv, _LookOnce())  # type: ignore[arg-type]
        channel.request_seq[0] = 1  # a step whose byte has not come yet
        assert w.next_request() == STEP and w.owed == 1
        w.seen = 1
        a.sendall(b"S" + b"R")  # its late byte, then a frame
        assert w.next_request() == FRAME and w.owed == 0
        channel.request_seq[0] = 2
        a.sendall(b"S")  # counter and byte together: the byte is read at once
        assert w.next_request() == STEP and w.owed == 0
        w.seen = 2
        a.sendall(b"S")  # a client that does not count: the byte alone is the step
        assert w.next_request() == STEP and w.owed == 0
    finally:
        a.close()
        b.close()
        channel.close()


def test_a_gateway_that_connects_after_another_is_not_taken_for_a_step(shm_path):
    """The counters stay in the file when a session ends: the next session's waiter must not read
    the count the last gateway left there as a new step."""
    from worldgate_envs.doorbell import FRAME, STEP, _Waiter

    channel = StepChannel(shm_path, _layout("const:2", 1))
    a, b = socket.socketpair()
    try:
        b.settimeout(5)
        channel.request_seq[0] = channel.answer_seq[0] = 5  # left by an earlier session
        w = _Waiter(channel, b, lambda n: _read_exact(b, n), _LookOnce())  # type: ignore[arg-type]
        a.sendall(b"R")  # the new gateway's first request is a reset
        assert w.next_request() == FRAME and w.owed == 0
        channel.request_seq[0] = 6  # then its first step
        assert w.next_request() == STEP and w.owed == 1
    finally:
        a.close()
        b.close()
        channel.close()


def test_adaptive_spin_watches_only_while_waits_are_short():
    from worldgate_envs.spin import PROBE_EVERY, AdaptiveSpin

    spin = AdaptiveSpin(1000, preempted_ns=10**15)  # preemption, which a busy machine sets off, is tested below
    assert spin.spin(lambda: True)  # an event already there is caught at once
    spin.done()
    assert not spin.spin(lambda: False)  # none within the budget: the caller blocks
    spin._start -= 10_000_000  # that wait, as if it had lasted 10 ms
    spin.done()
    calls = []

    def ready() -> bool:
        calls.append(1)
        return True

    skipped = 0
    while not spin.spin(ready):  # waits are slow: not watched, until a probe
        skipped += 1
        spin._start -= 10_000_000
        spin.done()
        assert skipped < PROBE_EVERY
    spin.done()
    assert skipped >= 1 and len(calls) == 1  # only the probe looked
    assert spin.spin(ready) and len(calls) == 2  # the probe's wait was short: watching again
    assert not AdaptiveSpin(0).spin(ready)


def test_adaptive_spin_stops_watching_for_a_while_when_it_loses_its_core():
    from time import perf_counter_ns

    from worldgate_envs.spin import BACK_OFF_WAITS, PREEMPTED_NS, AdaptiveSpin

    spin = AdaptiveSpin(1_000_000)  # 1 s: only the preemption can end the first watch early
    looks = []

    def preempted() -> bool:
        looks.append(1)
        until = perf_counter_ns() + 2 * PREEMPTED_NS
        while perf_counter_ns() < until:
            pass  # as if another thread had held the core between two looks
        return False

    start = perf_counter_ns()
    assert not spin.spin(preempted)
    spin.done()
    assert len(looks) == 1 and perf_counter_ns() - start < 100_000_000
    for _ in range(BACK_OFF_WAITS - 1):
        assert not spin.spin(lambda: looks.append(1) or True)
        spin.done()
    assert len(looks) == 1
    assert spin.spin(lambda: True)
