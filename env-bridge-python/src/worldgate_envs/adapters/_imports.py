"""Lazy imports of optional simulator packages with a helpful error."""

from __future__ import annotations

import importlib
from types import ModuleType

from worldgate_envs.errors import MissingPackageError


def require(family: str, module: str, distribution: str) -> ModuleType:
    """Import ``module`` or raise MissingPackageError naming ``distribution``."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise MissingPackageError(family, distribution, module, e) from e
