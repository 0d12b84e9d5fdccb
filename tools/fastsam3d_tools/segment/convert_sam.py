"""Convert an official Segment Anything checkpoint (SAM ViT-B/L/H, Apache-2.0) into a segmentation pack
(docs/segmentation-pack.md) with the PyPI package segment-anything==1.0 (model code only, no weights;
install with `pip install -r tools/requirements-segment.txt`, which tools/setup.sh does).

    python -m fastsam3d_tools.segment.convert_sam --checkpoint sam_vit_b_01ec64.pth --model-type vit_b \\
        --out ../models/seg-sam-vit-b

The weights themselves are downloaded by the user (https://github.com/facebookresearch/segment-anything,
"Model Checkpoints") on a machine with internet; no registry reachable from the build machine ships them.

encoder.onnx is SAM's image encoder alone (input `image`: the normalised, right/bottom-padded 1024²
image, as the studio's preprocessing makes it; output `image_embeddings` (1, 256, 64, 64)). decoder.onnx
is segment-anything's own `SamOnnxModel` (prompt encoder + mask decoder + mask postprocessing) with
return_single_mask=False, wrapped so that
  * outputs are named and ordered as the contract (iou_predictions, low_res_masks, masks);
  * K = 4 candidates as SAM produces them: index 0 is SAM's single-mask output (what SAM uses when the
    prompt has several points), 1–3 its multimask outputs (used for one click or a box alone). SAM's
    own rule picks among them by the number of prompt points; the wrapper applies that rule to
    `iou_predictions` by lowering the score of the candidates SAM would not use by 2 (below any real
    IoU), so the contract's "highest iou_predictions wins" selects what SAM itself would select;
  * the crop of the padded region in `masks` follows `orig_im_size` at run time (segment-anything 1.0
    converts the crop size to a Python int, which the tracer freezes at the traced example's size).
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Callable

import torch
import torch.nn as nn

from .. import cli
from ..export.staging import refuse_other_pack
from . import SEGPACK_FORMAT
from .contract import SegPackConfig
from .export import export_segpack
from .net import upscale_masks

MODEL_TYPES = ("vit_b", "vit_l", "vit_h")
PENALTY = 2.0     # subtracted from the predicted IoU of candidates SAM's own rule would not pick


def import_segment_anything():
    try:
        import segment_anything  # noqa: F401
        from segment_anything.utils.onnx import SamOnnxModel  # noqa: F401
    except ImportError as e:
        raise cli.ToolError(f"segment-anything is not importable ({e}). Install it into tools/.venv with "
                         "`tools/.venv/bin/python -m pip install -r tools/requirements-segment.txt` (it also "
                         "needs torchvision: Debian python3-torchvision, installed by tools/setup.sh)") from None
    return segment_anything


class SamEncoder(nn.Module):
    """SAM's image encoder alone: normalisation and padding are the studio's preprocessing."""

    def __init__(self, sam):
        super().__init__()
        self.image_encoder = sam.image_encoder

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return self.image_encoder(image)


def make_decoder(sam) -> nn.Module:
    from segment_anything.utils.onnx import SamOnnxModel

    class _SamOnnxModel(SamOnnxModel):
        def mask_postprocessing(self, masks: torch.Tensor, orig_im_size: torch.Tensor) -> torch.Tensor:
            return upscale_masks(masks, orig_im_size, self.img_size)

    class SamDecoder(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = _SamOnnxModel(sam, return_single_mask=False)

        def forward(self, image_embeddings, point_coords, point_labels, mask_input, has_mask_input, orig_im_size):
            masks, scores, low_res = self.inner(image_embeddings, point_coords, point_labels, mask_input,
                                                has_mask_input, orig_im_size)
            # SAM's choice (SamOnnxModel.select_masks): single-mask output when there are more than 2
            # prompt points (padding and box corners count), else the best multimask output.
            n_points = torch.ones_like(point_labels).sum(1)                      # (1,), traced dynamically
            many = (n_points > 2.5).to(scores.dtype).unsqueeze(1)                 # (1, 1)
            first = torch.zeros_like(scores)
            first[:, 0] = 1.0
            usable = first * many + (1 - first) * (1 - many)
            return scores - PENALTY * (1 - usable), low_res, masks

    return SamDecoder()


def sam_config(sam) -> SegPackConfig:
    enc = sam.image_encoder
    e = sam.prompt_encoder.image_embedding_size[0]
    return SegPackConfig(size=int(enc.img_size), channels=int(sam.prompt_encoder.embed_dim), embedding_size=int(e),
                         mask_size=int(sam.prompt_encoder.mask_input_size[0]),
                         candidates=int(sam.mask_decoder.num_mask_tokens),
                         mean=tuple(round(float(v), 4) for v in sam.pixel_mean.flatten()),   # float32 → JSON
                         std=tuple(round(float(v), 4) for v in sam.pixel_std.flatten()))


def load_checkpoint(sam, checkpoint: Path, model_type: str = "custom"):
    """Load a SAM state dict into `sam`, with errors that say what to do."""
    checkpoint = Path(checkpoint)
    cli.input_file(checkpoint, "--checkpoint", hint="download the official checkpoint (e.g. "
                   "sam_vit_b_01ec64.pth) and pass its path with --checkpoint")
    try:
        state = torch.load(checkpoint, map_location="cpu")
    except Exception as e:   # pickle / zip errors: a truncated download or not a checkpoint at all
        raise cli.UsageError(f"{checkpoint}: not a readable PyTorch checkpoint ({type(e).__name__}: {e}); "
                             "download it again") from None
    if isinstance(state, dict) and "model" in state and isinstance(state["model"], dict):
        state = state["model"]
    if not isinstance(state, dict):
        raise cli.UsageError(f"{checkpoint}: holds a {type(state).__name__}, not a SAM state dict; give the official "
                             "checkpoint file (e.g. sam_vit_b_01ec64.pth)")
    mismatch = state_dict_mismatch(sam.state_dict(), state)
    if mismatch:
        raise cli.UsageError(f"{checkpoint}: does not match SAM {model_type}: {mismatch_summary(mismatch)}. "
                             + mismatch_advice(mismatch)) from None
    try:
        sam.load_state_dict(state)
    except RuntimeError as e:   # what the comparison above cannot see (a value that is not a tensor, …)
        detail = "; ".join(line.strip() for line in str(e).splitlines()[1:4] if line.strip()) or str(e)
        raise cli.UsageError(f"{checkpoint}: does not match SAM {model_type} ({detail}); download the official "
                             "checkpoint again") from None
    return sam.eval()


def state_dict_mismatch(model: dict, state: dict) -> dict:
    """How a checkpoint's state dict differs from the model's: missing and unexpected keys, and the keys
    whose tensor shapes differ as (key, checkpoint shape, model shape). Empty when they fit."""
    missing = [k for k in model if k not in state]
    unexpected = [k for k in state if k not in model]
    shapes = [(k, tuple(getattr(state[k], "shape", ())), tuple(model[k].shape)) for k in model
              if k in state and tuple(getattr(state[k], "shape", ())) != tuple(model[k].shape)]
    out = {"missing": missing, "unexpected": unexpected, "size": shapes, "total": len(model)}
    return out if missing or unexpected or shapes else {}


def _first(items, n=3) -> str:
    return ", ".join(items[:n]) + (f", … ({len(items) - n} more)" if len(items) > n else "")


def mismatch_summary(m: dict) -> str:
    """PyTorch's three kinds of load_state_dict problems, first three of each with counts."""
    dims = lambda s: "×".join(map(str, s)) or "scalar"   # noqa: E731
    parts = []
    if m["missing"]:
        parts.append(f"Missing key(s) ({len(m['missing'])}): {_first(m['missing'])}")
    if m["unexpected"]:
        parts.append(f"Unexpected key(s) ({len(m['unexpected'])}): {_first(m['unexpected'])}")
    if m["size"]:
        parts.append(f"size mismatch ({len(m['size'])}): "
                     + _first([f"{k} is {dims(got)} in the file, {dims(want)} in the model" for k, got, want in m["size"]]))
    return "; ".join(parts)


