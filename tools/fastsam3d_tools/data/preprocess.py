"""The condition network's input preprocessing, mirroring src-main/pipeline/image/preprocess.ts so
training sees exactly what the app feeds the pack: crop = square box of side int(max(w, h, 2)·factor)
centred on the mask bbox (zero fill), full frame = the image padded to a square; RGB bilinear with
antialias (PIL's BILINEAR reduces with a widened triangle filter, as the TypeScript resampler), mask
nearest with PyTorch's `floor(o·side/S)` indexing.
"""
from __future__ import annotations

from typing import Tuple

import numpy as np
from PIL import Image


def mask_bbox(mask: np.ndarray) -> Tuple[int, int, int, int]:
    ys, xs = np.nonzero(mask)
    if len(xs) == 0:
        raise ValueError("mask is empty: it must mark at least one pixel of the object")
    return int(xs.min()), int(ys.min()), int(xs.max()), int(ys.max())


def crop_window(mask: np.ndarray, factor: float) -> Tuple[int, int, int]:
    x0, y0, x1, y1 = mask_bbox(mask)
    side = max(1, int(max(x1 - x0 + 1, y1 - y0 + 1, 2) * factor))
    cx, cy = (x0 + x1 + 1) / 2, (y0 + y1 + 1) / 2
    return int(np.floor(cx - side / 2)), int(np.floor(cy - side / 2)), side


def _rgb_window(rgb_u8: np.ndarray, left: int, top: int, side: int, size: int) -> np.ndarray:
    im = Image.fromarray(rgb_u8, "RGB").crop((left, top, left + side, top + side))  # zero fill outside
    return np.asarray(im.resize((size, size), Image.BILINEAR), dtype=np.float32) / 255.0


def _mask_window(mask: np.ndarray, left: int, top: int, side: int, size: int) -> np.ndarray:
    o = np.arange(size)
    ys = top + (o * side) // size
    xs = left + (o * side) // size
    h, w = mask.shape
    vy = (ys >= 0) & (ys < h)
    vx = (xs >= 0) & (xs < w)
    out = mask[np.clip(ys, 0, h - 1)][:, np.clip(xs, 0, w - 1)].astype(np.float32)
    return out * vy[:, None] * vx[None, :]


def condition_inputs(rgb_u8: np.ndarray, mask: np.ndarray, size: int, factor: float = 1.2
                     ) -> Tuple[np.ndarray, np.ndarray]:
    """(image (2, 3, S, S) float32 0..1 rows [crop, full], mask (2, 1, S, S) 0/1) for one object."""
    h, w = mask.shape
    left, top, side = crop_window(mask, factor)
    fs = max(w, h)
    fl, ft = -((fs - w) // 2), -((fs - h) // 2)
    img = np.stack([_rgb_window(rgb_u8, left, top, side, size), _rgb_window(rgb_u8, fl, ft, fs, size)])
    msk = np.stack([_mask_window(mask, left, top, side, size), _mask_window(mask, fl, ft, fs, size)])
    return img.transpose(0, 3, 1, 2).copy(), msk[:, None]
