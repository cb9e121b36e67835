"""Worldgate env bridge: one observation/action convention over dm_control, ALE,
Meta-World and Gymnasium, batched in a worker served over gRPC or Py4J.

Importing this package sets the headless MuJoCo defaults (``MUJOCO_GL`` and
``PYOPENGL_PLATFORM``, default ``osmesa``) unless they are already set, so it
must be imported before mujoco / dm_control / metaworld.
"""

from __future__ import annotations

from worldgate_envs import _headless

_headless.configure()

__version__ = "0.1.0"

#: Wire protocol version (proto ``ProtocolVersion.PROTOCOL_VERSION_1``).
PROTOCOL_VERSION = 1

from worldgate_envs.errors import (  # noqa: E402
    ActionError,
    EnvError,
    MissingPackageError,
    OptionError,
    UnknownEnvError,
)
from worldgate_envs.family import ENTRY_POINT_GROUP, EnvFamily  # noqa: E402
from worldgate_envs.registry import families, make, parse_env_id  # noqa: E402
from worldgate_envs.spaces import ArraySpec, BoxSpace, DiscreteSpace, EnvSpec  # noqa: E402

__all__ = [
    "PROTOCOL_VERSION",
    "ENTRY_POINT_GROUP",
    "ActionError",
    "ArraySpec",
    "BoxSpace",
    "DiscreteSpace",
    "EnvError",
    "EnvFamily",
    "EnvSpec",
    "MissingPackageError",
    "OptionError",
    "UnknownEnvError",
    "families",
    "make",
    "parse_env_id",
    "__version__",
]
