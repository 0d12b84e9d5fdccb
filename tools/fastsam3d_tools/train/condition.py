"""Stage 2a: pretrain the condition encoder by direct regression, before the SS flow reads it.

    tools/.venv/bin/python -m fastsam3d_tools.train.condition --minutes 20   (from tools/, PYTHONPATH=.)

Why: SAM 3D's condition encoder is DINOv2, pretrained on millions of images; the flow only learns to
read features that already describe the object. Ours is trained from scratch, and `train.probe_condition`
measured that learning it through the noisy flow loss alone leaves the flow barely reading the image
(sampled occupancy IoU 0.26 on training samples, below decoding the dataset's mean latent, 0.32).
Here the encoder learns the image → coarse shape + layout mapping with a noise-free objective and large
batches: the training-only readout head (ss_aux.py) cross-attends from one query per SS latent token
(and one pose query) to `cond_ss` and regresses the clean latent and the normalised layout. The flow is
then trained on the frozen, pretrained encoder (`train.ss_flow --condition-from condition`), as SAM 3D
trains on frozen DINOv2.

Validation: the shard of seeds 1100–1199 is never trained on here (the flow saw it, the readout did
not); every --eval-every steps the readout's latent is decoded by the SS decoder and scored by
occupancy IoU against the ground truth, next to the dataset-mean latent's IoU, and the rotation error
of its rot6d (no symmetry handling; a proxy) is reported. Data augmentation: colour jitter of the
image (brightness, contrast, per-channel gain) and mask dilation/erosion by one pixel, which do not
change the 3D target.

The first run starts from the SS flow checkpoint's encoder and readout (EMA weights, every tensor whose
name and shape still match); later runs resume from checkpoints/condition.pt.
"""
from __future__ import annotations

import json

import numpy as np
import torch
import torch.nn.functional as F

from ..modules import ConditionEncoder, SsDecoder
from .common import (CHECKPOINTS, Trainer, add_runtime_arguments, load_checkpoint, load_matching, load_weights,
                     setup_runtime, stage_weights, to_device)
from .dataset import load_cache, unpack_occ
from .evaluate import occupancy_iou, rot_from_6d
from .. import cli
from .sizes import add_config_argument, pack_config
from .augment import jitter
from .ss_aux import CondReadout
from .ss_flow import batch_images, pose_targets
from .ss_latent import encode_occupancy, tokens_to_latent

VAL_SEEDS = (1100, 1200)


def rotation_error(r6_pred: np.ndarray, r6_gt: np.ndarray) -> np.ndarray:
    """Geodesic angle in degrees between the rotations of two rot6d rows (no symmetry)."""
    d = rot_from_6d(r6_pred) @ rot_from_6d(r6_gt).transpose(0, 2, 1)
    return np.degrees(np.arccos(np.clip((np.trace(d, axis1=1, axis2=2) - 1) / 2, -1, 1)))


def build_parser():
    ap = cli.parser(__doc__)
    ap.add_argument("--minutes", type=float, default=20.0, help="wall-clock training budget of this run, in minutes")
    ap.add_argument("--steps", type=int, default=None,
                    help="stop after this many optimiser steps instead (default: the --minutes budget decides)")
    ap.add_argument("--batch", type=int, default=32, help="samples per optimiser step")
    ap.add_argument("--lr", type=float, default=1e-3, help="peak learning rate (after a 100-step warm-up)")
    ap.add_argument("--ema", type=float, default=0.998, help="EMA decay of the weights stage 2 installs (0–1)")
    ap.add_argument("--eval-every", type=int, default=200,
                    help="score the readout on the validation seeds every this many steps")
    add_config_argument(ap)
    add_runtime_arguments(ap)
    return ap


