"""Do the flows generalise or memorise? Their loss on training images against unseen ones.

    PYTHONPATH=. .venv/bin/python -m fastsam3d_tools.train.probe_overfit      (from tools/, about 2 minutes)
    PYTHONPATH=. .venv/bin/python -m fastsam3d_tools.train.probe_overfit --stage slat   (stage 4, ~3 minutes)

Renders `--samples` objects of the training stream twice over: seeds 0 … n−1 (in the render cache, so
trained on) and seeds from dataset.UNSEEN_FIRST_SEED (never cached: same families and generator, new
objects). For each, the flow-matching loss of every modality (shape latent, rot6d, translation, scale)
at t = 0.1, 0.3, 0.5, 0.7, 0.9 with fixed noise, using the stage-2 checkpoint's EMA weights (what the
pack exports). The unseen rows are also scored with the zero condition (the CFG branch): a conditioned
loss above the zero-condition one means the image makes that modality worse, i.e. the flow recalls
training images instead of reading them. `--stage slat` does the same for the SLaT flow (stage 4's
checkpoint), per channel group of the structured latent: geometry (SDF, gradient, thinness) and RGB.
Needs no render cache.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, Iterable

import numpy as np
import torch

from .. import cli
from ..modules import ConditionEncoder, SlatFlow, SsFlow
from .common import CHECKPOINTS, load_checkpoint, stage_weights
from .dataset import UNSEEN_FIRST_SEED, make_sample, unpack_occ
from .sizes import add_config_argument, pack_config
from .slat_flow import object_latent
from .ss_flow import batch_images, pose_targets
from .ss_latent import encode_occupancy
from .symmetry import canonical_rot6d, seed_symmetries

TIMES = (0.1, 0.3, 0.5, 0.7, 0.9)
MODALITIES = ("shape", "rot6d", "translation", "scale")
SLAT_GROUPS = {"geometry": slice(0, 5), "rgb": slice(5, 8)}     # slat_targets.analytic_latent's channels


def render(seeds: Iterable[int]) -> Dict[str, np.ndarray]:
    """Samples as stage 2 trains on them: symmetric objects' rotations canonical (symmetry.py)."""
    rows = [s for s in (make_sample(int(k), "train") for k in seeds) if s]
    data = {k: np.stack([r[k] for r in rows]) for k in rows[0]}
    data["rot6d"] = canonical_rot6d(data["rot6d"], seed_symmetries(data["seed"], "train"))
    return data


@torch.no_grad()
def flow_losses(cfg, cond_enc: ConditionEncoder, flow: SsFlow, data: Dict[str, np.ndarray],
                r6_mean: np.ndarray, r6_std: np.ndarray, zero_condition: bool = False) -> Dict[str, float]:
    """Mean squared velocity error per modality over TIMES (same noise for every call)."""
    occ = unpack_occ(data["occ"], cfg.resolution).astype(bool)
    x1 = {"shape": torch.from_numpy(encode_occupancy(occ, cfg.latent_resolution))}
    x1.update({k: torch.from_numpy(v) for k, v in pose_targets(data, r6_mean, r6_std).items()})
    n = len(data["seed"])
    cond, _ = cond_enc(*batch_images(data, np.arange(n)))
    if zero_condition:
        cond = torch.zeros_like(cond)
    gen = torch.Generator().manual_seed(0)
    sums = {m: 0.0 for m in MODALITIES}
    for t0 in TIMES:
        x0 = {k: torch.randn(v.shape, generator=gen) for k, v in x1.items()}
        xt = {k: (1 - t0) * x0[k] + t0 * x1[k] for k in x1}
        t = torch.full((n,), t0)
        v = flow(xt["shape"], xt["rot6d"], xt["translation"], xt["scale"], xt["translation_scale"],
                 t * 1000, torch.zeros_like(t), cond)
        for q, m in enumerate(MODALITIES):
            sums[m] += float(((v[q] - (x1[m] - x0[m])) ** 2).mean()) / len(TIMES)
    return sums


