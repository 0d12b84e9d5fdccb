"""SAM checkpoint conversion (fastsam3d_tools.segment.convert_sam) on a TINY randomly initialised Sam
built from segment_anything.modeling: save it as a checkpoint, convert, validate the pack and compare ONNX
Runtime with segment-anything's own PyTorch path (prompt encoder + mask decoder + postprocess_masks).
This proves the path a user with an official checkpoint takes; official weights are never run here."""
from __future__ import annotations

import re
from functools import partial

import numpy as np
import pytest
import torch

try:   # installed by tools/setup.sh; a missing install is a broken setup, not a reason to skip
    import segment_anything  # noqa: F401
except ImportError as e:
    raise ImportError("segment-anything is not installed: run tools/setup.sh (pip install -r "
                      "tools/requirements-segment.txt, apt python3-torchvision)") from e

from segment_anything.modeling import ImageEncoderViT, MaskDecoder, PromptEncoder, Sam, TwoWayTransformer  # noqa: E402

from fastsam3d_tools.export.parity import relative_error  # noqa: E402
from fastsam3d_tools.segment.contract import example_inputs, prompt_arrays  # noqa: E402
from fastsam3d_tools.segment.convert_sam import PENALTY, convert_checkpoint, sam_config  # noqa: E402
from fastsam3d_tools.segment.export import session  # noqa: E402
from fastsam3d_tools.segment.validate import validate_segpack  # noqa: E402


def tiny_sam(depth: int = 2, embed_dim: int = 32) -> Sam:
    """SAM's architecture (windowed + global ViT attention with relative positions, two-way transformer,
    4 mask tokens) at toy width and a 256² input: E = 16, M = 64. Another `depth` and `embed_dim` make
    "another SAM size" (as ViT-B/L/H differ) for the checkpoint-mismatch messages."""
    torch.manual_seed(0)
    img, patch, dim = 256, 16, 32
    e = img // patch
    sam = Sam(
        image_encoder=ImageEncoderViT(depth=depth, embed_dim=embed_dim, img_size=img, mlp_ratio=2.0, num_heads=2,
                                      norm_layer=partial(torch.nn.LayerNorm, eps=1e-6), patch_size=patch,
                                      qkv_bias=True, use_rel_pos=True, global_attn_indexes=[1], window_size=7,
                                      out_chans=dim),
        prompt_encoder=PromptEncoder(embed_dim=dim, image_embedding_size=(e, e), input_image_size=(img, img),
                                     mask_in_chans=4),
        mask_decoder=MaskDecoder(num_multimask_outputs=3, transformer=TwoWayTransformer(
            depth=2, embedding_dim=dim, mlp_dim=64, num_heads=2), transformer_dim=dim, iou_head_depth=3,
            iou_head_hidden_dim=32),
        pixel_mean=[123.675, 116.28, 103.53], pixel_std=[58.395, 57.12, 57.375])
    with torch.no_grad():   # random, non-zero relative position tables (SAM initialises them at zero)
        for name, p in sam.named_parameters():
            if "rel_pos" in name:
                p.normal_(0, 0.2)
    return sam.eval()


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    d = tmp_path_factory.mktemp("sam")
    ckpt = d / "sam_tiny.pth"
    torch.save(tiny_sam().state_dict(), ckpt)
    out = d / "seg-sam-tiny"
    manifest = convert_checkpoint(ckpt, "tiny", out, build=tiny_sam)   # validates + checks parity itself
    return out, manifest, tiny_sam()


def test_converted_pack_is_valid(converted):
    out, manifest, sam = converted
    assert validate_segpack(out, run=True)["name"] == "seg-sam-tiny"
    assert manifest["input"] == {"size": 256, "mean": [123.675, 116.28, 103.53], "std": [58.395, 57.12, 57.375]}
    assert manifest["embedding"] == {"channels": 32, "size": 16}
    assert manifest["maskInputSize"] == 64 and manifest["candidates"] == 4
    assert "Apache-2.0" in manifest["source"] and "sam_tiny.pth" in manifest["source"]
    assert sam_config(sam).candidates == 4


def _close(got, want, what, tol=1e-3):
    assert got.shape == want.shape, f"{what}: {got.shape} vs {want.shape}"
    err = relative_error(got, want)
    assert err < tol, f"{what}: ORT vs segment-anything relative error {err:.2e}"