@cli.command
def main(argv=None) -> None:
    a = build_parser().parse_args(argv)
    device = setup_runtime(a)
    cfg = pack_config(a.config)
    data = load_cache("train")
    seeds = data["seed"]
    val = np.flatnonzero((seeds >= VAL_SEEDS[0]) & (seeds < VAL_SEEDS[1]))
    train = np.setdiff1d(np.arange(len(seeds)), val)
    occ = unpack_occ(data["occ"], cfg.resolution).astype(bool)
    latents = encode_occupancy(occ, cfg.latent_resolution)

    enc = ConditionEncoder(cfg)
    readout = CondReadout(cfg.condition.dim, cfg.latent_resolution ** 3, cfg.latent_channels)
    modules = {"condition": enc, "cond_readout": readout}
    fresh = not Trainer.checkpoint_path("condition").exists()
    st_flow = load_checkpoint(CHECKPOINTS / "ss_flow.pt")
    if fresh:             # start from what stage 2 has learnt so far, where the shapes still match
        for k, m in modules.items():
            left = load_matching(m, stage_weights(st_flow, k))
            print(f"{k}: {len(m.state_dict()) - len(left)} of {len(m.state_dict())} tensors from the SS flow "
                  "checkpoint", flush=True)
    trainer = Trainer("condition", modules, lr=a.lr, ema_decay=a.ema, device=device, allow_fresh=a.allow_fresh_tensors)
    trainer.extra = {k: st_flow["extra"][k] for k in ("rotation6d_mean", "rotation6d_std")}
    r6_mean = np.asarray(trainer.extra["rotation6d_mean"], np.float32)
    r6_std = np.asarray(trainer.extra["rotation6d_std"], np.float32)
    pose = pose_targets(data, r6_mean, r6_std)
    pose_all = np.concatenate([pose["rot6d"], pose["translation"], pose["scale"]], axis=2)
    dec = SsDecoder(cfg)
    load_weights("ss_vae", {"decoder": dec})
    dec.eval()
    mean_latent = torch.from_numpy(latents[train].mean(0, keepdims=True))
    with torch.no_grad():
        mean_occ = dec(tokens_to_latent(mean_latent, cfg.latent_resolution))[0, 0].numpy() > 0
    mean_iou = float(np.mean([occupancy_iou(mean_occ, occ[i]) for i in val]))
    gen = torch.Generator().manual_seed(trainer.step)
    print(f"train {len(train)} samples, val {len(val)}; dataset-mean latent val IoU {mean_iou:.3f}", flush=True)

    # the EMA weights (what stage 2 installs) are scored, in modules of their own
    e, r = ConditionEncoder(cfg).eval(), CondReadout(cfg.condition.dim, cfg.latent_resolution ** 3,
                                                     cfg.latent_channels).eval()

    @torch.no_grad()
    def evaluate(step: int) -> None:
        e.load_state_dict(trainer.ema.shadow["condition"])
        r.load_state_dict(trainer.ema.shadow["cond_readout"])
        sub = {}
        for part, idx in (("val", val), ("train", train[:: max(1, len(train) // len(val))][: len(val)])):
            shape_hat, pose_hat = [], []
            for c in range(0, len(idx), 25):
                cond, _ = e(*batch_images(data, idx[c:c + 25]))
                s, p = r(cond)
                shape_hat.append(s)
                pose_hat.append(p)
            shape_hat, pose_hat = torch.cat(shape_hat), torch.cat(pose_hat)[:, 0].numpy()
            pred = dec(tokens_to_latent(shape_hat, cfg.latent_resolution))[:, 0].numpy() > 0
            iou = float(np.mean([occupancy_iou(pred[j], occ[i]) for j, i in enumerate(idx)]))
            r6p = pose_hat[:, :6] * r6_std + r6_mean
            rot = float(np.median(rotation_error(r6p, data["rot6d"][idx])))
            sub[part] = {"iou": round(iou, 4), "rot_err_deg": round(rot, 2),
                         "latent_mse": round(float(((shape_hat.numpy() - latents[idx]) ** 2).mean()), 4)}
        rec = {"eval_step": step, "mean_latent_iou": round(mean_iou, 4), **sub}
        trainer.log(rec)
        print(json.dumps(rec), flush=True)

    def step(rng: np.random.Generator, i: int):
        if i % a.eval_every == 0:
            evaluate(i)
        idx = rng.choice(train, size=a.batch, replace=False)
        img, msk = batch_images(data, idx)
        img, msk = jitter(img, msk, gen)
        img, msk = to_device((img, msk), device)
        cond, _ = enc(img, msk)
        shape_hat, pose_hat = readout(cond)
        l_shape = F.mse_loss(shape_hat, torch.from_numpy(latents[idx]).to(device))
        l_pose = F.mse_loss(pose_hat, torch.from_numpy(pose_all[idx]).to(device))
        return {"loss": l_shape + l_pose, "l_shape": float(l_shape), "l_pose": float(l_pose)}

    trainer.run(step, minutes=a.minutes, steps=a.steps, log_every=20,
                lr_schedule=lambda s: min(1.0, (s + 1) / 100))
    evaluate(trainer.step)


if __name__ == "__main__":
    main()
