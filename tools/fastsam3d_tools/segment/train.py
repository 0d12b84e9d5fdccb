"""Train seg-mini: the interactive segmentation network (net.py) on cached procedural scenes (data.py),
with SAM's training protocol at small scale — per object a first prompt (one positive click, a jittered
box, or two positive clicks), a prediction, then one correction click in its error region with the
previous logits as mask_input, and a second prediction. Loss per pass: BCE + dice on the best of the K
candidates (the others are free to cover other readings of an ambiguous click) + MSE of the IoU head
against each candidate's true IoU. Resumable (train/common.py Trainer → tools/checkpoints/seg_mini.pt).

    nice -n 19 python -m fastsam3d_tools.segment.train --minutes 15 --threads 1
    python -m fastsam3d_tools.segment.train --export ../models/seg-mini      # export the checkpoint
"""
from __future__ import annotations

import math
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from .. import cli
from ..train.common import Trainer, add_runtime_arguments, load_weights, setup_runtime, to_device
from ..export.staging import refuse_other_pack
from . import SEGPACK_FORMAT
from .contract import SegPackConfig
from .data import CACHE, load_sample
from .net import build_seg_net
from .prompts import correction_click, jittered_box, random_click

STAGE = "seg_mini"
WIDTH = 32
BATCH = 8


def mini_config() -> SegPackConfig:
    return SegPackConfig(size=256, channels=32, embedding_size=64, mask_size=256, candidates=3)


def build_mini():
    return build_seg_net(mini_config(), WIDTH)


def normalise(rgb: torch.Tensor, cfg: SegPackConfig) -> torch.Tensor:
    """uint8-valued (..., 3, H, W) → the contract's normalisation on 0–255 values."""
    mean = torch.tensor(cfg.mean).view(3, 1, 1)
    std = torch.tensor(cfg.std).view(3, 1, 1)
    return (rgb - mean) / std


class SceneCache:
    """The rendered training scenes, loaded lazily from tools/data/cache/seg (rendering may still be
    adding scenes while training runs: only the scenes present are used), or a fixed list of samples."""

    def __init__(self, size: int, samples: Optional[List[Tuple[np.ndarray, np.ndarray]]] = None):
        self.size = size
        self.fixed = samples is not None
        self.loaded: Dict[int, Tuple[np.ndarray, np.ndarray]] = dict(enumerate(samples or []))

    def count(self) -> int:
        if self.fixed:
            return len(self.loaded)
        d = CACHE / f"train-{self.size}"
        n = 0
        while (d / f"{1000 + n:06d}.npz").exists():
            n += 1
        return n

    def get(self, i: int):
        if i not in self.loaded:
            self.loaded[i] = load_sample("train", i, self.size, render_missing=False)
        return self.loaded[i]


