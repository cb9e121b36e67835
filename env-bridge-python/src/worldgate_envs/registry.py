"""Env ids: ``<family>:<name>[?key=value&key=value]``, and the families that serve them.

The families are this package's own (:data:`BUILTIN_FAMILIES`) and those that installed
distributions declare as entry points in the group ``worldgate_envs.families`` (see
:mod:`worldgate_envs.family`). Options come from the id's query part and from explicit
``options`` (which win).
"""

from __future__ import annotations

import functools
import importlib.metadata
from dataclasses import dataclass
from typing import Any, Mapping

from worldgate_envs.adapters import atari, classic, const, dmc, doom, metaworld
from worldgate_envs.adapters.base import Env
from worldgate_envs.errors import OptionError, UnknownEnvError
from worldgate_envs.family import ENTRY_POINT_GROUP, EnvFamily
from worldgate_envs.options import parse_options, split_option

BUILTIN_FAMILIES: tuple[EnvFamily, ...] = (dmc.FAMILY, atari.FAMILY, metaworld.FAMILY, classic.FAMILY, doom.FAMILY, const.FAMILY)
"""This package's families, one line each; other distributions use the entry-point group."""


@dataclass(frozen=True)
class BrokenFamily:
    """An entry point that did not give a usable family: shown by ``list``, refused by ``make``."""

    name: str
    source: str
    reason: str


@dataclass(frozen=True)
class Families:
    usable: dict[str, EnvFamily]
    broken: dict[str, BrokenFamily]


def _load_entry_point(ep: importlib.metadata.EntryPoint, known: Mapping[str, EnvFamily]) -> EnvFamily | BrokenFamily:
    source = f"entry point {ep.name} = {ep.value}" + (f" of {ep.dist.name}" if ep.dist is not None else "")
    try:
        family = ep.load()
    except Exception as e:  # noqa: BLE001 - one broken distribution must not hide the other families
        return BrokenFamily(ep.name, source, f"cannot be loaded ({type(e).__name__}: {e})")
    if not isinstance(family, EnvFamily):
        return BrokenFamily(ep.name, source, f"names a {type(family).__name__}, not a worldgate_envs.family.EnvFamily")
    if family.name != ep.name:
        return BrokenFamily(ep.name, source, f"is named {ep.name!r} but its family is {family.name!r}")
    if family.name in known:
        return BrokenFamily(ep.name, source, f"family {family.name!r} exists already")
    return family


@functools.cache
def _families() -> Families:
    usable = {f.name: f for f in BUILTIN_FAMILIES}
    broken: dict[str, BrokenFamily] = {}
    for ep in sorted(importlib.metadata.entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        loaded = _load_entry_point(ep, usable)
        if isinstance(loaded, EnvFamily):
            usable[loaded.name] = loaded
        else:
            broken.setdefault(loaded.name, loaded)
    return Families(usable, broken)


def families() -> dict[str, EnvFamily]:
    """Every usable family by name: the built-in ones first, then those of entry points by name."""
    return dict(_families().usable)


def broken_families() -> dict[str, BrokenFamily]:
    """Entry points of the family group that gave no usable family, with the reason."""
    return dict(_families().broken)


def reload_families() -> None:
    """Forget the families found so far (after installing a distribution in this process)."""
    _families.cache_clear()


@dataclass(frozen=True)
class ParsedId:
    family: str
    name: str
    options: dict[str, str]

    @property
    def base_id(self) -> str:
        return f"{self.family}:{self.name}"


def parse_env_id(env_id: str) -> ParsedId:
    """Split ``family:name?k=v&k=v``; unknown families list the known ones."""
    text = env_id.strip()
    head, _, query = text.partition("?")
    family, sep, name = head.partition(":")
    family = family.strip().lower()
    found = _families()
    known = ", ".join(f"{f.name} (e.g. {next(iter(f.examples))})" for f in found.usable.values())
    if not sep or not name.strip():
        raise UnknownEnvError(f"env id {env_id!r} must look like <family>:<name>; known families: {known}")
    if family not in found.usable and family in found.broken:
        b = found.broken[family]
        raise UnknownEnvError(f"env family {family!r} is unusable: its {b.source} {b.reason}; known families: {known}")
    if family not in found.usable:
        raise UnknownEnvError(f"unknown env family {family!r} in {env_id!r}; known families: {known}")
    options: dict[str, str] = {}
    for part in filter(None, query.split("&")):
        k, v = split_option(part)
        options[k] = v
    return ParsedId(family, name.strip(), options)


def make(env_id: str, options: Mapping[str, str] | None = None) -> Env:
    """Create one env from an id such as ``dmc:walker-walk?obs=both``."""
    parsed = parse_env_id(env_id)
    fam = _families().usable[parsed.family]
    raw = {**parsed.options, **{str(k): str(v) for k, v in (options or {}).items()}}
    opts: Any = parse_options(parsed.family, fam.options, raw)
    return fam.make(parsed.name, opts)


def parse_option_list(items: list[str] | None) -> dict[str, str]:
    """``["a=1", "b=x"]`` -> ``{"a": "1", "b": "x"}``."""
    out: dict[str, str] = {}
    for item in items or []:
        k, v = split_option(item)
        if k in out:
            raise OptionError(f"option {k} given twice")
        out[k] = v
    return out
