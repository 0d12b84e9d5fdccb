"""Reference builders of the sparse tables of docs/model-pack.md (numpy).

TypeScript builds the same tables at run time (src-main/pipeline/sparse); these are used for training,
for example inputs during export and as the brute-force side of the tests. Orders are part of the
contract: coordinates lexicographic, windows lexicographic by window coordinate, tokens within a window
in row order, subdivided children parent-major.
"""
from __future__ import annotations

from typing import Dict, Sequence

import numpy as np

OFFSETS = np.array([(kd - 1, kh - 1, kw - 1) for kd in range(3) for kh in range(3) for kw in range(3)],
                   dtype=np.int64)  # o = kd·9 + kh·3 + kw


def sort_coords(coords: np.ndarray) -> np.ndarray:
    """Unique rows, lexicographic (i, then j, then k)."""
    return np.unique(np.asarray(coords, dtype=np.int64).reshape(-1, 3), axis=0)


def _keys(coords: np.ndarray, base: int) -> np.ndarray:
    c = coords.astype(np.int64) + 1  # room for the −1 offset
    return (c[:, 0] * base + c[:, 1]) * base + c[:, 2]


def neighbour_map(coords: np.ndarray) -> np.ndarray:
    """nbr (N, 27) int32: row of coords[n] + offset_o, or the sentinel N."""
    coords = np.asarray(coords, dtype=np.int64)
    n = len(coords)
    if n == 0:
        return np.zeros((0, 27), np.int32)
    base = int(coords.max()) + 3
    keys = _keys(coords, base)
    order = np.argsort(keys)
    sorted_keys = keys[order]
    out = np.full((n, 27), n, dtype=np.int64)
    for o, off in enumerate(OFFSETS):
        q = _keys(coords + off, base)
        pos = np.searchsorted(sorted_keys, q)
        pos_c = np.minimum(pos, n - 1)
        hit = sorted_keys[pos_c] == q
        out[hit, o] = order[pos_c[hit]]
    return out.astype(np.int32)


def coarse_tables(coords: np.ndarray) -> Dict[str, np.ndarray]:
    """Factor-2 pooling tables: coarse coords, children (Nc, 8), inv_count (Nc, 1), fine_to_coarse (N,)."""
    coords = np.asarray(coords, dtype=np.int64)
    n = len(coords)
    parent = coords // 2
    coarse, fine_to_coarse = np.unique(parent, axis=0, return_inverse=True)
    fine_to_coarse = fine_to_coarse.reshape(-1)
    children = np.full((len(coarse), 8), n, dtype=np.int64)
    rel = coords - 2 * parent
    slot = rel[:, 0] * 4 + rel[:, 1] * 2 + rel[:, 2]
    children[fine_to_coarse, slot] = np.arange(n)
    count = (children != n).sum(axis=1, keepdims=True)
    return {
        "coarse": coarse.astype(np.int32),
        "children": children.astype(np.int32),
        "inv_count": (1.0 / np.maximum(count, 1)).astype(np.float32),
        "fine_to_coarse": fine_to_coarse.astype(np.int32),
        "coarse_xyz": coarse.astype(np.float32),
    }


def window_tables(coords: np.ndarray, window: int, shift: int) -> Dict[str, np.ndarray]:
    """Swin tables: win_idx (Wc, Lmax) padded with N, win_inv (N,) = w·Lmax + slot."""
    coords = np.asarray(coords, dtype=np.int64)
    n = len(coords)
    wc = (coords + shift) // window
    windows, inverse = np.unique(wc, axis=0, return_inverse=True)
    inverse = inverse.reshape(-1)
    counts = np.bincount(inverse, minlength=len(windows))
    lmax = int(counts.max()) if n else 1
    order = np.lexsort((np.arange(n), inverse))  # by window, then by row
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    slot = np.empty(n, dtype=np.int64)
    slot[order] = np.arange(n) - starts[inverse[order]]
    win_idx = np.full((len(windows), lmax), n, dtype=np.int64)
    win_idx[inverse, slot] = np.arange(n)
    return {"win_idx": win_idx.astype(np.int32), "win_inv": (inverse * lmax + slot).astype(np.int32)}


def subdivide_coords(coords: np.ndarray) -> np.ndarray:
    """Child coordinates (8N, 3), child row = parent_row·8 + c, c = dx·4 + dy·2 + dz."""
    coords = np.asarray(coords, dtype=np.int64)
    rel = np.array([(dx, dy, dz) for dx in range(2) for dy in range(2) for dz in range(2)], dtype=np.int64)
    return (2 * coords[:, None, :] + rel[None]).reshape(-1, 3).astype(np.int32)


def slat_tables(coords: np.ndarray) -> Dict[str, np.ndarray]:
    """Every table input of `slat_flow` for a lexicographically sorted coordinate list."""
    ct = coarse_tables(coords)
    return {
        "coords": np.asarray(coords, dtype=np.int32),
        "nbr_fine": neighbour_map(coords),
        "nbr_coarse": neighbour_map(ct["coarse"]),
        "children": ct["children"],
        "inv_count": ct["inv_count"],
        "fine_to_coarse": ct["fine_to_coarse"],
        "coarse_xyz": ct["coarse_xyz"],
    }


def mesh_tables(coords: np.ndarray, window: int, shifts: Sequence[int]) -> Dict[str, np.ndarray]:
    """Every table input of `mesh_decoder` (2 subdivisions)."""
    w0 = window_tables(coords, window, shifts[0])
    w1 = window_tables(coords, window, shifts[1])
    l1 = subdivide_coords(coords)
    l2 = subdivide_coords(l1)
    return {
        "coords": np.asarray(coords, dtype=np.int32),
        "win0_idx": w0["win_idx"], "win0_inv": w0["win_inv"],
        "win1_idx": w1["win_idx"], "win1_inv": w1["win_inv"],
        "nbr_l1": neighbour_map(l1), "nbr_l2": neighbour_map(l2),
    }


def sphere_shell(resolution: int, radius: float, center=None, thickness: float = 1.0) -> np.ndarray:
    """Lexicographic voxel coordinates of a spherical shell (test and example inputs)."""
    r = np.arange(resolution)
    i, j, k = np.meshgrid(r, r, r, indexing="ij")
    c = (resolution - 1) / 2 if center is None else center
    d = np.sqrt((i - c) ** 2 + (j - c) ** 2 + (k - c) ** 2)
    mask = np.abs(d - radius) <= thickness
    return np.argwhere(mask).astype(np.int32)