def augment(cache: SceneCache, n: int, rng: np.random.Generator, cfg: SegPackConfig
            ) -> Tuple[torch.Tensor, np.ndarray]:
    """One training image (3, S, S) normalised, padded with zeros, and its object masks (T, S, S):
    flips, objects pasted in from another scene, shrinking (objects of photos larger than S) and
    non-square frames (the padding the studio adds to a landscape or portrait photo)."""
    s = cfg.size
    rgb, masks = cache.get(int(rng.integers(n)))
    rgb, masks = rgb.copy(), list(masks)
    if rng.random() < 0.3:                      # copy-paste one object of another scene
        rgb2, masks2 = cache.get(int(rng.integers(n)))
        if len(masks2):
            m = masks2[int(rng.integers(len(masks2)))]
            dy, dx = (int(v) for v in rng.integers(-s // 3, s // 3 + 1, 2))
            m = np.roll(m, (dy, dx), (0, 1))
            src = np.roll(rgb2, (dy, dx), (0, 1))
            rgb[m] = src[m]
            masks = [mk & ~m for mk in masks] + [m]
    img = torch.from_numpy(rgb).permute(2, 0, 1).float()
    mk = torch.from_numpy(np.stack(masks)).float() if masks else torch.zeros(0, s, s)
    if rng.random() < 0.5:
        img, mk = img.flip(-1), mk.flip(-1)
    side = s
    if rng.random() < 0.5:
        side = int(round(s * rng.uniform(0.45, 1.0)))
        img = F.interpolate(img[None], size=(side, side), mode="bilinear", align_corners=False, antialias=True)[0]
        mk = F.interpolate(mk[None], size=(side, side), mode="bilinear", align_corners=False)[0] if len(mk) else mk
    h = w = side
    if rng.random() < 0.35:                     # non-square photo: crop one axis, pad to the square
        cut = int(round(side * rng.uniform(0.5, 0.95)))
        off = int(rng.integers(side - cut + 1))
        if rng.random() < 0.5:
            img, mk, w = img[:, :, off:off + cut], mk[:, :, off:off + cut], cut
        else:
            img, mk, h = img[:, off:off + cut], mk[:, off:off + cut], cut
    out = torch.zeros(3, s, s)
    out[:, :h, :w] = normalise(img, cfg)
    full = np.zeros((len(mk), s, s), bool)
    full[:, :h, :w] = (mk > 0.5).numpy()
    return out, full


def first_prompt(gt: np.ndarray, rng: np.random.Generator) -> Tuple[List[List[float]], List[float]]:
    r = rng.random()
    if r < 0.5:
        return [list(random_click(gt, rng))], [1.0]
    if r < 0.8:
        x0, y0, x1, y1 = jittered_box(gt, rng)
        return [[x0, y0], [x1, y1]], [2.0, 3.0]
    return [list(random_click(gt, rng)), list(random_click(gt, rng, 0.0))], [1.0, 1.0]


def pad_prompts(batch: List[Tuple[List[List[float]], List[float]]]) -> Tuple[torch.Tensor, torch.Tensor]:
    """Stack per-sample prompts; shorter ones get SAM's padding point (0, 0, −1), every one at least one."""
    n = max(len(p) for p, _ in batch) + 1
    coords = torch.zeros(len(batch), n, 2)
    labels = torch.full((len(batch), n), -1.0)
    for i, (p, lab) in enumerate(batch):
        coords[i, :len(p)] = torch.tensor(p)
        labels[i, :len(lab)] = torch.tensor(lab)
    return coords, labels


def seg_loss(low: torch.Tensor, iou: torch.Tensor, gt: torch.Tensor) -> Tuple[torch.Tensor, Dict[str, float]]:
    """low (B, K, M, M) logits, iou (B, K), gt (B, M, M) float. Best-candidate BCE + dice, IoU-head MSE."""
    g = gt.unsqueeze(1).expand_as(low)
    bce = F.binary_cross_entropy_with_logits(low, g, reduction="none").mean((2, 3))
    p = torch.sigmoid(low)
    dice = 1 - (2 * (p * g).sum((2, 3)) + 1) / (p.sum((2, 3)) + g.sum((2, 3)) + 1)
    seg = (bce + dice).min(1).values.mean()
    with torch.no_grad():
        hard = (low > 0).float()
        inter = (hard * g).sum((2, 3))
        true_iou = inter / ((hard + g).clamp(max=1).sum((2, 3))).clamp(min=1)
    iou_loss = F.mse_loss(iou, true_iou)
    return seg + iou_loss, {"seg": float(seg), "iou_mse": float(iou_loss), "best_iou": float(true_iou.max(1).values.mean())}


def make_step(enc, dec, cfg: SegPackConfig, cache: SceneCache, device="cpu"):
    def step(rng: np.random.Generator, _step: int):
        n = cache.count()
        if n == 0:
            raise cli.UsageError("no rendered training scenes: run python -m fastsam3d_tools.segment.data --set "
                                 "train --count 300")
        imgs, gts = [], []
        while len(imgs) < BATCH:
            img, masks = augment(cache, n, rng, cfg)
            keep = [m for m in masks if m.sum() >= 24]
            if keep:
                imgs.append(img)
                gts.append(keep[int(rng.integers(len(keep)))])
        x = torch.stack(imgs)
        gt = torch.from_numpy(np.stack(gts)).float()
        x, gt = to_device((x, gt), device)
        emb = enc(x)
        prompts = [first_prompt(g, rng) for g in gts]
        coords, labels = to_device(pad_prompts(prompts), device)
        none = torch.zeros(BATCH, 1, cfg.mask_size, cfg.mask_size, device=device)
        iou1, low1 = dec.predict(emb, coords, labels, none, torch.zeros(BATCH, device=device))
        loss1, st1 = seg_loss(low1, iou1, gt)
        # correction round: one click in the error region of the candidate the app would show
        with torch.no_grad():
            best = low1[torch.arange(BATCH, device=low1.device), iou1.argmax(1)]
            best_np = best.cpu().numpy()
        prompts2 = []
        for i, (p, lab) in enumerate(prompts):
            c = correction_click(best_np[i] > 0, gts[i], rng)
            if c is None:
                c = (*random_click(gts[i], rng), 1.0)
            prompts2.append((p + [[c[0], c[1]]], lab + [c[2]]))
        coords2, labels2 = to_device(pad_prompts(prompts2), device)
        has = torch.from_numpy((rng.random(BATCH) < 0.8).astype(np.float32)).to(device)
        iou2, low2 = dec.predict(emb, coords2, labels2, best.unsqueeze(1).detach(), has)
        loss2, st2 = seg_loss(low2, iou2, gt)
        return {"loss": loss1 + loss2, "iou1": st1["best_iou"], "iou2": st2["best_iou"],
                "iou_mse": (st1["iou_mse"] + st2["iou_mse"]) / 2}
    return step


def lr_schedule(total: int):
    def f(step: int) -> float:
        if step < 50:
            return (step + 1) / 50
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, step / total)))
    return f


