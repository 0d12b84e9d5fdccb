"""Stage 2: condition encoder + sparse-structure flow (rectified flow), trained jointly.

    tools/.venv/bin/python -m fastsam3d_tools.train.ss_flow --minutes 20   (from tools/, PYTHONPATH=.)
    python3 -m fastsam3d_tools.train.ss_flow --minutes 4 --device cuda --batch 64   (a GPU machine)

Data: x1 = (the stage-1 latent tokens of the ground-truth occupancy (analytic, ss_latent.py), normalised rot6d, metric translation,
log scale ×3, translation_scale 0); x0 ~ N(0, I); x_t = (1−t)·x0 + t·x1; target v = x1 − x0.
t = sigmoid(N(−0.4, 1)) (more weight near noise, where the rescaled SS grid spends its steps); 10 % of
the samples get a zero condition (the classifier-free-guidance branch). Augmentation (augment.py; off with
--no-augment): half the samples are drawn mirrored (flipped images with the mirrored shape and layout,
exact), and every batch gets backdrop swaps, channel permutations and photometric jitter, because
without them the flow memorised the layouts of the cached renders (probe_overfit.py). rot6d mean/std are estimated on the training cache
and stored in the checkpoint for the manifest. A symmetric object's rotation target is the equivalent
rotation nearest to the middle of the layout distribution (symmetry.py; off with --generator-rotations),
mirrored samples' under the mirrored symmetry.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Dict, Optional, Tuple

import numpy as np
import torch
import torch.nn.functional as F

from .. import cli
from .sizes import add_config_argument, pack_config
from ..modules import ConditionEncoder, SsFlow
from .common import (CHECKPOINTS, Trainer, add_runtime_arguments, copy_weights, launch_if_parallel, load_checkpoint, setup_runtime,
                     stage_weights, to_device)
from ..data.families import FAMILIES
from .augment import augment_views, lateral_axes, mirror_layout, mirror_occupancy
from . import data_parallel as dp
from .dataset import load_cache, unpack_occ
from .ss_aux import CondReadout
from .ss_latent import encode_occupancy
from .symmetry import canonical_rot6d, mirrored, seed_symmetries

COND_DROP = 0.1
MIRROR_P = 0.5           # share of the samples drawn mirrored (augment.py) when augmenting
T_MEAN = -0.4


def pose_targets(data: Dict[str, np.ndarray], r6_mean: np.ndarray, r6_std: np.ndarray) -> Dict[str, np.ndarray]:
    m = len(data["rot6d"])
    return {
        "rot6d": ((data["rot6d"] - r6_mean) / r6_std).astype(np.float32).reshape(m, 1, 6),
        "translation": data["translation"].astype(np.float32).reshape(m, 1, 3),
        "scale": np.repeat(np.log(data["scale"]).astype(np.float32).reshape(m, 1, 1), 3, axis=2),
        "translation_scale": np.zeros((m, 1, 1), np.float32),
    }


def batch_images(data, idx, device="cpu"):
    """Crop + full-frame rows of samples `idx` as float tensors on `device` (uint8 travels, the
    conversion runs there)."""
    img = torch.from_numpy(data["image"][idx]).to(device).float() / 255.0           # (B, 2, 3, S, S)
    msk = torch.from_numpy(data["mask"][idx]).to(device).float()                    # (B, 2, 1, S, S)
    b = len(idx)
    return img.reshape(2 * b, *img.shape[2:]), msk.reshape(2 * b, *msk.shape[2:])


def install_condition(trainer: Trainer, stage: str) -> None:
    """Put stage `stage`'s (EMA) condition encoder — and its readout when this stage trains one — into this
    stage's modules and EMA shadow, so the checkpoint (and through it stage 4's --sync-condition and the
    exporter) carries it."""
    st = load_checkpoint(CHECKPOINTS / f"{stage}.pt")
    for key in ("condition", "cond_readout"):
        if key not in trainer.modules:
            continue
        copy_weights(trainer, key, stage_weights(st, key))
    trainer.log({"note": f"step {trainer.step}: condition encoder from {stage} step {st['step']}"})


@torch.no_grad()
def condition_table(cond_enc: ConditionEncoder, data, device, chunk: int = 50) -> torch.Tensor:
    """cond_ss of every cached sample, (N, tokens, dim) on `device`: a frozen encoder needs one pass."""
    cond_enc.eval()
    n = len(data["seed"])
    table = None       # filled in place: a list of chunks and a cat would need the table's size twice
    for i in range(0, n, chunk):
        rows = cond_enc(*batch_images(data, np.arange(i, min(i + chunk, n)), device))[0]
        if table is None:
            table = torch.empty((n, *rows.shape[1:]), dtype=rows.dtype, device=device)
        table[i:i + len(rows)] = rows
    return table


def blocks_rate(text: str) -> Tuple[int, float]:
    """--blocks-lr FIRST=LR → (FIRST, LR)."""
    first, _, lr = text.partition("=")
    try:
        return int(first), float(lr)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected FIRST=LR, e.g. 4=2e-4") from None


def checkpoint_depth(path: Path = CHECKPOINTS / "ss_flow.pt") -> Optional[int]:
    """MoT blocks of the SS flow in the stage-2 checkpoint (None without one)."""
    if not path.exists():
        return None
    names = load_checkpoint(path)["models"]["ss_flow"]
    return len({n.split(".")[1] for n in names if n.startswith("blocks.")})


def build_parser():
    ap = cli.parser(__doc__)
    ap.add_argument("--minutes", type=float, default=20.0, help="wall-clock training budget of this run, in minutes")
    ap.add_argument("--steps", type=int, default=None,
                    help="stop after this many optimiser steps instead (default: the --minutes budget decides)")
    ap.add_argument("--batch", type=int, default=8, help="samples per optimiser step and process")
    ap.add_argument("--freeze-condition", action="store_true",
                    help="train the flow only (once stage 4 has started from this condition encoder)")
    ap.add_argument("--condition-from", default=None, metavar="STAGE",
                    help="start from this stage's condition encoder and readout (e.g. `condition`, the "
                         "pretrained encoder of train.condition); with --freeze-condition it stays as it is "
                         "and its tokens are computed once (default: none, keep the checkpoint's)")
    add_config_argument(ap)
    ap.add_argument("--lr", type=float, default=3e-4, help="peak learning rate (lower it for a final polish)")
    ap.add_argument("--blocks-lr", type=blocks_rate, default=None, metavar="FIRST=LR",
                    help="train SS-flow blocks FIRST, FIRST+1, … at LR instead of --lr (e.g. `4=2e-4` after "
                         "growing a 4-block flow to 6: the new blocks learn fast, the polished ones slowly; "
                         "default: every block at --lr)")
    ap.add_argument("--ema", type=float, default=0.999, help="EMA decay of the exported weights (0–1)")
    ap.add_argument("--no-augment", action="store_true",
                    help="train on the renders as cached (no backdrop swap, channel permutation, jitter; augment.py)")
    ap.add_argument("--generator-rotations", action="store_true",
                    help="train on the generator's rotation of symmetric objects instead of the canonical "
                         "equivalent one (symmetry.py)")
    ap.add_argument("--aux", type=float, default=0.5,
                    help="weight of the condition readout loss (ss_aux.py); 0 = off")
    add_runtime_arguments(ap)
    return ap


@cli.command
def main(argv=None) -> None:
    a = build_parser().parse_args(argv)
    if launch_if_parallel(main, argv, a):
        return
    device = setup_runtime(a)
    cfg = pack_config(a.config)
    data = load_cache("train")        # this process's share of the cache under --procs
    occ = unpack_occ(data["occ"], cfg.resolution).astype(bool)
    latents = encode_occupancy(occ, cfg.latent_resolution)
    augmenting = not a.no_augment and not a.freeze_condition   # a frozen encoder's tokens are computed once,
                                                                  # from the renders as cached
    syms = None if a.generator_rotations else seed_symmetries(data["seed"], "train")
    if syms is not None:
        data["rot6d"] = canonical_rot6d(data["rot6d"], syms)
    cond_enc, flow = ConditionEncoder(cfg), SsFlow(cfg)
    frozen = a.freeze_condition
    if frozen:
        for p in cond_enc.parameters():
            p.requires_grad_(False)
    readout = CondReadout(cfg.condition.dim, cfg.latent_resolution ** 3, cfg.latent_channels)
    modules = {"condition": cond_enc, "ss_flow": flow}
    if a.aux > 0 and not frozen:          # the readout only exists to train the encoder
        modules["cond_readout"] = readout
    grown_from = checkpoint_depth()
    growing = grown_from is not None and grown_from < len(flow.blocks)
    if growing:                                  # a deeper flow than the checkpoint's: a deliberate growth
        flow.start_blocks_as_identity(grown_from)                   # (before the Trainer loads the rest)
    lr_scales = None
    if a.blocks_lr is not None:
        first, lr = a.blocks_lr
        lr_scales = {f"ss_flow.blocks.{q}.": lr / a.lr for q in range(first, len(flow.blocks))}
    trainer = Trainer("ss_flow", modules, lr=a.lr, ema_decay=a.ema, device=device, lr_scales=lr_scales,
                      allow_fresh=a.allow_fresh_tensors or growing)
    first_step = trainer.step
    cond_table = None
    if a.condition_from is not None:
        install_condition(trainer, a.condition_from)
    if frozen:
        cond_table = condition_table(cond_enc, data, device)
        del data["image"], data["mask"]            # the table replaces them (GBs on a full cache)
    if "rotation6d_mean" not in trainer.extra:   # fixed at the first run: the targets must not move
        r6 = data["rot6d"].astype(np.float64)      # over every process's share, so all normalise alike
        n, s1, s2 = dp.total(np.array([len(r6)])), dp.total(r6.sum(0)), dp.total((r6 ** 2).sum(0))
        mean = s1 / n
        trainer.extra = {"rotation6d_mean": mean.tolist(),
                         "rotation6d_std": (np.sqrt(np.maximum(s2 / n - mean ** 2, 0)) + 1e-3).tolist()}
    r6_mean = np.asarray(trainer.extra["rotation6d_mean"], np.float32)
    r6_std = np.asarray(trainer.extra["rotation6d_std"], np.float32)
    pose = pose_targets(data, r6_mean, r6_std)
    if augmenting:                     # every sample's mirror image, as a second set of targets
        axes = lateral_axes(data["family"], FAMILIES)
        latents_m = encode_occupancy(mirror_occupancy(occ, axes), cfg.latent_resolution)
        r6_m, t_m = mirror_layout(data["rot6d"], data["translation"], axes)
        if syms is not None:
            r6_m = canonical_rot6d(r6_m, [mirrored(sym, int(ax)) for sym, ax in zip(syms, axes)])
        pose_m = pose_targets({"rot6d": r6_m, "translation": t_m, "scale": data["scale"]}, r6_mean, r6_std)
    else:
        latents_m, pose_m = latents, pose
    del occ

    def step(rng: np.random.Generator, i: int):
        idx = rng.integers(0, len(latents), size=a.batch)
        mirror = (rng.random(a.batch) < MIRROR_P) if augmenting and cond_table is None else np.zeros(a.batch, bool)
        if cond_table is None:
            img, msk = batch_images(data, idx)
            if augmenting:
                views = torch.from_numpy(np.repeat(mirror, 2))           # crop and full frame of a sample alike
                img = torch.where(views[:, None, None, None], img.flip(-1), img)
                msk = torch.where(views[:, None, None, None], msk.flip(-1), msk)
                gen = torch.Generator().manual_seed(int(rng.integers(2 ** 62)))
                img, msk = augment_views(img, msk, gen)
            cond, _ = cond_enc(*to_device((img, msk), device))
        else:
            cond = cond_table[torch.from_numpy(idx).to(device)]
        # every random draw on the CPU generators, whatever the device: one stream, resumable anywhere
        drop = torch.from_numpy(rng.random(a.batch) < COND_DROP)

        def pick(plain: np.ndarray, mirrored: np.ndarray) -> torch.Tensor:
            return torch.from_numpy(np.where(mirror.reshape(-1, 1, 1), mirrored[idx], plain[idx]))

        x1 = {"shape": pick(latents, latents_m)}
        x1.update({k: pick(v, pose_m[k]) for k, v in pose.items()})
        t = torch.sigmoid(torch.randn(a.batch) + T_MEAN)
        x0 = {k: torch.randn_like(v) for k, v in x1.items()}
        drop, x1, t, x0 = to_device((drop, x1, t, x0), device)
        cond = torch.where(drop[:, None, None], torch.zeros_like(cond), cond)
        xt = {k: (1 - t.view(-1, 1, 1)) * x0[k] + t.view(-1, 1, 1) * x1[k] for k in x1}
        v = flow(xt["shape"], xt["rot6d"], xt["translation"], xt["scale"], xt["translation_scale"],
                 t * 1000, torch.zeros_like(t), cond)
        names = ["shape", "rot6d", "translation", "scale", "translation_scale"]
        losses = {n: F.mse_loss(v[q], x1[n] - x0[n]) for q, n in enumerate(names)}
        loss = losses["shape"] + losses["rot6d"] + losses["translation"] + losses["scale"] + 0.1 * losses["translation_scale"]
        out = {f"l_{n}": float(l.detach()) for n, l in losses.items()}
        if "cond_readout" in modules:
            # the zero-condition rows carry no image: the mean over the kept rows only. Weighted, not
            # indexed, so that a batch whose every row dropped its condition (small batches) gives 0 with
            # zero gradients instead of an empty tensor the readout cannot reshape
            keep = (~drop).float()
            shape_hat, pose_hat = readout(cond)
            pose_gt = torch.cat([x1["rot6d"], x1["translation"], x1["scale"]], dim=2)
            row_err = ((shape_hat - x1["shape"]) ** 2).flatten(1).mean(1) + ((pose_hat - pose_gt) ** 2).flatten(1).mean(1)
            aux = (row_err * keep).sum() / keep.sum().clamp(min=1)
            loss = loss + a.aux * aux
            out["l_aux"] = float(aux.detach())
        return {"loss": loss, **out}

    # warm-up from this run's first step: a resume whose optimiser moments could not be restored (a grown
    # network, a changed set of trained parameters) must not take full-size Adam steps from zero moments
    trainer.run(step, minutes=a.minutes, steps=a.steps, log_every=10,
                lr_schedule=lambda s: min(1.0, (s - first_step + 1) / 100))


if __name__ == "__main__":
    main()
