"""Export the trained seg-mini checkpoint (tools/checkpoints/seg_mini.pt) to models/seg-mini: ONNX
graphs + manifest (validated, parity-checked), then mIoU measured through ONNX Runtime on held-out
procedural scenes, the held-out lamp family and resources/examples, written into the manifest's metrics
and MODEL_CARD.md.

    python -m fastsam3d_tools.segment.train --export ../models/seg-mini
"""
from __future__ import annotations

import json
import platform
from pathlib import Path

import torch

from .. import __version__
from ..export.manifest import write_manifest
from ..train.common import load_weights
from .contract import SegPackConfig
from .data import SETS
from .evaluate import MIN_EVAL_PIXELS, evaluate_pack
from .export import export_segpack
from .validate import validate_segpack

VERSION = "0.1.0"
HELDOUT_SCENES, LAMP_SCENES = 40, 20


def _params(m: torch.nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())


def export_mini(enc, dec, cfg: SegPackConfig, out: Path) -> dict:
    from .train import STAGE, WIDTH

    st = load_weights(STAGE, {"encoder": enc, "decoder": dec})
    enc.eval()
    dec.eval()
    extra = st.get("extra", {})
    manifest = export_segpack(
        enc, dec, cfg, out, name="seg-mini", version=VERSION,
        source=f"trained by this project on its procedural renders (tools/fastsam3d_tools/segment/train.py, "
               f"fastsam3d_tools {__version__}); see MODEL_CARD.md",
        description="Small click-to-segment network (conv encoder + prompt-raster U-net decoder, K = 3). Good on "
                    "images like the project's procedural renders; not a general-purpose segmenter.")
    metrics = evaluate_pack(out, HELDOUT_SCENES, LAMP_SCENES)
    manifest["metrics"] = metrics
    write_manifest(manifest, out)
    validate_segpack(out, run=True)
    size = {p.name: p.stat().st_size for p in sorted(Path(out).iterdir()) if p.suffix == ".onnx"}
    train_info = {"steps": int(st["step"]), "step_seconds": float(st.get("seconds", 0.0)),
                  "cpu_seconds": extra.get("cpu_seconds"), "scenes": extra.get("scenes"),
                  "render_cpu_seconds": extra.get("render_cpu_seconds"),
                  "params": {"encoder": _params(enc), "decoder": _params(dec)}, "width": WIDTH}
    (Path(out) / "MODEL_CARD.md").write_text(model_card(cfg, metrics, size, train_info))
    print(json.dumps(metrics, indent=2))
    return manifest


def _row(name: str, m: dict) -> str:
    return (f"| {name} | {m['images']} | {m['objects']} | {m['mIoU_click1']:.3f} | {m['mIoU_click3']:.3f} | "
            f"{m['mIoU_box']:.3f} | {m['mIoU_box_fill']:.3f} |")


def model_card(cfg: SegPackConfig, metrics: dict, size: dict, t: dict) -> str:
    cpu = f"{t['cpu_seconds'] / 60:.0f} CPU-minutes" if t.get("cpu_seconds") else "CPU time not recorded"
    if t.get("render_cpu_seconds"):
        cpu += f" (rendering the training scenes: {t['render_cpu_seconds'] / 60:.0f} more)"
    split, first, _ = SETS["train"]
    scenes = t.get("scenes") or "the cached"
    return f"""# seg-mini {VERSION} — model card

A small interactive segmentation network for the studio's click-to-segment (docs/segmentation-pack.md):
positive/negative clicks and a box give a mask. **Good on images like the project's procedural renders
(the examples in resources/examples are such images); it is not a general-purpose segmenter** — it has
never seen a photograph. For real photos convert an official SAM checkpoint
(`python -m fastsam3d_tools.segment.convert_sam`, see docs/segmentation-pack.md).

## Architecture and sizes

- Input {cfg.size}² (long side resized to {cfg.size}, SAM's normalisation, zero padding right/bottom).
- Encoder: stride-4 conv net with a stride-8/16 context pyramid → image_embeddings ({cfg.channels}, {cfg.embedding_size}, {cfg.embedding_size});
  {t['params']['encoder']:,} parameters, encoder.onnx {size.get('encoder.onnx', 0) / 1024:.0f} KiB.
- Decoder: prompts rasterised on the {cfg.embedding_size}² grid (Gaussian click blobs, soft box, previous mask logits),
  a small U-net, K = {cfg.candidates} mask candidates at {cfg.mask_size}² and an IoU head; any number of points;
  {t['params']['decoder']:,} parameters, decoder.onnx {size.get('decoder.onnx', 0) / 1024:.0f} KiB.

## Data

Procedural scenes from tools/fastsam3d_tools/data (`make_scene`, train split, seeds {first}–, {scenes} scenes):
1–3 target objects of the training families, an occluder in half of the one-target scenes, textured
backgrounds, rendered at {cfg.size} px with a mask per visible object. Augmentation: horizontal flips,
objects pasted in from other scenes, shrinking to 45–100 % and non-square crops (the padding the studio
adds to landscape/portrait photos). Prompts follow SAM's training: a first positive click (uniform or
interior), a jittered box (σ = 10 % of the side, ≤ 20 px) or two positive clicks; then one correction
click in the error region of the shown candidate with the previous logits as mask_input. Loss: BCE +
dice on the best of the K candidates, MSE of the IoU head to every candidate's true IoU.

## Training

{t['steps']} steps of batch 8 (two decoder passes each), {t['step_seconds'] / 60:.0f} minutes of wall-clock steps, {cpu},
on {platform.machine()} CPU with one PyTorch thread at `nice -n 19`, sharing a 2-core machine with other training. Resumable:
`nice -n 19 python -m fastsam3d_tools.segment.train --minutes M --threads 1` continues tools/checkpoints/seg_mini.pt.

## Evaluation (ONNX Runtime, the studio's pre/post-processing, best candidate by predicted IoU)

Objects of at least {MIN_EVAL_PIXELS} px. `1 click`: at the object's centre (farthest from its border); `3 clicks`: two
more correction clicks at the centre of the largest error region, with the previous logits as mask_input;
`box`: the tight bounding box; `box as mask`: IoU of that box itself (a reference, not the model).

| set | images | objects | 1 click | 3 clicks | box | box as mask |
|---|---|---|---|---|---|---|
{_row("held-out procedural scenes (new seeds, lamp over-represented)", metrics["heldout_scenes"])}
{_row("held-out family `lamp` only", metrics["lamp_family"])}
{_row("resources/examples (384² images, 0.png alpha as truth)", metrics["examples"])}

Reproduce: `cd tools && python -m fastsam3d_tools.segment.evaluate ../models/seg-mini --heldout {HELDOUT_SCENES} --lamp {LAMP_SCENES}`.

## Limits

- Trained for minutes on a shared CPU, on synthetic images only: expect poor masks on photographs,
  on thin structures and on objects that share colour with their background.
- The IoU head is what picks among the K candidates; on unfamiliar images it can pick the wrong one.
- License: Apache-2.0 (weights trained from scratch on data generated by this project).
"""