_BLOCK = re.compile(r"^image_encoder\.blocks\.(\d+)\.")


def looks_like_other_size(m: dict) -> bool:
    """Whether the differences are those of another SAM size (ViT-B/L/H differ in depth and width): the
    only missing/unexpected keys are whole image-encoder blocks, or many tensors differ in shape (the
    width). One wrong-shaped or missing tensor is a damaged or modified file, not another size."""
    extra = m["missing"] + m["unexpected"]
    depth = bool(extra) and all(_BLOCK.match(k) for k in extra)
    width = len(m["size"]) >= max(3, m["total"] // 10)
    return depth or (width and not extra)


def mismatch_advice(m: dict) -> str:
    if looks_like_other_size(m):
        return (f"It looks like another SAM size: pass the --model-type of the file ({', '.join(MODEL_TYPES)}; "
                "vit_b for sam_vit_b_*.pth, …)")
    return ("The file is not an unmodified official SAM checkpoint (damaged, fine-tuned with other layers, or "
            "from another model — MobileSAM/EfficientSAM checkpoints need their own model code and are not "
            "supported by this converter); download the official checkpoint again")


def convert(sam, out: Path, *, name: str, source: str, version: str = "1.0.0", parity_rtol: float = 1e-3) -> dict:
    """Export `sam` (a segment_anything Sam, weights loaded) as a segmentation pack at `out`."""
    cfg = sam_config(sam)
    with torch.no_grad():
        return export_segpack(SamEncoder(sam).eval(), make_decoder(sam).eval(), cfg, out, name=name,
                              version=version, source=source, parity_rtol=parity_rtol,
                              description=f"Segment Anything ({name}) converted by fastsam3d_tools.segment."
                                          "convert_sam: image encoder + prompt decoder, K = 4 candidates "
                                          "(0: single-mask output, 1–3: multimask).")


def convert_checkpoint(checkpoint: Path, model_type: str, out: Path,
                       build: Callable[[], object] = None) -> dict:
    sa = import_segment_anything()
    if build is None:
        if model_type not in MODEL_TYPES:
            raise cli.UsageError(f"--model-type {model_type!r} is not one of {', '.join(MODEL_TYPES)}")
        build = sa.sam_model_registry[model_type]
    sam = load_checkpoint(build(), checkpoint, model_type)
    return convert(sam, out, name=Path(out).name,
                   source=f"Segment Anything {model_type} checkpoint {Path(checkpoint).name} (Meta AI, Apache-2.0), "
                          f"converted with segment-anything {getattr(sa, '__version__', '1.0')}")


def build_parser():
    ap = cli.parser(__doc__)
    ap.add_argument("--checkpoint", required=True, type=Path, metavar="FILE",
                    help="the official SAM checkpoint, e.g. sam_vit_b_01ec64.pth")
    ap.add_argument("--model-type", required=True, choices=MODEL_TYPES,
                    help="the checkpoint's architecture (vit_b for sam_vit_b_*.pth, …)")
    ap.add_argument("--out", required=True, type=Path, metavar="DIR",
                    help="segmentation pack folder to write (replaced all or nothing), e.g. ../models/seg-sam-vit-b")
    ap.add_argument("--threads", type=int, default=2, help="torch threads for the export and the parity check")
    return ap


@cli.command
def main(argv=None) -> int:
    a = build_parser().parse_args(argv)
    if a.threads < 1:
        raise cli.UsageError(f"--threads {a.threads}: must be 1 or more")
    # the paths before the minutes of loading, tracing and checking
    cli.input_file(a.checkpoint, "--checkpoint", hint="download the official checkpoint (e.g. "
                   "sam_vit_b_01ec64.pth) and pass its path with --checkpoint")
    refuse_other_pack(a.out, SEGPACK_FORMAT)
    torch.set_num_threads(a.threads)
    manifest = convert_checkpoint(a.checkpoint, a.model_type, a.out)
    size = sum(p.stat().st_size for p in a.out.iterdir() if p.is_file())
    print(f"wrote {a.out}: {manifest['name']}, input {manifest['input']['size']} px, {size / 2**20:.0f} MiB, "
          "validated and checked against PyTorch")
    return 0


if __name__ == "__main__":
    sys.exit(main())
