"""mIoU of a segmentation pack, run through ONNX Runtime exactly as the studio uses it (preprocess →
encoder once → decoder per prompt → best candidate by iou_predictions → `masks` at the original size,
threshold 0), on held-out procedural scenes and on resources/examples (their N.png alpha is the truth).

Protocols per object: `click1` one click at the object's centre (the pixel farthest from its border),
`click3` two more correction clicks, each at the centre of the largest error region (positive in a
missed part, negative in a wrongly added part) with the previous logits as mask_input, `box` the tight
bounding box. `box_fill` is the IoU of the box itself taken as the mask (a reference, not the model).

    python -m fastsam3d_tools.segment.evaluate ../models/seg-mini [--heldout 40 --lamp 20]
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
from PIL import Image

from .. import cli
from .contract import prompt_arrays, resized_size
from .data import load_set
from .export import session
from .prompts import bbox, centre_click, correction_click
from .validate import config_from_manifest

REPO = Path(__file__).resolve().parents[3]
MIN_EVAL_PIXELS = 64
PROTOCOLS = ("click1", "click3", "box", "box_fill")


class SegPackPredictor:
    """A segmentation pack in ONNX Runtime with the contract's pre- and post-processing."""

    def __init__(self, pack_dir: Path):
        manifest = json.loads((Path(pack_dir) / "manifest.json").read_text())
        self.cfg = config_from_manifest(manifest)
        self.encoder = session(Path(pack_dir) / manifest["files"]["encoder"]["file"])
        self.decoder = session(Path(pack_dir) / manifest["files"]["decoder"]["file"])
        self.inputs = [i.name for i in self.decoder.get_inputs()]
        self.outputs = [o.name for o in self.decoder.get_outputs()]

    def encode(self, rgb: np.ndarray) -> np.ndarray:
        """rgb uint8 (H, W, 3) → image_embeddings: long side to S (bilinear), normalise, pad right/bottom."""
        s = self.cfg.size
        h, w = rgb.shape[:2]
        rh, rw = resized_size(h, w, s)
        im = np.asarray(Image.fromarray(rgb, "RGB").resize((rw, rh), Image.BILINEAR), np.float32)
        x = np.zeros((1, 3, s, s), np.float32)
        x[0, :, :rh, :rw] = ((im - np.asarray(self.cfg.mean, np.float32)) / np.asarray(self.cfg.std, np.float32)
                             ).transpose(2, 0, 1)
        return self.encoder.run(None, {"image": x})[0]

    def decode(self, emb: np.ndarray, hw: Tuple[int, int], points: Sequence[Tuple[float, float]] = (),
               labels: Sequence[float] = (), box: Optional[Tuple[float, float, float, float]] = None,
               previous: Optional[np.ndarray] = None) -> Tuple[np.ndarray, np.ndarray, float]:
        """Prompts in original pixels → (mask bool (H, W), the chosen candidate's low-res logits, its score)."""
        rh, rw = resized_size(hw[0], hw[1], self.cfg.size)
        sx, sy = rw / hw[1], rh / hw[0]          # per axis, as SAM's apply_coords and the studio
        pts = [(x * sx, y * sy) for x, y in points]
        bx = None if box is None else (box[0] * sx, box[1] * sy, box[2] * sx, box[3] * sy)
        coords, labs = prompt_arrays(pts, labels, bx)
        m = self.cfg.mask_size
        feeds = {"image_embeddings": emb, "point_coords": coords, "point_labels": labs,
                 "mask_input": (previous if previous is not None else np.zeros((m, m), np.float32))[None, None],
                 "has_mask_input": np.asarray([float(previous is not None)], np.float32),
                 "orig_im_size": np.asarray(hw, np.float32)}
        out = dict(zip(self.outputs, self.decoder.run(None, {k: v for k, v in feeds.items() if k in self.inputs})))
        k = int(np.argmax(out["iou_predictions"][0]))
        return out["masks"][0, k] > 0, out["low_res_masks"][0, k], float(out["iou_predictions"][0, k])


def iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 1.0


def evaluate_object(pred: SegPackPredictor, emb: np.ndarray, gt: np.ndarray) -> Dict[str, float]:
    hw = gt.shape
    x, y = centre_click(gt)
    points, labels = [(x, y)], [1.0]
    mask, low, _ = pred.decode(emb, hw, points, labels)
    res = {"click1": iou(mask, gt)}
    for _ in range(2):
        c = correction_click(mask, gt)
        if c is None:
            break
        points.append((c[0], c[1]))
        labels.append(c[2])
        mask, low, _ = pred.decode(emb, hw, points, labels, previous=low)
    res["click3"] = iou(mask, gt)
    b = bbox(gt)
    res["box"] = iou(pred.decode(emb, hw, box=b)[0], gt)
    fill = np.zeros_like(gt)
    fill[int(b[1]):int(b[3]) + 1, int(b[0]):int(b[2]) + 1] = True
    res["box_fill"] = iou(fill, gt)
    return res


def evaluate_images(pred: SegPackPredictor, items: List[Tuple[np.ndarray, np.ndarray]]) -> Dict[str, float]:
    """items: (rgb uint8 (H, W, 3), masks bool (T, H, W)); objects below MIN_EVAL_PIXELS are skipped."""
    scores: Dict[str, List[float]] = {p: [] for p in PROTOCOLS}
    for rgb, masks in items:
        emb = pred.encode(rgb)
        for gt in masks:
            if gt.sum() < MIN_EVAL_PIXELS:
                continue
            for k, v in evaluate_object(pred, emb, gt).items():
                scores[k].append(v)
    out = {f"mIoU_{k}": round(float(np.mean(v)), 4) for k, v in scores.items() if v}
    out["objects"] = len(scores["click1"])
    out["images"] = len(items)
    return out


def load_examples(root: Path = REPO / "resources" / "examples") -> List[Tuple[np.ndarray, np.ndarray]]:
    items = []
    for d in sorted(p for p in root.iterdir() if (p / "image.png").exists()):
        rgb = np.asarray(Image.open(d / "image.png").convert("RGB"))
        masks = [np.asarray(Image.open(f))[..., 3] > 127 for f in sorted(d.glob("[0-9]*.png"))]
        items.append((rgb, np.stack(masks)))
    return items


def evaluate_pack(pack_dir: Path, heldout: int = 40, lamp: int = 20) -> Dict[str, Dict[str, float]]:
    pred = SegPackPredictor(pack_dir)
    s = pred.cfg.size
    return {"heldout_scenes": evaluate_images(pred, load_set("heldout", heldout, s)),
            "lamp_family": evaluate_images(pred, load_set("lamp", lamp, s)),
            "examples": evaluate_images(pred, load_examples())}


def build_parser():
    ap = cli.parser(__doc__)
    ap.add_argument("pack_dir", type=Path, help="the segmentation pack folder (holding manifest.json)")
    ap.add_argument("--heldout", type=int, default=40,
                    help="held-out procedural scenes to score (rendered into the cache when missing)")
    ap.add_argument("--lamp", type=int, default=20, help="scenes of the held-out lamp family to score")
    return ap


@cli.command
def main(argv=None) -> int:
    a = build_parser().parse_args(argv)
    if a.heldout < 0 or a.lamp < 0:
        raise cli.UsageError(f"--heldout {a.heldout} / --lamp {a.lamp}: scene counts cannot be negative")
    cli.input_dir(a.pack_dir, "pack folder", containing=("manifest.json",),
                  hint="give a segmentation pack folder such as ../models/seg-mini")
    print(json.dumps(evaluate_pack(a.pack_dir, a.heldout, a.lamp), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
