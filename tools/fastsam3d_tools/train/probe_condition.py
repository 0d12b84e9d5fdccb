"""Does the SS flow read the shape from the image? Two measurements on training samples (the flow's own
data, so underfitting and not generalisation is what shows):

    tools/.venv/bin/python -m fastsam3d_tools.train.probe_condition [--count 16]   (from tools/, PYTHONPATH=.)

1. Sampled occupancy IoU vs ground truth with the pack's sampler (25 steps, rescale 3) at CFG 0, 1 and
   the pack's 7 — how good the shapes are, and what guidance does to them.
2. Posterior-mean probe: the flow's one-step estimate of the clean latent from pure noise (t = 0),
   x̂1 = x0 + v(x0, 0, cond), decoded and scored, with the image and with the zero condition, next to the
   dataset's mean latent. If the image is used, "with image" beats both by a wide margin; if it only
   matches the mean latent, the flow denoises well (later steps) but does not read the shape.
"""
from __future__ import annotations

import dataclasses
import json

import numpy as np
import torch

from .. import cli
from ..modules import ConditionEncoder, SsDecoder, SsFlow
from .common import load_weights, setup_threads
from .dataset import load_cache, unpack_occ
from .evaluate import occupancy_iou, sample_ss
from .sizes import pack_config
from .ss_flow import batch_images
from .ss_latent import encode_occupancy, tokens_to_latent


def mean_iou(pred: np.ndarray, occ: np.ndarray) -> float:
    return float(np.mean([occupancy_iou(p, o) for p, o in zip(pred, occ)]))


def build_parser():
    ap = cli.parser(__doc__)
    ap.add_argument("--count", type=int, default=16, help="training samples, spread over the cache")
    ap.add_argument("--threads", type=int, default=1, help="torch threads")
    return ap


@cli.command
@torch.no_grad()
def main(argv=None) -> None:
    a = build_parser().parse_args(argv)
    if a.count < 1 or a.threads < 1:
        raise cli.UsageError(f"--count {a.count} / --threads {a.threads}: each must be 1 or more")
    setup_threads(a.threads)
    cfg = pack_config("mini")
    data = load_cache("train")
    idx = np.linspace(0, len(data["occ"]) - 1, a.count).astype(int)
    occ = unpack_occ(data["occ"][idx], cfg.resolution).astype(bool)
    latent = torch.from_numpy(encode_occupancy(occ, cfg.latent_resolution))
    dec = SsDecoder(cfg)
    load_weights("ss_vae", {"decoder": dec})
    cond_enc, flow = ConditionEncoder(cfg), SsFlow(cfg)
    st = load_weights("ss_flow", {"condition": cond_enc, "ss_flow": flow})
    for m in (dec, cond_enc, flow):
        m.eval()

    def decode(tokens: torch.Tensor) -> np.ndarray:
        return dec(tokens_to_latent(tokens, cfg.latent_resolution))[:, 0].numpy() > 0

    cond, _ = cond_enc(*batch_images(data, idx))
    out: dict = {"ss_flow_step": int(st["step"]), "samples": int(a.count), "gt_voxels": float(occ.sum((1, 2, 3)).mean())}
    for s in (0.0, 1.0, cfg.sampler.ss_cfg_strength):
        c = dataclasses.replace(cfg, sampler=dataclasses.replace(cfg.sampler, ss_cfg_strength=s))
        pred = decode(sample_ss(c, flow, cond)[0])
        out[f"sampled_cfg{s:g}"] = {"iou": mean_iou(pred, occ), "voxels": float(pred.sum((1, 2, 3)).mean())}
    g = torch.Generator().manual_seed(0)
    n = len(idx)
    x0 = torch.randn(n, cfg.latent_resolution ** 3, cfg.latent_channels, generator=g)
    pose = [torch.randn(n, 1, k, generator=g) for k in (6, 3, 3, 1)]
    zero_t = torch.zeros(n)
    for name, c in (("image", cond), ("zero_condition", torch.zeros_like(cond))):
        x1 = x0 + flow(x0, *pose, zero_t, zero_t, c)[0]
        out[f"posterior_mean_{name}"] = {"iou": mean_iou(decode(x1), occ), "latent_mse": float(((x1 - latent) ** 2).mean())}
    mean_latent = latent.mean(0, keepdim=True).expand_as(latent)
    out["dataset_mean_latent"] = {"iou": mean_iou(decode(mean_latent), occ),
                                  "latent_mse": float(((mean_latent - latent) ** 2).mean())}
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
