"""``dmc:<domain>-<task>``: DeepMind Control Suite (dm_control + MuJoCo)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from worldgate_envs.adapters._frames import FrameRenderer
from worldgate_envs.adapters._image import MAX_FRAME_STACK, FrameStack
from worldgate_envs.adapters._imports import require
from worldgate_envs.adapters.base import Env, Info, Obs, StepTuple
from worldgate_envs.errors import OptionError, UnknownEnvError
from worldgate_envs.family import EnvFamily
from worldgate_envs.options import options_as_text
from worldgate_envs.spaces import ArraySpec, BoxSpace, EnvSpec

#: Cameras that look at the agent by default (DreamerV3 convention).
_DEFAULT_CAMERA = {"quadruped": 2}


@dataclass
class DmcOptions:
    obs: str = "image"          # image | state | both
    size: int = 64              # image height = width
    action_repeat: int = 2      # physics control steps per agent step (rewards summed)
    camera: int = -1            # -1: 0, or 2 for quadruped
    episode_steps: int = 1000   # control steps per episode (agent steps = ceil(/action_repeat))
    render_size: int = 256      # size of Render frames
    fast_render: bool = False   # no MSAA, shadows or reflections: ~20x cheaper frames on OSMesa, other pixels
    shadow_size: int = 0        # shadow map side; 0: the model's (2048); smaller is cheaper on OSMesa, other pixels
    frame_stack: int = 1        # image = the last N frames along channels (HxWx3N), oldest first; TD-MPC2 uses 3

    def validate(self, family: str) -> None:
        if self.obs not in ("image", "state", "both"):
            raise OptionError(f"{family}: obs must be image, state or both, got {self.obs!r}")
        if self.size < 1 or self.action_repeat < 1 or self.episode_steps < 1 or self.render_size < 1:
            raise OptionError(f"{family}: size, action_repeat, episode_steps and render_size must be >= 1")
        if self.shadow_size != 0 and not 64 <= self.shadow_size <= 8192:
            raise OptionError(f"{family}: shadow_size must be 0 (the model's) or in [64, 8192], got {self.shadow_size}")
        if not 1 <= self.frame_stack <= MAX_FRAME_STACK:
            raise OptionError(f"{family}: frame_stack must be in [1, {MAX_FRAME_STACK}], got {self.frame_stack}")
        if self.frame_stack > 1 and self.obs == "state":
            raise OptionError(f"{family}: frame_stack stacks image frames; obs=state has none")


def split_name(name: str) -> tuple[str, str]:
    domain, sep, task = name.partition("-")
    if not sep or not domain or not task:
        raise UnknownEnvError(f"dmc ids look like dmc:<domain>-<task> (e.g. dmc:walker-walk), got 'dmc:{name}'")
    return domain, task


class DmcEnv(Env):
    def __init__(self, name: str, opts: DmcOptions) -> None:
        super().__init__()
        require("dmc", "mujoco", "mujoco==3.3.0")
        suite = require("dmc", "dm_control.suite", "dm-control==1.0.28")
        domain, task = split_name(name)
        if (domain, task) not in suite.ALL_TASKS:
            tasks = ", ".join(f"{d}-{t}" for d, t in suite.ALL_TASKS if d == domain) or ", ".join(
                sorted({d for d, _ in suite.ALL_TASKS})
            )
            raise UnknownEnvError(f"dmc: unknown task '{name}'; known: {tasks}")
        self._opts = opts
        self._camera = opts.camera if opts.camera >= 0 else _DEFAULT_CAMERA.get(domain, 0)
        self._env = suite.load(domain, task, task_kwargs={"random": None})
        self._renderers: dict[int, FrameRenderer] = {}
        ncam = self._env.physics.model.ncam
        if self._camera >= ncam and opts.obs != "state":
            raise OptionError(f"dmc:{name}: camera {self._camera} does not exist ({ncam} cameras)")
        self._keys = list(self._env.observation_spec().keys())
        state_size = sum(int(np.prod(s.shape)) for s in self._env.observation_spec().values())
        obs: list[ArraySpec] = []
        if opts.obs in ("image", "both"):
            obs.append(ArraySpec.image("image", opts.size, opts.size, 3 * opts.frame_stack))
        if opts.obs in ("state", "both"):
            obs.append(ArraySpec.vector("state", state_size))
        aspec = self._env.action_spec()
        self._spec = EnvSpec(
            env_id=f"dmc:{domain}-{task}",
            family="dmc",
            observations=tuple(obs),
            action_space=BoxSpace.of(aspec.shape, aspec.minimum, aspec.maximum),
            max_episode_steps=math.ceil(opts.episode_steps / opts.action_repeat),
            options={**options_as_text(opts), "camera": str(self._camera)},
            can_render=True,
        )
        self._control_steps = 0
        self._stack = FrameStack(opts.frame_stack)

    @property
    def spec(self) -> EnvSpec:
        return self._spec

    def _observe(self, time_step: Any, first: bool) -> Obs:
        out: Obs = {}
        if self._opts.obs in ("image", "both"):
            frame = self._frame(self._opts.size)
            out["image"] = self._stack.reset(frame) if first else self._stack.push(frame)
        if self._opts.obs in ("state", "both"):
            parts = [np.asarray(time_step.observation[k], dtype=np.float32).reshape(-1) for k in self._keys]
            out["state"] = np.concatenate(parts) if parts else np.zeros((0,), np.float32)
        return out

    def _reset(self, seed: int | None) -> tuple[Obs, Info]:
        if seed is not None:
            # dm_control tasks draw every random quantity from task.random.
            self._env.task._random = np.random.RandomState(seed % (2**32))
        ts = self._env.reset()
        self._control_steps = 0
        return self._observe(ts, first=True), {}

    def _step(self, action: Any) -> StepTuple:
        act = np.asarray(action, dtype=np.float64)
        reward = 0.0
        terminated = truncated = False
        ts = None
        for _ in range(self._opts.action_repeat):
            ts = self._env.step(act)
            self._control_steps += 1
            reward += float(ts.reward or 0.0)
            if ts.last():
                # dm_control ends episodes by time limit with discount 1, by failure with 0.
                terminated = ts.discount is not None and float(ts.discount) == 0.0
                truncated = not terminated
                break
            if self._control_steps >= self._opts.episode_steps:
                truncated = True
                break
        assert ts is not None
        return self._observe(ts, first=False), reward, terminated, truncated, {"discount": float(ts.discount or 0.0)}

    def _frame(self, size: int) -> np.ndarray:
        renderer = self._renderers.get(size)
        if renderer is None or not renderer.draws(self._env.physics.data.ptr):
            # dm_control swaps its MjData when a task reloads the physics
            if renderer is not None:
                renderer.close()
            renderer = self._renderers[size] = self._make_renderer(size)
        return renderer.render()

    def _make_renderer(self, size: int) -> FrameRenderer:
        import mujoco
        from dm_control.mujoco import wrapper

        physics = self._env.physics
        # dm_control's own scene (its geom budget) and options (no rangefinder rays).
        scene, option = wrapper.MjvScene(model=physics.model), wrapper.MjvOption()
        fast = self._opts.fast_render
        flags = {mujoco.mjtRndFlag.mjRND_SHADOW: False, mujoco.mjtRndFlag.mjRND_REFLECTION: False} if fast else None
        return FrameRenderer(
            physics.model.ptr,
            physics.data.ptr,
            self._camera,
            size,
            size,
            option=option,
            scene=scene,
            flags=flags,
            offsamples=0 if fast else None,
            shadowsize=self._opts.shadow_size or None,
        )

    def render(self) -> np.ndarray:
        return self._frame(self._opts.render_size)

    def close(self) -> None:
        renderers, self._renderers = getattr(self, "_renderers", {}), {}
        for r in renderers.values():
            r.close()
        env, self._env = getattr(self, "_env", None), None
        if env is not None:
            try:
                env.physics.free()
            except Exception:  # noqa: BLE001 - best effort at teardown
                pass
            env.close()


FAMILY = EnvFamily(
    name="dmc",
    description=(
        "DeepMind Control Suite; obs=image|state|both, size=64, action_repeat=2, frame_stack=1,"
        " 1000 control steps per episode"
    ),
    examples={
        "dmc:walker-walk": "DeepMind Control walker, 64x64 pixels (obs=image|state|both, size, camera), 500 steps",
        "dmc:cartpole-swingup": "DeepMind Control cart-pole swing-up, 64x64 pixels, continuous actions",
        "dmc:cheetah-run": "DeepMind Control cheetah, 64x64 pixels, continuous actions",
        "dmc:ball_in_cup-catch": "DeepMind Control ball in cup, 64x64 pixels, continuous actions",
    },
    make=DmcEnv,
    options=DmcOptions,
    packages=("mujoco==3.3.0", "dm-control==1.0.28"),
)
