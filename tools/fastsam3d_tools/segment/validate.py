"""Validator of segmentation packs (docs/segmentation-pack.md, format fastsam3d-segpack/1).

Checks manifest.json (format, sizes, files with sha256), both ONNX graphs (opset, the contract's input
and output names — the decoder may leave out inputs it does not use and the optional `masks` output —,
dtypes, ranks, fixed dimensions against the manifest's sizes, a dynamic number of points); with run=True
it runs the encoder once and the decoder on every example variant (1–4 points, box, previous mask,
several original sizes) and checks output shapes and finiteness. Errors name the file and the problem.

    python -m fastsam3d_tools.segment.validate models/seg-mini [--no-run]
"""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List

import numpy as np
import onnx

from ..export.manifest import sha256_file
from ..export.validate import _value_info, tensor_problems
from .. import cli
from . import SEGPACK_FORMAT
from .contract import ROLES, SegPackConfig, example_inputs, signatures

REQUIRED_INPUTS = {"encoder": ("image",), "decoder": ("image_embeddings", "point_coords", "point_labels")}
REQUIRED_OUTPUTS = {"encoder": ("image_embeddings",), "decoder": ("iou_predictions", "low_res_masks")}


class SegPackValidationError(Exception):
    pass


def config_from_manifest(manifest: dict, candidates: int = 0) -> SegPackConfig:
    inp, emb = manifest["input"], manifest["embedding"]
    return SegPackConfig(size=int(inp["size"]), channels=int(emb["channels"]), embedding_size=int(emb["size"]),
                         mask_size=int(manifest["maskInputSize"]),
                         candidates=int(candidates or manifest.get("candidates", 0) or 1),
                         mean=tuple(inp["mean"]), std=tuple(inp["std"]))


def _check_manifest(manifest: dict, problems: List[str]) -> None:
    for key in ("name", "version", "license", "source", "input", "embedding", "maskInputSize", "files"):
        if key not in manifest:
            problems.append(f"manifest.json: {key} missing")
    inp = manifest.get("input") or {}
    for key in ("size", "mean", "std"):
        if key not in inp:
            problems.append(f"manifest.json: input.{key} missing")
    for key in ("mean", "std"):
        v = inp.get(key)
        if v is not None and (not isinstance(v, list) or len(v) != 3):
            problems.append(f"manifest.json: input.{key} must be a list of 3 numbers (R, G, B on 0–255)")
    if any(x == 0 for x in inp.get("std") or []):
        problems.append("manifest.json: input.std has a 0 (division by zero in preprocessing)")
    for key in ("channels", "size"):
        if key not in (manifest.get("embedding") or {}):
            problems.append(f"manifest.json: embedding.{key} missing")


def _check_graph(role: str, path: Path, cfg: SegPackConfig, problems: List[str]) -> None:
    model = onnx.load(str(path))
    opset = max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=0)
    if opset < 13:
        problems.append(f"{path.name}: opset {opset} < 13 (onnxruntime-node needs 13+ for these graphs)")
    want_in, want_out = signatures(cfg)[role]
    for kind, actual, declared, required in (("input", model.graph.input, want_in, REQUIRED_INPUTS[role]),
                                             ("output", model.graph.output, want_out, REQUIRED_OUTPUTS[role])):
        names = [v.name for v in actual]
        for r in required:
            if r not in names:
                problems.append(f"{path.name}: {kind} {r!r} missing (has {names}; see docs/segmentation-pack.md)")
        for v in actual:
            if v.name not in declared:
                problems.append(f"{path.name}: unknown {kind} {v.name!r}; the contract's {kind}s are {list(declared)}")
                continue
            dtype, shape = declared[v.name]
            # K candidates (decoder outputs, axis 1): whatever the graph gives, checked against the manifest when run
            free = (1,) if role == "decoder" and kind == "output" else ()
            problems += tensor_problems(f"{path.name}: {kind} {v.name}", _value_info(v), dtype, shape, free)


