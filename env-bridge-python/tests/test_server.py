"""The gRPC worker as a real subprocess: handshake line, Session, shm, errors."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import grpc
import numpy as np
import pytest

from worldgate_envs.client import WorkerClient, WorkerError
from worldgate_envs.shm import HEADER_BYTES, MAGIC, ShmReader
from worldgate_envs.wire import pb

HANDSHAKE_RE = re.compile(r'^WORLDGATE_WORKER (\{.*\})$')


def test_handshake_line_is_the_only_stdout_line(tmp_path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "worldgate_envs", "serve", "--env", "atari:Pong", "--num-envs", "1"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        line = proc.stdout.readline()  # ALE prints a banner; it must not reach stdout
        m = HANDSHAKE_RE.match(line.rstrip("\n"))
        assert m, line
        info = json.loads(m.group(1))
        assert list(info) == ["protocol", "address", "pid", "capabilities"]
        assert info["protocol"] == 1 and info["pid"] == proc.pid and info["capabilities"] == ["render"]
        host, port = info["address"].rsplit(":", 1)
        assert host == "127.0.0.1" and int(port) > 0
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert out == ""  # nothing else on stdout, even at exit
    assert "A.L.E" in err  # the banner went to stderr


def test_session_over_grpc(start_worker):
    w = start_worker("--env", "gym:CartPole-v1", "--num-envs", "3", "--seed", "11")
    with WorkerClient(w.address) as c:
        hs = c.handshake()
        assert hs.protocol_version == 1 and hs.worker_pid == w.proc.pid
        spec = c.describe()
        assert spec.env_id == "gym:CartPole-v1" and spec.num_envs == 3 and spec.max_episode_steps == 500
        assert spec.action_space.WhichOneof("space") == "discrete" and spec.action_space.discrete.n == 2
        assert [o.name for o in spec.observations] == ["state"] and list(spec.observations[0].shape) == [4]
        assert spec.observations[0].dtype == pb.DTYPE_FLOAT32 and spec.seed == 11
        first = c.reset()  # first reset without a seed: the worker's --seed
        assert first.is_first.all() and first.obs["state"].shape == (3, 4)
        again = c.reset(11)
        assert np.array_equal(first.obs["state"], again.obs["state"])
        for t in range(5):
            s = c.step(np.array([0, 1, 0], np.int64))
            assert (s.reward == 1.0).all() and (s.episode_steps == t + 1).all()
        with pytest.raises(WorkerError) as e:
            c.step(np.array([0, 1], np.int64))
        assert e.value.code == pb.STATUS_CODE_INVALID_ARGUMENT and "shape" in e.value.message
        with pytest.raises(WorkerError) as e:
            c.render(0)
        assert e.value.code == pb.STATUS_CODE_UNIMPLEMENTED
        assert (c.step(np.array([0, 1, 0], np.int64)).episode_steps == 6).all()  # the bad step changed nothing


def test_wrong_protocol_version_is_refused(start_worker):
    w = start_worker("--env", "const:2")
    with WorkerClient(w.address) as c:
        with pytest.raises(grpc.RpcError) as e:
            c.handshake(version=99)
        assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION


def test_step_before_reset_and_bad_tensor(start_worker):
    w = start_worker("--env", "const:2")
    with WorkerClient(w.address) as c:
        c.describe()
        resp = c.request(step=pb.Step(actions=pb.Tensor(dtype=pb.DTYPE_FLOAT32, shape=[1, 1], data=b"\0" * 4)))
        assert resp.status.code == pb.STATUS_CODE_FAILED_PRECONDITION
        c.reset(0)
        resp = c.request(step=pb.Step(actions=pb.Tensor(dtype=pb.DTYPE_FLOAT32, shape=[1, 1], data=b"\0" * 3)))
        assert resp.status.code == pb.STATUS_CODE_INVALID_ARGUMENT and "bytes" in resp.status.message
        resp = c.request()
        assert resp.status.code == pb.STATUS_CODE_INVALID_ARGUMENT


def test_env_exception_returns_traceback_and_server_survives(start_worker):
    w = start_worker("--env", "const:4", "--num-envs", "2", "--option", "fail_at=3")
    with WorkerClient(w.address) as c:
        c.describe()
        c.reset(0)
        a = np.zeros((2, 1), np.float32)
        c.step(a)
        c.step(a)
        with pytest.raises(WorkerError) as e:
            c.step(a)
        assert e.value.code == pb.STATUS_CODE_ENV_ERROR
        assert "InjectedFailure" in e.value.message
        assert "Traceback (most recent call last)" in e.value.traceback and "fail_at" in e.value.traceback
        with pytest.raises(WorkerError) as e:
            c.step(a)
        assert e.value.code == pb.STATUS_CODE_FAILED_PRECONDITION
        assert c.reset(0).is_first.all()  # still serving
        assert c.step(a).episode_steps.tolist() == [1, 1]
    assert w.proc.poll() is None


def test_second_session_is_refused_and_close_shutdown_exits(start_worker):
    w = start_worker("--env", "const:2")
    c1 = WorkerClient(w.address)
    c1.describe()
    c1.reset(0)
    c2 = WorkerClient(w.address)
    with pytest.raises(grpc.RpcError) as e:
        c2.reset(0)
    assert e.value.code() == grpc.StatusCode.FAILED_PRECONDITION
    c2.channel.close()
    resp = c1.request(close=pb.Close(shutdown=True))
    assert resp.status.code == pb.STATUS_CODE_OK and resp.WhichOneof("result") == "closed"
    c1.close()
    assert w.proc.wait(timeout=15) == 0


def _run(address: str, steps: int, shm: bool):
    with WorkerClient(address) as c:
        spec = c.describe()
        assert spec.HasField("shm") == shm
        rng = np.random.default_rng(0)
        out = [c.reset(5)]
        for _ in range(steps):
            out.append(c.step(rng.uniform(-1, 1, size=(2, 1)).astype(np.float32)))
        frame = c.render(1)
        return spec, out, frame


def test_shm_observations_match_byte_mode(start_worker, shm_path):
    args = ("--env", "dmc:cartpole-swingup", "--num-envs", "2", "--seed", "5", "--option", "obs=both")
    plain = start_worker(*args)
    shared = start_worker(*args, "--shm", shm_path, "--shm-slots", "2")
    assert shared.info["capabilities"] == ["render", "shm"]
    _, a, frame_a = _run(plain.address, 4, shm=False)
    spec, b, frame_b = _run(shared.address, 4, shm=True)
    for x, y in zip(a, b):
        assert x.shm is None and y.shm is not None
        assert set(x.obs) == set(y.obs) == {"image", "state"}
        for k in x.obs:
            assert np.array_equal(x.obs[k], y.obs[k]), k
        assert np.array_equal(x.reward, y.reward) and np.array_equal(x.is_first, y.is_first)
    assert [y.shm for y in b] == [(0, 1), (1, 2), (0, 3), (1, 4), (0, 5)]
    assert np.array_equal(frame_a, frame_b) and frame_a.shape == (256, 256, 3)
    # the layout in the proto matches the file
    lay = spec.shm
    assert lay.header_bytes == HEADER_BYTES == 64 and lay.num_slots == 2
    assert [r.name for r in lay.regions] == ["image", "state"]
    assert lay.regions[0].offset == 64 and lay.regions[0].length == 2 * 64 * 64 * 3
    assert lay.regions[1].offset == 64 + 2 * 64 * 64 * 3 and lay.regions[1].length == 2 * 5 * 4
    assert lay.slot_bytes == lay.regions[0].length + lay.regions[1].length
    assert os.path.getsize(shm_path) == lay.file_size == 64 + 2 * lay.slot_bytes
    with open(shm_path, "rb") as f:
        head = f.read(64)
    assert head[:8] == MAGIC
    from worldgate_envs.client import layout_from_proto

    h = ShmReader(layout_from_proto(lay, 2, spec.observations)).header()
    assert (h.version, h.num_envs, h.num_slots, h.generation, h.slot) == (1, 2, 2, 5, 0)
    assert shared.stop() == 0
    assert not os.path.exists(shm_path)  # the worker unlinks its file on a clean exit


def test_stacked_frames_travel_through_shm(start_worker, shm_path):
    w = start_worker("--env", "dmc:cartpole-swingup", "--num-envs", "2", "--seed", "1", "--option", "frame_stack=3",
                     "--shm", shm_path, "--shm-slots", "2")
    with WorkerClient(w.address) as c:
        spec = c.describe()
        assert list(spec.observations[0].shape) == [64, 64, 9]
        assert spec.shm.regions[0].length == 2 * 64 * 64 * 9
        first = c.reset(1).obs["image"].copy()
        nxt = c.step(np.ones((2, 1), np.float32)).obs["image"]
    assert first.shape == nxt.shape == (2, 64, 64, 9)
    for g in (1, 2):
        assert np.array_equal(first[..., :3], first[..., 3 * g : 3 * g + 3])
    # the reset frame moved back one slot; the newest frame is the step's
    assert np.array_equal(nxt[..., :6], first[..., 3:])
    assert not np.array_equal(nxt[..., 6:], first[..., 6:])


def test_unix_socket_listen(start_worker, tmp_path):
    sock = tmp_path / "w.sock"
    w = start_worker("--env", "const:3", "--listen", f"unix:{sock}")
    assert w.address == f"unix:{sock}"
    with WorkerClient(w.address) as c:
        assert c.reset(0).obs["state"].shape == (1, 3)


def test_bad_env_id_exits_with_a_message():
    out = subprocess.run(
        [sys.executable, "-m", "worldgate_envs", "serve", "--env", "dmc:walker-fly"],
        capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 2 and out.stdout == ""
    assert "walker-walk" in out.stderr
