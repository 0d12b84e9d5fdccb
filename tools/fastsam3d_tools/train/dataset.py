"""Training sample cache: renders and targets drawn once from the generator and stored in shards
(tools/data/cache/<split>-<first seed>.npz, git-ignored), because rendering dominates the cost of a
sample on a CPU. Shards are written atomically and skipped when present, so the builder resumes.

    tools/.venv/bin/python -m fastsam3d_tools.train.dataset --count 1200   (from tools/, PYTHONPATH=.)
    python3 -m fastsam3d_tools.train.dataset --count 4800 --workers 16 --minutes 3    (a 16-core machine)

`--workers W` renders W shards at a time in separate processes (one core each; a shard's bytes do not
depend on W: the zip entries carry a fixed timestamp). `--minutes M` stops starting new shards after M
minutes (the ones under way finish), so a time-limited job keeps its budget; rerun to add the rest.
`--first S` starts at seed S instead of 0 (the rest can follow in a later run).
`--cache DIR` writes somewhere else than tools/data/cache (tests). `--shard-size` is for tests only:
keep one size per cache folder (a shard is named by its first seed).

A sample = one target object of one scene: condition inputs (crop + full frame, 128 px, uint8),
occupancy 32³ (bit-packed), layout (rot6d, translation, scale) and the (split, seed) that regenerates
the analytic shape for the SLaT stages.
"""
from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import time
import zipfile
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np

from .. import cli
from ..cli import atomic_path
from ..data.families import FAMILIES
from ..data.preprocess import condition_inputs
from ..data.scene import make_scene
from ..data.targets import occupancy

CACHE = Path(__file__).resolve().parents[2] / "data" / "cache"
FAMILY_INDEX = {f: i for i, f in enumerate(FAMILIES)}
SHARD = 100
# Seeds of the training stream from here on are never cached (build_cache refuses to reach them): the
# probes draw "unseen" objects of the training families here (probe_overfit, probe_colour).
UNSEEN_FIRST_SEED = 90_000


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


def shard_path(out: Path, split: str, first: int) -> Path:
    """A shard is named by its split and first seed."""
    return Path(out) / f"{split}-{first:06d}.npz"


