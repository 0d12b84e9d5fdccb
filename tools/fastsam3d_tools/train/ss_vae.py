"""Stage 1: sparse-structure VAE, occupancy 32³ ↔ latent 8³×8.

    tools/.venv/bin/python -m fastsam3d_tools.train.ss_vae --minutes 10   (from tools/, PYTHONPATH=.)

Loss: balanced BCE on the occupancy logits + a small KL (keeps the latent near N(0, I), which the SS
flow needs). Augmentation: rotations by multiples of 90° about z (the canonical frame is z-up).
Resumes from tools/checkpoints/ss_vae.pt.
"""
from __future__ import annotations

import argparse

import numpy as np
import torch
import torch.nn.functional as F

from ..config import get_config
from ..modules import SsDecoder, SsEncoder
from .common import Trainer, setup_threads
from .dataset import load_cache, unpack_occ

KL_WEIGHT = 1e-3


def iou(logits: torch.Tensor, occ: torch.Tensor) -> float:
    pred = logits > 0
    gt = occ > 0.5
    inter = (pred & gt).sum().item()
    union = (pred | gt).sum().item()
    return inter / max(union, 1)


def vae_loss(enc: SsEncoder, dec: SsDecoder, occ: torch.Tensor, sample: bool = True):
    mean, logvar = enc(occ)
    logvar = logvar.clamp(-10, 4)
    z = mean + torch.randn_like(mean) * torch.exp(0.5 * logvar) if sample else mean
    logits = dec(z)
    pos = occ.mean().clamp(1e-3, 0.5)
    weight = torch.where(occ > 0.5, 0.5 / pos, 0.5 / (1 - pos))
    rec = F.binary_cross_entropy_with_logits(logits, occ, weight=weight)
    kl = 0.5 * torch.mean(mean ** 2 + logvar.exp() - 1 - logvar)
    return rec, kl, logits


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--config", default="mini")
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args(argv)
    setup_threads(a.threads)
    cfg = get_config(a.config)
    enc, dec = SsEncoder(cfg), SsDecoder(cfg)
    data = load_cache("train")
    occ_all = unpack_occ(data["occ"], cfg.resolution)
    trainer = Trainer("ss_vae", {"encoder": enc, "decoder": dec}, lr=1e-3)

    def step(rng: np.random.Generator, i: int):
        idx = rng.integers(0, len(occ_all), size=a.batch)
        occ = torch.from_numpy(occ_all[idx].astype(np.float32)).unsqueeze(1)
        k = int(rng.integers(0, 4))
        occ = torch.rot90(occ, k, dims=(2, 3))   # (i, j) = (x, y): rotation about z
        rec, kl, logits = vae_loss(enc, dec, occ)
        return {"loss": rec + KL_WEIGHT * kl, "rec": float(rec), "kl": float(kl), "iou": iou(logits.detach(), occ)}

    trainer.run(step, minutes=a.minutes, steps=a.steps, log_every=10)


if __name__ == "__main__":
    main()
