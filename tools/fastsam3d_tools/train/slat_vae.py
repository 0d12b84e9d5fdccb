"""Stage 3: the SLaT autoencoder — a structured per-voxel latent (8 channels, analytic, see
slat_targets.analytic_latent) and the mesh decoder trained to turn it into the SDF at every fine-voxel
corner (4× finer grid) and the colour, supervised directly by the analytic fields.

    tools/.venv/bin/python -m fastsam3d_tools.train.slat_vae --minutes 15   (from tools/, PYTHONPATH=.)

Why a structured latent: a learned encoder doubles the cost per step, and this CPU gives a few hundred
steps; the decoder is what the pack ships. Objects are training-split seeds (regenerated analytically);
voxels are the pruned surface voxels of the ground-truth occupancy (as TypeScript prunes). Training runs
on random box crops (the decoder is local). Latent noise (σ = 0.1 of the latent std) makes the decoder
tolerant of the SLaT flow's errors. Loss: L1 on the truncated SDF (×4 within one fine voxel of the
surface) + L1 on the colour (sigmoid of the logits, as TypeScript applies). The latent mean/std over
objects go into the checkpoint for the manifest (slat.mean/std). Resumes from tools/checkpoints/.
"""
from __future__ import annotations

from typing import Dict

import numpy as np
import torch

from .. import cli
from .sizes import add_config_argument, pack_config
from ..data.scene import target_shape
from ..modules import MeshDecoder
from ..modules.mesh_decoder import zero_colour_head
from ..modules.tables import mesh_tables
from .common import Trainer, add_runtime_arguments, setup_runtime, to_device
from .slat_targets import SlatTargets, analytic_latent, build_targets, object_coords

MAX_CACHED = 400
LATENT_NOISE = 0.1


class ObjectCache:
    """Analytic shapes and their surface voxels per training seed (regenerating a shape costs more
    than a training step)."""

    def __init__(self, cfg, max_items: int = MAX_CACHED):
        self.cfg = cfg
        self.items: Dict[int, tuple] = {}
        self.max_items = max_items

    def get(self, seed: int):
        if seed not in self.items:
            if len(self.items) >= self.max_items:
                self.items.pop(next(iter(self.items)))
            shape = target_shape(seed, "train")
            self.items[seed] = (shape, object_coords(shape, self.cfg.resolution, self.cfg.prune_surface_distance))
        return self.items[seed]


def crop(coords: np.ndarray, rng: np.random.Generator, half: int) -> np.ndarray:
    """Voxels inside a random box of side 2·half around one of them (lexicographic order is kept).
    The decoder is local (subdivision convs, swin windows aligned to absolute coordinates), so box
    crops train it at a fraction of the cost of whole objects on a CPU."""
    c = coords[rng.integers(0, len(coords))]
    keep = np.all(np.abs(coords - c) < half, axis=1)
    return coords[keep]


def crop_batch(cache: ObjectCache, seed: int, rng: np.random.Generator, half: int):
    shape, coords = cache.get(seed)
    sub = crop(coords, rng, half) if half > 0 else coords
    cfg = cache.cfg
    tg = build_targets(shape, cfg.resolution, cfg.subdivisions, cfg.prune_surface_distance, coords=sub,
                       with_encoder_inputs=False)
    z = analytic_latent(shape, sub, cfg.resolution)
    tb = {k: torch.from_numpy(v) for k, v in mesh_tables(tg.coords, cfg.mesh.window, cfg.mesh.shifts).items()}
    return z, tg, tb


def decode(dec: MeshDecoder, z: torch.Tensor, tb) -> torch.Tensor:
    return dec(z, tb["coords"], tb["win0_idx"], tb["win0_inv"], tb["win1_idx"], tb["win1_inv"], tb["nbr_l1"], tb["nbr_l2"])


