"""Shapes built from parts: each part is a primitive SDF in its own local frame, placed in the object
frame, combined with the previous parts by (smooth) union or difference, and carrying a colour field.

`Shape.normalised()` recentres the occupied bounding box at the origin and scales the longest side to
`target` (0.9-1.0), giving the canonical object frame of docs/model-pack.md (z-up, inside [-0.5,0.5]³).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

import numpy as np

from . import sdf as S
from .textures import ColourField


@dataclass
class Part:
    kind: str                               # sphere | box | cylinder | capsule | torus | revolve | extrude
    params: Dict[str, Any]
    colour: ColourField
    rot: np.ndarray = field(default_factory=lambda: np.eye(3))     # local → object (column form)
    pos: np.ndarray = field(default_factory=lambda: np.zeros(3))
    op: str = "add"                         # add | sub
    blend: float = 0.0                      # smooth-union radius with the parts before it

    def sdf(self, p: np.ndarray) -> np.ndarray:
        q = (p - self.pos) @ self.rot       # row form of rotᵀ·(p − pos)
        k, a = self.kind, self.params
        if k == "sphere":
            return S.sphere(q, a["r"])
        if k == "box":
            return S.box(q, np.asarray(a["half"]), a.get("round", 0.0))
        if k == "cylinder":
            return S.cylinder_z(q, a["r"], a["h"], a.get("round", 0.0))
        if k == "capsule":
            return S.capsule(q, a["a"], a["b"], a["r"])
        if k == "torus":
            return S.torus_z(q, a["R"], a["r"])
        if k == "revolve":
            return S.revolve_z(q, a["profile"])
        if k == "extrude":
            return S.extrude_z(q, a["poly"], a["h"], a.get("round", 0.0))
        raise ValueError(f"unknown part kind {k!r}")


@dataclass
class Shape:
    family: str
    parts: List[Part]
    # Symmetry of the geometry in the canonical frame, in the benchmark's format
    # (src-main/pipeline/metrics/layout-error.ts): optional continuous axis + finite rotation group.
    symmetry: Dict[str, Any] = field(default_factory=dict)
    centre: np.ndarray = field(default_factory=lambda: np.zeros(3))
    scale: float = 1.0

    def _raw(self, p: np.ndarray, with_part: bool = False):
        d = None
        part_idx = np.zeros(len(p), dtype=np.int64)
        best_add = np.full(len(p), np.inf)
        for i, part in enumerate(self.parts):
            di = part.sdf(p)
            if part.op == "add":
                d = di if d is None else S.smooth_union(d, di, part.blend)
                closer = np.abs(di) < best_add
                part_idx[closer] = i
                best_add = np.minimum(best_add, np.abs(di))
            else:
                d = S.difference(d, di)
        return (d, part_idx) if with_part else d

    def sdf(self, p: np.ndarray) -> np.ndarray:
        """Signed distance in the canonical object frame."""
        return self._raw(p / self.scale + self.centre) * self.scale

    def colour(self, p: np.ndarray) -> np.ndarray:
        """RGB 0..1 at object-frame points (meaningful on and near the surface)."""
        q = p / self.scale + self.centre
        _, idx = self._raw(q, with_part=True)
        out = np.zeros((len(p), 3))
        for i, part in enumerate(self.parts):
            m = idx == i
            if np.any(m):
                out[m] = part.colour(p[m])
        return np.clip(out, 0.0, 1.0)

    def normalised(self, target: float, probe_res: int = 64, extent: float = 1.2) -> "Shape":
        """Copy with the occupied bbox centred at 0 and its longest side equal to `target`."""
        g = (np.arange(probe_res) + 0.5) / probe_res * 2 * extent - extent
        X, Y, Z = np.meshgrid(g, g, g, indexing="ij")
        pts = np.stack([X.ravel(), Y.ravel(), Z.ravel()], axis=-1)
        inside = self._raw(pts) <= 0
        if not np.any(inside):
            raise ValueError(f"shape of family {self.family!r} is empty")
        cell = 2 * extent / probe_res
        lo = pts[inside].min(axis=0) - cell / 2
        hi = pts[inside].max(axis=0) + cell / 2
        centre = (lo + hi) / 2
        scale = target / float(np.max(hi - lo))
        return Shape(self.family, self.parts, self.symmetry, centre=centre, scale=scale)

    def bbox(self, res: int = 64) -> np.ndarray:
        """(2, 3) occupied bounds in the canonical frame (grid estimate at `res`)."""
        g = (np.arange(res) + 0.5) / res - 0.5
        X, Y, Z = np.meshgrid(g, g, g, indexing="ij")
        pts = np.stack([X.ravel(), Y.ravel(), Z.ravel()], axis=-1)
        inside = self.sdf(pts) <= 0
        lo = pts[inside].min(axis=0) - 0.5 / res
        hi = pts[inside].max(axis=0) + 0.5 / res
        return np.stack([lo, hi])


def rot_matrix_rows(m: np.ndarray) -> List[float]:
    return [float(x) for x in np.asarray(m).reshape(-1)]


def sym_group(*mats: np.ndarray) -> Dict[str, Any]:
    return {"group": [rot_matrix_rows(m) for m in mats]}


SYM_AXIS_Z: Dict[str, Any] = {"axis": [0.0, 0.0, 1.0]}
SYM_NONE: Dict[str, Any] = {}


def sym_axis_z_with_flip() -> Dict[str, Any]:
    """Revolution about z and symmetric under z → −z (cylinders, capsules, tori)."""
    return {"axis": [0.0, 0.0, 1.0], "group": [rot_matrix_rows(S.rot_x(np.pi))]}


def sym_cyclic_z(n: int) -> Optional[Dict[str, Any]]:
    return sym_group(*[S.rot_z(2 * np.pi * k / n) for k in range(1, n)]) if n > 1 else {}
