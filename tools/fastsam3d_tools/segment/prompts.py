"""Prompt simulation shared by training and evaluation (SAM's interactive protocol): a first click
inside the object, later clicks in the error region of the previous prediction (positive in a missed
part, negative in a wrongly added part), and boxes around the object."""
from __future__ import annotations

from typing import Optional, Tuple

import numpy as np
from scipy import ndimage


def bbox(mask: np.ndarray) -> Tuple[float, float, float, float]:
    ys, xs = np.nonzero(mask)
    return float(xs.min()), float(ys.min()), float(xs.max()), float(ys.max())


def centre_click(region: np.ndarray) -> Tuple[float, float]:
    """The pixel of `region` farthest from its border (the usual deterministic click of interactive
    segmentation benchmarks); (x, y) pixel indices."""
    dist = ndimage.distance_transform_edt(np.pad(region, 1))[1:-1, 1:-1]
    y, x = np.unravel_index(int(np.argmax(dist)), dist.shape)
    return float(x), float(y)


def random_click(region: np.ndarray, rng: np.random.Generator, interior: float = 0.5) -> Tuple[float, float]:
    """A random pixel of `region`; with probability `interior` one at least half the maximum distance
    from its border (people click inside objects more than on their edges)."""
    if rng.random() < interior:
        dist = ndimage.distance_transform_edt(np.pad(region, 1))[1:-1, 1:-1]
        region = dist >= 0.5 * dist.max()
    ys, xs = np.nonzero(region)
    i = int(rng.integers(len(xs)))
    return float(xs[i]), float(ys[i])


def correction_click(pred: np.ndarray, gt: np.ndarray, rng: Optional[np.random.Generator] = None
                     ) -> Optional[Tuple[float, float, float]]:
    """(x, y, label) of the next click: in the larger of the missed (label 1) and wrongly added (label 0)
    regions — at its largest connected part's centre (rng None, evaluation) or a random pixel of it
    (training). None when the prediction is already exact."""
    fn = gt & ~pred
    fp = pred & ~gt
    if not fn.any() and not fp.any():
        return None
    region, label = (fn, 1.0) if fn.sum() >= fp.sum() else (fp, 0.0)
    if rng is not None:
        x, y = random_click(region, rng)
        return x, y, label
    lab, n = ndimage.label(region)
    if n > 1:
        sizes = ndimage.sum(region, lab, range(1, n + 1))
        region = lab == (1 + int(np.argmax(sizes)))
    x, y = centre_click(region)
    return x, y, label


def jittered_box(mask: np.ndarray, rng: np.random.Generator, noise: float = 0.1, limit: float = 20.0
                 ) -> Tuple[float, float, float, float]:
    """The mask's bbox with each side moved by N(0, noise·side), at most `limit` px (SAM's box noise)."""
    x0, y0, x1, y1 = bbox(mask)
    w, h = x1 - x0 + 1, y1 - y0 + 1
    d = np.clip(rng.normal(0, noise, 4) * np.array([w, h, w, h]), -limit, limit)
    h_img, w_img = mask.shape
    x0, x1 = sorted((np.clip(x0 + d[0], 0, w_img - 1), np.clip(x1 + d[2], 0, w_img - 1)))
    y0, y1 = sorted((np.clip(y0 + d[1], 0, h_img - 1), np.clip(y1 + d[3], 0, h_img - 1)))
    return float(x0), float(y0), float(x1), float(y1)
