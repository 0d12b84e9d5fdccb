"""Ground-truth stage outputs of the held-out benchmark objects, for the oracle study of the mini pack.

    (cd tools && PYTHONPATH=. .venv/bin/python -m fastsam3d_tools.train.oracle_inputs [--out ../bench-results/oracle-inputs])
    npm run bench -- --full --methods off --oracle ss-latent|occupancy|slat

Why: the benchmark says how far the whole pipeline is from the ground truth, not which stage loses it.
Replacing one stage's output by the ground truth's (and keeping every later stage real) splits the gap:
`ss-latent` replaces the sampled SS shape latent (a perfect SS flow, the real SS decoder), `occupancy`
replaces the decoded occupancy (a perfect SS stage), `slat` also replaces the sampled structured latent
(a perfect SLaT flow: what is left is the mesh decoder and surface extraction). The inputs are the very
targets the stages were trained on: the octant SS latent (train/ss_latent.py), the dilated occupancy
(data/targets.py) and the analytic structured latent on its pruned surface voxels (train/slat_targets.py).

Files per object (little-endian, C order), in `<out>/<benchmark folder name>/`:
  ss_tokens.f32     (L³, C)  token n = i·L² + j·L + k, as the SS flow's x_shape
  occupancy.u8      (R, R, R) 0/1, voxel (i, j, k)
  slat_coords.i32   (N, 3)   the surface voxels SLaT runs on (lexicographic)
  slat_latent.f32   (N, 8)   the analytic latent in raw units (the pipeline normalises it with the manifest)
  oracle.json       sizes and the seed, checked by the TypeScript reader (bench/oracle.ts)
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from .. import cli
from ..data.scene import target_shape
from ..data.targets import occupancy
from .common import TOOLS
from .sizes import add_config_argument, pack_config
from .slat_targets import analytic_latent, object_coords
from .ss_latent import encode_occupancy

BENCH = TOOLS.parent / "resources" / "benchmark"
FORMAT = "fastsam3d-oracle/1"


def oracle_arrays(seed: int, cfg) -> dict:
    shape = target_shape(seed, "heldout")
    occ = occupancy(shape, cfg.resolution)
    coords = object_coords(shape, cfg.resolution, cfg.prune_surface_distance)
    return {
        "ss_tokens": encode_occupancy(occ[None], cfg.latent_resolution)[0],
        "occupancy": occ.astype(np.uint8),
        "slat_coords": coords.astype(np.int32),
        "slat_latent": analytic_latent(shape, coords, cfg.resolution),
    }


def write_oracle(folder: Path, seed: int, cfg) -> dict:
    arr = oracle_arrays(seed, cfg)
    folder.mkdir(parents=True, exist_ok=True)
    for name, ext in (("ss_tokens", "f32"), ("occupancy", "u8"), ("slat_coords", "i32"), ("slat_latent", "f32")):
        np.ascontiguousarray(arr[name]).astype(arr[name].dtype.newbyteorder("<")).tofile(folder / f"{name}.{ext}")
    meta = {
        "format": FORMAT, "seed": seed, "resolution": cfg.resolution, "latentResolution": cfg.latent_resolution,
        "ssChannels": int(arr["ss_tokens"].shape[1]), "slatChannels": int(arr["slat_latent"].shape[1]),
        "voxels": int(len(arr["slat_coords"])), "occupied": int(arr["occupancy"].sum()),
    }
    (folder / "oracle.json").write_text(json.dumps(meta, indent=1) + "\n")
    return meta


def build_parser():
    ap = cli.parser(__doc__)
    ap.add_argument("--out", type=Path, default=TOOLS.parent / "bench-results" / "oracle-inputs", metavar="DIR",
                    help="folder to write, one sub-folder per benchmark object (written beside it first and "
                         "moved in when every object is done)")
    ap.add_argument("--set", type=Path, default=BENCH, metavar="DIR",
                    help="benchmark set to read: one folder with a gt.json per object")
    add_config_argument(ap)
    return ap


@cli.command
def main(argv=None) -> None:
    a = build_parser().parse_args(argv)
    cli.input_dir(a.set, "--set", hint="pass a benchmark folder such as resources/benchmark")
    cli.output_dir(a.out, "--out", beside=True)
    cfg = pack_config(a.config)
    items = sorted(p for p in a.set.iterdir() if p.is_dir() and (p / "gt.json").exists())
    if not items:
        raise cli.UsageError(f"--set {a.set}: no benchmark objects (a folder with gt.json per object) in it")
    with cli.staged_folder(a.out) as stage:       # a failure (a full disk) leaves --out as it was
        for p in items:
            gt = json.loads((p / "gt.json").read_text())
            meta = write_oracle(stage / p.name, int(gt["seed"]), cfg)
            print(f"{p.name}: {meta['voxels']} surface voxels, {meta['occupied']} occupied")
    print(f"wrote {len(items)} objects under {a.out}")

if __name__ == "__main__":
    main()
