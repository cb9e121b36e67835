"""Image helpers on Pillow: resizing and the luminance conversion of the reference agents."""

from __future__ import annotations

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
