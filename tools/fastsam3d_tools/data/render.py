"""Sphere-tracing renderer for posed analytic shapes (numpy, vectorised over the active rays).

Shading: Lambert from one directional light plus ambient, colour from the shape's colour field at the
object-frame hit point. Returns the image, the per-pixel object id (−1 = background) and depth, from
which visible masks follow directly (occlusion is exact: the first surface along each ray wins).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Tuple

import numpy as np

from .camera import Layout, ray_directions
from .shapes import Shape


@dataclass
class Posed:
    shape: Shape
    layout: Layout

    def sdf_cam(self, p_cam: np.ndarray) -> np.ndarray:
        return self.shape.sdf(self.layout.to_object(p_cam)) * self.layout.scale


def _bounding_interval(obj: Posed, dirs: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """Ray/bounding-sphere intersection (the object lies in a sphere of radius s·√3/2 around t)."""
    c = obj.layout.translation
    r = obj.layout.scale * 0.8661
    b = dirs @ c
    disc = b * b - (c @ c - r * r)
    hit = disc > 0
    sq = np.sqrt(np.maximum(disc, 0))
    near = np.where(hit, np.maximum(b - sq, 0.0), np.inf)
    far = np.where(hit, b + sq, -np.inf)
    return near, far


def render(objects: List[Posed], width: int, fov_deg: float, background: np.ndarray,
           light_dir: np.ndarray, ambient: float = 0.35, max_steps: int = 96, eps_px: float = 0.35
           ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Render objects over `background` (W, W, 3) floats. Returns (rgb float W×W×3, ids int W×W, depth)."""
    dirs = ray_directions(width, fov_deg)
    n = len(dirs)
    best_t = np.full(n, np.inf)
    best_id = np.full(n, -1, dtype=np.int64)
    # each object is traced independently inside its bounding sphere; the nearest hit wins
    for k, obj in enumerate(objects):
        near, far = _bounding_interval(obj, dirs)
        idx = np.nonzero(np.isfinite(near))[0]
        t = near[idx].copy()
        tfar = far[idx]
        hit = np.zeros(len(idx), dtype=bool)
        active = np.ones(len(idx), dtype=bool)
        for _ in range(max_steps):
            a = np.nonzero(active)[0]
            if len(a) == 0:
                break
            p = dirs[idx[a]] * t[a, None]
            d = obj.sdf_cam(p)
            # hit tolerance grows with distance (≈ a third of a pixel's footprint)
            tol = eps_px * t[a] * (2 * np.tan(np.radians(fov_deg) / 2) / width)
            h = d < tol
            hit[a[h]] = True
            active[a[h]] = False
            t[a[~h]] += 0.9 * d[~h]
            gone = t > tfar
            active &= ~gone
        hi = idx[hit]
        closer = t[hit] < best_t[hi]
        best_t[hi[closer]] = t[hit][closer]
        best_id[hi[closer]] = k
    rgb = background.reshape(-1, 3).copy()
    for k, obj in enumerate(objects):
        m = np.nonzero(best_id == k)[0]
        if len(m) == 0:
            continue
        p_cam = dirs[m] * best_t[m, None]
        p_obj = obj.layout.to_object(p_cam)
        nrm = _normal(obj.shape, p_obj) @ obj.layout.rotation   # object → camera (row form)
        nrm /= np.maximum(np.linalg.norm(nrm, axis=-1, keepdims=True), 1e-9)
        facing = np.where(np.sum(nrm * dirs[m], axis=-1, keepdims=True) > 0, -1.0, 1.0)
        nrm = nrm * facing
        lam = np.clip(nrm @ (-light_dir), 0.0, 1.0)
        col = obj.shape.colour(p_obj)
        rgb[m] = col * (ambient + (1 - ambient) * lam[:, None])
    return (np.clip(rgb.reshape(width, width, 3), 0, 1), best_id.reshape(width, width),
            best_t.reshape(width, width))


def _normal(shape: Shape, p: np.ndarray, h: float = 1e-3) -> np.ndarray:
    e = np.eye(3) * h
    g = np.stack([shape.sdf(p + e[i]) - shape.sdf(p - e[i]) for i in range(3)], axis=-1)
    return g / np.maximum(np.linalg.norm(g, axis=-1, keepdims=True), 1e-12)


def background_image(rng: np.random.Generator, width: int) -> np.ndarray:
    """Solid colour, vertical gradient or smooth noise (upsampled random grid)."""
    from .textures import random_colour
    kind = rng.choice(["solid", "gradient", "noise"])
    if kind == "solid":
        return np.broadcast_to(random_colour(rng) * 0.9 + 0.05, (width, width, 3)).copy()
    if kind == "gradient":
        a, b = random_colour(rng), random_colour(rng)
        w = np.linspace(0, 1, width)[:, None, None]
        return np.broadcast_to(a * (1 - w) + b * w, (width, width, 3)).copy()
    g = int(rng.integers(3, 9))
    grid = rng.uniform(0, 1, size=(g, g, 3)) * 0.7 + random_colour(rng) * 0.3
    x = np.linspace(0, g - 1, width)
    i0 = np.clip(np.floor(x).astype(int), 0, g - 2)
    f = (x - i0)[:, None]
    rows = grid[i0] * (1 - f[:, :, None]) + grid[i0 + 1] * f[:, :, None]          # (W, g, 3)
    out = rows[:, i0] * (1 - f[None, :, :]) + rows[:, i0 + 1] * f[None, :, :]
    return np.clip(out, 0, 1)
