"""seg-mini training pieces: SAM-style prompt simulation, augmentation, the best-candidate loss and one
real training step on rendered procedural scenes."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from fastsam3d_tools.segment.data import load_set
from fastsam3d_tools.segment.prompts import centre_click, correction_click, jittered_box, random_click
from fastsam3d_tools.segment.train import (SceneCache, augment, build_mini, make_step, mini_config,
                                           pad_prompts, seg_loss)


@pytest.fixture(scope="module")
def scenes():
    return load_set("heldout", 2, 256)     # rendered once into tools/data/cache, a few seconds


@pytest.fixture(scope="module")
def cache(scenes):
    return SceneCache(256, scenes)


def disc(cx, cy, r, size=64):
    y, x = np.mgrid[:size, :size]
    return (x - cx) ** 2 + (y - cy) ** 2 <= r ** 2


def test_clicks_land_where_they_should():
    gt = disc(20, 30, 8)
    assert centre_click(gt) == (20.0, 30.0)
    rng = np.random.default_rng(0)
    for _ in range(20):
        x, y = random_click(gt, rng)
        assert gt[int(y), int(x)]
    pred = disc(20, 30, 5)                       # too small → positive click in the missed ring
    x, y, label = correction_click(pred, gt)
    assert label == 1.0 and gt[int(y), int(x)] and not pred[int(y), int(x)]
    pred = gt | disc(50, 50, 6)                  # a wrongly added blob → negative click on it
    x, y, label = correction_click(pred, gt)
    assert label == 0.0 and not gt[int(y), int(x)] and pred[int(y), int(x)]
    assert correction_click(gt, gt) is None
    x0, y0, x1, y1 = jittered_box(gt, rng)
    assert 0 <= x0 < x1 <= 63 and 0 <= y0 < y1 <= 63


def test_prompts_pad_with_sams_padding_point():
    coords, labels = pad_prompts([([[5.0, 6.0]], [1.0]), ([[1.0, 2.0], [9.0, 9.0]], [2.0, 3.0])])
    assert coords.shape == (2, 3, 2)
    assert labels.tolist() == [[1.0, -1.0, -1.0], [2.0, 3.0, -1.0]]


def test_augment_keeps_image_and_masks_aligned(cache):
    cfg = mini_config()
    rng = np.random.default_rng(3)
    for _ in range(12):
        img, masks = augment(cache, 2, rng, cfg)
        assert img.shape == (3, 256, 256) and masks.shape[1:] == (256, 256) and masks.dtype == bool
        covered = masks.any(0)
        padding = (img == 0).all(0).numpy()             # normalised zeros are the padding the studio adds
        assert not (covered & padding).any()
        assert np.all(masks.sum(0) <= 1), "objects must not overlap"


def test_loss_follows_the_best_candidate():
    gt = torch.from_numpy(disc(32, 32, 12)).float()[None]
    low = torch.randn(1, 3, 64, 64)
    low[0, 2] = gt[0] * 20 - 10                    # candidate 2 is exact
    loss, st = seg_loss(low, torch.tensor([[0.0, 0.0, 1.0]]), gt)
    assert st["best_iou"] == 1.0 and st["iou_mse"] < 0.2 and float(loss) < 0.25
    worse, _ = seg_loss(-low, torch.tensor([[0.0, 0.0, 1.0]]), gt)
    assert float(worse) > float(loss) + 1.0


def test_one_training_step_reaches_both_networks(cache):
    torch.manual_seed(0)
    enc, dec = build_mini()
    step = make_step(enc.train(), dec.train(), mini_config(), cache)
    out = step(np.random.default_rng(1), 0)
    loss = out.pop("loss")
    assert torch.isfinite(loss) and all(np.isfinite(v) for v in out.values())
    loss.backward()
    for name, net in (("encoder", enc), ("decoder", dec)):
        g = sum(float(p.grad.abs().sum()) for p in net.parameters() if p.grad is not None)
        assert g > 0, f"no gradient reaches the {name}"
