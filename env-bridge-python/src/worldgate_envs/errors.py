"""Errors with messages meant for the person who typed the env id."""

from __future__ import annotations


class EnvError(Exception):
    """Base class of the bridge's own errors."""


class UnknownEnvError(EnvError, ValueError):
    """The env id names no known family, or the family does not know the name."""


class OptionError(EnvError, ValueError):
    """An option is unknown for the family or its value cannot be parsed."""


class ActionError(EnvError, ValueError):
    """A batch of actions does not fit the action space (nothing was stepped)."""


class StateError(EnvError, RuntimeError):
    """The call is not allowed now (e.g. step before reset)."""


class MissingPackageError(EnvError, ImportError):
    """An optional simulator package is not installed."""

    def __init__(self, family: str, distribution: str, module: str, cause: BaseException | None = None):
        self.family = family
        self.distribution = distribution
        self.module = module
        detail = f" ({type(cause).__name__}: {cause})" if cause is not None else ""
        super().__init__(
            f"env family '{family}' needs the Python package '{distribution}' "
            f"(import {module} failed{detail}). Install it with `./worldgate test` "
            f"(which runs env-bridge-python/install.sh) or "
            f"`pip install -e 'env-bridge-python[sims]'` / `pip install {distribution}`."
        )
