"""Build models/test-tiny: the mini architecture at toy width with seeded random weights (< 2 MB).

    python -m fastsam3d_tools.packs.build_tiny [--out models/test-tiny] [--seed 1234]

Random weights still give the TypeScript tests a usable pack: the ss_decoder's learned logit prior
starts as a sphere (so any latent yields a voxel shell between minVoxels and maxVoxels after pruning)
and the mesh_decoder's SDF channels change sign across the fine grid (a non-empty surface). Weights
that training would start at zero (adaLN-Zero gates, output layers) are drawn small instead, so every
path of every graph is exercised.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import torch

from .. import PACK_FORMAT, __version__, cli
from ..config import PackConfig, tiny
from ..export import export_pack
from ..export.staging import refuse_other_pack
from ..modules import build_all

DEFAULT_SEED = 1234
REPO_ROOT = Path(__file__).resolve().parents[3]


def randomize_zero_params(models, seed: int, std: float = 0.05) -> None:
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for m in models.values():
            for name, p in m.named_parameters():
                if name.endswith("logit_prior"):
                    continue
                if torch.count_nonzero(p) == 0:
                    p.copy_(torch.randn(p.shape, generator=g) * std)


def build_models(cfg: PackConfig, seed: int = DEFAULT_SEED):
    torch.manual_seed(seed)
    models = build_all(cfg)
    randomize_zero_params(models, seed)
    # Let the latent visibly move the occupancy around the sphere prior (boundary voxels flip).
    with torch.no_grad():
        models["ss_decoder"].out.weight.normal_(0.0, 0.05)
    for m in models.values():
        m.eval()
    return models


def occupied_surface_count(logits: np.ndarray, threshold: float) -> int:
    """Voxels above the threshold that touch an empty voxel in their 3×3×3 neighbourhood (the
    pipeline's pruning with pruneSurfaceDistance 1; outside the grid counts as empty)."""
    occ = logits[0, 0] > threshold
    padded = np.pad(occ, 1)
    all_full = np.ones_like(occ)
    r = occ.shape[0]
    for di in range(3):
        for dj in range(3):
            for dk in range(3):
                all_full &= padded[di:di + r, dj:dj + r, dk:dk + r]
    return int((occ & ~all_full).sum())


def build_parser():
    ap = cli.parser(__doc__)
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "models" / "test-tiny", metavar="DIR",
                    help="pack folder to write (replaced all or nothing)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed of the weights")
    return ap


@cli.command
def main(argv=None) -> int:
    a = build_parser().parse_args(argv)
    refuse_other_pack(a.out, PACK_FORMAT)
    torch.set_num_threads(1)
    cfg = tiny()
    models = build_models(cfg, a.seed)
    manifest = export_pack(
        models, cfg, a.out, version="0.1.0",
        source={"kind": "random", "tool": f"tools/fastsam3d_tools/packs/build_tiny.py {__version__}",
                "seed": a.seed},
        description="Random-weight test pack: the mini architecture at toy width (16³ grid). Plumbing tests "
                    "only — its meshes are noise on a sphere-shaped voxel set.")
    total = sum(p.stat().st_size for p in Path(a.out).iterdir() if p.is_file())
    print(f"wrote {a.out}: {len(manifest['files'])} roles, {total / 1024:.0f} KiB")
    if total >= 2 * 1024 * 1024:
        print("error: the tiny pack must stay under 2 MB", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
