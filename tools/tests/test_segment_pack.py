"""Segmentation packs (docs/segmentation-pack.md): the committed seg-tiny fixture, the contract's graph
signatures, a dynamic number of points, ORT vs PyTorch parity, prompt rasterisation and the validator."""
from __future__ import annotations

import json
import shutil

import numpy as np
import onnx
import pytest
import torch

from fastsam3d_tools.export.validate import _value_info
from fastsam3d_tools.segment import SEGPACK_FORMAT
from fastsam3d_tools.segment.build_tiny import build_tiny_models, tiny_config
from fastsam3d_tools.segment.contract import (DECODER_INPUTS, DECODER_OUTPUTS, example_inputs, prompt_arrays,
                                              resized_size)
from fastsam3d_tools.segment.export import check_parity, session
from fastsam3d_tools.segment.net import BLOB_SIGMAS, rasterise_prompts
from fastsam3d_tools.segment.validate import SegPackValidationError, validate_segpack


@pytest.fixture(scope="module")
def seg_tiny_dir(repo_root):
    return repo_root / "models" / "seg-tiny"


@pytest.fixture(scope="module")
def tiny_models():
    return build_tiny_models()


def test_seg_tiny_is_valid_and_small(seg_tiny_dir):
    manifest = validate_segpack(seg_tiny_dir, run=True)
    assert manifest["format"] == SEGPACK_FORMAT
    assert manifest["input"]["size"] == 256 and manifest["embedding"] == {"channels": 8, "size": 64}
    assert sorted(p.name for p in seg_tiny_dir.iterdir()) == ["decoder.onnx", "encoder.onnx", "manifest.json"]
    assert sum(p.stat().st_size for p in seg_tiny_dir.iterdir()) < 1024 * 1024


def test_graphs_have_the_contract_signature(seg_tiny_dir):
    enc = onnx.load(str(seg_tiny_dir / "encoder.onnx")).graph
    assert [v.name for v in enc.input] == ["image"]
    assert _value_info(enc.input[0]) == {"dtype": "float32", "shape": [1, 3, 256, 256]}
    assert _value_info(enc.output[0]) == {"dtype": "float32", "shape": [1, 8, 64, 64]}
    dec = onnx.load(str(seg_tiny_dir / "decoder.onnx")).graph
    assert [v.name for v in dec.input] == list(DECODER_INPUTS)
    assert [v.name for v in dec.output] == list(DECODER_OUTPUTS)
    shapes = {v.name: _value_info(v) for v in list(dec.input) + list(dec.output)}
    assert shapes["point_coords"] == {"dtype": "float32", "shape": [1, "N", 2]}
    assert shapes["point_labels"] == {"dtype": "float32", "shape": [1, "N"]}
    assert shapes["has_mask_input"]["shape"] == [1] and shapes["orig_im_size"]["shape"] == [2]
    assert shapes["low_res_masks"]["shape"] == [1, 3, 256, 256]
    assert shapes["masks"]["shape"] == [1, 3, "H", "W"]


@pytest.mark.parametrize("role", ["encoder", "decoder"])
def test_seg_tiny_matches_pytorch(role, seg_tiny_dir, tiny_models):
    """The committed graphs are reproduced by build_tiny's seeded weights, on every example variant
    (1–4 points, box or not, previous mask or not, four original sizes)."""
    net = tiny_models[0] if role == "encoder" else tiny_models[1]
    worst = check_parity(net, role, tiny_config(), seg_tiny_dir / f"{role}.onnx", rtol=1e-4,
                         variants=(0, 1) if role == "encoder" else (0, 1, 2, 3))
    assert worst < 1e-4