@torch.no_grad()
def slat_losses(cfg, cond_enc: ConditionEncoder, flow: SlatFlow, data: Dict[str, np.ndarray], mean: np.ndarray,
                std: np.ndarray, zero_condition: bool = False) -> Dict[str, float]:
    """Stage 4's mean squared velocity error per latent channel group over TIMES, averaged over objects."""
    gen = torch.Generator().manual_seed(0)
    sums, n = {g: 0.0 for g in SLAT_GROUPS}, 0
    for q, seed in enumerate(data["seed"]):
        raw = object_latent(cfg, int(seed))
        if raw is None:
            continue
        z, tables = raw
        x1 = torch.from_numpy(((z - mean) / std).astype(np.float32))
        st = {k: torch.from_numpy(v) for k, v in tables.items()}
        _, cond = cond_enc(*batch_images(data, np.array([q])))
        if zero_condition:
            cond = torch.zeros_like(cond)
        for t0 in TIMES:
            x0 = torch.randn(x1.shape, generator=gen)
            v = flow((1 - t0) * x0 + t0 * x1, torch.full((1,), t0 * 1000), cond, st["coords"], st["nbr_fine"],
                     st["nbr_coarse"], st["children"], st["inv_count"], st["fine_to_coarse"], st["coarse_xyz"])
            for g, sl in SLAT_GROUPS.items():
                sums[g] += float(((v[:, sl] - (x1 - x0)[:, sl]) ** 2).mean()) / len(TIMES)
        n += 1
    return {g: v / max(n, 1) for g, v in sums.items()}


def load_stage(cfg, stage: str):
    """(condition encoder, flow, scorer, its extra arguments, step) from the stage's checkpoint (EMA)."""
    cond_enc = ConditionEncoder(cfg)
    if stage == "ss":
        st = load_checkpoint(CHECKPOINTS / "ss_flow.pt")
        flow, key, scorer = SsFlow(cfg), "ss_flow", flow_losses
        extra = [np.asarray(st["extra"][k], np.float32) for k in ("rotation6d_mean", "rotation6d_std")]
    else:
        st = load_checkpoint(CHECKPOINTS / "slat_flow.pt")
        flow, key, scorer = SlatFlow(cfg), "slat_flow", slat_losses
        extra = [np.asarray(st["extra"][k], np.float32) for k in ("slat_mean", "slat_std")]
    # a checkpoint from before the appearance path lacks proj_slat_rgb (zero-initialised: absent = silent)
    cond_enc.load_state_dict(stage_weights(st, "condition"), strict=False)
    flow.load_state_dict(stage_weights(st, key))
    return cond_enc.eval(), flow.eval(), scorer, extra, st["step"]


def build_parser():
    ap = cli.parser(__doc__)
    ap.add_argument("--stage", choices=("ss", "slat"), default="ss", help="stage 2 (ss) or stage 4 (slat)")
    ap.add_argument("--samples", type=int, default=None, help="objects per group (default 48 ss, 16 slat)")
    add_config_argument(ap)
    ap.add_argument("--json", type=Path, default=None, metavar="FILE",
                    help="also write the table to this JSON file (default: print only)")
    return ap


@cli.command
def main(argv=None) -> None:
    a = build_parser().parse_args(argv)
    if a.samples is not None and a.samples < 1:
        raise cli.UsageError(f"--samples {a.samples}: must be 1 or more")
    if a.json is not None:
        cli.output_file(a.json, "--json", example="probe.json")     # before minutes of rendering
    cfg = pack_config(a.config)
    n = a.samples or (48 if a.stage == "ss" else 16)
    cond_enc, flow, scorer, extra, step = load_stage(cfg, a.stage)
    seen, unseen = render(range(n)), render(range(UNSEEN_FIRST_SEED, UNSEEN_FIRST_SEED + n))
    rows = {
        "training seeds": scorer(cfg, cond_enc, flow, seen, *extra),
        "unseen seeds": scorer(cfg, cond_enc, flow, unseen, *extra),
        "unseen, zero condition": scorer(cfg, cond_enc, flow, unseen, *extra, zero_condition=True),
    }
    cols = list(rows["training seeds"])
    print(f"{a.stage.upper()} flow step {step}, {n} objects per row; flow loss (EMA weights)")
    print(f"{'':24s}" + "".join(f"{m:>12s}" for m in cols))
    for name, row in rows.items():
        print(f"{name:24s}" + "".join(f"{row[m]:12.4f}" for m in cols))
    if a.json is not None:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        cli.write_text_atomic(a.json, json.dumps({"stage": a.stage, "step": step, "samples": n, "rows": rows},
                                                 indent=1))


if __name__ == "__main__":
    main()
