"""One MuJoCo offscreen renderer per env and frame size, kept for the env's life.

The simulators' own render calls (dm_control's ``Physics.render``, Gymnasium's
``MujocoRenderer``) build a scene per frame, allocate their buffers per frame and
render into the model's offscreen buffer, 640x480 with 4x MSAA by default, even
for a 64x64 frame: MuJoCo clears the reflection stencil over the whole buffer.
This renderer keeps one scene, one camera and one GL context, sizes the offscreen
buffer to the frame, and reads the RGB pixels only. Everything that decides pixels
(shadow map size, MSAA samples, lights, camera, scene flags) is the model's unless
the caller overrides it, so frames are byte-identical to those paths
(tests/test_render_identity.py).
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np


class FrameRenderer:
    """RGB frames of one fixed camera at one size; ``render`` returns a new array.

    ``flip`` names the axes to reverse when copying out of the bottom-up GL
    buffer: ``(0,)`` gives the usual upright image, ``(1,)`` the image rotated
    by 180 degrees."""

    def __init__(
        self,
        model: Any,
        data: Any,
        camera_id: int,
        height: int,
        width: int,
        *,
        option: Any | None = None,
        scene: Any | None = None,
        max_geom: int = 1000,
        flags: Mapping[Any, bool] | None = None,
        offsamples: int | None = None,
        shadowsize: int | None = None,
        offscreen: tuple[int, int] | None = None,
        flip: tuple[int, ...] = (0,),
    ) -> None:
        import mujoco
        from mujoco import gl_context

        self._mj = mujoco
        self._model = model
        self._data = data
        self._option = option if option is not None else mujoco.MjvOption()
        self._scene = scene if scene is not None else mujoco.MjvScene(model, maxgeom=max_geom)
        for flag, value in (flags or {}).items():
            self._scene.flags[flag] = value
        self._camera = mujoco.MjvCamera()
        self._camera.type = mujoco.mjtCamera.mjCAMERA_FIXED
        self._camera.fixedcamid = camera_id
        self._rect = mujoco.MjrRect(0, 0, width, height)
        self._buffer = np.empty((height, width, 3), dtype=np.uint8)
        self._flip = flip
        self._gl: Any = None
        self._con: Any = None
        # The context copies these at creation; the model keeps its own values.
        vis = model.vis
        saved = (vis.global_.offwidth, vis.global_.offheight, vis.quality.offsamples, vis.quality.shadowsize)
        vis.global_.offwidth, vis.global_.offheight = offscreen or (width, height)
        if offsamples is not None:
            vis.quality.offsamples = offsamples
        if shadowsize is not None:
            vis.quality.shadowsize = shadowsize
        try:
            if gl_context.GLContext is None:
                raise RuntimeError("MuJoCo has no GL backend: set MUJOCO_GL to osmesa or egl")
            self._gl = gl_context.GLContext(vis.global_.offwidth, vis.global_.offheight)
            self._gl.make_current()
            self._con = mujoco.MjrContext(model, mujoco.mjtFontScale.mjFONTSCALE_150)
            mujoco.mjr_setBuffer(mujoco.mjtFramebuffer.mjFB_OFFSCREEN, self._con)
        except BaseException:
            self.close()
            raise
        finally:
            vis.global_.offwidth, vis.global_.offheight, vis.quality.offsamples, vis.quality.shadowsize = saved

    def draws(self, data: Any) -> bool:
        return data is self._data

    def render(self) -> np.ndarray:
        mj = self._mj
        # Several envs may share the thread: each makes its own context current.
        self._gl.make_current()
        mj.mjv_updateScene(self._model, self._data, self._option, None, self._camera, mj.mjtCatBit.mjCAT_ALL, self._scene)
        mj.mjr_render(self._rect, self._scene, self._con)
        mj.mjr_readPixels(self._buffer, None, self._rect, self._con)
        return np.ascontiguousarray(np.flip(self._buffer, self._flip))

    @property
    def shadow_size(self) -> int:
        return int(self._con.shadowSize)

    def close(self) -> None:
        con, self._con = self._con, None
        gl, self._gl = self._gl, None
        if con is not None and gl is not None:
            gl.make_current()  # freeing deletes GL objects of this context
            con.free()
        if gl is not None:
            gl.free()
