"""Colour fields defined on the object's surface (functions of the object-frame point), so the same
texture is seen in renders, in the colour targets of the mesh decoder and on ground-truth meshes.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import List

import colorsys
import numpy as np


def random_colour(rng: np.random.Generator) -> np.ndarray:
    """A saturated-ish colour in HSV, with occasional greys and whites (rendered against varied
    backgrounds, so every colour must stay distinguishable from white, the cut-out fill)."""
    if rng.random() < 0.15:
        g = rng.uniform(0.15, 0.75)
        return np.array([g, g, g])
    h = rng.random()
    s = rng.uniform(0.35, 0.95)
    v = rng.uniform(0.35, 0.95)
    return np.array(colorsys.hsv_to_rgb(h, s, v))


@dataclass
class ColourField:
    kind: str                     # solid | stripes | checker | noise
    a: np.ndarray                 # primary colour (3,)
    b: np.ndarray                 # secondary colour (3,)
    freq: float = 8.0
    axis: np.ndarray = field(default_factory=lambda: np.array([0.0, 0.0, 1.0]))
    waves: List[np.ndarray] = field(default_factory=list)   # noise: rows (kx, ky, kz, phase)

    def __call__(self, p: np.ndarray) -> np.ndarray:
        if self.kind == "solid":
            w = np.zeros(len(p))
        elif self.kind == "stripes":
            w = (np.sin(self.freq * np.pi * (p @ self.axis)) > 0).astype(np.float64)
        elif self.kind == "checker":
            k = np.floor(p * self.freq * 0.5 + 1000.0).astype(np.int64)
            w = (np.sum(k, axis=-1) % 2).astype(np.float64)
        elif self.kind == "noise":
            acc = np.zeros(len(p))
            for wv in self.waves:
                acc += np.sin(p @ wv[:3] + wv[3])
            w = np.clip(0.5 + 0.5 * acc / max(1, len(self.waves)) * 1.6, 0.0, 1.0)
        else:
            raise ValueError(f"unknown colour field kind {self.kind!r}")
        return self.a[None] * (1 - w[:, None]) + self.b[None] * w[:, None]


def random_field(rng: np.random.Generator, base: np.ndarray | None = None) -> ColourField:
    a = random_colour(rng) if base is None else base
    b = random_colour(rng)
    kind = rng.choice(["solid", "solid", "stripes", "checker", "noise"])
    axis = np.array([0.0, 0.0, 1.0]) if rng.random() < 0.6 else rng.normal(size=3)
    axis = axis / np.linalg.norm(axis)
    waves = [np.concatenate([rng.normal(size=3) * rng.uniform(4, 12), [rng.uniform(0, 2 * np.pi)]]) for _ in range(3)]
    return ColourField(kind=str(kind), a=a, b=b, freq=float(rng.uniform(4, 14)), axis=axis, waves=waves)
