"""Stage 4: SLaT flow on the pruned surface voxels of the ground-truth occupancy, conditioned on the
image through `cond_slat`.

    tools/.venv/bin/python -m fastsam3d_tools.train.slat_flow --minutes 15   (from tools/, PYTHONPATH=.)
    python3 -m fastsam3d_tools.train.slat_flow --minutes 2 --sync-condition --device cuda \
        --objects 3000 --workers 14          (a GPU machine: tables of 3000 objects built on 14 cores first)

x1 = (stage-3 structured latent − slat mean) / slat std (the manifest's normalisation); rectified flow as
stage 2 with uniform-ish t (SLaT's grid is not rescaled); 10 % zero condition for CFG. The condition
encoder's trunk and `cond_ss` projection come frozen from stage 2 (so the exported `condition` file
serves both flows); only the `cond_slat` projection trains here, together with the flow.

Per object the CPU builds the surface voxels, the analytic latent and the sparse tables (0.2–2 s), far
more than a GPU step: `--workers W` builds them for the first `--objects N` cached samples in W processes
before training (steps then draw from those N only), and `--wait-for FILE` lets that happen while stage 2
still trains: the checkpoints are read only once FILE exists (tools/train_on_device.sh).
"""
from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Dict, Iterable, Optional

import numpy as np
import torch
import torch.nn.functional as F

from .. import cli
from .sizes import add_config_argument, pack_config
from ..data.scene import target_shape
from ..modules import ConditionEncoder, SlatFlow
from ..modules.tables import slat_tables
from .common import (CHECKPOINTS, Trainer, add_runtime_arguments, copy_weights, launch_if_parallel, load_checkpoint, load_weights,
                     setup_runtime, stage_weights, to_device)
from .dataset import load_cache
from .slat_targets import analytic_latent, object_coords
from .ss_flow import COND_DROP, batch_images

MAX_VOXELS = 3000


def object_latent(cfg, seed: int):
    """(raw structured latent (N, 8), slat tables) of training seed `seed` as numpy, or None when the
    object is too large or too small for this stage. Module-level so worker processes can run it."""
    shape = target_shape(seed, "train")
    coords = object_coords(shape, cfg.resolution, cfg.prune_surface_distance)
    if len(coords) > MAX_VOXELS or len(coords) < 8:
        return None
    return analytic_latent(shape, coords, cfg.resolution), slat_tables(coords)


class LatentCache:
    """Per training sample: slat tables and the normalised x1 (stage-3 structured latent), CPU tensors."""

    def __init__(self, cfg, mean: np.ndarray, std: np.ndarray):
        self.cfg, self.mean, self.std = cfg, mean, std
        self.items: Dict[int, tuple] = {}

    def add(self, seed: int, raw) -> None:
        """Store `object_latent`'s result for `seed` (normalised here)."""
        if raw is None:
            self.items[seed] = None
            return
        z, tables = raw
        x1 = (z - self.mean) / self.std
        self.items[seed] = (torch.from_numpy(x1.astype(np.float32)), {k: torch.from_numpy(v) for k, v in tables.items()})

    def get(self, seed: int):
        if seed not in self.items:
            self.add(seed, object_latent(self.cfg, seed))
        return self.items[seed]


def object_latents(cfg, seeds: Iterable[int], workers: int) -> Dict[int, Optional[tuple]]:
    """`object_latent` of every seed, computed in `workers` processes."""
    seeds = [int(s) for s in seeds]
    t = time.time()
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        out = dict(zip(seeds, pool.map(object_latent, [cfg] * len(seeds), seeds, chunksize=8)))
    usable = sum(v is not None for v in out.values())
    print(f"slat tables of {len(seeds)} objects ({usable} usable) in {time.time() - t:.0f}s on {workers} workers",
          flush=True)
    return out


def wait_for(path: Optional[Path], poll_s: float = 2.0, deadline: Optional[float] = None) -> None:
    """Wait until `path` exists; at `deadline` (epoch seconds) give up with an error rather than wait on."""
    if path is None:
        return
    t = time.time()
    if not Path(path).exists():
        print(f"waiting for {path}" + (f" (until the deadline, {max(0, deadline - t) / 60:.1f} min)" if deadline else ""), flush=True)
    while not Path(path).exists():
        if deadline is not None and time.time() >= deadline:
            raise cli.ToolError(f"{path} did not appear before the --deadline; stage 4 did not train "
                                f"(did stage 2 fail or run late? see its log)")
        time.sleep(poll_s)
    print(f"{path} present after {time.time() - t:.0f}s of waiting", flush=True)


