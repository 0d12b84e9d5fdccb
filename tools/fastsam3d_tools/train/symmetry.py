"""One pose per symmetric object: stage 2's rotation target is the equivalent rotation nearest to the
middle of the layout distribution.

Why: a cylinder turned about its axis, or a box turned half a turn, looks the same, so the generator's
rotation of a symmetric object is one arbitrary member of a set of rotations the image cannot tell
apart (the benchmark scores the nearest member: src-main/pipeline/metrics/layout-error.ts). Trained on
the arbitrary member, the flow has to spread its rotation over the whole set (a ring in rot6d space for
a revolved shape); trained on one chosen member it has one answer to learn. The member chosen is the
one nearest (Frobenius, i.e. geodesic) to `camera.reference_rotation()`: a deterministic function of
the set, and so of what the image shows.

Conventions as the benchmark's: R is row form (camera point = s·p·R + t), a symmetry g is column form
in the object frame, and the equivalent poses are (g·Rot(axis, θ))ᵀ·R. Groups whose rotations do not
keep the object-frame origin (the bbox centre, data/shapes.py) on their axis are left out: an odd-sided
star's bbox is off its centre, so turning it about the origin would move it.
"""
from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Sequence

import numpy as np

from ..data.camera import reference_rotation
from ..data.scene import target_symmetry


def _group(sym: Dict) -> List[np.ndarray]:
    return [np.eye(3)] + [np.asarray(g, np.float64).reshape(3, 3) for g in sym.get("group", [])]


def _keeps_origin(sym: Dict) -> bool:
    """Every element that is not a half turn needs the half turn about its own axis in the group: only
    then is the bbox, and with it the object-frame origin, centred on the axis (n-gons with n even)."""
    group = _group(sym)
    for g in group:
        if np.allclose(g @ g, np.eye(3), atol=1e-6):
            continue
        w, v = np.linalg.eig(g)
        axis = np.real(v[:, np.argmin(np.abs(w - 1))])
        half = 2 * np.outer(axis, axis) - np.eye(3)
        if not any(np.allclose(half, h, atol=1e-6) for h in group):
            return False
    return True


def pose_symmetry(sym: Dict) -> Dict:
    """The part of `sym` a pose target may use (see the module docstring)."""
    out = {"axis": sym["axis"]} if "axis" in sym else {}
    if sym.get("group") and _keeps_origin(sym):
        out["group"] = sym["group"]
    return out


def _best_twist(a: np.ndarray, u: np.ndarray) -> np.ndarray:
    """Rot(u, θ) maximising trace(A·Rot(u, θ)): θ = atan2(tr(A[u]×), tr A − uᵀAu)."""
    k = np.array([[0, -u[2], u[1]], [u[2], 0, -u[0]], [-u[1], u[0], 0]])
    th = np.arctan2(np.trace(a @ k), np.trace(a) - u @ a @ u)
    return np.cos(th) * np.eye(3) + np.sin(th) * k + (1 - np.cos(th)) * np.outer(u, u)


def canonical_rotation(r: np.ndarray, sym: Dict, ref: Optional[np.ndarray] = None) -> np.ndarray:
    """The member of {(g·Rot(axis, θ))ᵀ·R} nearest to `ref` (row form, default reference_rotation())."""
    m_ref = (reference_rotation() if ref is None else ref).T
    m = np.asarray(r, np.float64).T
    u = np.asarray(sym["axis"], np.float64) / np.linalg.norm(sym["axis"]) if "axis" in sym else None
    best, best_score = m, -np.inf
    for g in _group(sym):
        cand = m @ g
        if u is not None:
            cand = cand @ _best_twist(m_ref.T @ cand, u)
        score = float(np.trace(m_ref.T @ cand))
        if score > best_score + 1e-9:
            best, best_score = cand, score
    return best.T


def mirrored(sym: Dict, axis: int) -> Dict:
    """The symmetry of the object mirrored along object axis `axis` (augment.py): D·g·D, D·u."""
    d = np.ones(3)
    d[axis] = -1.0
    out = {}
    if "axis" in sym:
        out["axis"] = list(np.asarray(sym["axis"], np.float64) * d)
    if sym.get("group"):
        out["group"] = [list((d[:, None] * np.asarray(g, np.float64).reshape(3, 3) * d[None, :]).reshape(-1))
                        for g in sym["group"]]
    return out


def canonical_rot6d(rot6d: np.ndarray, syms: Sequence[Dict]) -> np.ndarray:
    """Rows of rot6d (N, 6) = R[0], R[1], each replaced by its canonical member under syms[i]."""
    r6 = np.asarray(rot6d, np.float64).reshape(-1, 2, 3)
    out = np.empty_like(r6)
    for i, (rows, sym) in enumerate(zip(r6, syms)):
        sym = pose_symmetry(sym)
        if not sym:
            out[i] = rows
            continue
        r = np.stack([rows[0], rows[1], np.cross(rows[0], rows[1])])
        out[i] = canonical_rotation(r, sym)[:2]
    return out.reshape(-1, 6).astype(rot6d.dtype)


def seed_symmetries(seeds: Iterable[int], split: str = "train") -> List[Dict]:
    """Symmetry of each cached sample's target, regenerated from its seed (0.5 ms each)."""
    return [target_symmetry(int(s), split) for s in seeds]
