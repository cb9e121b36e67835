"""Headless rendering defaults, applied before any MuJoCo import."""

from __future__ import annotations

import os


def configure() -> None:
    """Default ``MUJOCO_GL`` to ``osmesa`` (CPU hosts; set ``egl`` on GPU hosts)
    and make ``PYOPENGL_PLATFORM`` agree with it. Values already set win."""
    backend = os.environ.setdefault("MUJOCO_GL", "osmesa")
    if backend in ("osmesa", "egl"):
        os.environ.setdefault("PYOPENGL_PLATFORM", backend)
