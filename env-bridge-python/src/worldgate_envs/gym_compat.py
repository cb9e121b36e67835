"""A Gymnasium view of a bridge env (for gymnasium.vector baselines and tools)."""

from __future__ import annotations

from typing import Any, Mapping

import gymnasium as gym
import numpy as np

from worldgate_envs.registry import make
from worldgate_envs.spaces import BoxSpace, DiscreteSpace, EnvSpec


def observation_space(spec: EnvSpec) -> gym.spaces.Dict:
    spaces: dict[str, gym.Space[Any]] = {}
    for o in spec.observations:
        low = np.broadcast_to(o.low, o.shape).astype(o.np_dtype) if o.dtype != "float32" else np.broadcast_to(o.low, o.shape).astype(np.float32)
        high = np.broadcast_to(o.high, o.shape).astype(low.dtype)
        spaces[o.name] = gym.spaces.Box(low=low, high=high, shape=o.shape, dtype=o.np_dtype)
    return gym.spaces.Dict(spaces)


def action_space(spec: EnvSpec) -> gym.Space[Any]:
    a = spec.action_space
    if isinstance(a, DiscreteSpace):
        return gym.spaces.Discrete(a.n)
    assert isinstance(a, BoxSpace)
    return gym.spaces.Box(low=a.low, high=a.high, shape=a.shape, dtype=np.float32)


class GymnasiumEnv(gym.Env):  # type: ignore[misc]
    """``gym.Env`` over ``worldgate_envs.make(env_id)``; the time limit is the bridge's."""

    metadata: dict[str, Any] = {"render_modes": ["rgb_array"]}

    def __init__(self, env_id: str, options: Mapping[str, str] | None = None) -> None:
        self._env = make(env_id, options)
        self.observation_space = observation_space(self._env.spec)
        self.action_space = action_space(self._env.spec)
        # Declare rgb_array only where the bridge env can draw itself (gym: classic envs cannot).
        can_render = self._env.spec.can_render
        self.metadata = {"render_modes": ["rgb_array"] if can_render else []}
        self.render_mode = "rgb_array" if can_render else None

    def reset(self, *, seed: int | None = None, options: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        super().reset(seed=seed)
        return self._env.reset(seed)

    def step(self, action: Any) -> tuple[Any, float, bool, bool, dict[str, Any]]:
        return self._env.step(action)

    def render(self) -> np.ndarray:
        return self._env.render()

    def close(self) -> None:
        self._env.close()
