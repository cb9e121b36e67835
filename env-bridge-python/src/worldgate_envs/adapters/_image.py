"""Image helpers on Pillow: resizing, the luminance conversion of the reference agents, frame stacking."""

from __future__ import annotations

from collections import deque

import numpy as np
from PIL import Image


def resize_area(frame: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize a uint8 HxWxC (C in 1, 3) or HxW frame with area averaging."""
    if frame.shape[0] == height and frame.shape[1] == width:
        return frame
    squeeze = frame.ndim == 3 and frame.shape[2] == 1
    src = frame[:, :, 0] if squeeze else frame
    out = np.asarray(Image.fromarray(src).resize((width, height), Image.Resampling.BOX))
    return out[:, :, None] if squeeze else out


def resize_bilinear(frame: np.ndarray, height: int, width: int) -> np.ndarray:
    """Resize a uint8 HxWx3 frame with Pillow's bilinear filter (DreamerV3's current Atari resize)."""
    if frame.shape[0] == height and frame.shape[1] == width:
        return frame
    return np.asarray(Image.fromarray(frame).resize((width, height), Image.Resampling.BILINEAR))


# ITU-R 601 luma weights, the blue one written as the rest so that the three sum to exactly 1.
_LUMA = np.array([0.299, 0.587, 1 - (0.299 + 0.587)])


def to_gray(frame: np.ndarray) -> np.ndarray:
    """RGB uint8 HxWx3 -> luminance uint8 HxWx1: the weighted sum, truncated to an integer.

    This is DreamerV3's conversion (Pillow's ``convert("L")`` rounds instead, which differs by 1
    on about half the pixels).
    """
    return (frame * _LUMA).sum(-1).astype(np.uint8)[:, :, None]


#: The most frames an image observation may stack.
MAX_FRAME_STACK = 16


class FrameStack:
    """The last ``n`` HxWxC frames of an episode as one HxWx(nC) image, oldest first.

    At the episode's first frame every slot holds that frame (TD-MPC2's pixel setting). Each call
    returns a new array and keeps the frames it was given, so callers must not write into them;
    with ``n == 1`` the frame itself is returned.
    """

    def __init__(self, n: int) -> None:
        if not 1 <= n <= MAX_FRAME_STACK:
            raise ValueError(f"frame stack must be in [1, {MAX_FRAME_STACK}], got {n}")
        self._n = n
        # Each frame is kept as HxW pixels of one opaque C-byte item: numpy then copies whole
        # pixels when it interleaves the frames, about 3x faster than byte by byte.
        self._pixels: deque[np.ndarray] = deque(maxlen=n)

    def reset(self, frame: np.ndarray) -> np.ndarray:
        """Starts an episode at ``frame``."""
        pixels = self._as_pixels(frame)
        self._pixels.extend([pixels] * self._n)
        return self._stacked(frame)

    def push(self, frame: np.ndarray) -> np.ndarray:
        """Adds the newest frame and drops the oldest."""
        self._pixels.append(self._as_pixels(frame))
        return self._stacked(frame)

    def _as_pixels(self, frame: np.ndarray) -> np.ndarray:
        if self._n == 1:
            return frame
        frame = np.ascontiguousarray(frame)
        return frame.view(np.dtype((np.void, frame.shape[-1] * frame.itemsize)))

    def _stacked(self, frame: np.ndarray) -> np.ndarray:
        if self._n == 1:
            return frame
        return np.concatenate(self._pixels, axis=-1).view(frame.dtype)
