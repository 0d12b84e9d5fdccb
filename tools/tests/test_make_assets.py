"""The benchmark writer: the committed held-out set is what it writes, and the validation split is a
different set of objects in the same layout."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fastsam3d_tools.data.camera import DEFAULT_FOV_DEG, LAYOUT_DEPTH, LAYOUT_SCALE, sample_layout
from fastsam3d_tools.data.make_assets import REPO, write_benchmark


def _items(root: Path, first: int | None = None):
    dirs = sorted(d for d in root.iterdir() if d.is_dir())[:first]
    return [json.loads((d / "gt.json").read_text()) for d in dirs]


def test_heldout_writer_matches_the_committed_benchmark(tmp_path):
    idx = write_benchmark(tmp_path, count=2, size=256)
    # The layout prior the 3D-IoU ceiling reads (bench/depth-ceiling.ts) is the one the scenes were drawn from.
    committed_index = json.loads((REPO / "resources" / "benchmark" / "index.json").read_text())
    assert idx["layoutPrior"] == committed_index["layoutPrior"]
    assert (tuple(idx["layoutPrior"]["depth"]), tuple(idx["layoutPrior"]["scale"])) == (LAYOUT_DEPTH, LAYOUT_SCALE)
    assert sample_layout.__defaults__[:2] == (LAYOUT_DEPTH, LAYOUT_SCALE)
    ours = _items(tmp_path)
    committed = _items(REPO / "resources" / "benchmark", first=2)
    assert [(g["name"], g["seed"], g["layout"]) for g in ours] == [(g["name"], g["seed"], g["layout"]) for g in committed]
    # 00-mug stands behind another object: the mask of what is in front is written beside its own.
    assert [g["occluderMasks"] for g in ours] == [g["occluderMasks"] for g in committed] == [["1.png"], []]
    # and the layout of what is in front, whose apparent size the 3D-IoU ceiling counts as a depth cue
    assert [g["occluderLayouts"] for g in ours] == [g["occluderLayouts"] for g in committed]
    assert len(ours[0]["occluderLayouts"]) == 1 and ours[1]["occluderLayouts"] == []
    for g in ours:
        for f in ("image.png", "0.png", *g["occluderMasks"]):
            assert (tmp_path / g["name"] / f).read_bytes() == (REPO / "resources" / "benchmark" / g["name"] / f).read_bytes()


def test_validation_split_has_the_benchmark_layout_and_other_objects(tmp_path):
    idx = write_benchmark(tmp_path / "val", count=2, size=64, what="validation")
    assert idx["count"] == 2 and "make_assets validation" in idx["generator"]
    val = _items(tmp_path / "val")
    assert all(g["split"] == "validation" for g in val)
    assert all((tmp_path / "val" / g["name"] / f).is_file() for g in val for f in ("image.png", "0.png", "gt.ply"))
    heldout = _items(REPO / "resources" / "benchmark", first=2)
    assert [g["layout"] for g in val] != [g["layout"] for g in heldout]


def test_a_targets_depth_given_its_apparent_size_and_place_is_weighted_by_depth():
    """bench/depth-ceiling.ts takes p(z | s/z, x/z, y/z) ∝ z from sample_layout's draws: uniform z and s, and a
    centre whose range across the frame over z depends on s/z alone. A change to sample_layout that breaks it
    (a margin not proportional to z and s, say) fails here."""
    rng = np.random.default_rng(3)
    rho, u, width = 0.36, 0.05, 0.006
    kept = []
    for _ in range(60_000):
        lay = sample_layout(rng, DEFAULT_FOV_DEG)
        z = lay.translation[2]
        if abs(lay.scale / z - rho) < width and abs(lay.translation[0] / z - u) < 0.05:
            kept.append(z)
    kept = np.sort(np.array(kept))
    assert len(kept) > 400
    lo, hi = max(LAYOUT_DEPTH[0], LAYOUT_SCALE[0] / rho), min(LAYOUT_DEPTH[1], LAYOUT_SCALE[1] / rho)
    cdf = lambda z: (z ** 2 - lo ** 2) / (hi ** 2 - lo ** 2)   # ∝ z on [lo, hi]
    gap = lambda f: np.max(np.abs(np.arange(1, len(kept) + 1) / len(kept) - f(kept)))
    # ∝ z fits (0.020 at this seed); flat (0.074) and ∝ z² (0.067) do not
    assert gap(cdf) < 0.045
    assert gap(lambda z: (z - lo) / (hi - lo)) > 0.06 and gap(lambda z: (z ** 3 - lo ** 3) / (hi ** 3 - lo ** 3)) > 0.06


def test_make_assets_refuses_empty_sets_and_resizing_the_committed_benchmark(capsys, tmp_path):
    """`--count 0` (or less) and a count other than the committed set's over resources/benchmark are
    refused before anything is written; --out or --replace-committed say it is meant."""
    from fastsam3d_tools.data.make_assets import main

    index = REPO / "resources" / "benchmark" / "index.json"
    before = index.read_bytes()
    for argv, message in ((["validation", "--out", str(tmp_path / "never"), "--count", "0"], "at least 1 item"),
                          (["benchmark", "--count", "2"], "committed benchmark set has 24 items and --count is 2"),
                          (["examples", "--count", "2"], "--count is for the benchmark and validation sets")):
        with pytest.raises(SystemExit):
            main(argv)
        assert message in capsys.readouterr().err
    assert index.read_bytes() == before
    assert not (tmp_path / "never").exists()