def write_npz(path: Path, arrays: Dict[str, np.ndarray]) -> None:
    """np.savez_compressed's format (np.load reads it) with a fixed zip timestamp, so the same arrays
    always give the same bytes (np.savez stamps the current time into every entry)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for name, arr in arrays.items():
            info = zipfile.ZipInfo(name + ".npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with zf.open(info, "w", force_zip64=True) as f:
                np.lib.format.write_array(f, np.asanyarray(arr), allow_pickle=False)


def build_shard(first: int, split: str, out: Path, size: int = SHARD) -> Optional[Path]:
    """Render seeds [first, first + size) into one shard (atomic; kept when present). None when no
    seed of the range gave a usable sample (nothing to store)."""
    path = shard_path(out, split, first)
    if path.exists():
        return path
    rows: List[Dict] = [s for s in (make_sample(seed, split) for seed in range(first, first + size)) if s]
    if not rows:
        return None
    arrays = {k: np.stack([r[k] for r in rows]) for k in rows[0]}
    with atomic_path(path) as tmp:     # a full disk leaves no partial shard (a rerun renders it again)
        write_npz(tmp, arrays)
    return path


def _timed_shard(first: int, split: str, out: Path, size: int):
    t = time.time()
    return first, build_shard(first, split, out, size), time.time() - t


@contextlib.contextmanager
def _one_thread_per_worker():
    """The environment of processes started inside: one BLAS/OpenMP thread unless the caller set a
    count; the variables set here are removed again on the way out."""
    added = [v for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS") if v not in os.environ]
    os.environ.update(dict.fromkeys(added, "1"))
    try:
        yield
    finally:
        for var in added:
            os.environ.pop(var, None)


def check_range(count: int, split: str, first: int, size: int = SHARD) -> None:
    """ValueError unless seeds [first, count) can be cached in shards of `size`."""
    if split == "train" and count > UNSEEN_FIRST_SEED:
        raise ValueError(f"--count {count}: training seeds from {UNSEEN_FIRST_SEED} on are kept unseen for the "
                         f"probes (dataset.UNSEEN_FIRST_SEED); cache at most {UNSEEN_FIRST_SEED}")
    if first % size or not 0 <= first < count:
        raise ValueError(f"--first {first}: must be a multiple of the shard size {size} below --count {count}")


def build_cache(count: int, split: str = "train", out: Path = CACHE, workers: int = 1,
                minutes: Optional[float] = None, size: int = SHARD, first: int = 0) -> List[Path]:
    """Render the shards covering seeds [first, count) that are missing, `workers` at a time; with
    `minutes`, no shard starts after that budget. Returns the shards present for the range."""
    check_range(count, split, first, size)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    deadline = None if minutes is None else time.time() + minutes * 60
    firsts = list(range(first, count, size))
    todo = [f for f in firsts if not shard_path(out, split, f).exists()]
    print(f"{split}: {len(firsts) - len(todo)} of {len(firsts)} shards present, {len(todo)} to render "
          f"with {workers} worker(s)", flush=True)

    def report(first, path, seconds):
        print(f"{split}-{first:06d} {'empty' if path is None else 'done'} {seconds:.1f}s", flush=True)

    if workers <= 1:
        for first in todo:
            if deadline is not None and time.time() > deadline:
                break
            report(*_timed_shard(first, split, out, size))
    else:
        # spawn: workers import the package afresh (no forked threads or locks of the parent), and with one
        # BLAS/OpenMP thread each, as they read the environment at import: left at one thread per core,
        # every worker's small matmuls fought the others for the cores (53 s a shard instead of 31 s, two
        # workers on two cores).
        with _one_thread_per_worker(), \
                ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            queue, running = list(todo), set()
            while queue or running:
                while queue and len(running) < workers and (deadline is None or time.time() < deadline):
                    running.add(pool.submit(_timed_shard, queue.pop(0), split, out, size))
                if not running:
                    break                  # budget spent: the rest waits for the next run
                done, running = wait(running, return_when=FIRST_COMPLETED)
                for fut in done:
                    report(*fut.result())
    present = [p for p in (shard_path(out, split, f) for f in firsts) if p.exists()]
    missing = len(firsts) - len(present)
    print(f"{split}: {len(present)} shards present" + (f", {missing} not rendered (budget)" if missing else ""),
          flush=True)
    return present


def load_cache(split: str = "train", cache: Path = CACHE, part: int = 0,
               parts: Optional[int] = None) -> Dict[str, np.ndarray]:
    """The cache's samples as one array per field. `part` of `parts` takes every parts-th shard from the
    part-th on; by default this process's rank of a data-parallel run (data_parallel.py; the whole cache
    outside one), so its processes each hold a disjoint share: two processes holding the whole
    31,400-sample cache (4.2 GB raw, ~12 GB with the derived tables each) were killed for memory on the
    24 GiB machine. Each field is filled into one array allocated up front, so loading never holds the
    shards and their concatenation at once."""
    if parts is None:
        from . import data_parallel as dp     # here, not at the top: the render workers never need torch
        part, parts = dp.rank(), dp.world()
    files = sorted(f for f in cache.glob(f"{split}-*.npz") if ".tmp" not in f.name)
    if not files:
        raise FileNotFoundError(f"no {split} shards in {cache}; build them with "
                                f"`python -m fastsam3d_tools.train.dataset --count N`")
    files = files[part::parts]
    if not files:
        raise FileNotFoundError(f"{cache} holds fewer {split} shards than the {parts} processes sharing them; "
                                f"render more (`--count N`) or train with fewer --procs")
    lengths = []
    for f in files:                           # only the small `seed` entry is read to size the arrays
        with np.load(f) as shard:
            lengths.append(len(shard["seed"]))
    out: Dict[str, np.ndarray] = {}
    at = 0
    for f, n in zip(files, lengths):
        with np.load(f) as shard:
            for k in shard.files:
                a = shard[k]
                if k not in out:
                    out[k] = np.empty((sum(lengths),) + a.shape[1:], a.dtype)
                out[k][at:at + n] = a
        at += n
    return out


def unpack_occ(packed: np.ndarray, resolution: int = 32) -> np.ndarray:
    return np.unpackbits(packed, axis=-1)[..., : resolution ** 3].reshape(-1, resolution, resolution, resolution)


def build_parser():
    ap = cli.parser(__doc__)
    ap.add_argument("--count", type=int, default=1200,
                    help="samples (seeds FIRST … count − 1), rendered in shards of 100: a count that is not a "
                         "multiple of 100 is rounded up to the next whole shard")
    ap.add_argument("--first", type=int, default=0,
                    help="first seed (a multiple of 100): on a fresh machine with little time, render the "
                         "seeds the checkpoints have not trained on first (models/mini/MODEL_CARD.md, Data)")
    ap.add_argument("--split", default="train", choices=("train", "heldout", "validation"),
                    help="the generator's seed stream to render")
    ap.add_argument("--cache", "--out", dest="cache", type=Path, default=CACHE, metavar="DIR",
                    help="cache folder the shards are written to (created if missing; shards present are kept)")
    ap.add_argument("--workers", type=int, default=1, help="shards rendered in parallel (processes, one core each)")
    ap.add_argument("--minutes", type=float, default=None,
                    help="start no shard after this many minutes of wall-clock time (default: no limit)")
    ap.add_argument("--shard-size", type=int, default=SHARD, help=argparse.SUPPRESS)   # tests
    return ap


@cli.command
def main(argv=None) -> None:
    ap = build_parser()
    a = ap.parse_args(argv)
    if a.workers < 1 or a.shard_size < 1:
        raise cli.UsageError(f"--workers {a.workers}: must be 1 or more")
    try:
        check_range(a.count, a.split, a.first, a.shard_size)
    except ValueError as e:                 # --count / --first out of range: said before anything renders
        raise cli.UsageError(str(e)) from None
    cli.output_dir(a.cache, "--cache")
    build_cache(a.count, a.split, a.cache, a.workers, a.minutes, a.shard_size, a.first)

if __name__ == "__main__":
    main()
