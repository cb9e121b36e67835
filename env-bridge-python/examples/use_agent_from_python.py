#!/usr/bin/env python3
"""Use a Worldgate agent plugin from your own Python loop, over Py4J.

The gateway hosts the agent plugins deployed in ``deploy/`` (``./worldgate build`` deploys the
bundled ones); this script asks it for the ``random`` agent on the spec of ``gym:CartPole-v1``,
then runs a plain Gymnasium loop in Python: the agent acts, Gymnasium steps, the gateway records
the experience, the agent trains, and the script prints the episode return.

    .venv/bin/python env-bridge-python/examples/use_agent_from_python.py            # starts ./worldgate py4j-gateway
    .venv/bin/python env-bridge-python/examples/use_agent_from_python.py --port 25333  # uses a running gateway

Needs gymnasium and py4j (both in the env-bridge venv).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
from py4j.java_gateway import GatewayParameters, JavaGateway

READY = "WORLDGATE_PY4J_GATEWAY "
REPO = Path(__file__).resolve().parents[2]


def tensor(a: np.ndarray) -> dict[str, Any]:
    """A numpy array as the gateway's JSON tensor (values flat, row-major)."""
    return {"dtype": str(a.dtype), "shape": list(a.shape), "data": a.ravel().tolist()}


def step_json(obs: np.ndarray, reward: float = 0.0, terminated: bool = False, truncated: bool = False,
              first: bool = False) -> str:
    """One env's step as a batch of one (the agent sees N=1 envs)."""
    return json.dumps({
        "observations": {"state": tensor(np.asarray(obs, np.float32)[None])},
        "rewards": [float(reward)],
        "terminated": [bool(terminated)],
        "truncated": [bool(truncated)],
        "is_first": [bool(first)],
    })


def start_gateway(command: list[str]) -> tuple[subprocess.Popen[str], int]:
    """Start ``worldgate py4j-gateway --port 0`` and read the port from its ready line."""
    proc = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith(READY):
            return proc, int(json.loads(line[len(READY):])["port"])
        print(line, end="", file=sys.stderr)
    raise SystemExit(f"the gateway exited with status {proc.wait()} before it was ready")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, default=0, help="port of a running gateway (default: start one)")
    p.add_argument("--gateway-command", default=f"{REPO / 'worldgate'} py4j-gateway --port 0",
                   help="how to start the gateway when --port is not given")
    p.add_argument("--agent", default="random")
    p.add_argument("--env", default="gym:CartPole-v1", help="Worldgate env id whose spec the agent is made for")
    p.add_argument("--gym-id", default="CartPole-v1", help="the Gymnasium env the Python loop steps")
    p.add_argument("--episodes", type=int, default=1)
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args()

    proc = None
    port = args.port
    if not port:
        proc, port = start_gateway(args.gateway_command.split())
    gateway = JavaGateway(gateway_parameters=GatewayParameters(port=port, auto_convert=True,
                                                              auth_token=os.environ.get("WORLDGATE_PY4J_TOKEN")))
    try:
        entry = gateway.entry_point
        agents = json.loads(entry.listAgents())
        print("agents:", ", ".join(a["label"] for a in agents))
        session = entry.createAgent(args.agent, args.env, 1, None, None, args.seed)
        print("created", session.agent(), "for", json.loads(session.spec())["id"])

        env = gym.make(args.gym_id)
        for episode in range(args.episodes):
            obs, _ = env.reset(seed=args.seed + episode)
            session.observe(step_json(obs, first=True))
            total, done, steps = 0.0, False, 0
            while not done:
                action = json.loads(session.act(step_json(obs, first=steps == 0)))["data"][0]
                obs, reward, terminated, truncated, _ = env.step(int(action))
                session.observe(step_json(obs, reward, terminated, truncated))
                total += float(reward)
                steps += 1
                done = terminated or truncated
            print(f"episode {episode}: {steps} steps, return {total:.1f}")
        metrics = json.loads(session.train(4))
        with tempfile.TemporaryDirectory() as tmp:
            saved = session.save(str(Path(tmp) / "checkpoint"))
            print("trained:", metrics, "| saved to", saved, "| status", session.status())
        session.close()
        env.close()
        print(f"return: {total:.1f}")
    finally:
        if proc is not None:
            try:
                gateway.entry_point.shutdown()  # the gateway process exits a moment after answering
            except Exception:  # noqa: BLE001 - the gateway may be gone already
                pass
        gateway.close(keep_callback_server=False, close_callback_server_connections=True)
        if proc is not None:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.terminate()
    return 0


if __name__ == "__main__":
    sys.exit(main())
