"""Env ids: ``<family>:<name>[?key=value&key=value]``.

Families: ``dmc``, ``atari``, ``metaworld``, ``gym``, ``const``. Options come
from the id's query part and from explicit ``options`` (which win).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from worldgate_envs.adapters.base import Env
from worldgate_envs.errors import OptionError, UnknownEnvError
from worldgate_envs.options import parse_options, split_option


@dataclass(frozen=True)
class Family:
    name: str
    description: str
    examples: tuple[str, ...]
    packages: tuple[str, ...]
    options_cls: Callable[[], type]
    factory: Callable[[str, Any], Env]


def _dmc_options() -> type:
    from worldgate_envs.adapters.dmc import DmcOptions

    return DmcOptions


def _dmc(name: str, opts: Any) -> Env:
    from worldgate_envs.adapters.dmc import DmcEnv

    return DmcEnv(name, opts)


def _atari_options() -> type:
    from worldgate_envs.adapters.atari import AtariOptions

    return AtariOptions


def _atari(name: str, opts: Any) -> Env:
    from worldgate_envs.adapters.atari import AtariEnv

    return AtariEnv(name, opts)


def _mw_options() -> type:
    from worldgate_envs.adapters.metaworld import MetaWorldOptions

    return MetaWorldOptions


def _mw(name: str, opts: Any) -> Env:
    from worldgate_envs.adapters.metaworld import MetaWorldEnv

    return MetaWorldEnv(name, opts)


def _gym_options() -> type:
    from worldgate_envs.adapters.classic import GymOptions

    return GymOptions


def _gym(name: str, opts: Any) -> Env:
    from worldgate_envs.adapters.classic import GymEnv

    return GymEnv(name, opts)


def _const_options() -> type:
    from worldgate_envs.adapters.const import ConstOptions

    return ConstOptions


def _const(name: str, opts: Any) -> Env:
    from worldgate_envs.adapters.const import ConstEnv

    return ConstEnv(name, opts)


_FAMILIES: dict[str, Family] = {
    f.name: f
    for f in (
        Family(
            "dmc",
            "DeepMind Control Suite; obs=image|state|both, size=64, action_repeat=2, 1000 control steps per episode",
            ("dmc:walker-walk", "dmc:cartpole-swingup", "dmc:cheetah-run", "dmc:ball_in_cup-catch"),
            ("mujoco==3.3.0", "dm-control==1.0.28"),
            _dmc_options,
            _dmc,
        ),
        Family(
            "atari",
            "Arcade Learning Environment v5, DreamerV3 Atari100k conventions (frameskip 4 + max-pool, 30 no-ops, 64x64)",
            ("atari:Pong", "atari:Breakout"),
            ("ale-py==0.12.1",),
            _atari_options,
            _atari,
        ),
        Family(
            "metaworld",
            "Meta-World MT1 tasks, corner camera 64x64 + 39-d state, 500-step episodes, info success",
            ("metaworld:reach-v3", "metaworld:push-v3"),
            ("metaworld==3.1.1", "mujoco==3.3.0"),
            _mw_options,
            _mw,
        ),
        Family(
            "gym",
            "Gymnasium envs with a Box observation (classic control), state only",
            ("gym:CartPole-v1", "gym:Pendulum-v1"),
            ("gymnasium==1.4.0",),
            _gym_options,
            _gym,
        ),
        Family(
            "const",
            "constant env: state float32 zeros of size n, reward 0, 100 steps; options fail_at, image, action",
            ("const:4",),
            (),
            _const_options,
            _const,
        ),
    )
}


def families() -> dict[str, Family]:
    return dict(_FAMILIES)


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
    known = ", ".join(f"{f.name} (e.g. {f.examples[0]})" for f in _FAMILIES.values())
    if not sep or not name.strip():
        raise UnknownEnvError(f"env id {env_id!r} must look like <family>:<name>; known families: {known}")
    if family not in _FAMILIES:
        raise UnknownEnvError(f"unknown env family {family!r} in {env_id!r}; known families: {known}")
    options: dict[str, str] = {}
    for part in filter(None, query.split("&")):
        k, v = split_option(part)
        options[k] = v
    return ParsedId(family, name.strip(), options)


def make(env_id: str, options: Mapping[str, str] | None = None) -> Env:
    """Create one env from an id such as ``dmc:walker-walk?obs=both``."""
    parsed = parse_env_id(env_id)
    fam = _FAMILIES[parsed.family]
    raw = {**parsed.options, **{str(k): str(v) for k, v in (options or {}).items()}}
    opts: Any = parse_options(parsed.family, fam.options_cls(), raw)
    return fam.factory(parsed.name, opts)


def parse_option_list(items: list[str] | None) -> dict[str, str]:
    """``["a=1", "b=x"]`` -> ``{"a": "1", "b": "x"}``."""
    out: dict[str, str] = {}
    for item in items or []:
        k, v = split_option(item)
        if k in out:
            raise OptionError(f"option {k} given twice")
        out[k] = v
    return out
