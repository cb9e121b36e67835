"""Env families: built-in ones, ones that another distribution declares as entry points, and
what happens to entry points that give no usable family."""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Iterator

import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

from worldgate_envs import EnvFamily, UnknownEnvError, make
from worldgate_envs.client import WorkerClient
from worldgate_envs.family import ENTRY_POINT_GROUP
from worldgate_envs.gym_compat import GymnasiumEnv
from worldgate_envs.registry import BUILTIN_FAMILIES, broken_families, families, reload_families

HERE = Path(__file__).resolve().parent
#: The example family's module and the metadata that installing it would leave.
COUNTER_PATH = [HERE / "fixtures" / "installed", HERE.parent / "examples" / "env_family"]


@pytest.fixture
def fresh_families() -> Iterator[None]:
    reload_families()
    yield
    reload_families()


@pytest.fixture
def counter_installed(monkeypatch: pytest.MonkeyPatch, fresh_families: None) -> None:
    for p in COUNTER_PATH:
        monkeypatch.syspath_prepend(str(p))


def counter_env() -> dict[str, str]:
    """The environment of a subprocess that has the example family installed."""
    src = Path(__import__("worldgate_envs").__file__).resolve().parent.parent
    path = [str(p) for p in COUNTER_PATH] + [str(src)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(path)}


def test_builtin_families_come_first_in_their_order(fresh_families: None) -> None:
    assert list(families())[: len(BUILTIN_FAMILIES)] == ["dmc", "atari", "metaworld", "gym", "doom", "const"]


def test_a_family_from_an_entry_point_is_made_like_a_builtin(counter_installed: None) -> None:
    assert "counter" in families()
    with make("counter:3?image=8") as env:
        assert [o.name for o in env.spec.observations] == ["image", "state"]
        obs, _ = env.reset(seed=0)
        assert obs["state"].tolist() == [0.0]
        for t in range(1, 4):
            obs, reward, terminated, truncated, _ = env.step(1)
            assert reward == 1.0 and terminated == (t == 3) and not truncated
        assert obs["image"].shape == (8, 8, 3) and int(obs["image"][0, 0, 0]) == 255


def test_an_unknown_family_lists_the_known_ones_with_entry_points(counter_installed: None) -> None:
    with pytest.raises(UnknownEnvError) as e:
        make("carracing:v3")
    assert all(f"{name} (e.g. " in str(e.value) for name in ("dmc", "gym", "const", "counter"))


def _entry_points(*eps: importlib.metadata.EntryPoint):  # type: ignore[no-untyped-def]
    def select(group: str) -> tuple[importlib.metadata.EntryPoint, ...]:
        return eps if group == ENTRY_POINT_GROUP else ()

    return select


def test_broken_entry_points_are_reported_and_leave_the_others_usable(
    monkeypatch: pytest.MonkeyPatch, fresh_families: None
) -> None:
    monkeypatch.setattr(importlib.metadata, "entry_points", _entry_points(
        importlib.metadata.EntryPoint("missing", "worldgate_no_such_module:FAMILY", ENTRY_POINT_GROUP),
        importlib.metadata.EntryPoint("notafamily", "worldgate_envs.family:ENTRY_POINT_GROUP", ENTRY_POINT_GROUP),
        importlib.metadata.EntryPoint("renamed", "worldgate_envs.adapters.const:FAMILY", ENTRY_POINT_GROUP),
        importlib.metadata.EntryPoint("gym", "worldgate_envs.adapters.classic:FAMILY", ENTRY_POINT_GROUP),
    ))
    assert set(broken_families()) == {"missing", "notafamily", "renamed", "gym"}
    assert list(families()) == ["dmc", "atari", "metaworld", "gym", "doom", "const"]
    with pytest.raises(UnknownEnvError, match="ModuleNotFoundError"):
        make("missing:x")
    with make("gym:CartPole-v1") as env:  # a clash leaves the built-in in place
        assert env.spec.family == "gym"


def test_a_family_needs_a_valid_name_and_examples_of_its_own() -> None:
    from worldgate_envs.adapters.const import ConstEnv

    with pytest.raises(ValueError, match="lower-case"):
        EnvFamily(name="Car Racing", description="", examples={"Car Racing:x": ""}, make=ConstEnv)
    with pytest.raises(ValueError, match="must start with"):
        EnvFamily(name="car", description="", examples={"gym:x": ""}, make=ConstEnv)


def test_the_worker_lists_and_serves_an_installed_family(start_worker) -> None:  # type: ignore[no-untyped-def]
    listed = subprocess.run(
        [sys.executable, "-m", "worldgate_envs", "list", "--json", "--no-spec"],
        capture_output=True, text=True, timeout=60, check=True, env=counter_env(),
    )
    counter = next(f for f in json.loads(listed.stdout) if f["family"] == "counter")
    assert counter["examples"] == {"counter:5": "terminates after 5 steps; image=64 adds a 64x64 RGB observation"}

    w = start_worker("--env", "counter:2", "--num-envs", "2", "--seed", "3", env=counter_env())
    with WorkerClient(w.address) as c:
        assert c.describe().env_id == "counter:2"
        c.reset()
        c.step(np.array([0, 1], np.int64))
        last = c.step(np.array([1, 1], np.int64))
        assert last.terminated.all() and last.obs["state"].tolist() == [[1.0], [1.0]]


@pytest.mark.parametrize("env_id", ["counter:4?image=16", "gym:CartPole-v1", "const:3?image=8&action=discrete"])
def test_gymnasium_env_checker_passes(counter_installed: None, env_id: str) -> None:
    env = GymnasiumEnv(env_id)
    try:
        check_env(env, skip_render_check=True)
    finally:
        env.close()
