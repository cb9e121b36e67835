from __future__ import annotations

import json
import subprocess
import sys

import pytest

from worldgate_envs import MissingPackageError, OptionError, UnknownEnvError, make, parse_env_id
from worldgate_envs.adapters._imports import require


def test_parse_ids_with_options_and_underscored_domains():
    p = parse_env_id("dmc:ball_in_cup-catch?obs=state&size=32")
    assert (p.family, p.name, p.options) == ("dmc", "ball_in_cup-catch", {"obs": "state", "size": "32"})
    assert parse_env_id("const:4").base_id == "const:4"


def test_unknown_family_lists_known_families():
    with pytest.raises(UnknownEnvError) as e:
        make("mujoco:walker")
    msg = str(e.value)
    for fam in ("dmc", "atari", "metaworld", "gym", "const"):
        assert fam in msg


def test_unknown_names_and_options_are_clear():
    with pytest.raises(UnknownEnvError, match="walker-walk"):
        make("dmc:walker-fly")
    with pytest.raises(UnknownEnvError, match="Pong"):
        make("atari:Pongg")
    with pytest.raises(OptionError, match="known options"):
        make("const:4?colour=red")
    with pytest.raises(OptionError, match="not a valid int"):
        make("const:4", {"length": "ten"})


def test_missing_package_names_the_package_and_the_installer():
    with pytest.raises(MissingPackageError) as e:
        require("dmc", "worldgate_no_such_module", "dm-control==1.0.28")
    msg = str(e.value)
    assert "dm-control==1.0.28" in msg and "./worldgate test" in msg and "pip install" in msg


def test_list_json_shows_families_with_specs():
    out = subprocess.run(
        [sys.executable, "-m", "worldgate_envs", "list", "--json"], capture_output=True, text=True, timeout=120, check=True
    )
    fams = {e["family"]: e for e in json.loads(out.stdout)}
    assert set(fams) == {"dmc", "atari", "metaworld", "gym", "doom", "const"}
    for e in fams.values():
        assert "spec" in e, e.get("unavailable")
    assert fams["atari"]["spec"]["action_space"] == {"type": "discrete", "n": 6}
    assert fams["dmc"]["spec"]["observations"][0]["shape"] == [64, 64, 3]
    assert fams["doom"]["spec"]["action_space"] == {"type": "discrete", "n": 3}


def test_cli_reports_unknown_id_without_traceback():
    out = subprocess.run(
        [sys.executable, "-m", "worldgate_envs", "spec", "--env", "nope:x"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 2
    assert "known families" in out.stderr and "Traceback" not in out.stderr
