"""Typed family options parsed from ``key=value`` text."""

from __future__ import annotations

import dataclasses
import typing
from typing import Any, Mapping, TypeVar

from worldgate_envs.errors import OptionError

T = TypeVar("T")

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _convert(family: str, key: str, raw: str, kind: Any) -> Any:
    try:
        if kind is bool:
            low = raw.strip().lower()
            if low in _TRUE:
                return True
            if low in _FALSE:
                return False
            raise ValueError("expected true/false")
        if kind is int:
            return int(raw)
        if kind is float:
            return float(raw)
        return str(raw)
    except ValueError as e:
        raise OptionError(f"{family}: option {key}={raw!r} is not a valid {getattr(kind, '__name__', kind)} ({e})") from None


def parse_options(family: str, cls: type[T], raw: Mapping[str, str]) -> T:
    """Build the options dataclass ``cls`` from text values; unknown keys fail."""
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
    unknown = sorted(set(raw) - set(fields))
    if unknown:
        known = ", ".join(f"{n} (default {format_value(f.default)})" for n, f in fields.items()) or "none"
        raise OptionError(f"{family}: unknown option(s) {', '.join(unknown)}; known options: {known}")
    values = {k: _convert(family, k, v, hints[k]) for k, v in raw.items()}
    obj = cls(**values)
    check = getattr(obj, "validate", None)
    if callable(check):
        check(family)
    return obj


def format_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def options_as_text(obj: Any) -> dict[str, str]:
    return {f.name: format_value(getattr(obj, f.name)) for f in dataclasses.fields(obj)}


def split_option(text: str) -> tuple[str, str]:
    """``"key=value"`` -> ``("key", "value")``."""
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise OptionError(f"option {text!r} must look like key=value")
    return key.strip(), value.strip()