def decoder_loss(feats: torch.Tensor, tg: SlatTargets) -> Dict[str, torch.Tensor]:
    dev = feats.device
    sdf_t = torch.from_numpy(tg.sdf).to(dev)
    sdf_p = feats[:, :8]
    w = 1.0 + 3.0 * (sdf_t.abs() < 1.0 / 3.0).float()
    l_sdf = (w * (sdf_p - sdf_t).abs()).sum() / w.sum()
    near = torch.from_numpy(tg.near).to(dev).float()
    col_p = torch.sigmoid(feats[:, 8:8 + 24].reshape(-1, 8, 3))
    col_t = torch.from_numpy(tg.colour).to(dev)
    l_col = ((col_p - col_t).abs().mean(-1) * near).sum() / near.sum().clamp(min=1)
    close = sdf_t.abs() < 1.0 / 3.0
    sign_acc = ((sdf_p > 0) == (sdf_t > 0)).float()[close].mean() if close.any() else torch.tensor(1.0, device=dev)
    return {"sdf": l_sdf, "colour": l_col, "sign_acc": sign_acc}


def latent_stats(cache: ObjectCache, seeds) -> dict:
    zs = []
    for s in seeds:
        shape, coords = cache.get(int(s))
        zs.append(analytic_latent(shape, coords, cache.cfg.resolution))
    z = np.concatenate(zs)
    return {"slat_mean": z.mean(0).tolist(), "slat_std": (z.std(0) + 1e-4).tolist()}


def build_parser():
    ap = cli.parser(__doc__)
    ap.add_argument("--minutes", type=float, default=15.0, help="wall-clock training budget of this run, in minutes")
    ap.add_argument("--steps", type=int, default=None,
                    help="stop after this many optimiser steps instead (default: the --minutes budget decides)")
    ap.add_argument("--objects", type=int, default=300, help="distinct training objects to draw from")
    ap.add_argument("--crop", type=int, default=3, help="half side of the training crop in voxels (0 = whole objects)")
    add_config_argument(ap)
    ap.add_argument("--lr", type=float, default=1e-3, help="peak learning rate (lower it for a final polish)")
    add_runtime_arguments(ap)
    return ap


@cli.command
def main(argv=None) -> None:
    a = build_parser().parse_args(argv)
    device = setup_runtime(a)
    cfg = pack_config(a.config)
    seeds = np.arange(a.objects)          # training-split seeds (the same objects as the cache's)
    dec = MeshDecoder(cfg)
    trainer = Trainer("slat_vae", {"decoder": dec}, lr=a.lr, device=device, allow_fresh=a.allow_fresh_tensors)
    cache = ObjectCache(cfg)
    if "slat_std" not in trainer.extra:
        trainer.extra.update(latent_stats(cache, seeds[:16]))
        trainer.extra["latent"] = "analytic per-voxel features (fastsam3d_tools/train/slat_targets.py)"
    if cfg.mesh.latent_rgb >= 0 and not trainer.extra.get("colour_skip"):
        # a checkpoint trained before the latent-colour skip: its colour rows learnt to carry the colour
        # themselves and mostly failed (colour L1 0.19 with the true latent); start them from the skip
        zero_colour_head(dec)
        trainer.extra["colour_skip"] = True
        print("slat_vae: colour head zeroed for the latent-colour skip (config mesh.latent_rgb)")
    std = torch.tensor(trainer.extra["slat_std"], dtype=torch.float32)

    def step(rng: np.random.Generator, i: int):
        z, tg, tb = crop_batch(cache, int(seeds[rng.integers(0, len(seeds))]), rng, a.crop)
        z = torch.from_numpy(z)
        z = z + torch.randn_like(z) * std * LATENT_NOISE          # noise from the CPU generator, then moved
        z, tb = to_device((z, tb), device)
        feats = decode(dec, z, tb)
        ls = decoder_loss(feats, tg)
        loss = ls["sdf"] + 0.5 * ls["colour"]
        return {"loss": loss, "sdf": float(ls["sdf"]), "colour": float(ls["colour"]),
                "sign_acc": float(ls["sign_acc"]), "voxels": len(tg.coords)}

    trainer.run(step, minutes=a.minutes, steps=a.steps, log_every=10,
                lr_schedule=lambda s: min(1.0, (s + 1) / 30))


if __name__ == "__main__":
    main()