def test_matches_segment_anything_pytorch(converted):
    out, manifest, sam = converted
    cfg = sam_config(sam)
    image = example_inputs("encoder", cfg, seed=5)["image"]
    (emb,) = session(out / "encoder.onnx").run(None, {"image": image})
    with torch.no_grad():
        want_emb = sam.image_encoder(torch.from_numpy(image))
    _close(emb, want_emb.numpy(), "image_embeddings")
    dec = session(out / "decoder.onnx")
    h, w = 300, 200                              # portrait: the resized image is 256 × 171, padded right
    clicks = np.array([[60.0, 100.0], [120.0, 30.0]])
    for n_clicks, box in ((1, None), (2, None), (0, (20.0, 40.0, 150.0, 220.0)), (1, (20.0, 40.0, 150.0, 220.0))):
        coords, labels = prompt_arrays(clicks[:n_clicks], [1, 0][:n_clicks], box)
        feeds = {"image_embeddings": emb, "point_coords": coords, "point_labels": labels,
                 "mask_input": np.zeros((1, 1, 64, 64), np.float32), "has_mask_input": np.zeros(1, np.float32),
                 "orig_im_size": np.array([h, w], np.float32)}
        iou, low, masks = dec.run(None, feeds)
        assert iou.shape == (1, 4) and low.shape == (1, 4, 64, 64) and masks.shape == (1, 4, h, w)
        with torch.no_grad():
            pts = (torch.from_numpy(clicks[:n_clicks]).float()[None], torch.tensor([[1.0, 0.0][:n_clicks]]))
            sparse, dense = sam.prompt_encoder(points=pts if n_clicks else None,
                                               boxes=torch.tensor([box]) if box else None, masks=None)
            many = coords.shape[1] > 2          # SAM's rule: single-mask output for more than two points
            want_low, want_iou = sam.mask_decoder(image_embeddings=want_emb, image_pe=sam.prompt_encoder.get_dense_pe(),
                                                  sparse_prompt_embeddings=sparse, dense_prompt_embeddings=dense,
                                                  multimask_output=not many)
            want_masks = sam.postprocess_masks(want_low, (256, int(200 * 256 / 300 + 0.5)), (h, w))
            _, other_iou = sam.mask_decoder(image_embeddings=want_emb, image_pe=sam.prompt_encoder.get_dense_pe(),
                                            sparse_prompt_embeddings=sparse, dense_prompt_embeddings=dense,
                                            multimask_output=many)
        pick = slice(0, 1) if many else slice(1, 4)
        what = f"{n_clicks} click(s), box {box is not None}"
        _close(low[:, pick], want_low.numpy(), f"low_res_masks, {what}")
        _close(iou[:, pick], want_iou.numpy(), f"iou_predictions, {what}")
        _close(masks[:, pick], want_masks.numpy(), f"masks, {what}")
        # the candidates SAM would not use for this prompt keep their prediction, lowered by PENALTY
        rest = slice(1, 4) if many else slice(0, 1)
        _close(iou[:, rest] + PENALTY, other_iou.numpy(), f"lowered iou_predictions, {what}")


def test_bad_checkpoints_say_what_to_do(tmp_path):
    with pytest.raises(SystemExit, match="no such file"):
        convert_checkpoint(tmp_path / "missing.pth", "vit_b", tmp_path / "out")
    (tmp_path / "junk.pth").write_bytes(b"not a checkpoint")
    with pytest.raises(SystemExit, match="not a readable PyTorch checkpoint"):
        convert_checkpoint(tmp_path / "junk.pth", "tiny", tmp_path / "out", build=tiny_sam)
    state = tiny_sam().state_dict()
    state.pop("mask_decoder.iou_token.weight")
    torch.save(state, tmp_path / "other.pth")
    with pytest.raises(SystemExit, match="does not match SAM tiny"):
        convert_checkpoint(tmp_path / "other.pth", "tiny", tmp_path / "out", build=tiny_sam)


def _refusal(tmp_path, state) -> str:
    torch.save(state, tmp_path / "ckpt.pth")
    with pytest.raises(SystemExit) as e:
        convert_checkpoint(tmp_path / "ckpt.pth", "tiny", tmp_path / "out", build=tiny_sam)
    assert not (tmp_path / "out").exists()
    return str(e.value)


def test_checkpoint_mismatch_names_keys_and_advises_model_type_only_for_another_size(tmp_path):
    """PyTorch's Missing / Unexpected / size-mismatch lists are summarised (first three of each, with
    counts); the --model-type advice is given only when the keys look like another SAM size."""
    state = tiny_sam().state_dict()
    state.pop("mask_decoder.iou_token.weight")
    msg = _refusal(tmp_path, state)
    assert "does not match SAM tiny: Missing key(s) (1): mask_decoder.iou_token.weight." in msg
    assert "--model-type" not in msg and "download the official checkpoint again" in msg

    state = tiny_sam().state_dict()
    state["mask_decoder.iou_token.weight"] = torch.zeros(2, 32)
    state["neck.extra.weight"] = torch.zeros(3)
    msg = _refusal(tmp_path, state)
    assert "Unexpected key(s) (1): neck.extra.weight" in msg
    assert "size mismatch (1): mask_decoder.iou_token.weight is 2×32 in the file, 1×32 in the model" in msg
    assert "--model-type" not in msg

    # Another size: deeper (extra encoder blocks) and wider (most encoder tensors change shape).
    msg = _refusal(tmp_path, tiny_sam(depth=4, embed_dim=48).state_dict())
    assert "Missing key(s)" not in msg
    assert re.search(r"Unexpected key\(s\) \((\d+)\): image_encoder\.blocks\.2\.[\w.]+, image_encoder\.blocks\.2\.[\w.]+, "
                     r"image_encoder\.blocks\.2\.[\w.]+, … \(\d+ more\)", msg), msg
    assert re.search(r"size mismatch \((\d+)\): image_encoder\.\S+ is \S+ in the file, \S+ in the model", msg), msg
    assert "looks like another SAM size: pass the --model-type of the file (vit_b, vit_l, vit_h" in msg
    # Only shallower: whole blocks missing, nothing else different.
    assert "--model-type" in _refusal(tmp_path, {k: v for k, v in tiny_sam().state_dict().items()
                                                 if not k.startswith("image_encoder.blocks.1.")})
