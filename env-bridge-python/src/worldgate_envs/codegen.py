"""Generate the Python gRPC stubs from ``<repo>/proto`` into ``worldgate_envs/_proto``.

Run by ``env-bridge-python/install.sh`` (``python -m worldgate_envs codegen``).
The generated files are not committed (see ``env-bridge-python/.gitignore``).
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path

PROTO_REL = Path("worldgate/env/v1/env_bridge.proto")
PACKAGE_DIR = Path(__file__).resolve().parent
OUT_DIR = PACKAGE_DIR / "_proto"
GENERATED = ("env_bridge_pb2.py", "env_bridge_pb2.pyi", "env_bridge_pb2_grpc.py")


def default_proto_root() -> Path:
    """``<repo>/proto`` for a source checkout (``<repo>/env-bridge-python/src/worldgate_envs``)."""
    env = os.environ.get("WORLDGATE_PROTO_DIR")
    if env:
        return Path(env)
    return PACKAGE_DIR.parents[2] / "proto"


def generate(proto_root: Path | None = None, out_dir: Path = OUT_DIR) -> list[Path]:
    """Compile env_bridge.proto with grpcio-tools; returns the written files."""
    from grpc_tools import protoc  # type: ignore[import-untyped]

    root = (proto_root or default_proto_root()).resolve()
    src = root / PROTO_REL
    if not src.is_file():
        raise FileNotFoundError(f"proto file not found: {src}")
    import grpc_tools

    wkt = Path(grpc_tools.__file__).resolve().parent / "_proto"
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="wg-codegen-") as tmp:
        args = [
            "grpc_tools.protoc",
            f"-I{root}",
            f"-I{wkt}",
            f"--python_out={tmp}",
            f"--pyi_out={tmp}",
            f"--grpc_python_out={tmp}",
            str(PROTO_REL),
        ]
        rc = protoc.main(args)
        if rc != 0:
            raise RuntimeError(f"protoc failed ({rc}) for {src}")
        gen_dir = Path(tmp) / PROTO_REL.parent
        written = []
        for name in GENERATED:
            text = (gen_dir / name).read_text()
            # The generated gRPC module imports the messages by proto path;
            # make it a relative import inside worldgate_envs._proto.
            text = re.sub(r"^from worldgate\.env\.v1 import (env_bridge_pb2)", r"from . import \1", text, flags=re.M)
            target = out_dir / name
            tmp_target = target.with_suffix(target.suffix + ".tmp")
            tmp_target.write_text(text)
            os.replace(tmp_target, target)
            written.append(target)
    stale = out_dir / "worldgate"
    if stale.is_dir():
        shutil.rmtree(stale)
    return written


def main() -> int:
    files = generate()
    for f in files:
        print(f)
    return 0
