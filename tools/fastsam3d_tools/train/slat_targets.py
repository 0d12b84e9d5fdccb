"""Per-object targets of the SLaT stages, from the analytic fields (cached in memory per seed).

- coords: pruned surface voxels of the ground-truth occupancy (as the TypeScript pipeline prunes:
  Chebyshev distance `pruneSurfaceDistance`), lexicographic.
- enc_in (N, 88): what the SLaT encoder sees per voxel — the SDF at the 4³ sub-voxel centres (in fine
  voxel units, truncated at ±3, divided by 3) and the colour at the 8 octant centres.
- decoder targets on the fine grid (resolution R·4, children parent-major as the contract): per fine
  voxel the SDF at its 8 corners (corner c = cx + 2cy + 4cz, same truncation) and, near the surface,
  the RGB there.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict

import numpy as np

from ..data.shapes import Shape
from ..data.targets import occupancy, surface_voxels
from ..modules.tables import mesh_tables, slat_tables, subdivide_coords

TRUNC = 3.0
ENC_CHANNELS = 64 + 24
CORNERS = np.array([(c & 1, (c >> 1) & 1, c >> 2) for c in range(8)], dtype=np.int64)


@dataclass
class SlatTargets:
    coords: np.ndarray        # (N, 3) int32
    enc_in: np.ndarray        # (N, 88) float32
    sdf: np.ndarray           # (64N, 8) float32 truncated/normalised
    colour: np.ndarray        # (64N, 8, 3) float32
    near: np.ndarray          # (64N, 8) bool: |sdf| < 1.5 fine voxels (colour supervised there)


def object_coords(shape: Shape, resolution: int, prune: int = 1) -> np.ndarray:
    occ = occupancy(shape, resolution)
    return np.argwhere(surface_voxels(occ, prune)).astype(np.int32)


LATENT_CHANNELS = 8


def analytic_latent(shape: Shape, coords: np.ndarray, resolution: int = 32) -> np.ndarray:
    """(N, 8) structured latent per voxel, from the analytic fields (no encoder to train):
    [sdf at the centre, central-difference gradient (3), mean corner sdf − centre sdf (thin parts and
    curvature), RGB at the centre as 2c − 1 (3)], distances in voxel units."""
    c = (coords.astype(np.float64) + 0.5) / resolution - 0.5
    h = 1.0 / resolution
    n = len(coords)
    e = np.eye(3) * (h / 2)
    pts = np.concatenate([c] + [c + e[a] for a in range(3)] + [c - e[a] for a in range(3)]
                         + [c + (CORNERS[q] - 0.5) * h for q in range(8)])
    d = shape.sdf(pts).reshape(15, n) * resolution
    grad = d[1:4] - d[4:7]
    thin = d[7:15].mean(axis=0) - d[0]
    rgb = shape.colour(c) * 2.0 - 1.0
    return np.concatenate([d[0:1].T, grad.T, thin[:, None], rgb], axis=1).astype(np.float32)


def encoder_inputs(shape: Shape, coords: np.ndarray, resolution: int = 32, subdivisions: int = 2) -> np.ndarray:
    """(N, 88) per-voxel encoder features (see the module docstring)."""
    n = len(coords)
    fine_res = resolution * 2 ** subdivisions
    sub = (np.stack(np.meshgrid(*[np.arange(4)] * 3, indexing="ij"), -1).reshape(-1, 3) + 0.5) / 4
    pts = ((coords[:, None, :] + sub[None]) / resolution - 0.5).reshape(-1, 3)
    sd = np.clip(shape.sdf(pts) * fine_res, -TRUNC, TRUNC) / TRUNC
    oct_ = (np.stack(np.meshgrid(*[np.arange(2)] * 3, indexing="ij"), -1).reshape(-1, 3) + 0.5) / 2
    cpts = ((coords[:, None, :] + oct_[None]) / resolution - 0.5).reshape(-1, 3)
    col = shape.colour(cpts)
    return np.concatenate([sd.reshape(n, 64), col.reshape(n, 24)], axis=1).astype(np.float32)


def build_targets(shape: Shape, resolution: int = 32, subdivisions: int = 2, prune: int = 1,
                  coords: np.ndarray | None = None, with_encoder_inputs: bool = True) -> SlatTargets:
    coords = object_coords(shape, resolution, prune) if coords is None else coords
    fine_res = resolution * 2 ** subdivisions
    enc_in = encoder_inputs(shape, coords, resolution, subdivisions) if with_encoder_inputs else np.zeros((len(coords), 0), np.float32)
    # decoder targets on the fine grid, corners deduplicated before the analytic queries
    fine = coords
    for _ in range(subdivisions):
        fine = subdivide_coords(fine)
    fine = fine.astype(np.int64)
    r1 = fine_res + 1
    corner = fine[:, None, :] + CORNERS[None]                         # (M, 8, 3)
    key = (corner[..., 0] * r1 + corner[..., 1]) * r1 + corner[..., 2]
    uniq, inv = np.unique(key.reshape(-1), return_inverse=True)
    upos = np.stack([uniq // (r1 * r1), (uniq // r1) % r1, uniq % r1], axis=-1) / fine_res - 0.5
    usdf = shape.sdf(upos) * fine_res
    unear = np.abs(usdf) < 1.5
    ucol = np.zeros((len(uniq), 3))
    if np.any(unear):
        ucol[unear] = shape.colour(upos[unear])
    m = len(fine)
    return SlatTargets(
        coords=coords.astype(np.int32), enc_in=enc_in,
        sdf=(np.clip(usdf, -TRUNC, TRUNC) / TRUNC)[inv].reshape(m, 8).astype(np.float32),
        colour=ucol[inv].reshape(m, 8, 3).astype(np.float32),
        near=unear[inv].reshape(m, 8),
    )


def tables_for(coords: np.ndarray, window: int, shifts) -> Dict[str, np.ndarray]:
    return {"mesh": mesh_tables(coords, window, shifts), "slat": slat_tables(coords)}
