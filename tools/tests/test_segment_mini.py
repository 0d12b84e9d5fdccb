"""The committed trained pack models/seg-mini: valid, small, its card and manifest metrics are what the
pack actually gives on resources/examples (re-measured here through ONNX Runtime), and it segments the
examples far better than the random-weight seg-tiny."""
from __future__ import annotations

import json

import pytest

from fastsam3d_tools.segment.evaluate import SegPackPredictor, evaluate_images, load_examples
from fastsam3d_tools.segment.validate import validate_segpack


@pytest.fixture(scope="module")
def seg_mini_dir(repo_root):
    return repo_root / "models" / "seg-mini"


@pytest.fixture(scope="module")
def examples():
    return load_examples()


def test_seg_mini_is_valid_small_and_documented(seg_mini_dir):
    manifest = validate_segpack(seg_mini_dir, run=True)
    assert manifest["name"] == "seg-mini" and manifest["candidates"] == 3
    onnx_bytes = sum(p.stat().st_size for p in seg_mini_dir.glob("*.onnx"))
    assert onnx_bytes < 5 * 1024 * 1024
    card = (seg_mini_dir / "MODEL_CARD.md").read_text()
    assert "not a general-purpose segmenter" in card
    for name in ("heldout_scenes", "lamp_family", "examples"):
        m = manifest["metrics"][name]
        assert f"{m['mIoU_click1']:.3f} | {m['mIoU_click3']:.3f} | {m['mIoU_box']:.3f}" in card


def test_manifest_metrics_are_reproduced_on_the_examples(seg_mini_dir, examples):
    manifest = json.loads((seg_mini_dir / "manifest.json").read_text())
    got = evaluate_images(SegPackPredictor(seg_mini_dir), examples)
    want = manifest["metrics"]["examples"]
    assert got["objects"] == want["objects"] >= 8
    for k in ("mIoU_click1", "mIoU_click3", "mIoU_box"):
        assert got[k] == pytest.approx(want[k], abs=2e-3), k


def test_trained_pack_beats_random_weights_on_the_examples(seg_mini_dir, repo_root, examples):
    trained = evaluate_images(SegPackPredictor(seg_mini_dir), examples)
    random = evaluate_images(SegPackPredictor(repo_root / "models" / "seg-tiny"), examples)
    for k in ("mIoU_click1", "mIoU_box"):
        assert trained[k] > random[k] + 0.3, (k, trained[k], random[k])
    # a correction loop must not make things worse on average
    assert trained["mIoU_click3"] >= trained["mIoU_click1"] - 0.02
