"""Python-side quality checks of the trained stages on the held-out benchmark set (resources/benchmark).
The official numbers (F1@0.05, CD, vIoU, 3D-IoU, rotation error of full meshes) come from the
TypeScript benchmark (`npm run bench`); these are per-stage diagnostics for the model card.

    tools/.venv/bin/python -m fastsam3d_tools.train.evaluate [--count 6] [--out runs/eval.json]

- ss_decoder: occupancy IoU of decode(encode(GT occupancy)) (the SS autoencoder's ceiling).
- mesh_decoder: on the GT surface voxels with the structured latent, sign accuracy of the corner SDF
  within one fine voxel of the surface and L1 of the colour there.
- SS sampling (the real pipeline's first half, in PyTorch): 25 steps, rescale 3, CFG 7 on [0, 500],
  from the benchmark images → occupancy IoU vs ground truth (canonical frame), symmetry-aware rotation
  error, relative translation error, scale ratio error.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from .. import cli
from .sizes import pack_config
from ..data.preprocess import condition_inputs
from ..data.scene import target_shape
from ..data.targets import occupancy
from ..modules import ConditionEncoder, MeshDecoder, SsDecoder, SsFlow
from ..modules.tables import mesh_tables
from .common import TOOLS, load_weights
from .slat_targets import analytic_latent, build_targets, object_coords
from .slat_vae import decode
from .ss_latent import encode_occupancy, tokens_to_latent

BENCH = TOOLS.parent / "resources" / "benchmark"


def rotation_error_deg(r_pred: np.ndarray, r_gt: np.ndarray, sym: dict) -> float:
    """As src-main/pipeline/metrics/layout-error.ts (row-vector R; column form is Rᵀ)."""
    delta = r_gt @ r_pred.T            # (Mgᵀ · Mp) with M = Rᵀ
    group = [np.eye(3)] + [np.array(g).reshape(3, 3) for g in sym.get("group", [])]
    best = 180.0
    for g in group:
        d = g.T @ delta
        if "axis" in sym:
            u = np.asarray(sym["axis"], float)
            u = u / np.linalg.norm(u)
            ang = np.degrees(np.arccos(np.clip((d @ u) @ u, -1, 1)))
        else:
            ang = np.degrees(np.arccos(np.clip((np.trace(d) - 1) / 2, -1, 1)))
        best = min(best, float(ang))
    return best


def occupancy_iou(pred: np.ndarray, gt: np.ndarray) -> float:
    """IoU of two boolean occupancy grids (0 when both are empty)."""
    return float((pred & gt).sum() / max((pred | gt).sum(), 1))


def time_grid(steps: int, r: float) -> np.ndarray:
    u = np.arange(steps + 1) / steps
    return u / (1 + (r - 1) * (1 - u))


@torch.no_grad()
def sample_ss(cfg, flow: SsFlow, cond: torch.Tensor, seed: int = 0):
    sp = cfg.sampler
    b = cond.shape[0]
    g = torch.Generator().manual_seed(seed)
    L, C = cfg.latent_resolution, cfg.latent_channels
    x = [torch.randn(b, L ** 3, C, generator=g), torch.randn(b, 1, 6, generator=g), torch.randn(b, 1, 3, generator=g),
         torch.randn(b, 1, 3, generator=g), torch.randn(b, 1, 1, generator=g)]
    grid = time_grid(sp.ss_steps, sp.ss_rescale_t)
    zero = torch.zeros_like(cond[:, :1])
    for i in range(sp.ss_steps):
        t = torch.full((b,), float(grid[i]) * 1000)
        d = torch.zeros(b)
        v = flow(*x, t, d, cond)
        if sp.ss_cfg_strength > 0 and sp.ss_cfg_interval[0] <= grid[i] * 1000 <= sp.ss_cfg_interval[1]:
            vu = flow(*x, t, d, zero)
            s = sp.ss_cfg_strength
            v = [(1 + s) * a - s * c for a, c in zip(v, vu)]
        x = [xi + float(grid[i + 1] - grid[i]) * vi for xi, vi in zip(x, v)]
    return x


def rot_from_6d(r6: np.ndarray) -> np.ndarray:
    """Rotation matrices (…, 3, 3), rows b1, b2, b1×b2 (Gram-Schmidt) of rot6d rows (…, 6)."""
    b1 = r6[..., :3] / np.linalg.norm(r6[..., :3], axis=-1, keepdims=True)
    a2 = r6[..., 3:] - (b1 * r6[..., 3:]).sum(-1, keepdims=True) * b1
    b2 = a2 / np.linalg.norm(a2, axis=-1, keepdims=True)
    return np.stack([b1, b2, np.cross(b1, b2)], axis=-2)


def build_parser():
    ap = cli.parser(__doc__)
    ap.add_argument("--count", type=int, default=6, help="benchmark objects for the sampled SS check")
    ap.add_argument("--out", type=Path, default=TOOLS / "runs" / "eval.json", metavar="FILE",
                    help="JSON file the scores are written to (replaced only once complete)")
    ap.add_argument("--skip-sampling", action="store_true",
                    help="score the decoders only, not shapes sampled by the SS flow (faster)")
    return ap


@cli.command
def main(argv=None) -> None:
    a = build_parser().parse_args(argv)
    cli.output_file(a.out, "--out", example="eval.json")
    cli.input_dir(BENCH, "the benchmark set", hint="write it with `python -m fastsam3d_tools.data.make_assets benchmark`")
    torch.set_num_threads(2)
    cfg = pack_config("mini")
    items = sorted(p for p in BENCH.iterdir() if p.is_dir())
    gts = [json.loads((p / "gt.json").read_text()) for p in items]
    shapes = [target_shape(g["seed"], "heldout") for g in gts]
    occ = np.stack([occupancy(s, cfg.resolution) for s in shapes])
    out: dict = {"objects": len(items)}

    dec = SsDecoder(cfg)
    load_weights("ss_vae", {"decoder": dec})
    dec.eval()
    with torch.no_grad():
        lg = dec(tokens_to_latent(torch.from_numpy(encode_occupancy(occ, cfg.latent_resolution))))[:, 0].numpy() > 0
    out["ss_autoencoder_iou"] = float(np.mean([occupancy_iou(p, o) for p, o in zip(lg, occ)]))

    mdec = MeshDecoder(cfg)
    load_weights("slat_vae", {"decoder": mdec})
    mdec.eval()
    accs, cols = [], []
    for s in shapes[:6]:
        coords = object_coords(s, cfg.resolution, cfg.prune_surface_distance)
        tg = build_targets(s, cfg.resolution, cfg.subdivisions, cfg.prune_surface_distance, coords=coords,
                           with_encoder_inputs=False)
        tb = {k: torch.from_numpy(v) for k, v in mesh_tables(coords, cfg.mesh.window, cfg.mesh.shifts).items()}
        with torch.no_grad():
            f = decode(mdec, torch.from_numpy(analytic_latent(s, coords, cfg.resolution)), tb).numpy()
        close = np.abs(tg.sdf) < 1 / 3
        accs.append(float(((f[:, :8] > 0) == (tg.sdf > 0))[close].mean()))
        col = 1 / (1 + np.exp(-f[:, 8:32].reshape(-1, 8, 3)))
        cols.append(float(np.abs(col - tg.colour).mean(-1)[tg.near].mean() * 255))
    out["mesh_decoder_sign_accuracy_near_surface"] = float(np.mean(accs))
    out["mesh_decoder_colour_l1_0_255"] = float(np.mean(cols))

    if not a.skip_sampling:
        cond_enc, flow = ConditionEncoder(cfg), SsFlow(cfg)
        st = load_weights("ss_flow", {"condition": cond_enc, "ss_flow": flow})
        cond_enc.eval()
        flow.eval()
        r6_mean = np.asarray(st["extra"]["rotation6d_mean"])
        r6_std = np.asarray(st["extra"]["rotation6d_std"])
        n = min(a.count, len(items))
        imgs, msks = [], []
        for p in items[:n]:
            rgb = np.asarray(Image.open(p / "image.png").convert("RGB"))
            mask = np.asarray(Image.open(p / "0.png"))[..., 3] > 127
            im, mk = condition_inputs(rgb, mask, cfg.condition.image_size, cfg.crop_box_factor)
            imgs.append(im)
            msks.append(mk)
        with torch.no_grad():
            cond, _ = cond_enc(torch.from_numpy(np.concatenate(imgs)), torch.from_numpy(np.concatenate(msks)))
        x = sample_ss(cfg, flow, cond)
        with torch.no_grad():
            pred = dec(tokens_to_latent(x[0], cfg.latent_resolution))[:, 0].numpy() > 0
        rows = []
        for i in range(n):
            g = gts[i]
            R = rot_from_6d(x[1][i, 0].numpy() * r6_std + r6_mean)
            t = x[2][i, 0].numpy()
            s = float(np.exp(x[3][i, 0].numpy()).mean())
            t_gt = np.asarray(g["layout"]["translation"])
            rows.append({
                "name": g["name"],
                "occupancy_iou": occupancy_iou(pred[i], occ[i]),
                "voxels": int(pred[i].sum()),
                "rotation_error_deg": rotation_error_deg(R, np.asarray(g["layout"]["rotation"]).reshape(3, 3), g["symmetry"]),
                "translation_error_rel": float(np.linalg.norm(t - t_gt) / np.linalg.norm(t_gt)),
                "scale_ratio_error": abs(s / g["layout"]["scale"] - 1),
            })
        out["ss_sampled"] = rows
        out["ss_sampled_median"] = {k: float(np.median([r[k] for r in rows])) for k in
                                    ("occupancy_iou", "rotation_error_deg", "translation_error_rel", "scale_ratio_error")}
    a.out.parent.mkdir(parents=True, exist_ok=True)
    cli.write_text_atomic(a.out, json.dumps(out, indent=1) + "\n")
    print(json.dumps({k: v for k, v in out.items() if k != "ss_sampled"}, indent=1))


if __name__ == "__main__":
    main()
