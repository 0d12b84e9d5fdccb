"""Stage 2's augmentations (train/augment.py): the photometric ones change the backdrop and the colours,
never the masked object's geometry or the mask beyond one pixel; the mirror's layout and shape cast
exactly the flipped image."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from fastsam3d_tools.data.camera import Layout, project, rotation_from_6d
from fastsam3d_tools.data.families import FAMILIES
from fastsam3d_tools.data.scene import make_scene, target_shape
from fastsam3d_tools.data.targets import occupancy, voxel_centres
from fastsam3d_tools.train.augment import (augment_views, jitter, lateral_axes, mirror_layout, mirror_occupancy,
                                           photometric_permute, swap_backdrop)


def _batch(b=6, v=2, s=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    img = torch.rand(b, v, 3, s, s, generator=g)
    msk = torch.zeros(b, v, 1, s, s)
    msk[..., 4:12, 5:11] = 1
    return img, msk


def test_jitter_changes_colours_not_geometry():
    g = torch.Generator().manual_seed(1)
    img = torch.rand(4, 3, 16, 16)
    msk = torch.zeros(4, 1, 16, 16)
    msk[:, :, 4:12, 4:12] = 1
    out_img, out_msk = jitter(img, msk, g)
    assert out_img.shape == img.shape and 0 <= out_img.min() and out_img.max() <= 1
    assert set(out_msk.unique().tolist()) <= {0.0, 1.0}
    area = out_msk.sum(dim=(1, 2, 3))
    assert torch.all((area >= 36) & (area <= 100))           # at most one pixel in or out: 6² … 10²


def test_swap_backdrop_keeps_the_object_and_takes_another_samples_backdrop():
    img, msk = _batch()
    out = swap_backdrop(img, msk, torch.Generator().manual_seed(3), p=1.0)
    inside, outside = msk.bool().expand_as(img), ~msk.bool().expand_as(img)
    assert torch.equal(out[inside], img[inside])
    for i in range(img.shape[0]):
        sources = [j for j in range(img.shape[0])
                   if torch.equal(out[i][outside[i]], img[j][outside[j]])]
        assert sources and i not in sources               # every sample got someone else's backdrop, all views alike
    assert torch.equal(swap_backdrop(img, msk, torch.Generator().manual_seed(3), p=0.0), img)


def test_swap_backdrop_on_a_single_sample_is_the_identity():
    img, msk = _batch(b=1)
    assert torch.equal(swap_backdrop(img, msk, torch.Generator().manual_seed(0), p=1.0), img)


def test_channel_permutation_is_one_permutation_per_sample_for_all_its_views():
    img, _ = _batch(b=8)
    out = photometric_permute(img, torch.Generator().manual_seed(5), p=1.0)
    changed = 0
    for i in range(img.shape[0]):
        perm = [int(torch.nonzero((img[i, 0] == out[i, 0, c]).flatten(1).all(1))[0]) for c in range(3)]
        assert sorted(perm) == [0, 1, 2]
        assert torch.equal(out[i], img[i][:, perm])           # the same permutation on crop and full frame
        changed += perm != [0, 1, 2]
    assert changed > 0
    assert torch.equal(photometric_permute(img, torch.Generator().manual_seed(5), p=0.0), img)


def test_augment_views_takes_batch_images_layout():
    img, msk = _batch(b=4)
    flat_img, flat_msk = img.reshape(8, 3, 16, 16), msk.reshape(8, 1, 16, 16)
    out_img, out_msk = augment_views(flat_img, flat_msk, torch.Generator().manual_seed(2))
    assert out_img.shape == flat_img.shape and out_msk.shape == flat_msk.shape
    assert not torch.equal(out_img, flat_img)
    assert torch.all((out_msk != flat_msk).sum(dim=(1, 2, 3)) <= 2 * (6 + 8) + 4)   # one pixel ring at most


def _scene_with(family: str, first_seed: int = 0):
    """The first occluder-free training scene whose target is of `family`."""
    for seed in range(first_seed, first_seed + 400):
        if target_shape(seed).family == family:
            return make_scene(seed, "train", occluder_prob=0.0)
    raise AssertionError(f"no {family} in 400 seeds")


def _silhouette_iou(occ: np.ndarray, rot6d: np.ndarray, translation: np.ndarray, scale: float,
                    mask: np.ndarray, fov: float) -> float:
    """IoU of the projected occupied voxel centres (as a pixel set) and the mask."""
    lay = Layout(rotation_from_6d(rot6d), translation, scale)
    uv = np.floor(project(lay.to_camera(voxel_centres(occ.shape[0])[occ.reshape(-1)]), mask.shape[0], fov)).astype(int)
    hit = np.zeros_like(mask)
    ok = (uv >= 0).all(1) & (uv < mask.shape[0]).all(1)
    hit[uv[ok, 1], uv[ok, 0]] = True
    return float((hit & mask).sum() / (hit | mask).sum())


@pytest.mark.parametrize("family", ["chair", "mug", "blob"])
def test_mirrored_layout_and_shape_cast_the_flipped_image(family):
    sc = _scene_with(family)
    _, masks, _ = sc.render(96)
    tgt = sc.targets[0]
    occ = occupancy(tgt.shape, 32)[None]
    axes = lateral_axes(np.array([list(FAMILIES).index(family)]), FAMILIES)
    r6m, tm = mirror_layout(tgt.layout.rot6d[None], tgt.layout.translation[None], axes)
    assert np.isclose(np.linalg.det(rotation_from_6d(r6m[0])), 1.0)
    original = _silhouette_iou(occ[0], tgt.layout.rot6d, tgt.layout.translation, tgt.layout.scale, masks[0], sc.fov_deg)
    flipped_mask = masks[0][:, ::-1]
    mirrored = _silhouette_iou(mirror_occupancy(occ, axes)[0], r6m[0], tm[0], tgt.layout.scale, flipped_mask, sc.fov_deg)
    unmirrored_pose = _silhouette_iou(occ[0], tgt.layout.rot6d, tgt.layout.translation, tgt.layout.scale,
                                      flipped_mask, sc.fov_deg)
    assert original > 0.6
    assert abs(mirrored - original) < 0.03                   # the mirrored sample is as consistent as the render
    assert unmirrored_pose < original - 0.2                  # … and the check can tell a wrong layout


@pytest.mark.parametrize("family", ["chair", "mug", "table"])
def test_the_mirror_keeps_a_bilateral_family_in_its_canonical_form(family):
    """Mirrored about its lateral axis, a chair is still a chair with its back on +y and a mug keeps its
    handle on +x: the mirrored sample's canonical shape is one the generator draws."""
    occ = occupancy(_scene_with(family).targets[0].shape, 32)[None]
    axes = lateral_axes(np.array([list(FAMILIES).index(family)]), FAMILIES)
    m = mirror_occupancy(occ, axes)
    assert (m & occ).sum() / (m | occ).sum() > 0.9
    other = mirror_occupancy(occ, 1 - axes)                  # the other horizontal axis is not a symmetry
    if family != "table":
        assert (other & occ).sum() / (other | occ).sum() < 0.85
