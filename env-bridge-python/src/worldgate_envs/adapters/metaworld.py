"""``metaworld:<task>-v3``: Meta-World MT1 tasks with pixels from the corner camera.

The 50 goal variations of a task come from ``benchmark_seed`` (fixed per
worker, default 0); ``reset(seed)`` seeds the choice among them, so the same
seed and actions give the same episode. Episodes are 500 steps (truncated);
``info["success"]`` is 1.0 once the task is solved. The corner camera is
mounted upside down (its up axis points at the floor), so frames are rotated
by 180 degrees unless ``upright=false``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from worldgate_envs.adapters._frames import FrameRenderer
from worldgate_envs.adapters._imports import require
from worldgate_envs.adapters.base import Env, Info, Obs, StepTuple
from worldgate_envs.errors import OptionError, UnknownEnvError
from worldgate_envs.family import EnvFamily
from worldgate_envs.options import options_as_text
from worldgate_envs.spaces import ArraySpec, BoxSpace, EnvSpec


@dataclass
class MetaWorldOptions:
    obs: str = "both"           # image | state | both
    size: int = 64
    camera: str = "corner"
    episode_steps: int = 500
    benchmark_seed: int = 0     # seeds the task's set of goal variations
    fast_render: bool = False   # no MSAA, shadows or reflections: ~14x cheaper frames on OSMesa, other pixels
    shadow_size: int = 0        # shadow map side; 0: the model's (4096); smaller is cheaper on OSMesa, other pixels
    upright: bool = True        # rotate frames 180 degrees: the corner camera's up axis points down

    def validate(self, family: str) -> None:
        if self.obs not in ("image", "state", "both"):
            raise OptionError(f"{family}: obs must be image, state or both, got {self.obs!r}")
        if self.size < 1 or not (1 <= self.episode_steps <= 500):
            raise OptionError(f"{family}: size must be >= 1 and episode_steps in [1, 500]")
        if self.shadow_size != 0 and not 64 <= self.shadow_size <= 8192:
            raise OptionError(f"{family}: shadow_size must be 0 (the model's) or in [64, 8192], got {self.shadow_size}")


class MetaWorldEnv(Env):
    def __init__(self, name: str, opts: MetaWorldOptions) -> None:
        super().__init__()
        require("metaworld", "mujoco", "mujoco==3.3.0")
        mw = require("metaworld", "metaworld", "metaworld==3.1.1")
        import gymnasium as gym

        known = sorted(mw.ALL_V3_ENVIRONMENTS.keys())
        if name not in known:
            close = [k for k in known if k.split("-")[0] == name.split("-")[0]] or known[:12]
            raise UnknownEnvError(f"metaworld: unknown task '{name}'; e.g. {', '.join(close)}")
        self._opts = opts
        self._pixels = opts.obs in ("image", "both")
        self._env: Any = gym.make(
            "Meta-World/MT1",
            env_name=name,
            seed=opts.benchmark_seed,
            render_mode="rgb_array",
            camera_name=opts.camera,
            width=opts.size,
            height=opts.size,
            max_episode_steps=opts.episode_steps,
            disable_env_checker=True,
        )
        self._raw: Any = cast(Any, self._env).unwrapped
        self._renderer: FrameRenderer | None = None
        space: Any = self._env.observation_space
        obs: list[ArraySpec] = []
        if self._pixels:
            obs.append(ArraySpec.image("image", opts.size, opts.size, 3))
        if opts.obs in ("state", "both"):
            low, high = _state_bounds(space, self._raw)
            obs.append(ArraySpec.vector("state", int(np.prod(space.shape)), low, high))
        aspace: Any = self._env.action_space
        self._spec = EnvSpec(
            env_id=f"metaworld:{name}",
            family="metaworld",
            observations=tuple(obs),
            action_space=BoxSpace.of(aspace.shape, aspace.low, aspace.high),
            max_episode_steps=opts.episode_steps,
            options=options_as_text(opts),
            info_keys=("success",),
            can_render=True,
        )

    @property
    def spec(self) -> EnvSpec:
        return self._spec

    def _observe(self, state: np.ndarray) -> Obs:
        out: Obs = {}
        if self._pixels:
            out["image"] = self._frame()
        if self._opts.obs in ("state", "both"):
            out["state"] = np.asarray(state, dtype=np.float32).reshape(-1)
        return out

    def _reset(self, seed: int | None) -> tuple[Obs, Info]:
        if seed is not None:
            # Metaworld ignores reset(seed=...); its own seed() drives the goal choice.
            self._raw.seed(seed)
        state, info = self._env.reset()
        return self._observe(state), {"success": 0.0}

    def _step(self, action: Any) -> StepTuple:
        state, reward, terminated, truncated, info = self._env.step(np.asarray(action, dtype=np.float32))
        return (
            self._observe(state),
            float(reward),
            bool(terminated),
            bool(truncated),
            {"success": float(info.get("success", 0.0))},
        )

    def _frame(self) -> np.ndarray:
        if self._raw.mujoco_renderer.camera_id < 0:
            # gymnasium's free camera: its own renderer places it.
            img = self._env.render()
            return np.ascontiguousarray(img[::-1, ::-1] if self._opts.upright else img)
        if self._renderer is None:
            self._renderer = self._make_renderer()
        return self._renderer.render()

    def _make_renderer(self) -> FrameRenderer:
        import mujoco

        # The camera, scene size and options gymnasium's MujocoRenderer would use.
        gym_renderer = self._raw.mujoco_renderer
        fast = self._opts.fast_render
        flags = {mujoco.mjtRndFlag.mjRND_SHADOW: False, mujoco.mjtRndFlag.mjRND_REFLECTION: False} if fast else None
        return FrameRenderer(
            self._raw.model,
            self._raw.data,
            gym_renderer.camera_id,
            self._opts.size,
            self._opts.size,
            max_geom=gym_renderer.max_geom,
            flags=flags,
            offsamples=0 if fast else None,
            shadowsize=self._opts.shadow_size or None,
            # GL rows run bottom-up: flipping them gives gymnasium's image; flipping the
            # columns instead gives that image turned by 180 degrees.
            flip=(1,) if self._opts.upright else (0,),
        )

    def render(self) -> np.ndarray:
        return self._frame()

    def close(self) -> None:
        renderer, self._renderer = self._renderer, None
        if renderer is not None:
            renderer.close()
        self._env.close()



def _state_bounds(space: Any, raw: Any) -> tuple[np.ndarray, np.ndarray]:
    """The state's bounds, the goal's (its last 3 entries) taken from the task's goal space.

    Meta-World declares the goal's bounds as [0, 0] in partially observable mode, yet puts the
    goal in the observation, so every observation would lie outside its own space.
    """
    low = space.low.astype(np.float32).copy()
    high = space.high.astype(np.float32).copy()
    goal = getattr(raw, "goal_space", None)
    if goal is not None and np.all(low[-3:] == 0) and np.all(high[-3:] == 0):
        low[-3:] = np.asarray(goal.low, dtype=np.float32)
        high[-3:] = np.asarray(goal.high, dtype=np.float32)
    return low, high

FAMILY = EnvFamily(
    name="metaworld",
    description="Meta-World MT1 tasks, corner camera 64x64 + 39-d state, 500-step episodes, info success",
    examples={
        "metaworld:reach-v3": "Meta-World MT1 reach, corner camera 64x64 (obs=both adds the 39-d state), 500 steps",
        "metaworld:push-v3": "Meta-World MT1 push",
    },
    make=MetaWorldEnv,
    options=MetaWorldOptions,
    packages=("metaworld==3.1.1", "mujoco==3.3.0"),
)
