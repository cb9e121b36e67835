"""Drive a Worldgate gateway service from Python with stubs generated from its proto.

Start a service (``./worldgate serve``), then::

    .venv/bin/python env-bridge-python/examples/gateway_service_client.py            # finds it via runs/.gateway.json
    WORLDGATE_TOKEN=... .venv/bin/python env-bridge-python/examples/gateway_service_client.py --address host:7420

Every call carries the service's token: from ``--token-file``, else ``$WORLDGATE_TOKEN``, else the
service's discovery file ``<runs-dir>/.gateway.json`` (readable by the user who started it only).

The stubs are generated at start from ``proto/worldgate/service/v1/gateway.proto`` with
grpcio-tools, the way any client in another program would make them.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import tempfile
from pathlib import Path

import grpc
from grpc_tools import protoc

REPO = Path(__file__).resolve().parents[2]
PROTO = Path("worldgate/service/v1/gateway.proto")


def load_stubs(proto_root: Path):
    """Compiles the service proto into a temporary package and imports it."""
    out = Path(tempfile.mkdtemp(prefix="worldgate-stubs-"))
    rc = protoc.main(["protoc", f"-I{proto_root}", f"--python_out={out}", f"--grpc_python_out={out}", str(PROTO)])
    if rc != 0:
        raise RuntimeError(f"protoc failed on {proto_root / PROTO}")
    sys.path.insert(0, str(out))
    return importlib.import_module("worldgate.service.v1.gateway_pb2"), importlib.import_module(
        "worldgate.service.v1.gateway_pb2_grpc")


def discover(runs_dir: Path) -> dict:
    """The discovery file of a service serving ``runs_dir``, or an empty dict."""
    try:
        return json.loads((runs_dir / ".gateway.json").read_text())
    except (OSError, ValueError):
        return {}


def find_token(token_file: Path | None, discovered: dict) -> str | None:
    """Never a command-line argument: other users see those in the process list."""
    if token_file is not None:
        return token_file.read_text().strip()
    if os.environ.get("WORLDGATE_TOKEN"):
        return os.environ["WORLDGATE_TOKEN"].strip()
    return discovered.get("token")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", help="host:port of the service (default: from <runs-dir>/.gateway.json)")
    parser.add_argument("--token-file", type=Path, help="file holding the bearer token (else $WORLDGATE_TOKEN, else the discovery file)")
    parser.add_argument("--runs-dir", type=Path, default=REPO / "runs")
    parser.add_argument("--agent", default="random")
    parser.add_argument("--env", default="java:CartPole")
    parser.add_argument("--steps", type=int, default=2000)
    args = parser.parse_args()

    pb, rpc = load_stubs(REPO / "proto")
    discovered = discover(args.runs_dir)
    address = args.address or discovered.get("address")
    if address is None:
        parser.error(f"no service found through {args.runs_dir / '.gateway.json'}; pass --address")
    token = find_token(args.token_file, discovered)
    metadata = [("authorization", f"Bearer {token}")] if token else []
    gateway = rpc.GatewayStub(grpc.insecure_channel(address))

    plugins = gateway.ListPlugins(pb.ListPluginsRequest(), metadata=metadata).plugins
    print("plugins:", ", ".join(f"{p.file} {p.state} {list(p.agents)}" for p in plugins))

    agent = gateway.DescribeAgent(pb.DescribeAgentRequest(agent=args.agent), metadata=metadata)
    print(f"{agent.agent} config:", ", ".join(f"{k.name}={k.default_value}" for k in agent.config_keys),
          "presets:", ", ".join(sorted(agent.presets)))

    run = gateway.StartRun(pb.StartRunRequest(agent=args.agent, env=args.env, steps=args.steps, num_envs=2, seed=1,
                                              checkpoint_every=args.steps // 2), metadata=metadata)
    print(f"started {run.run_id} ({pb.RunState.Name(run.run_state)})")

    returns = []
    checkpoints = []
    # replay_events: the run may have written its first checkpoint before this stream opened
    stream = gateway.StreamMetrics(pb.StreamMetricsRequest(run_id=run.run_id, replay_events=True), metadata=metadata)
    for event in stream:
        if event.tag == "episode/return":
            returns.append(event.value)
        elif event.tag == "event":
            # The text is for people; a program reads the typed event's fields.
            if event.event.WhichOneof("kind") == "checkpoint_written":
                checkpoints.append(event.event.checkpoint_written.directory)
            print(f"  [step {event.step}] {event.text}")

    final = gateway.GetRun(pb.RunRef(run_id=run.run_id), metadata=metadata)
    mean = sum(returns) / len(returns) if returns else float("nan")
    print(f"run {final.run_id}: {pb.RunState.Name(final.run_state)} at step {final.step} of {final.total_steps}, "
          f"{len(returns)} episodes, mean return {mean:.1f}")
    print("checkpoints written:", ", ".join(checkpoints))
    evaluation = gateway.Evaluate(pb.EvaluateRequest(run_id=run.run_id, episodes=3, seed=7), metadata=metadata)
    infos = "".join(f", mean {name} {value:.2f}" for name, value in sorted(evaluation.mean_infos.items()))
    print(f"evaluation of {evaluation.checkpoint} by {evaluation.agent}: mean return {evaluation.mean_return:.1f}{infos}")
    try:
        gateway.GetRun(pb.RunRef(run_id="no-such-run"), metadata=metadata)
    except grpc.RpcError as e:
        print(f"unknown run -> {e.code().name}: {e.details()}")
    return 0 if final.run_state == pb.FINISHED else 1


if __name__ == "__main__":
    sys.exit(main())
