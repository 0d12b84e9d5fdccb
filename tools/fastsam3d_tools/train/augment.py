"""Condition-image augmentations that leave the 3D target (shape and layout) unchanged.

Why stage 2 needs them: on 3,100 cached renders the jointly trained encoder + SS flow memorised the
layout of each training image. `train.probe_overfit` measured, at SS flow step 28,400, a rot6d flow
loss of 0.11 on training seeds but 3.7 on unseen seeds of the same split, where the zero condition
scores 0.91: the image made the pose worse than no image. The identity cues a network can memorise
without learning the task are the backdrop (background and occluders) and the object's colours; these
augmentations take both away while keeping everything the layout is seen through (the masked object's
silhouette and shading, and where the mask lies in the frame).
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F


def jitter(img: torch.Tensor, msk: torch.Tensor, gen: torch.Generator):
    """Photometric jitter (brightness, contrast, per-channel gain) and a one-pixel mask dilation or
    erosion. img (N, 3, S, S) in [0, 1], msk (N, 1, S, S) in {0, 1}."""
    n = img.shape[0]
    gain = 1 + 0.25 * (torch.rand(n, 3, 1, 1, generator=gen) - 0.5)
    bright = 0.15 * (torch.rand(n, 1, 1, 1, generator=gen) - 0.5)
    contrast = 1 + 0.4 * (torch.rand(n, 1, 1, 1, generator=gen) - 0.5)
    mean = img.mean(dim=(1, 2, 3), keepdim=True)
    img = ((img - mean) * contrast + mean) * gain + bright
    op = torch.randint(0, 3, (n, 1, 1, 1), generator=gen)           # 0 keep, 1 dilate, 2 erode
    dil = F.max_pool2d(msk, 3, 1, 1)
    ero = -F.max_pool2d(-msk, 3, 1, 1)
    msk = torch.where(op == 1, dil, torch.where(op == 2, ero, msk))
    return img.clamp(0, 1), msk


def swap_backdrop(img: torch.Tensor, msk: torch.Tensor, gen: torch.Generator, p: float = 0.5) -> torch.Tensor:
    """With probability p per sample, replace everything outside the object's mask by the same pixels
    of another sample of the batch (crop by crop, full frame by full frame). img (B, V, 3, S, S) with
    V views per sample (crop, full frame), msk (B, V, 1, S, S). Inside the mask nothing changes."""
    b = img.shape[0]
    partner = (torch.arange(b) + torch.randint(1, max(b, 2), (b,), generator=gen)) % b   # never itself (b > 1)
    use = (torch.rand(b, generator=gen) < p).view(b, 1, 1, 1, 1) & (partner != torch.arange(b)).view(b, 1, 1, 1, 1)
    swapped = msk * img + (1 - msk) * img[partner]
    return torch.where(use, swapped, img)


def photometric_permute(img: torch.Tensor, gen: torch.Generator, p: float = 0.5) -> torch.Tensor:
    """With probability p per sample, permute the RGB channels of all its views alike, so an object's
    colour cannot identify it (the layout does not depend on colour). img (B, V, 3, S, S)."""
    b = img.shape[0]
    perms = torch.stack([torch.randperm(3, generator=gen) for _ in range(b)])           # (B, 3)
    use = torch.rand(b, generator=gen) < p
    perms[~use] = torch.arange(3)
    return torch.stack([img[i][:, perms[i]] for i in range(b)])


def augment_views(img: torch.Tensor, msk: torch.Tensor, gen: torch.Generator, views: int = 2):
    """Stage 2's augmentation of a batch as `ss_flow.batch_images` lays it out (views of a sample on
    consecutive rows): backdrop swap and channel permutation per sample, then jitter per view."""
    shape_i, shape_m = img.shape, msk.shape
    img5 = img.reshape(-1, views, *shape_i[1:])
    msk5 = msk.reshape(-1, views, *shape_m[1:])
    img5 = photometric_permute(swap_backdrop(img5, msk5, gen), gen)
    return jitter(img5.reshape(shape_i), msk, gen)


# Mirroring. Flipping the image left-right is the scene mirrored in camera x: the principal point is the
# image centre (data/camera.py: u = W/2 − f·x/z). The mirrored object is the object mirrored in its own
# frame about its bilateral plane (so a chair keeps its back on +y and a mug its handle on +x, as the
# generator draws them), posed by R' = M·R·S, t' = t·S with S = diag(−1, 1, 1) in the camera and
# M = diag(…, −1 on the lateral axis, …) in the object frame: s·(p·M)·R' + t' = (s·p·R + t)·S, and
# det R' = +1. The layout distribution is mirror-symmetric (uniform yaw and x offset, data/camera.py),
# so mirrored samples are new samples of the same distribution.
LATERAL_AXIS = {"mug": 1}          # object-frame axis across the bilateral plane; every other family: x


def lateral_axes(family_index: np.ndarray, families) -> np.ndarray:
    names = list(families)
    return np.array([LATERAL_AXIS.get(names[int(f)], 0) for f in family_index], np.int64)


def mirror_layout(rot6d: np.ndarray, translation: np.ndarray, axes: np.ndarray):
    """Mirrored layouts: rot6d (N, 6) rows R[0], R[1]; translation (N, 3); axes (N,) lateral axis."""
    r = rot6d.reshape(-1, 2, 3).astype(np.float64)
    m = np.ones((len(axes), 3))
    m[np.arange(len(axes)), axes] = -1.0
    r = r * m[:, :2, None]                   # M·R: row i times m_i
    r[:, :, 0] *= -1.0                       # ·S: column 0 negated
    t = translation.astype(np.float64).copy()
    t[:, 0] *= -1.0
    return r.reshape(-1, 6).astype(rot6d.dtype), t.astype(translation.dtype)


def mirror_occupancy(occ: np.ndarray, axes: np.ndarray) -> np.ndarray:
    """occ (N, R, R, R) indexed (x, y, z) in the object frame, each mirrored along its lateral axis."""
    return np.stack([np.flip(o, axis=int(a)) for o, a in zip(occ, axes)])
