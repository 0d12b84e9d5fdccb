"""The segmentation pack contract in code: sizes (SegPackConfig), input/output signatures of
encoder.onnx and decoder.onnx in the contract's order, and example inputs for tracing, validation and
parity checks. docs/segmentation-pack.md is the prose version; keep the two in step."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Tuple, Union

import numpy as np

# SAM's pixel statistics on 0–255 values (the contract's default `input.mean` / `input.std`).
SAM_MEAN = (123.675, 116.28, 103.53)
SAM_STD = (58.395, 57.12, 57.375)

ROLES = ("encoder", "decoder")
ENCODER_INPUTS = ("image",)
ENCODER_OUTPUTS = ("image_embeddings",)
DECODER_INPUTS = ("image_embeddings", "point_coords", "point_labels", "mask_input", "has_mask_input",
                  "orig_im_size")
DECODER_OUTPUTS = ("iou_predictions", "low_res_masks", "masks")
# point_labels values
LABEL_PAD, LABEL_NEG, LABEL_POS, LABEL_BOX_TL, LABEL_BOX_BR = -1.0, 0.0, 1.0, 2.0, 3.0

Dim = Union[int, str]
Signature = Dict[str, Tuple[str, List[Dim]]]


@dataclass
class SegPackConfig:
    size: int = 256               # S: encoder input side (long side of the resized image, padded square)
    channels: int = 32            # C: embedding channels
    embedding_size: int = 64      # E: embedding side
    mask_size: int = 256          # M: mask_input / low_res_masks side
    candidates: int = 3           # K: mask candidates per prompt
    mean: Tuple[float, float, float] = SAM_MEAN
    std: Tuple[float, float, float] = SAM_STD


def signatures(cfg: SegPackConfig) -> Dict[str, Tuple[Signature, Signature]]:
    """(inputs, outputs) per role. Strings are dynamic axes: N points, the original image's H × W."""
    f32 = "float32"
    s, c, e, m, k = cfg.size, cfg.channels, cfg.embedding_size, cfg.mask_size, cfg.candidates
    return {
        "encoder": ({"image": (f32, [1, 3, s, s])}, {"image_embeddings": (f32, [1, c, e, e])}),
        "decoder": (
            {"image_embeddings": (f32, [1, c, e, e]), "point_coords": (f32, [1, "N", 2]),
             "point_labels": (f32, [1, "N"]), "mask_input": (f32, [1, 1, m, m]), "has_mask_input": (f32, [1]),
             "orig_im_size": (f32, [2])},
            {"iou_predictions": (f32, [1, k]), "low_res_masks": (f32, [1, k, m, m]),
             "masks": (f32, [1, k, "H", "W"])}),
    }


def resized_size(h: int, w: int, size: int) -> Tuple[int, int]:
    """(h', w') of an H × W image whose long side is resized to `size` (SAM's ResizeLongestSide)."""
    scale = size / max(h, w)
    return int(h * scale + 0.5), int(w * scale + 0.5)


def prompt_arrays(points=(), labels=(), box=None) -> Tuple[np.ndarray, np.ndarray]:
    """point_coords (1, N, 2) and point_labels (1, N) as the studio builds them: clicks, then the box's
    two corners (labels 2, 3) or, without a box, SAM's padding point (0, 0) with label −1."""
    pts = [list(map(float, p)) for p in points]
    labs = [float(v) for v in labels]
    if len(pts) != len(labs):
        raise ValueError(f"{len(pts)} points but {len(labs)} labels: give one label (1 or 0) per point")
    if box is not None:
        x0, y0, x1, y1 = map(float, box)
        pts += [[x0, y0], [x1, y1]]
        labs += [LABEL_BOX_TL, LABEL_BOX_BR]
    else:
        pts.append([0.0, 0.0])
        labs.append(LABEL_PAD)
    return np.asarray(pts, np.float32)[None], np.asarray(labs, np.float32)[None]


def example_inputs(role: str, cfg: SegPackConfig, seed: int = 0, variant: int = 0) -> Dict[str, np.ndarray]:
    """Inputs for `role`; variants differ in the dynamic axes (number of points, box or not, previous
    mask or not, original image size) so parity checks cover every path of the decoder."""
    rng = np.random.default_rng([seed, variant])
    if role == "encoder":
        img = rng.uniform(0, 255, (1, 3, cfg.size, cfg.size)).astype(np.float32)
        return {"image": ((img - np.asarray(cfg.mean, np.float32)[:, None, None])
                          / np.asarray(cfg.std, np.float32)[:, None, None]).astype(np.float32)}
    if role != "decoder":
        raise ValueError(f"unknown role {role!r}; use one of {ROLES}")
    orig = [(480, 640), (300, 200), (256, 256), (97, 333)][variant % 4]
    h, w = resized_size(*orig, cfg.size)
    n_clicks = [1, 3, 0, 2][variant % 4]
    pts = np.stack([rng.uniform(0, w, n_clicks), rng.uniform(0, h, n_clicks)], 1)
    labels = rng.integers(0, 2, n_clicks)
    if n_clicks:
        labels[0] = 1
    box = None
    if variant % 4 in (2, 3):
        x0, y0 = rng.uniform(0, w / 2), rng.uniform(0, h / 2)
        box = (x0, y0, rng.uniform(x0 + 4, w), rng.uniform(y0 + 4, h))
    coords, labs = prompt_arrays(pts, labels, box)
    has_mask = variant % 2 == 1
    mask = (rng.normal(0, 4, (1, 1, cfg.mask_size, cfg.mask_size)) if has_mask
            else np.zeros((1, 1, cfg.mask_size, cfg.mask_size)))
    emb = rng.normal(0, 1, (1, cfg.channels, cfg.embedding_size, cfg.embedding_size))
    return {"image_embeddings": emb.astype(np.float32), "point_coords": coords, "point_labels": labs,
            "mask_input": mask.astype(np.float32), "has_mask_input": np.asarray([float(has_mask)], np.float32),
            "orig_im_size": np.asarray(orig, np.float32)}
