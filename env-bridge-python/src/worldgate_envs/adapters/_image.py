"""Image helpers (Pillow, area averaging like OpenCV's INTER_AREA)."""

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


def to_gray(frame: np.ndarray) -> np.ndarray:
    """RGB uint8 HxWx3 -> luminance uint8 HxWx1 (ITU-R 601 weights)."""
    gray = np.asarray(Image.fromarray(frame).convert("L"))
    return gray[:, :, None]
