"""Py4J entry point: a round trip speaking Py4J's wire protocol as the Java side
would (the same commands py4j's Java ClientServer sends), and, when a JDK is
present, a real Java client using the py4j jar shipped in the py4j wheel."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import sysconfig
from pathlib import Path

import numpy as np
import pytest
from py4j import protocol as p4

from worldgate_envs.client import layout_from_proto  # noqa: F401  (import check)
from worldgate_envs.shm import ShmLayout, ShmReader, ShmRegion


class FakeJava:
    """Calls methods on the Python entry point (object id "t") like Java does."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.stream = self.sock.makefile("rb")

    def call(self, method: str, *args: object) -> object:
        cmd = p4.CALL_PROXY_COMMAND_NAME + "\n" + p4.ENTRY_POINT_OBJECT_ID + "\n" + method + "\n"
        for a in args:
            cmd += p4.get_command_part(a)
        cmd += p4.END + "\n"
        self.sock.sendall(cmd.encode("utf-8"))
        answer = self.stream.readline().decode("utf-8")[:-1]
        assert answer.startswith(p4.RETURN_MESSAGE), answer
        return p4.get_return_value(answer[1:], None)

    def close(self) -> None:
        self.sock.close()


def _layout(spec: dict) -> ShmLayout:
    obs = {o["name"]: o for o in spec["observations"]}
    shm = spec["shm"]
    regions = tuple(
        ShmRegion(r["name"], r["offset"], (spec["num_envs"], *obs[r["name"]]["shape"]), obs[r["name"]]["dtype"])
        for r in shm["regions"]
    )
    return ShmLayout(shm["path"], spec["num_envs"], shm["num_slots"], shm["slot_bytes"], regions)


def test_py4j_round_trip(start_worker, shm_path):
    w = start_worker("--env", "dmc:cartpole-swingup", "--num-envs", "2", "--seed", "3",
                     "--option", "obs=both", "--shm", shm_path, subcommand="py4j-serve")
    assert w.info["transport"] == "py4j" and "shm" in w.info["capabilities"]
    port = int(w.address.rsplit(":", 1)[1])
    java = FakeJava(port)
    try:
        hs = json.loads(java.call("handshake"))
        assert hs["protocol"] == 1 and hs["pid"] == w.proc.pid
        spec = json.loads(java.call("describe"))["spec"]
        assert spec["num_envs"] == 2 and spec["action_space"]["shape"] == [1]
        reader = ShmReader(_layout(spec))
        r = json.loads(java.call("reset", 3))
        assert r["status"]["code"] == "OK" and r["is_first"] == [True, True]
        obs0 = reader.read(r["shm"]["slot"], r["shm"]["generation"])
        assert obs0["image"].shape == (2, 64, 64, 3) and obs0["image"].std() > 0
        actions = np.array([[0.5], [-0.5]], np.float32)
        s = json.loads(java.call("step", bytearray(actions.astype("<f4").tobytes())))
        assert s["status"]["code"] == "OK" and s["episode_steps"] == [1, 1] and s["shm"]["generation"] == 2
        obs1 = reader.read(s["shm"]["slot"])
        bad = json.loads(java.call("step", bytearray(np.full((2, 1), 9, "<f4").tobytes())))
        assert bad["status"]["code"] == "INVALID_ARGUMENT" and "outside" in bad["status"]["message"]
        frame = java.call("render", 0)
        shape = json.loads(java.call("lastRenderShape"))
        assert shape == [256, 256, 3] and len(frame) == 256 * 256 * 3
        reader.close()
    finally:
        java.close()
    # the same actions through the in-process batch give the same pixels
    from worldgate_envs.batch import EnvBatch

    with EnvBatch("dmc:cartpole-swingup?obs=both", num_envs=2) as b:
        ref0 = b.reset(seed=3)
        ref1 = b.step(np.array([[0.5], [-0.5]], np.float32))
    assert np.array_equal(ref0.obs["image"], obs0["image"])
    assert np.array_equal(ref1.obs["state"], obs1["state"]) and np.array_equal(ref1.obs["image"], obs1["image"])
    assert w.stop() == 0


def test_py4j_needs_shm():
    out = subprocess.run(
        [sys.executable, "-m", "worldgate_envs", "py4j-serve", "--env", "const:2"],
        capture_output=True, text=True, timeout=60,
    )
    assert out.returncode == 2 and "--shm" in out.stderr


JAVA_CLIENT = r"""
import py4j.ClientServer;

public class RoundTrip {
    public interface PythonEnvWorker {
        String handshake();
        String describe();
        String reset(long seed);
        String step(byte[] actions);
        String close(boolean shutdown);
    }

    public static void main(String[] args) throws Exception {
        int pythonPort = Integer.parseInt(args[0]);
        ClientServer cs = new ClientServer.ClientServerBuilder().javaPort(0).pythonPort(pythonPort).build();
        try {
            PythonEnvWorker w = (PythonEnvWorker) cs.getPythonServerEntryPoint(new Class[] {PythonEnvWorker.class});
            System.out.println(w.handshake());
            System.out.println(w.reset(7L));
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(16).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            buf.putLong(0L).putLong(1L);  // Discrete actions, int64 [K=2]
            System.out.println(w.step(buf.array()));
            System.out.println(w.close(true));
        } finally {
            cs.shutdown();
        }
    }
}
"""


def _py4j_jar() -> Path | None:
    for base in {sys.prefix, sysconfig.get_paths()["data"]}:
        hits = sorted(Path(base, "share", "py4j").glob("py4j*.jar"))
        if hits:
            return hits[-1]
    return None


@pytest.mark.skipif(shutil.which("javac") is None or _py4j_jar() is None, reason="needs a JDK and the py4j jar")
def test_py4j_from_real_java(start_worker, shm_path, tmp_path):
    w = start_worker("--env", "gym:CartPole-v1", "--num-envs", "2", "--shm", shm_path, subcommand="py4j-serve")
    jar = str(_py4j_jar())
    (tmp_path / "RoundTrip.java").write_text(JAVA_CLIENT)
    subprocess.run(["javac", "-cp", jar, "-d", str(tmp_path), str(tmp_path / "RoundTrip.java")], check=True, timeout=120)
    port = w.address.rsplit(":", 1)[1]
    out = subprocess.run(
        ["java", "-cp", f"{jar}:{tmp_path}", "RoundTrip", port], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 0, out.stderr
    lines = [json.loads(x) for x in out.stdout.splitlines()]
    assert lines[0]["protocol"] == 1
    assert lines[1]["is_first"] == [True, True]
    assert lines[2]["status"]["code"] == "OK" and lines[2]["rewards"] == [1.0, 1.0]
    assert w.proc.wait(15) == 0  # close(true) shut the worker down