@pytest.mark.parametrize("n_clicks", [0, 1, 2, 7])
def test_decoder_takes_any_number_of_points(n_clicks, seg_tiny_dir, tiny_models):
    rng = np.random.default_rng(n_clicks)
    feeds = example_inputs("decoder", tiny_config(), variant=0)
    pts = rng.uniform(0, 192, (n_clicks, 2))
    labels = rng.integers(0, 2, n_clicks)
    feeds["point_coords"], feeds["point_labels"] = prompt_arrays(pts, labels, box=(10, 20, 150, 180) if n_clicks == 0 else None)
    feeds["orig_im_size"] = np.asarray([300, 400], np.float32)
    iou, low, masks = session(seg_tiny_dir / "decoder.onnx").run(None, feeds)
    assert iou.shape == (1, 3) and low.shape == (1, 3, 256, 256) and masks.shape == (1, 3, 300, 400)
    with torch.no_grad():
        want = tiny_models[1](*[torch.from_numpy(feeds[n]) for n in DECODER_INPUTS])
    np.testing.assert_allclose(low, want[1].numpy(), atol=1e-4 * float(np.abs(want[1].numpy()).max()))


def test_masks_output_is_the_unpadded_region_resized(seg_tiny_dir):
    """`masks` = low_res_masks cropped to the resized image's region and resized to (H, W): a wide image
    uses the top rows only, so the bottom padding rows never leak into the full-size mask."""
    feeds = example_inputs("decoder", tiny_config(), variant=1)
    h, w = 100, 400
    feeds["orig_im_size"] = np.asarray([h, w], np.float32)
    iou, low, masks = session(seg_tiny_dir / "decoder.onnx").run(None, feeds)
    rh, rw = resized_size(h, w, 256)
    assert (rh, rw) == (64, 256)
    crop = torch.from_numpy(low[:, :, :rh, :rw])
    want = torch.nn.functional.interpolate(crop, size=(h, w), mode="bilinear", align_corners=False).numpy()
    np.testing.assert_allclose(masks, want, atol=1e-4 * float(np.abs(want).max()))


def test_prompt_maps_follow_the_prompts():
    e, s = 64, 256
    coords, labels = prompt_arrays([(100, 60), (20, 200)], [1, 0], box=(128, 128, 255, 191))
    m = torch.zeros(1, 1, s, s)
    maps = rasterise_prompts(torch.from_numpy(coords), torch.from_numpy(labels), m, torch.zeros(1), s, e, s)[0]
    n = len(BLOB_SIGMAS)
    pos, neg, box = maps[0], maps[n], maps[2 * n]
    # click at pixel (100, 60) → embedding cell (25, 15); negative at (20, 200) → (5, 50)
    assert np.unravel_index(int(pos.argmax()), pos.shape) == (15, 25)
    assert np.unravel_index(int(neg.argmax()), neg.shape) == (50, 5)
    assert float(pos[50, 5]) < 1e-6 and float(neg[15, 25]) < 1e-6
    assert float(box[40, 48]) > 0.9 and float(box[10, 10]) < 1e-3 and float(box[40, 10]) < 1e-3
    # only the padding point: nothing drawn; no previous mask: zero map even when mask_input is not
    coords, labels = prompt_arrays()
    empty = rasterise_prompts(torch.from_numpy(coords), torch.from_numpy(labels), torch.ones(1, 1, s, s),
                              torch.zeros(1), s, e, s)
    assert float(empty.abs().max()) == 0.0


def test_validator_names_the_problem(seg_tiny_dir, tmp_path):
    bad = tmp_path / "pack"
    shutil.copytree(seg_tiny_dir, bad)
    manifest = json.loads((bad / "manifest.json").read_text())
    manifest["embedding"]["channels"] = 16
    (bad / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SegPackValidationError, match=r"image_embeddings has shape"):
        validate_segpack(bad)
    (bad / "decoder.onnx").write_bytes(b"not onnx")
    with pytest.raises(SegPackValidationError, match=r"decoder.onnx: sha256"):
        validate_segpack(bad)
    manifest["format"] = "fastsam3d-pack/1"
    (bad / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(SegPackValidationError, match=r"not a segmentation pack"):
        validate_segpack(bad)
