"""Camera and layout conventions of docs/model-pack.md.

PyTorch3D camera frame: x left, y up, z forward. Square image of side W, pixel (u → right, v → down):
`u = W/2 − f·x/z`, `v = W/2 − f·y/z`, `f = (W/2)/tan(fov/2)`.
Layout (row vectors): `p_cam = (s·p_obj)·R + t`; the rows of R are b1, b2, b3 of the 6D decoding, so
`rot6d = concat(R[0], R[1])`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict

import numpy as np

from . import sdf as S

DEFAULT_FOV_DEG = 40.0
# A target's depth (camera z) and scale, each uniform and independent (`sample_layout`). The benchmark's
# index.json records them: one photo cannot tell an object k× larger at k× the distance, so they bound the
# 3D-IoU a reconstruction without depth can reach (bench/depth-ceiling.ts).
LAYOUT_DEPTH = (2.2, 3.6)
LAYOUT_SCALE = (0.7, 1.3)


def focal(width: int, fov_deg: float) -> float:
    return (width / 2) / np.tan(np.radians(fov_deg) / 2)


def project(p_cam: np.ndarray, width: int, fov_deg: float) -> np.ndarray:
    """(N, 3) camera points → (N, 2) continuous pixel coordinates (u, v); pixel (i, j) covers [i, i+1)."""
    f = focal(width, fov_deg)
    return np.stack([width / 2 - f * p_cam[:, 0] / p_cam[:, 2], width / 2 - f * p_cam[:, 1] / p_cam[:, 2]], axis=-1)


def ray_directions(width: int, fov_deg: float) -> np.ndarray:
    """Unit ray directions (W·W, 3) through pixel centres, row-major (v, then u)."""
    f = focal(width, fov_deg)
    c = np.arange(width) + 0.5
    v, u = np.meshgrid(c, c, indexing="ij")
    d = np.stack([(width / 2 - u) / f, (width / 2 - v) / f, np.ones_like(u)], axis=-1).reshape(-1, 3)
    return d / np.linalg.norm(d, axis=-1, keepdims=True)


@dataclass
class Layout:
    rotation: np.ndarray    # (3, 3) row-vector convention
    translation: np.ndarray  # (3,)
    scale: float

    def to_camera(self, p_obj: np.ndarray) -> np.ndarray:
        return (self.scale * p_obj) @ self.rotation + self.translation

    def to_object(self, p_cam: np.ndarray) -> np.ndarray:
        return ((p_cam - self.translation) @ self.rotation.T) / self.scale

    @property
    def rot6d(self) -> np.ndarray:
        return np.concatenate([self.rotation[0], self.rotation[1]])

    def to_json(self) -> Dict:
        return {"rotation": [float(x) for x in self.rotation.reshape(-1)],
                "quaternion": [float(x) for x in quaternion_wxyz(self.rotation)],
                "translation": [float(x) for x in self.translation], "scale": float(self.scale)}


def rotation_from_6d(r6: np.ndarray) -> np.ndarray:
    """Rows b1, b2, b3 (Gram-Schmidt), as the TypeScript decoder."""
    b1 = r6[:3] / np.linalg.norm(r6[:3])
    a2 = r6[3:6] - np.dot(b1, r6[3:6]) * b1
    b2 = a2 / np.linalg.norm(a2)
    return np.stack([b1, b2, np.cross(b1, b2)])


def quaternion_wxyz(R: np.ndarray) -> np.ndarray:
    """Unit quaternion of the matrix R as stored (row-major, w ≥ 0)."""
    m = R
    tr = m[0, 0] + m[1, 1] + m[2, 2]
    if tr > 0:
        s = np.sqrt(tr + 1.0) * 2
        q = np.array([0.25 * s, (m[2, 1] - m[1, 2]) / s, (m[0, 2] - m[2, 0]) / s, (m[1, 0] - m[0, 1]) / s])
    elif m[0, 0] > m[1, 1] and m[0, 0] > m[2, 2]:
        s = np.sqrt(1.0 + m[0, 0] - m[1, 1] - m[2, 2]) * 2
        q = np.array([(m[2, 1] - m[1, 2]) / s, 0.25 * s, (m[0, 1] + m[1, 0]) / s, (m[0, 2] + m[2, 0]) / s])
    elif m[1, 1] > m[2, 2]:
        s = np.sqrt(1.0 + m[1, 1] - m[0, 0] - m[2, 2]) * 2
        q = np.array([(m[0, 2] - m[2, 0]) / s, (m[0, 1] + m[1, 0]) / s, 0.25 * s, (m[1, 2] + m[2, 1]) / s])
    else:
        s = np.sqrt(1.0 + m[2, 2] - m[0, 0] - m[1, 1]) * 2
        q = np.array([(m[1, 0] - m[0, 1]) / s, (m[0, 2] + m[2, 0]) / s, (m[1, 2] + m[2, 1]) / s, 0.25 * s])
    q = q / np.linalg.norm(q)
    return q if q[0] >= 0 else -q


# Upright base pose (column form M maps object axes to camera axes): object z → camera y (up),
# object x → camera x, object y → camera −z (towards the camera).
_UPRIGHT = np.array([[1.0, 0, 0], [0, 0, 1.0], [0, -1.0, 0]])


ELEVATION_RANGE = (0.05, 0.6)     # radians, camera looking down onto the object


def reference_rotation() -> np.ndarray:
    """The middle of the layout distribution, R (row form): upright, yaw 0, mid elevation, no tilt.
    Stage 2 represents a symmetric object's pose by the equivalent rotation nearest to it
    (train/symmetry.py)."""
    return (S.rot_x(-float(np.mean(ELEVATION_RANGE))) @ _UPRIGHT).T


def sample_rotation(rng: np.random.Generator) -> np.ndarray:
    """Mostly upright with free yaw, a downward camera elevation and occasional tilt; returns R (row form)."""
    yaw = rng.uniform(-np.pi, np.pi)
    elev = rng.uniform(*ELEVATION_RANGE)
    M = S.rot_x(-elev) @ _UPRIGHT @ S.rot_z(yaw)
    if rng.random() < 0.2:                            # some tilted objects
        axis = rng.normal(size=3)
        axis /= np.linalg.norm(axis)
        ang = rng.uniform(0.2, 0.8)
        K = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
        M = (np.eye(3) + np.sin(ang) * K + (1 - np.cos(ang)) * K @ K) @ M
    return M.T


def sample_layout(rng: np.random.Generator, fov_deg: float, depth=LAYOUT_DEPTH, scale=LAYOUT_SCALE,
                  margin: float = 0.75) -> Layout:
    """An object whose centre projects inside the central `margin` of the frame."""
    z = rng.uniform(*depth)
    half = np.tan(np.radians(fov_deg) / 2) * z * margin
    s = rng.uniform(*scale)
    lim = max(half - 0.5 * s * 0.8, 0.0)
    t = np.array([rng.uniform(-lim, lim), rng.uniform(-lim, lim), z])
    return Layout(sample_rotation(rng), t, float(s))
