"""``doom:TakeCover``: ViZDoom's Take Cover scenario with the conventions of World Models.

Ha and Schmidhuber (2018) ran ``DoomTakeCover-v0`` of ppaquette's gym-doom: one game tic per step
(no frame skip), the status bar drawn, episodes starting after 14 tics and ending at death or after
2100 steps (60 s at 35 tics/s), +1 reward per tic alive. Their frames are the 640x480 screen
without its bottom sixth (the status bar), resized to 64x64. ``frames=paper`` (the default) does
the same from ViZDoom's frames at ``resolution`` (320x240 by default, about 4x cheaper than the
paper's 640x480; the crop covers the same view); ``frames=raw`` gives the scenario's own frames
(no status bar) at ``resolution``, unresized. Frames are RGB (gym-doom asked ViZDoom for BGR).
Paper frames are rendered as gym-doom's: no weapon, decals or particles (the scenario gives the
player no weapon, so these show nothing here), and the screen's red flash when the player is hit,
which gym-doom's engine (doom_py, older than ViZDoom's option to turn it off) always drew: once the
status bar is cropped, it is the only sign in a frame of the damage that decides death.

Actions: ``Discrete(3)``, 0 = stay, 1 = move left, 2 = move right (the paper's controller thresholds
one output at +-1/3 into the same three). Death terminates; ``max_tics`` truncates.

``skill`` (1..5, default 4) is ViZDoom's ``set_doom_skill``. gym-doom asks for 5, but doom_py
clamped skills to 0..4 and launched the engine with ``-skill 4``, which ZDoom reads as its fourth
level, Ultra-Violence: ViZDoom 1.3.2's 4. Its 5 is Nightmare (fast fireballs), where a random
player lives about 80 tics instead of the paper's 210 +- 108.
"""

from __future__ import annotations

import math
import os
import shutil
import tempfile
import threading
from dataclasses import dataclass
from typing import Any

import numpy as np

from worldgate_envs.adapters._image import resize_bilinear
from worldgate_envs.adapters._imports import require
from worldgate_envs.adapters.base import Env, Info, Obs, StepTuple
from worldgate_envs.errors import OptionError, UnknownEnvError
from worldgate_envs.family import EnvFamily
from worldgate_envs.options import options_as_text
from worldgate_envs.spaces import ArraySpec, DiscreteSpace, EnvSpec

_SCENARIOS = {"TakeCover": "take_cover.cfg"}
_PAPER_SIZE = 64
# ViZDoom's 4:3 sizes (the crop of the status bar assumes 4:3) up to the paper's 640x480, so that a
# raw frame is at most 0.9 MB per env
_RESOLUTIONS = ("160x120", "200x150", "256x192", "320x240", "400x300", "512x384", "640x480")
_START_TICS = 14          # gym-doom's episode_start_time (the player has raised the gun)

# The engine writes its files under ./_vizdoom of the working directory it is started in, and
# nothing sets another place; so it is started in a directory of its own, which the current
# directory of this process is, briefly, one game at a time.
_CHDIR_LOCK = threading.Lock()


@dataclass
class DoomOptions:
    frames: str = "paper"          # paper: status bar cropped, 64x64 (World Models); raw: the scenario's frames
    resolution: str = "320x240"    # ViZDoom's screen before cropping and resizing (the paper's: 640x480)
    frame_skip: int = 1            # tics per step, rewards summed (the paper: 1)
    max_tics: int = 2100           # then truncated (the paper: 2100 = 60 s)
    skill: int = 4                 # ViZDoom's 1..5; 4 is the paper's game (module docstring)

    def validate(self, family: str) -> None:
        if self.frames not in ("paper", "raw"):
            raise OptionError(f"{family}: frames must be paper or raw, not {self.frames!r}")
        if self.frame_skip < 1 or self.max_tics < 1:
            raise OptionError(f"{family}: frame_skip and max_tics must be >= 1")
        if not 1 <= self.skill <= 5:
            raise OptionError(f"{family}: skill must be 1 to 5 (ViZDoom's levels; 4 is the paper's), not {self.skill}")


