"""Does the condition encoder keep the object's colour? A linear probe on `cond_slat`.

    PYTHONPATH=. .venv/bin/python -m fastsam3d_tools.train.probe_colour      (from tools/, about a minute)

Renders `--samples` training-stream objects (seeds from dataset.UNSEEN_FIRST_SEED, never cached), makes
six colour variants of each by permuting the RGB channels inside the object mask, and fits a ridge
regression from the token-mean of `cond_slat` to the object's mean RGB in the crop (4-fold, folds by
object so a variant never tests its own object). Reports R² for the trained encoder (stage 4's, the
one the pack exports) and for a randomly initialised one of the same architecture: the SLaT flow can
only decode colours that `cond_slat` carries. Needs no render cache.
"""
from __future__ import annotations

import itertools

import numpy as np
import torch

from .. import cli
from ..modules import ConditionEncoder
from .common import CHECKPOINTS, load_checkpoint, stage_weights
from .dataset import UNSEEN_FIRST_SEED, make_sample
from .sizes import add_config_argument, pack_config

RIDGE = 10.0
FOLDS = 4


def colour_variants(samples):
    """(image, mask, object mean RGB in the crop, object index) for every channel permutation."""
    for i, s in enumerate(samples):
        img = s["image"].astype(np.float32) / 255.0            # (2, 3, S, S): crop, full frame
        msk = s["mask"].astype(np.float32)                     # (2, 1, S, S)
        inside = msk[:, 0] > 0.5
        for perm in itertools.permutations(range(3)):
            v = np.where(inside[:, None], img[:, list(perm)], img)
            yield v, msk, v[0][:, inside[0]].mean(axis=1), i


def pooled_cond_slat(enc: ConditionEncoder, img: np.ndarray, msk: np.ndarray) -> np.ndarray:
    with torch.no_grad():
        _, cond_slat = enc(torch.from_numpy(np.ascontiguousarray(img)), torch.from_numpy(msk))
    return cond_slat.mean(dim=1)[0].numpy()


def ridge_r2(x: np.ndarray, y: np.ndarray, groups: np.ndarray) -> float:
    """Mean held-out R² over the folds (features standardised on the training part)."""
    scores = []
    for f in range(FOLDS):
        test = groups % FOLDS == f
        train = ~test
        mu, sd = x[train].mean(0), x[train].std(0) + 1e-6
        a = (x - mu) / sd
        y0 = y[train].mean(0)
        w = np.linalg.solve(a[train].T @ a[train] + RIDGE * np.eye(a.shape[1]), a[train].T @ (y[train] - y0))
        pred = a[test] @ w + y0
        scores.append(1.0 - ((pred - y[test]) ** 2).sum() / ((y[test] - y[test].mean(0)) ** 2).sum())
    return float(np.mean(scores))


def build_parser():
    ap = cli.parser(__doc__)
    ap.add_argument("--samples", type=int, default=36, help="objects to render (× 6 colour variants)")
    add_config_argument(ap)
    return ap


@cli.command
def main(argv=None) -> None:
    a = build_parser().parse_args(argv)
    if a.samples < FOLDS:
        raise cli.UsageError(f"--samples {a.samples}: the {FOLDS}-fold probe needs at least {FOLDS} objects")
    torch.manual_seed(0)
    cfg = pack_config(a.config)
    trained = ConditionEncoder(cfg)
    # a checkpoint from before the appearance path has no proj_slat_rgb: it stays at its zero start,
    # which is exactly the encoder that checkpoint was trained as
    missing = trained.load_state_dict(stage_weights(load_checkpoint(CHECKPOINTS / "slat_flow.pt"), "condition"),
                                      strict=False).missing_keys
    if missing:
        print(f"not in the checkpoint, left at their zero start: {', '.join(missing)}")
    encoders = {"trained (stage 4)": trained.eval(), "random init": ConditionEncoder(cfg).eval()}
    samples = [s for s in (make_sample(UNSEEN_FIRST_SEED + k, "train") for k in range(a.samples)) if s]
    feats = {name: [] for name in encoders}
    ys, groups = [], []
    for img, msk, mean_rgb, i in colour_variants(samples):
        for name, enc in encoders.items():
            feats[name].append(pooled_cond_slat(enc, img, msk))
        ys.append(mean_rgb)
        groups.append(i)
    y, g = np.array(ys), np.array(groups)
    print(f"{len(samples)} objects × 6 colour variants; ridge {RIDGE}, {FOLDS}-fold by object")
    for name, x in feats.items():
        print(f"{name:18s} R² of the mean object RGB from pooled cond_slat: {ridge_r2(np.array(x), y, g):.3f}")


if __name__ == "__main__":
    main()
