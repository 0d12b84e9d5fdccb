"""Stage 1: the sparse-structure autoencoder, occupancy 32³ ↔ latent 8³×8.

    tools/.venv/bin/python -m fastsam3d_tools.train.ss_vae [--minutes 0]   (from tools/, PYTHONPATH=.)

The encoder is analytic (octant occupancy fractions, see ss_latent.py); the decoder (the exported
`ss_decoder`) starts from the structured initialisation that inverts it and is optionally fine-tuned
for `--minutes` with a balanced BCE on the training cache (rotations by 90° about z as augmentation).
The reconstruction IoU on 64 cached objects is measured before and after and stored in the checkpoint.
Resumes from tools/checkpoints/ss_vae.pt.
"""
from __future__ import annotations


import numpy as np
import torch
import torch.nn.functional as F

from .. import cli
from .sizes import add_config_argument, pack_config
from ..modules import SsDecoder
from .common import Trainer, add_runtime_arguments, setup_runtime
from .dataset import load_cache, unpack_occ
from .ss_latent import encode_occupancy, init_structured_decoder, tokens_to_latent


def iou(logits: torch.Tensor, occ: torch.Tensor) -> float:
    pred = logits > 0
    gt = occ > 0.5
    return (pred & gt).sum().item() / max((pred | gt).sum().item(), 1)


@torch.no_grad()
def mean_iou(dec: SsDecoder, occ: np.ndarray, batch: int = 16) -> float:
    dec.eval()
    dev = next(dec.parameters()).device
    vals = []
    for s in range(0, len(occ), batch):
        o = occ[s:s + batch]
        lg = dec(tokens_to_latent(torch.from_numpy(encode_occupancy(o)).to(dev)))[:, 0].cpu()
        vals += [iou(lg[i], torch.from_numpy(o[i].astype(np.float32))) for i in range(len(o))]
    return float(np.mean(vals))


def build_parser():
    ap = cli.parser(__doc__)
    ap.add_argument("--minutes", type=float, default=0.0,
                    help="wall-clock fine-tuning budget in minutes (0 with no --steps: only score and save "
                         "the structured decoder)")
    ap.add_argument("--steps", type=int, default=None,
                    help="stop after this many optimiser steps instead (default: the --minutes budget decides)")
    ap.add_argument("--batch", type=int, default=2, help="occupancy grids per optimiser step")
    add_config_argument(ap)
    add_runtime_arguments(ap)
    return ap


@cli.command
def main(argv=None) -> None:
    a = build_parser().parse_args(argv)
    device = setup_runtime(a)
    cfg = pack_config(a.config)
    dec = SsDecoder(cfg)
    data = load_cache("train")
    occ_all = unpack_occ(data["occ"], cfg.resolution).astype(bool)
    fresh = not (Trainer.checkpoint_path("ss_vae")).exists()
    if fresh:
        init_structured_decoder(dec)
    trainer = Trainer("ss_vae", {"decoder": dec}, lr=2e-4, device=device, allow_fresh=a.allow_fresh_tensors)
    probe = occ_all[-64:]
    if fresh:
        trainer.extra["iou_structured_init"] = mean_iou(dec, probe)
    trainer.extra["latent"] = "analytic octant occupancy fractions (fastsam3d_tools/train/ss_latent.py)"

    def step(rng: np.random.Generator, i: int):
        idx = rng.integers(0, len(occ_all) - 64, size=a.batch)
        occ = np.rot90(occ_all[idx], int(rng.integers(0, 4)), axes=(1, 2)).copy()
        target = torch.from_numpy(occ.astype(np.float32)).unsqueeze(1).to(device)
        logits = dec(tokens_to_latent(torch.from_numpy(encode_occupancy(occ)).to(device)))
        pos = target.mean().clamp(1e-3, 0.5)
        weight = torch.where(target > 0.5, 0.5 / pos, 0.5 / (1 - pos))
        loss = F.binary_cross_entropy_with_logits(logits, target, weight=weight)
        return {"loss": loss, "iou": iou(logits.detach(), target)}

    if a.minutes > 0 or a.steps:
        trainer.run(step, minutes=a.minutes if a.minutes > 0 else None, steps=a.steps, log_every=5)
    trainer.extra["iou"] = mean_iou(dec, probe)
    trainer.save()
    print({k: v for k, v in trainer.extra.items()})


if __name__ == "__main__":
    main()
