"""Stage 4: SLaT flow on the pruned surface voxels of the ground-truth occupancy, conditioned on the
image through `cond_slat`.

    tools/.venv/bin/python -m fastsam3d_tools.train.slat_flow --minutes 15   (from tools/, PYTHONPATH=.)

x1 = (stage-3 structured latent − slat mean) / slat std (the manifest's normalisation); rectified flow as
stage 2 with uniform-ish t (SLaT's grid is not rescaled); 10 % zero condition for CFG. The condition
encoder's trunk and `cond_ss` projection come frozen from stage 2 (so the exported `condition` file
serves both flows); only the `cond_slat` projection trains here, together with the flow.
"""
from __future__ import annotations

import argparse
from typing import Dict

import numpy as np
import torch
import torch.nn.functional as F

from .sizes import pack_config
from ..data.scene import target_shape
from ..modules import ConditionEncoder, SlatFlow
from ..modules.tables import slat_tables
from .common import CHECKPOINTS, Trainer, load_weights, setup_threads, stage_weights
from .dataset import load_cache
from .slat_targets import analytic_latent, object_coords
from .ss_flow import COND_DROP, batch_images

MAX_VOXELS = 3000


class LatentCache:
    """Per training sample: slat tables and the normalised x1 (stage-3 structured latent)."""

    def __init__(self, cfg, mean: np.ndarray, std: np.ndarray):
        self.cfg, self.mean, self.std = cfg, mean, std
        self.items: Dict[int, tuple] = {}

    def get(self, seed: int):
        if seed not in self.items:
            cfg = self.cfg
            shape = target_shape(seed, "train")
            coords = object_coords(shape, cfg.resolution, cfg.prune_surface_distance)
            if len(coords) > MAX_VOXELS or len(coords) < 8:
                self.items[seed] = None
                return None
            x1 = (analytic_latent(shape, coords, cfg.resolution) - self.mean) / self.std
            st = {k: torch.from_numpy(v) for k, v in slat_tables(coords).items()}
            self.items[seed] = (torch.from_numpy(x1.astype(np.float32)), st)
        return self.items[seed]


def sync_condition_trunk(cond_enc: ConditionEncoder, trainer: Trainer) -> None:
    """Copy stage 2's (EMA) condition weights, all but `proj_slat`, into this stage's encoder and its EMA,
    so the exported `condition` file is the one both flows were trained with."""
    st = torch.load(CHECKPOINTS / "ss_flow.pt", map_location="cpu")
    trunk = {k: v for k, v in stage_weights(st, "condition").items() if not k.startswith("proj_slat")}
    cond_enc.load_state_dict(trunk, strict=False)
    if trainer.ema is not None:
        for k, v in trunk.items():
            trainer.ema.shadow["condition"][k].copy_(v)
    trainer.log({"note": f"step {trainer.step}: condition trunk synced from ss_flow step {st['step']}"})


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=15.0)
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--config", default="mini")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--ema", type=float, default=0.999, help="EMA decay of the exported weights")
    ap.add_argument("--sync-condition", action="store_true",
                    help="take the condition trunk and cond_ss projection from the current stage-2 checkpoint "
                         "(after stage 2 trained the encoder further); cond_slat keeps training here")
    a = ap.parse_args(argv)
    setup_threads(a.threads)
    cfg = pack_config(a.config)
    data = load_cache("train")
    vae = load_weights("slat_vae", {})
    mean = np.asarray(vae["extra"]["slat_mean"], np.float32)
    std = np.asarray(vae["extra"]["slat_std"], np.float32)
    cond_enc, flow = ConditionEncoder(cfg), SlatFlow(cfg)
    for name, p in cond_enc.named_parameters():
        p.requires_grad_(name.startswith("proj_slat"))
    if not (CHECKPOINTS / "slat_flow.pt").exists():
        load_weights("ss_flow", {"condition": cond_enc})   # the stage-2 trunk; proj_slat trains here
    trainer = Trainer("slat_flow", {"condition": cond_enc, "slat_flow": flow}, lr=a.lr, ema_decay=a.ema)
    if a.sync_condition:
        sync_condition_trunk(cond_enc, trainer)
    trainer.extra = {"slat_mean": mean.tolist(), "slat_std": std.tolist()}
    cache = LatentCache(cfg, mean, std)

    def step(rng: np.random.Generator, i: int):
        while True:
            q = int(rng.integers(0, len(data["seed"])))
            item = cache.get(int(data["seed"][q]))
            if item is not None:
                break
        x1, st = item
        img, msk = batch_images(data, np.array([q]))
        _, cond = cond_enc(img, msk)
        if rng.random() < COND_DROP:
            cond = torch.zeros_like(cond)
        t = torch.sigmoid(torch.randn(1) * 1.0)
        x0 = torch.randn_like(x1)
        xt = (1 - t) * x0 + t * x1
        v = flow(xt, t * 1000, cond, st["coords"], st["nbr_fine"], st["nbr_coarse"], st["children"],
                 st["inv_count"], st["fine_to_coarse"], st["coarse_xyz"])
        loss = F.mse_loss(v, x1 - x0)
        return {"loss": loss, "t": float(t), "voxels": len(x1)}

    trainer.run(step, minutes=a.minutes, steps=a.steps, log_every=10,
                lr_schedule=lambda s: min(1.0, (s + 1) / 50))


if __name__ == "__main__":
    main()
