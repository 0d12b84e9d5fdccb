"""Training sample cache: renders and targets drawn once from the generator and stored in shards
(tools/data/cache/<split>-<first seed>.npz, git-ignored), because rendering dominates the cost of a
sample on a CPU. Shards are written atomically and skipped when present, so the builder resumes.

    tools/.venv/bin/python -m fastsam3d_tools.train.dataset --count 1200   (from tools/, PYTHONPATH=.)

A sample = one target object of one scene: condition inputs (crop + full frame, 128 px, uint8),
occupancy 32³ (bit-packed), layout (rot6d, translation, scale) and the (split, seed) that regenerates
the analytic shape for the SLaT stages.
"""
from __future__ import annotations

import argparse
import os
import time
from pathlib import Path
from typing import Dict, List

import numpy as np

from ..data.families import FAMILIES
from ..data.preprocess import condition_inputs
from ..data.scene import make_scene
from ..data.targets import occupancy

CACHE = Path(__file__).resolve().parents[2] / "data" / "cache"
FAMILY_INDEX = {f: i for i, f in enumerate(FAMILIES)}
SHARD = 100


def make_sample(seed: int, split: str, render_size: int = 192, image_size: int = 128, resolution: int = 32) -> Dict:
    sc = make_scene(seed, split)
    rgb, masks, _ = sc.render(render_size)
    mask = masks[0]
    if mask.sum() < 16:
        return {}
    tgt = sc.targets[0]
    img, msk = condition_inputs(np.round(rgb * 255).astype(np.uint8), mask, image_size)
    occ = occupancy(tgt.shape, resolution)
    return {
        "seed": seed, "family": FAMILY_INDEX[tgt.shape.family],
        "image": np.round(img * 255).astype(np.uint8), "mask": msk.astype(bool),
        "occ": np.packbits(occ.reshape(-1)), "rot6d": tgt.layout.rot6d.astype(np.float32),
        "translation": tgt.layout.translation.astype(np.float32), "scale": np.float32(tgt.layout.scale),
    }


def build_shard(first: int, split: str, out: Path) -> Path:
    path = out / f"{split}-{first:06d}.npz"
    if path.exists():
        return path
    rows: List[Dict] = [s for s in (make_sample(seed, split) for seed in range(first, first + SHARD)) if s]
    arrays = {k: np.stack([r[k] for r in rows]) for k in rows[0]}
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez_compressed(tmp, **arrays)
    os.replace(tmp, path)
    return path


def load_cache(split: str = "train", cache: Path = CACHE) -> Dict[str, np.ndarray]:
    files = sorted(cache.glob(f"{split}-*.npz"))
    files = [f for f in files if ".tmp" not in f.name]
    if not files:
        raise FileNotFoundError(f"no {split} shards in {cache}; build them with "
                                f"`python -m fastsam3d_tools.train.dataset --count N`")
    parts = [dict(np.load(f)) for f in files]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def unpack_occ(packed: np.ndarray, resolution: int = 32) -> np.ndarray:
    return np.unpackbits(packed, axis=-1)[..., : resolution ** 3].reshape(-1, resolution, resolution, resolution)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--count", type=int, default=1200)
    ap.add_argument("--split", default="train")
    ap.add_argument("--out", type=Path, default=CACHE)
    a = ap.parse_args(argv)
    a.out.mkdir(parents=True, exist_ok=True)
    for first in range(0, a.count, SHARD):
        t = time.time()
        p = build_shard(first, a.split, a.out)
        print(f"{p.name} {time.time() - t:.1f}s", flush=True)


if __name__ == "__main__":
    main()