class DoomEnv(Env):
    def __init__(self, name: str, opts: DoomOptions) -> None:
        super().__init__()
        if name not in _SCENARIOS:
            raise UnknownEnvError(f"doom: unknown scenario '{name}'; known: {', '.join('doom:' + s for s in _SCENARIOS)}")
        vzd = require("doom", "vizdoom", "vizdoom==1.3.2")
        if opts.resolution not in _RESOLUTIONS:
            raise OptionError(f"doom: resolution {opts.resolution!r} is not one of {', '.join(_RESOLUTIONS)}")
        resolution = getattr(vzd.ScreenResolution, "RES_" + opts.resolution.upper())
        self._opts = opts
        self._paper = opts.frames == "paper"
        self._home = tempfile.mkdtemp(prefix="worldgate-vizdoom-")
        game = vzd.DoomGame()
        try:
            game.load_config(os.path.join(vzd.scenarios_path, _SCENARIOS[name]))
            game.set_doom_config_path(os.path.join(self._home, "vizdoom.ini"))
            game.set_window_visible(False)
            game.set_mode(vzd.Mode.PLAYER)
            game.set_screen_format(vzd.ScreenFormat.RGB24)
            game.set_screen_resolution(resolution)
            game.set_render_hud(self._paper)
            if self._paper:
                game.set_render_weapon(False)
                game.set_render_decals(False)
                game.set_render_particles(False)
                game.set_render_screen_flashes(True)
            game.set_doom_skill(opts.skill)
            game.set_episode_start_time(_START_TICS)
            game.set_episode_timeout(0)
            with _CHDIR_LOCK:
                cwd = os.getcwd()
                os.chdir(self._home)
                try:
                    game.init()
                finally:
                    os.chdir(cwd)
        except BaseException:
            game.close()
            shutil.rmtree(self._home, ignore_errors=True)
            raise
        self._game = game
        buttons = list(game.get_available_buttons())
        self._actions = []
        for pressed in (None, vzd.Button.MOVE_LEFT, vzd.Button.MOVE_RIGHT):
            self._actions.append([b == pressed for b in buttons])
        height, width = game.get_screen_height(), game.get_screen_width()
        self._view_rows = height * 5 // 6 if self._paper else height
        side = (_PAPER_SIZE, _PAPER_SIZE) if self._paper else (height, width)
        self._last = np.zeros((height, width, 3), np.uint8)
        self._spec = EnvSpec(
            env_id=f"doom:{name}",
            family="doom",
            observations=(ArraySpec.image("image", side[0], side[1], 3),),
            action_space=DiscreteSpace(len(self._actions)),
            max_episode_steps=math.ceil(opts.max_tics / opts.frame_skip),
            options=options_as_text(opts),
            can_render=True,
        )

    @property
    def spec(self) -> EnvSpec:
        return self._spec

    def _observe(self) -> Obs:
        state = self._game.get_state()
        if state is not None:  # None once the episode is over: the last frame stands as the final one
            self._last = np.array(state.screen_buffer, dtype=np.uint8, copy=True)
        if not self._paper:
            return {"image": self._last.copy()}
        return {"image": resize_bilinear(np.ascontiguousarray(self._last[: self._view_rows]), _PAPER_SIZE, _PAPER_SIZE)}

    def _reset(self, seed: int | None) -> tuple[Obs, Info]:
        if seed is not None:
            self._game.set_seed(seed % 2**32)
        self._game.new_episode()
        return self._observe(), {}

    def _step(self, action: Any) -> StepTuple:
        reward = self._game.make_action(self._actions[int(action)], self._opts.frame_skip)
        terminated = self._game.is_episode_finished()
        return self._observe(), float(reward), terminated, False, {}

    def render(self) -> np.ndarray:
        """The last full-size screen, for humans."""
        return self._last.copy()

    def close(self) -> None:
        game = getattr(self, "_game", None)
        if game is not None:
            game.close()
            self._game = None
        shutil.rmtree(self._home, ignore_errors=True)


FAMILY = EnvFamily(
    name="doom",
    description="ViZDoom scenarios with World Models' conventions (64x64 frames above the status bar, one tic per step)",
    examples={
        "doom:TakeCover": "ViZDoom Take Cover, 64x64 RGB (frames=raw: the scenario's 320x240), 3 actions: stay/left/right",
    },
    make=DoomEnv,
    options=DoomOptions,
    packages=("vizdoom==1.3.2",),
)