def validate_segpack(pack_dir, run: bool = False) -> dict:
    """Validate a segmentation pack folder; raises SegPackValidationError listing every problem."""
    pack = Path(pack_dir)
    mpath = pack / "manifest.json"
    if not mpath.is_file():
        raise SegPackValidationError(f"{mpath}: missing — a segmentation pack folder needs manifest.json "
                                     "(see docs/segmentation-pack.md)")
    try:
        manifest = json.loads(mpath.read_text())
    except json.JSONDecodeError as e:
        raise SegPackValidationError(f"{mpath}: not valid JSON ({e})") from None
    if manifest.get("format") != SEGPACK_FORMAT:
        raise SegPackValidationError(f"{mpath}: format {manifest.get('format')!r} is not a segmentation pack "
                                     f"(expected {SEGPACK_FORMAT!r})")
    problems: List[str] = []
    _check_manifest(manifest, problems)
    if problems:
        raise SegPackValidationError(f"segmentation pack {pack} is invalid:\n  " + "\n  ".join(problems))
    cfg = config_from_manifest(manifest)
    files = manifest["files"]
    for role in ROLES:
        entry = files.get(role)
        if not isinstance(entry, dict) or "file" not in entry:
            problems.append(f"manifest.json: files.{role}.file missing")
            continue
        fpath = pack / entry["file"]
        if not fpath.is_file():
            problems.append(f"{fpath}: file missing")
            continue
        digest = sha256_file(fpath)
        if digest != entry.get("sha256"):
            problems.append(f"{fpath}: sha256 {digest} does not match the manifest ({entry.get('sha256')}) — "
                            "re-export the pack or rewrite the manifest")
            continue
        _check_graph(role, fpath, cfg, problems)
    if problems:
        raise SegPackValidationError(f"segmentation pack {pack} is invalid:\n  " + "\n  ".join(problems))
    if run:
        _run_graphs(pack, manifest, cfg)
    return manifest


def _run_graphs(pack: Path, manifest: dict, cfg: SegPackConfig) -> None:
    from .export import session

    enc = session(pack / manifest["files"]["encoder"]["file"])
    dec = session(pack / manifest["files"]["decoder"]["file"])
    (emb,) = enc.run(["image_embeddings"], example_inputs("encoder", cfg))
    want = (1, cfg.channels, cfg.embedding_size, cfg.embedding_size)
    if emb.shape != want or not np.all(np.isfinite(emb)):
        raise SegPackValidationError(f"encoder.onnx: image_embeddings has shape {emb.shape} (manifest: {want}) "
                                     "or non-finite values")
    declared = [i.name for i in dec.get_inputs()]
    outs = [o.name for o in dec.get_outputs()]
    for variant in range(4):
        feeds = example_inputs("decoder", cfg, variant=variant)
        feeds["image_embeddings"] = emb
        got = dict(zip(outs, dec.run(None, {k: v for k, v in feeds.items() if k in declared})))
        iou, low = got["iou_predictions"], got["low_res_masks"]
        k = iou.shape[-1]
        h, w = (int(x) for x in feeds["orig_im_size"])
        shapes = {"iou_predictions": (1, k), "low_res_masks": (1, k, cfg.mask_size, cfg.mask_size),
                  "masks": (1, k, h, w)}
        for name, arr in got.items():
            if arr.shape != shapes[name]:
                raise SegPackValidationError(f"decoder.onnx: output {name} has shape {arr.shape}, expected "
                                             f"{shapes[name]} (example variant {variant}, "
                                             f"{feeds['point_coords'].shape[1]} points)")
            if not np.all(np.isfinite(arr)):
                raise SegPackValidationError(f"decoder.onnx: output {name} has NaN/Inf (example variant {variant})")
        if "candidates" in manifest and k != manifest["candidates"]:
            raise SegPackValidationError(f"decoder.onnx: {k} candidates, manifest.json says {manifest['candidates']}")


def build_parser():
    ap = cli.parser("Validate a Fast-SAM3D segmentation pack folder (docs/segmentation-pack.md). Exit code 0: "
                    "valid; 1: invalid (the problems listed); 2: no pack folder there.")
    ap.add_argument("pack_dir", type=Path, help="the pack folder (holding manifest.json), e.g. ../models/seg-mini")
    ap.add_argument("--no-run", action="store_true", help="skip running both graphs in ONNX Runtime")
    return ap


@cli.command
def main(argv=None) -> int:
    a = build_parser().parse_args(argv)
    cli.input_dir(a.pack_dir, "pack folder", hint="give the folder that holds a pack's manifest.json")
    try:
        m = validate_segpack(a.pack_dir, run=not a.no_run)
    except SegPackValidationError as e:
        print(e, file=sys.stderr)
        return 1
    print(f"ok: {a.pack_dir} ({m['name']} {m['version']}, input {m['input']['size']} px, "
          f"embedding {m['embedding']['channels']}×{m['embedding']['size']}²)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
