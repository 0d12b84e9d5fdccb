"""Build models/seg-tiny: the seg-mini architecture at toy width with seeded random weights (< 1 MB),
the segmentation test fixture for the TypeScript side (all six decoder inputs, three outputs, K = 3).

    python -m fastsam3d_tools.segment.build_tiny [--out models/seg-tiny] [--seed 4321]

Its masks are meaningless; it exists so the app's segmentation plumbing (encode once, decode per click,
dynamic number of points, box, previous mask, candidate choice) runs against a real ONNX pack.
"""
from __future__ import annotations

import sys
from pathlib import Path

import torch

from .. import __version__, cli
from ..export.staging import refuse_other_pack
from . import SEGPACK_FORMAT
from .contract import SegPackConfig
from .export import export_segpack
from .net import build_seg_net

DEFAULT_SEED = 4321
TINY_WIDTH = 8
REPO_ROOT = Path(__file__).resolve().parents[3]


def tiny_config() -> SegPackConfig:
    return SegPackConfig(size=256, channels=8, embedding_size=64, mask_size=256, candidates=3)


def build_tiny_models(seed: int = DEFAULT_SEED):
    torch.manual_seed(seed)
    enc, dec = build_seg_net(tiny_config(), TINY_WIDTH)
    # Non-trivial BatchNorm statistics so the folded graph is exercised like a trained one.
    g = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        for m in list(enc.modules()) + list(dec.modules()):
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
    return enc.eval(), dec.eval()


def build_parser():
    ap = cli.parser(__doc__)
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "models" / "seg-tiny", metavar="DIR",
                    help="segmentation pack folder to write (replaced all or nothing)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed of the weights")
    return ap


@cli.command
def main(argv=None) -> int:
    a = build_parser().parse_args(argv)
    refuse_other_pack(a.out, SEGPACK_FORMAT)
    torch.set_num_threads(1)
    enc, dec = build_tiny_models(a.seed)
    export_segpack(enc, dec, tiny_config(), a.out, name="seg-tiny", version="0.1.0",
                   source=f"random weights (seed {a.seed}) from tools/fastsam3d_tools/segment/build_tiny.py "
                          f"{__version__}",
                   description="Random-weight segmentation test pack: the seg-mini architecture at toy width. "
                               "Plumbing tests only — its masks are noise.")
    total = sum(p.stat().st_size for p in Path(a.out).iterdir() if p.is_file())
    print(f"wrote {a.out}: {total / 1024:.0f} KiB")
    if total >= 1024 * 1024:
        print("error: seg-tiny must stay under 1 MB", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