def sync_condition_trunk(trainer: Trainer, stage: str = "ss_flow") -> None:
    """Copy stage 2's (EMA) condition weights, all but `proj_slat`, into this stage's encoder and its EMA,
    so the exported `condition` file is the one both flows were trained with. `stage` "condition": the
    pretrained encoder that stage 2 keeps frozen (train.condition), available before stage 2 saves."""
    st = load_checkpoint(CHECKPOINTS / f"{stage}.pt")
    trunk = {k: v for k, v in stage_weights(st, "condition").items() if not k.startswith("proj_slat")}
    copy_weights(trainer, "condition", trunk)
    trainer.log({"note": f"step {trainer.step}: condition trunk synced from {stage} step {st['step']}"})


def build_parser():
    ap = cli.parser(__doc__)
    ap.add_argument("--minutes", type=float, default=15.0, help="wall-clock training budget of this run, in minutes")
    ap.add_argument("--steps", type=int, default=None,
                    help="stop after this many optimiser steps instead (default: the --minutes budget decides)")
    add_config_argument(ap)
    ap.add_argument("--lr", type=float, default=3e-4, help="peak learning rate (after a 50-step warm-up)")
    ap.add_argument("--ema", type=float, default=0.999, help="EMA decay of the exported weights (0–1)")
    ap.add_argument("--sync-condition", nargs="?", const="ss_flow", default=None, metavar="STAGE",
                    help="take the condition trunk and cond_ss projection from the current stage-2 checkpoint "
                         "(after stage 2 trained the encoder further), or from STAGE's (`condition`: the "
                         "pretrained encoder); cond_slat keeps training here (default: no sync; the flag alone: "
                         "ss_flow)")
    ap.add_argument("--objects", type=int, default=None,
                    help="train on the first N cached samples only, per process with --procs (each holds its own "
                         "share of the cache; default: all)")
    ap.add_argument("--workers", type=int, default=0,
                    help="build the tables of those objects in W processes before training (0: lazily, in the loop)")
    ap.add_argument("--wait-for", type=Path, default=None, metavar="FILE",
                    help="read the checkpoints only once this file exists (stage 2 finishing elsewhere; "
                         "default: do not wait)")
    ap.add_argument("--deadline", type=float, default=None, metavar="UNIX_TIME",
                    help="Unix time in seconds by which the steps stop, whatever --minutes says (a time-limited "
                         "job; default: none)")
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
    n_objects = len(data["seed"]) if a.objects is None else min(a.objects, len(data["seed"]))
    prefilled = object_latents(cfg, data["seed"][:n_objects], a.workers) if a.workers > 0 else {}
    wait_for(a.wait_for, deadline=a.deadline)
    vae = load_weights("slat_vae", {})
    mean = np.asarray(vae["extra"]["slat_mean"], np.float32)
    std = np.asarray(vae["extra"]["slat_std"], np.float32)
    cond_enc, flow = ConditionEncoder(cfg), SlatFlow(cfg)
    for name, p in cond_enc.named_parameters():
        p.requires_grad_(name.startswith("proj_slat"))
    if not (CHECKPOINTS / "slat_flow.pt").exists():
        load_weights("ss_flow", {"condition": cond_enc})   # the stage-2 trunk; proj_slat trains here
    trainer = Trainer("slat_flow", {"condition": cond_enc, "slat_flow": flow}, lr=a.lr, ema_decay=a.ema,
                      device=device, allow_fresh=a.allow_fresh_tensors)
    if a.sync_condition:
        sync_condition_trunk(trainer, a.sync_condition)
    trainer.extra = {"slat_mean": mean.tolist(), "slat_std": std.tolist()}
    cache = LatentCache(cfg, mean, std)
    for seed, raw in prefilled.items():
        cache.add(seed, raw)

    def step(rng: np.random.Generator, i: int):
        while True:
            q = int(rng.integers(0, n_objects))
            item = cache.get(int(data["seed"][q]))
            if item is not None:
                break
        x1, st = item
        img, msk = batch_images(data, np.array([q]), device)
        _, cond = cond_enc(img, msk)
        if rng.random() < COND_DROP:
            cond = torch.zeros_like(cond)
        t = torch.sigmoid(torch.randn(1) * 1.0)
        x0 = torch.randn(x1.shape)            # the CPU generator on every device (as randn_like on a CPU)
        x1, st, t, x0 = to_device((x1, st, t, x0), device)
        xt = (1 - t) * x0 + t * x1
        v = flow(xt, t * 1000, cond, st["coords"], st["nbr_fine"], st["nbr_coarse"], st["children"],
                 st["inv_count"], st["fine_to_coarse"], st["coarse_xyz"])
        loss = F.mse_loss(v, x1 - x0)
        return {"loss": loss, "t": float(t), "voxels": len(x1)}

    minutes = a.minutes
    if a.deadline is not None:      # known only now: the tables and the wait for stage 2 took their time
        minutes = max(0.0, min(minutes, (a.deadline - time.time()) / 60))
        print(f"stage 4 steps for {minutes:.2f} min (deadline)", flush=True)
    trainer.run(step, minutes=minutes, steps=a.steps, log_every=10,
                lr_schedule=lambda s: min(1.0, (s + 1) / 50))


if __name__ == "__main__":
    main()
