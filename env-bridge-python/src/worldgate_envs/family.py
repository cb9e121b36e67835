"""What an env family is: the record that an adapter module registers.

A family serves the env ids ``<name>:<task>[?key=value&...]``. Its adapter module defines an
:class:`~worldgate_envs.adapters.base.Env` subclass, an options dataclass, and one
``FAMILY = EnvFamily(...)``; registering it is one line: in ``BUILTIN_FAMILIES``
(``worldgate_envs.registry``) for this package, or an entry point in the group
:data:`ENTRY_POINT_GROUP` for any other installed distribution, so a family needs no edit of this
package nor of the gateway.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Mapping

if TYPE_CHECKING:
    from worldgate_envs.adapters.base import Env

ENTRY_POINT_GROUP = "worldgate_envs.families"
"""The ``importlib.metadata`` entry-point group whose entries name an :class:`EnvFamily`."""


@dataclass
class NoOptions:
    """The options of a family that takes none."""


@dataclass(frozen=True)
class EnvFamily:
    """One family of env ids.

    ``make(task, options)`` builds one env of ``<name>:<task>`` from an instance of ``options``
    (parsed from the id's query and the caller's options; unknown keys are refused before it is
    called). It raises :class:`~worldgate_envs.errors.UnknownEnvError` for a task it does not know
    and imports its simulator lazily (see ``adapters._imports.require``), so that listing families
    stays cheap and a missing package only fails that family.
    """

    name: str
    description: str
    examples: Mapping[str, str]
    """Example ids (``name:task``) with one line each; the first is the one ``list`` opens."""
    make: Callable[[str, Any], Env]
    options: type = NoOptions
    """A dataclass of ``int``/``float``/``bool``/``str`` fields with defaults; ``validate(family)`` optional."""
    packages: tuple[str, ...] = field(default=())
    """Pip requirements of the simulator, for error messages and ``list``."""

    def __post_init__(self) -> None:
        if not self.name or not self.name.replace("_", "").replace("-", "").isalnum() or self.name != self.name.lower():
            raise ValueError(f"env family name {self.name!r} must be lower-case letters, digits, '_' or '-'")
        if not self.examples:
            raise ValueError(f"env family {self.name!r} needs at least one example id")
        for example in self.examples:
            if not example.startswith(self.name + ":"):
                raise ValueError(f"env family {self.name!r}: example {example!r} must start with '{self.name}:'")