def build_parser():
    ap = cli.parser(__doc__)
    ap.add_argument("--minutes", type=float, default=None,
                    help="wall-clock training budget of this run, in minutes (default: none; give this or --steps)")
    ap.add_argument("--steps", type=int, default=None, help="stop after this many optimiser steps (default: none)")
    ap.add_argument("--total-steps", type=int, default=3000,
                    help="length of the cosine learning-rate decay, in optimiser steps")
    ap.add_argument("--lr", type=float, default=2e-3, help="peak learning rate (after a 50-step warm-up)")
    ap.add_argument("--export", type=Path, default=None, metavar="DIR",
                    help="export the checkpoint to this pack folder (replaced all or nothing) and exit "
                         "(default: train)")
    add_runtime_arguments(ap)
    return ap


@cli.command
def main(argv=None) -> int:
    a = build_parser().parse_args(argv)
    if a.export is not None:             # the target before the checkpoint loads and the export runs
        refuse_other_pack(a.export, SEGPACK_FORMAT, "--export")
    device = setup_runtime(a)
    cfg = mini_config()
    enc, dec = build_mini()
    if a.export is not None:
        from .export_mini import export_mini
        export_mini(enc, dec, cfg, a.export)
        return 0
    trainer = Trainer(STAGE, {"encoder": enc, "decoder": dec}, lr=a.lr, seed=0, weight_decay=1e-4, device=device)
    cache = SceneCache(cfg.size)
    cpu0 = time.process_time()
    trainer.run(make_step(enc, dec, cfg, cache, device), minutes=a.minutes, steps=a.steps,
                lr_schedule=lr_schedule(a.total_steps), log_every=10, checkpoint_every_s=180)
    # the card reports CPU time (the machine is shared, so wall-clock time says little)
    trainer.extra["cpu_seconds"] = trainer.extra.get("cpu_seconds", 0.0) + time.process_time() - cpu0
    trainer.extra["scenes"] = max(trainer.extra.get("scenes", 0), cache.count())
    trainer.save()
    print(f"{STAGE}: step {trainer.step}, {trainer.seconds / 60:.1f} min of steps; checkpoint {trainer.path}")
    return 0


__all__ = ["build_mini", "mini_config", "load_weights", "STAGE"]

if __name__ == "__main__":
    sys.exit(main())
