"""The benchmark writer: the committed held-out set is what it writes, and the validation split is a
different set of objects in the same layout."""
from __future__ import annotations

import json
from pathlib import Path

from fastsam3d_tools.data.camera import LAYOUT_DEPTH, LAYOUT_SCALE, sample_layout
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
