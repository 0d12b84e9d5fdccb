"""Stage 3: SLaT autoencoder — per-voxel encoder → 8 channels → the mesh decoder, supervised directly
with the analytic SDF at the fine-voxel corners and the colour near the surface.

    tools/.venv/bin/python -m fastsam3d_tools.train.slat_vae --minutes 15   (from tools/, PYTHONPATH=.)

Objects are the training cache's seeds (regenerated analytically); voxels are the pruned surface voxels
of the ground-truth occupancy. Loss: L1 on the truncated SDF (×4 within one fine voxel of the surface),
L1 on the colour (sigmoid of the logits, as TypeScript applies), KL 1e-4. At the end the latent
mean/std over a set of objects are stored in the checkpoint for the manifest (slat.mean/std).
"""
from __future__ import annotations

import argparse
from typing import Dict

import numpy as np
import torch

from ..config import get_config
from ..data.scene import target_shape
from ..modules import MeshDecoder, SlatEncoder
from ..modules.tables import mesh_tables
from .common import Trainer, setup_threads
from .slat_targets import ENC_CHANNELS, SlatTargets, build_targets, object_coords

KL_WEIGHT = 1e-4
MAX_CACHED = 300


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


def crop_batch(cache: "ObjectCache", seed: int, rng: np.random.Generator, half: int):
    shape, coords = cache.get(seed)
    sub = crop(coords, rng, half) if half > 0 else coords
    cfg = cache.cfg
    tg = build_targets(shape, cfg.resolution, cfg.subdivisions, cfg.prune_surface_distance, coords=sub)
    tb = {k: torch.from_numpy(v) for k, v in mesh_tables(tg.coords, cfg.mesh.window, cfg.mesh.shifts).items()}
    return tg, tb


def encode(enc: SlatEncoder, tg: SlatTargets, tb) -> tuple:
    return enc(torch.from_numpy(tg.enc_in), tb["coords"], tb["win0_idx"], tb["win0_inv"], tb["win1_idx"], tb["win1_inv"])


def decode(dec: MeshDecoder, z: torch.Tensor, tb) -> torch.Tensor:
    return dec(z, tb["coords"], tb["win0_idx"], tb["win0_inv"], tb["win1_idx"], tb["win1_inv"], tb["nbr_l1"], tb["nbr_l2"])


def decoder_loss(feats: torch.Tensor, tg: SlatTargets, cfg) -> Dict[str, torch.Tensor]:
    sdf_t = torch.from_numpy(tg.sdf)
    sdf_p = feats[:, :8]
    w = 1.0 + 3.0 * (sdf_t.abs() < 1.0 / 3.0).float()
    l_sdf = (w * (sdf_p - sdf_t).abs()).sum() / w.sum()
    near = torch.from_numpy(tg.near)
    col_p = torch.sigmoid(feats[:, 8:8 + 24].reshape(-1, 8, 3))
    col_t = torch.from_numpy(tg.colour)
    l_col = ((col_p - col_t).abs().mean(-1) * near).sum() / near.sum().clamp(min=1)
    sign_acc = ((sdf_p > 0) == (sdf_t > 0)).float()[sdf_t.abs() < 1.0 / 3.0].mean()
    return {"sdf": l_sdf, "colour": l_col, "sign_acc": sign_acc}


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=15.0)
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--objects", type=int, default=200, help="distinct training objects to draw from")
    ap.add_argument("--crop", type=int, default=4, help="half side of the training crop in voxels (0 = whole objects)")
    ap.add_argument("--config", default="mini")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)
    setup_threads(a.threads)
    cfg = get_config(a.config)
    seeds = np.arange(a.objects)          # training-split seeds (the same objects as the cache's)
    enc, dec = SlatEncoder(cfg, ENC_CHANNELS), MeshDecoder(cfg)
    trainer = Trainer("slat_vae", {"encoder": enc, "decoder": dec}, lr=5e-4)
    cache = ObjectCache(cfg)

    def step(rng: np.random.Generator, i: int):
        tg, tb = crop_batch(cache, int(seeds[rng.integers(0, len(seeds))]), rng, a.crop)
        mean, logvar = encode(enc, tg, tb)
        logvar = logvar.clamp(-10, 4)
        z = mean + torch.randn_like(mean) * torch.exp(0.5 * logvar)
        feats = decode(dec, z, tb)
        ls = decoder_loss(feats, tg, cfg)
        kl = 0.5 * torch.mean(mean ** 2 + logvar.exp() - 1 - logvar)
        loss = ls["sdf"] + 0.5 * ls["colour"] + KL_WEIGHT * kl
        return {"loss": loss, "sdf": float(ls["sdf"]), "colour": float(ls["colour"]), "kl": float(kl),
                "sign_acc": float(ls["sign_acc"]), "voxels": len(tg.coords)}

    trainer.run(step, minutes=a.minutes, steps=a.steps, log_every=10,
                lr_schedule=lambda s: min(1.0, (s + 1) / 50))
    trainer.extra.update(latent_stats(enc, cache, seeds[:24]))
    trainer.save()


@torch.no_grad()
def latent_stats(enc: SlatEncoder, cache: ObjectCache, seeds) -> dict:
    enc.eval()
    zs = []
    for s in seeds:
        tg, tb = crop_batch(cache, int(s), np.random.default_rng(0), 0)
        zs.append(encode(enc, tg, tb)[0].numpy())
    z = np.concatenate(zs)
    return {"slat_mean": z.mean(0).tolist(), "slat_std": (z.std(0) + 1e-4).tolist()}


if __name__ == "__main__":
    main()
