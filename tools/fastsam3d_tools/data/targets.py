"""Training and evaluation targets from the analytic fields: occupancy grids, SDF samples, ground-truth
meshes (dual contouring / surface nets of the analytic SDF, vertex colours from the colour field) and a
binary PLY writer.
"""
from __future__ import annotations

from pathlib import Path
from typing import Tuple

import numpy as np

from .shapes import Shape


def voxel_centres(res: int) -> np.ndarray:
    """(res³, 3) centres, voxel (i, j, k) → ((i+0.5)/R − 0.5, …), lexicographic order (i slowest)."""
    g = (np.arange(res) + 0.5) / res - 0.5
    X, Y, Z = np.meshgrid(g, g, g, indexing="ij")
    return np.stack([X.ravel(), Y.ravel(), Z.ravel()], axis=-1)


def occupancy(shape: Shape, res: int = 32, dilate: float = 0.866) -> np.ndarray:
    """bool (res, res, res): voxel occupied when the SDF at its centre is below `dilate` half-voxel
    diagonals, i.e. every voxel the surface passes through is occupied (thin parts stay visible)."""
    d = shape.sdf(voxel_centres(res))
    return (d <= dilate / res).reshape(res, res, res)


def surface_voxels(occ: np.ndarray, distance: int = 1) -> np.ndarray:
    """Occupied voxels with an empty voxel within Chebyshev `distance` (outside the grid counts as empty)."""
    pad = np.pad(occ, distance, constant_values=False)
    empty_near = np.zeros_like(occ)
    r = occ.shape[0]
    for dx in range(-distance, distance + 1):
        for dy in range(-distance, distance + 1):
            for dz in range(-distance, distance + 1):
                sl = pad[distance + dx: distance + dx + r, distance + dy: distance + dy + r, distance + dz: distance + dz + r]
                empty_near |= ~sl
    return occ & empty_near


def surface_nets(shape: Shape, res: int) -> Tuple[np.ndarray, np.ndarray]:
    """Mesh of the zero level set on a (res+1)³ lattice of [-0.5, 0.5]³ corners: one vertex per cell with
    a sign change (mean of its edge crossings), one quad (two triangles) per crossing lattice edge,
    counter-clockwise seen from outside. Returns (V×3 float64, F×3 int64)."""
    g = np.linspace(-0.5, 0.5, res + 1)
    X, Y, Z = np.meshgrid(g, g, g, indexing="ij")
    d = shape.sdf(np.stack([X.ravel(), Y.ravel(), Z.ravel()], axis=-1)).reshape(res + 1, res + 1, res + 1)
    inside = d < 0
    n = res
    acc = np.zeros((n, n, n, 3))
    cnt = np.zeros((n, n, n))
    h = 1.0 / res
    # edge crossings along each axis; every lattice edge touches up to 4 cells
    for axis in range(3):
        a = [slice(None)] * 3
        b = [slice(None)] * 3
        a[axis] = slice(0, n)
        b[axis] = slice(1, n + 1)
        d0, d1 = d[tuple(a)], d[tuple(b)]
        cross = (d0 < 0) != (d1 < 0)
        t = np.where(cross, d0 / np.where(cross, d0 - d1, 1.0), 0.0)
        idx = np.nonzero(cross)
        pos = np.stack([g[idx[0]], g[idx[1]], g[idx[2]]], axis=-1)
        pos[:, axis] += t[idx] * h
        others = [ax for ax in range(3) if ax != axis]
        for o1 in (0, -1):
            for o2 in (0, -1):
                c = [idx[0].copy(), idx[1].copy(), idx[2].copy()]
                c[others[0]] += o1
                c[others[1]] += o2
                ok = (c[others[0]] >= 0) & (c[others[0]] < n) & (c[others[1]] >= 0) & (c[others[1]] < n)
                np.add.at(acc, (c[0][ok], c[1][ok], c[2][ok]), pos[ok])
                np.add.at(cnt, (c[0][ok], c[1][ok], c[2][ok]), 1)
    has = cnt > 0
    vid = -np.ones((n, n, n), dtype=np.int64)
    vid[has] = np.arange(int(has.sum()))
    verts = acc[has] / cnt[has][:, None]
    faces = []
    for axis in range(3):
        others = [ax for ax in range(3) if ax != axis]
        a = [slice(None)] * 3
        b = [slice(None)] * 3
        a[axis] = slice(0, n)
        b[axis] = slice(1, n + 1)
        d0 = inside[tuple(a)]
        d1 = inside[tuple(b)]
        cross = d0 != d1
        # interior lattice edges only (all 4 surrounding cells exist)
        lim = [slice(None)] * 3
        for ax in others:
            lim[ax] = slice(1, n)
        mask = np.zeros_like(cross)
        mask[tuple(lim)] = cross[tuple(lim)]
        idx = np.nonzero(mask)
        # (others[0], others[1], axis) is right-handed for x and z but not for y (x × z = −y)
        flip = d1[idx] if axis != 1 else d0[idx]
        def cell(o1, o2):
            c = [idx[0].copy(), idx[1].copy(), idx[2].copy()]
            c[others[0]] += o1
            c[others[1]] += o2
            return vid[c[0], c[1], c[2]]
        v00, v10, v11, v01 = cell(-1, -1), cell(0, -1), cell(0, 0), cell(-1, 0)
        q = np.stack([v00, v10, v11, v01], axis=-1)
        q[flip] = q[flip][:, ::-1]
        faces.append(np.concatenate([q[:, [0, 1, 2]], q[:, [0, 2, 3]]]))
    return verts, np.concatenate(faces)


def gt_mesh(shape: Shape, max_triangles: int = 10000) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Largest lattice resolution whose surface-nets mesh stays under `max_triangles`; with colours."""
    for res in (72, 64, 56, 48, 40, 32, 24):
        v, f = surface_nets(shape, res)
        if len(f) <= max_triangles:
            break
    return v, f, shape.colour(v)


def write_ply(path: Path, verts: np.ndarray, faces: np.ndarray, colours: np.ndarray) -> None:
    """Binary little-endian PLY: float xyz, uchar rgb per vertex; uchar-count int face lists."""
    path = Path(path)
    header = (
        "ply\nformat binary_little_endian 1.0\n"
        f"element vertex {len(verts)}\nproperty float x\nproperty float y\nproperty float z\n"
        "property uchar red\nproperty uchar green\nproperty uchar blue\n"
        f"element face {len(faces)}\nproperty list uchar int vertex_indices\nend_header\n"
    ).encode("ascii")
    vdt = np.dtype([("p", "<f4", 3), ("c", "u1", 3)])
    va = np.zeros(len(verts), dtype=vdt)
    va["p"] = verts
    va["c"] = np.clip(np.round(colours * 255), 0, 255)
    fdt = np.dtype([("n", "u1"), ("i", "<i4", 3)])
    fa = np.zeros(len(faces), dtype=fdt)
    fa["n"] = 3
    fa["i"] = faces
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(header + va.tobytes() + fa.tobytes())
    tmp.replace(path)
