"""Procedural training/evaluation data for seg-mini: scenes from data/scene.py rendered at the pack's
input size with one mask per visible object (targets and occluders), cached under
tools/data/cache/seg (git-ignored) so rendering is paid once.

    nice -n 19 python -m fastsam3d_tools.segment.data --set train --count 450     # render + cache

Sets: `train` (train split, seeds from 1000, away from the example images' seeds), `heldout` (the
held-out split: new seeds, lamp over-represented) and `lamp` (held-out split, lamp family only).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import List, Optional, Sequence, Tuple

import numpy as np

from .. import cli
from ..data.families import HELD_OUT_FAMILIES
from ..data.scene import make_scene

TOOLS = Path(__file__).resolve().parents[2]
CACHE = TOOLS / "data" / "cache" / "seg"
MIN_PIXELS = 24            # objects smaller than this are not prompt targets
SETS = {                   # name → (split, first seed, families or None for the split's own)
    "train": ("train", 1000, None),
    "heldout": ("heldout", 0, None),
    "lamp": ("heldout", 5000, tuple(HELD_OUT_FAMILIES)),
}

Sample = Tuple[np.ndarray, np.ndarray]     # rgb uint8 (S, S, 3), masks bool (T, S, S)


def render_sample(seed: int, split: str, size: int, families: Optional[Sequence[str]] = None) -> Sample:
    """One scene: 1–3 targets (occluder only with one target, as make_scene does), every visible object
    a mask."""
    n_targets = 1 + seed % 3
    sc = make_scene(seed, split, n_targets=n_targets, occluder_prob=0.5, families=families)
    rgb, _, ids = sc.render(size)
    masks = [ids == k for k in range(len(sc.all_objects))]
    masks = [m for m in masks if m.sum() >= MIN_PIXELS]
    rgb8 = np.round(np.clip(rgb, 0, 1) * 255).astype(np.uint8)
    return rgb8, (np.stack(masks) if masks else np.zeros((0, size, size), bool))


def _path(name: str, seed: int, size: int) -> Path:
    return CACHE / f"{name}-{size}" / f"{seed:06d}.npz"


def load_sample(name: str, index: int, size: int = 256, render_missing: bool = True) -> Sample:
    if name not in SETS:
        raise ValueError(f"unknown data set {name!r}; use one of {sorted(SETS)}")
    split, first, fams = SETS[name]
    seed = first + index
    path = _path(name, seed, size)
    if path.exists():
        with np.load(path) as z:
            masks = np.unpackbits(z["masks"], axis=-1)[..., :size].astype(bool)
            return z["rgb"], masks
    if not render_missing:
        raise FileNotFoundError(f"{path} not rendered; run python -m fastsam3d_tools.segment.data --set {name}")
    rgb, masks = render_sample(seed, split, size, fams)
    path.parent.mkdir(parents=True, exist_ok=True)
    with cli.atomic_path(path, keep_suffix=True) as tmp:    # never a partial scene in the cache
        np.savez_compressed(tmp, rgb=rgb, masks=np.packbits(masks, axis=-1))
    return rgb, masks


def load_set(name: str, count: int, size: int = 256, render_missing: bool = True) -> List[Sample]:
    return [load_sample(name, i, size, render_missing) for i in range(count)]


def build_parser():
    ap = cli.parser(__doc__)
    ap.add_argument("--set", choices=sorted(SETS), required=True, help="which scenes (see above)")
    ap.add_argument("--count", type=int, required=True, help="scenes to render (those cached already are kept)")
    ap.add_argument("--start", type=int, default=0, help="index of the first scene within the set")
    ap.add_argument("--size", type=int, default=256, help="image side in pixels (the pack's input size)")
    return ap


@cli.command
def main(argv=None) -> int:
    a = build_parser().parse_args(argv)
    if a.count < 0 or a.start < 0 or a.size < 16:
        raise cli.UsageError(f"--count {a.count} / --start {a.start} / --size {a.size}: counts cannot be "
                             "negative and images need at least 16 pixels a side")
    cli.output_dir(CACHE / f"{a.set}-{a.size}", "the scene cache")
    t0 = time.process_time()
    objects = 0
    for i in range(a.start, a.start + a.count):
        objects += len(load_sample(a.set, i, a.size)[1])
        if (i + 1) % 50 == 0:
            print(f"{a.set}: {i + 1} scenes, {objects} objects, {time.process_time() - t0:.0f} CPU-s", flush=True)
    print(f"{a.set}: {a.count} scenes, {objects} objects, {time.process_time() - t0:.0f} CPU-s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
