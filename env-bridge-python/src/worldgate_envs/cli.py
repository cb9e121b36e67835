"""``python -m worldgate_envs <subcommand>``: list, spec, serve, py4j-serve, codegen."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from worldgate_envs.errors import EnvError


def _cmd_list(args: argparse.Namespace) -> int:
    from worldgate_envs.registry import broken_families, families, make

    out: list[dict[str, Any]] = []
    for fam in families().values():
        entry: dict[str, Any] = {
            "family": fam.name,
            "description": fam.description,
            "examples": dict(fam.examples),
            "packages": list(fam.packages),
        }
        if not args.no_spec:
            try:
                env = make(next(iter(fam.examples)))
                try:
                    entry["spec"] = env.spec.to_dict()
                finally:
                    env.close()
            except Exception as e:  # noqa: BLE001 - shown, not fatal
                entry["unavailable"] = str(e)
        out.append(entry)
    for broken in broken_families().values():
        out.append({"family": broken.name, "description": broken.source, "examples": {}, "packages": [],
                    "unavailable": broken.reason})
    if args.json:
        json.dump(out, sys.stdout, indent=2)
        sys.stdout.write("\n")
        return 0
    for fam_info in out:
        print(f"{fam_info['family']}: {fam_info['description']}")
        if fam_info["examples"]:
            print(f"  examples: {', '.join(fam_info['examples'])}")
        if "unavailable" in fam_info:
            print(f"  unavailable: {fam_info['unavailable']}")
        if "spec" in fam_info:
            print("  " + _spec_line(fam_info["spec"]))
    return 0


def _spec_line(spec: dict[str, Any]) -> str:
    obs = ", ".join(f"{o['name']} {o['dtype']}{o['shape']}" for o in spec["observations"])
    a = spec["action_space"]
    act = f"Discrete({a['n']})" if a["type"] == "discrete" else f"Box{a['shape']} [{a['low'][0]}, {a['high'][0]}]"
    return f"{spec['env_id']}: obs {obs}; action {act}; max_episode_steps {spec['max_episode_steps']}"


def _cmd_spec(args: argparse.Namespace) -> int:
    from worldgate_envs.registry import make, parse_option_list

    env = make(args.env, parse_option_list(args.option))
    try:
        if args.json:
            print(json.dumps(env.spec.to_dict(), indent=2))
        else:
            print(_spec_line(env.spec.to_dict()))
    finally:
        env.close()
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from worldgate_envs.server import serve_main

    return serve_main(args)


def _cmd_py4j(args: argparse.Namespace) -> int:
    from worldgate_envs.py4j_entry import py4j_main

    return py4j_main(args)


def _cmd_codegen(args: argparse.Namespace) -> int:
    from pathlib import Path

    from worldgate_envs import codegen

    for f in codegen.generate(Path(args.proto_dir) if args.proto_dir else None):
        if not args.quiet:
            print(f)
    return 0


def build_parser() -> argparse.ArgumentParser:
    from worldgate_envs.py4j_entry import add_py4j_args
    from worldgate_envs.server import add_worker_args

    p = argparse.ArgumentParser(prog="python -m worldgate_envs", description="Worldgate env bridge (Python side)")
    sub = p.add_subparsers(dest="command", required=True)

    s = sub.add_parser("list", help="env families with example ids and their specs")
    s.add_argument("--json", action="store_true")
    s.add_argument("--no-spec", action="store_true", help="do not build the example envs")
    s.set_defaults(func=_cmd_list)

    s = sub.add_parser("spec", help="the spec of one env id")
    s.add_argument("--env", required=True)
    s.add_argument("--option", action="append", default=[], metavar="KEY=VALUE")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=_cmd_spec)

    s = sub.add_parser("serve", help="run a gRPC env worker")
    add_worker_args(s)
    s.add_argument("--listen", default="127.0.0.1:0", help="HOST:PORT (port 0: OS chooses) or unix:/path.sock")
    s.add_argument("--doorbell", default=None, metavar="PATH",
                   help="also serve the session on this Unix socket, steps through --step-shm (transport shm)")
    s.add_argument("--step-shm", default=None, metavar="PATH", help="the step channel file of --doorbell")
    s.add_argument("--spin-us", type=int, default=0, metavar="US",
                   help="with --doorbell: watch the step channel up to US microseconds for the next step before "
                        "sleeping on the socket, while recent waits were that short (0: never)")
    s.set_defaults(func=_cmd_serve)

    s = sub.add_parser("py4j-serve", help="run a Py4J env worker (needs --shm)")
    add_worker_args(s)
    add_py4j_args(s)
    s.set_defaults(func=_cmd_py4j)

    s = sub.add_parser("codegen", help="regenerate the Python gRPC stubs from proto/")
    s.add_argument("--proto-dir", default=None)
    s.add_argument("--quiet", action="store_true")
    s.set_defaults(func=_cmd_codegen)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except EnvError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
