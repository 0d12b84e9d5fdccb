"""Python pack validator (the TypeScript side has `fastsam3d pack validate`).

Checks manifest.json against docs/model-pack.md: format version, required sections, sha256 of every
file, ONNX opset, input/output names in the contract's order, dtypes, ranks and fixed dimensions; with
run=True it also runs every role once in ONNX Runtime on example inputs and checks output shapes and
finiteness. Errors name the file and the problem.

    python -m fastsam3d_tools.export.validate models/test-tiny [--no-run]
"""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Dict, List

import numpy as np
import onnx

from .. import PACK_FORMAT, cli
from ..modules import ROLES

ONNX_DTYPES = {onnx.TensorProto.FLOAT: "float32", onnx.TensorProto.INT32: "int32",
               onnx.TensorProto.INT64: "int64", onnx.TensorProto.FLOAT16: "float16",
               onnx.TensorProto.BOOL: "bool"}
REQUIRED = {
    "grid": ["resolution", "ssLatentResolution", "ssLatentChannels"],
    "condition": ["imageSize", "tokens", "dim", "usesPointmap", "cropBoxFactor"],
    "ss": ["steps", "rescaleT", "cfg", "occupancyThreshold", "pruneSurfaceDistance", "maxVoxels", "minVoxels",
           "rotation6dMean", "rotation6dStd"],
    "slat": ["steps", "rescaleT", "cfg", "channels", "mean", "std", "coarseFactor"],
    "camera": ["fovDeg"],
}


class PackValidationError(Exception):
    pass


def _value_info(vi) -> dict:
    t = vi.type.tensor_type
    dims = [d.dim_value if d.HasField("dim_value") else (d.dim_param or "?") for d in t.shape.dim]
    return {"dtype": ONNX_DTYPES.get(t.elem_type, f"onnx:{t.elem_type}"), "shape": dims}


def _check_signature(role: str, kind: str, declared: dict, actual: List, problems: List[str]) -> None:
    names = [v.name for v in actual]
    if names != list(declared):
        problems.append(f"{role}.onnx: {kind} are {names}, manifest declares {list(declared)} (same order needed)")
        return
    for v in actual:
        want = declared[v.name]
        problems += tensor_problems(f"{role}.onnx: {kind[:-1]} {v.name}", _value_info(v), want["dtype"], want["shape"])


def tensor_problems(label: str, got: dict, dtype: str, shape, free_axes=()) -> List[str]:
    """Problems of one graph input/output (`got` from _value_info) against a declared dtype and shape:
    wrong dtype, wrong rank, a fixed size that differs, a declared-dynamic axis fixed in the graph.
    Axes in `free_axes` are not checked. Shared by the 3D pack and the segmentation pack validators."""
    out = []
    if got["dtype"] != dtype:
        out.append(f"{label} is {got['dtype']}, declared {dtype}")
    if len(got["shape"]) != len(shape):
        return out + [f"{label} has rank {len(got['shape'])}, declared shape {shape}"]
    for axis, (g, w) in enumerate(zip(got["shape"], shape)):
        if axis in free_axes:
            continue
        if isinstance(w, int) and isinstance(g, int) and g not in (0, w):
            return out + [f"{label} has shape {got['shape']}, declared {shape}"]
        if isinstance(w, str) and isinstance(g, int) and g != 0:
            return out + [f"{label} axis {w} is declared dynamic but fixed to {g} in the graph"]
    return out


def validate_pack(pack_dir, run: bool = False) -> dict:
    """Validate a pack folder; raises PackValidationError listing every problem. Returns the manifest."""
    from .manifest import sha256_file

    pack = Path(pack_dir)
    mpath = pack / "manifest.json"
    if not mpath.is_file():
        raise PackValidationError(f"{mpath}: missing — a pack folder needs manifest.json (see docs/model-pack.md)")
    try:
        manifest = json.loads(mpath.read_text())
    except json.JSONDecodeError as e:
        raise PackValidationError(f"{mpath}: not valid JSON ({e})") from None
    problems: List[str] = []
    if manifest.get("format") != PACK_FORMAT:
        raise PackValidationError(f"{mpath}: format {manifest.get('format')!r} is not supported (expected {PACK_FORMAT!r})")
    for section, keys in REQUIRED.items():
        sec = manifest.get(section)
        if not isinstance(sec, dict):
            problems.append(f"manifest.json: section {section!r} missing")
            continue
        problems += [f"manifest.json: {section}.{k} missing" for k in keys if k not in sec]
    mesh = (manifest.get("decoders") or {}).get("mesh")
    if not isinstance(mesh, dict) or "layout" not in mesh:
        problems.append("manifest.json: decoders.mesh.layout missing")
    files = manifest.get("files") or {}
    for role in ROLES:
        entry = files.get(role)
        if not entry:
            problems.append(f"manifest.json: files.{role} missing")
            continue
        lacking = [k for k in ("path", "sha256", "inputs", "outputs") if not isinstance(entry, dict) or k not in entry]
        if lacking:
            problems.append(f"manifest.json: files.{role} lacks {', '.join(lacking)}")
            continue
        fpath = pack / entry["path"]
        if not fpath.is_file():
            problems.append(f"{fpath}: file missing")
            continue
        digest = sha256_file(fpath)
        if digest != entry.get("sha256"):
            problems.append(f"{fpath}: sha256 {digest} does not match the manifest ({entry.get('sha256')}) — "
                            "re-export the pack or rewrite the manifest")
            continue
        try:
            model = onnx.load(str(fpath))
        except Exception as e:   # protobuf DecodeError and friends: a cut-short or foreign file
            problems.append(f"{fpath}: not a readable ONNX model ({_one_line(e)}) — the file is damaged or cut "
                            "short; copy or re-export the pack")
            continue
        opset = max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=0)
        if opset < 17:
            problems.append(f"{fpath}: opset {opset} < 17")
        _check_signature(role, "inputs", entry["inputs"], list(model.graph.input), problems)
        _check_signature(role, "outputs", entry["outputs"], list(model.graph.output), problems)
    if problems:
        raise PackValidationError(f"pack {pack} is invalid:\n  " + "\n  ".join(problems))
    if run:
        _run_roles(pack, manifest)
    return manifest


def _one_line(e: BaseException) -> str:
    """An exception as one line: ONNX Runtime's multi-line messages joined, its generic advice dropped."""
    text = str(e).replace("Please fix either the inputs/outputs or the model.", "")
    text = "; ".join(part.strip() for part in text.splitlines() if part.strip())
    text = re.sub(r"\[ONNXRuntimeError\] : \d+ : [A-Z_]+ : ", "", text)
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def _resolve(shape, sizes: Dict[str, int]) -> List[int]:
    return [d if isinstance(d, int) else sizes.get(d, -1) for d in shape]


def _run_roles(pack: Path, manifest: dict) -> None:
    import onnxruntime as ort

    from .examples import example_inputs

    try:
        cfg = config_from_manifest(manifest)
    except (KeyError, TypeError, ValueError) as e:
        raise PackValidationError(f"manifest.json: cannot size example inputs from it ({_one_line(e)})") from None
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    for role in ROLES:
        entry = manifest["files"][role]
        fname = entry["path"]
        try:
            sess = ort.InferenceSession(str(pack / fname), opts, providers=["CPUExecutionProvider"])
        except Exception as e:   # onnxruntime raises its own Fail/InvalidGraph/… classes
            raise PackValidationError(f"{fname}: ONNX Runtime cannot load it ({_one_line(e)})") from None
        feeds = example_inputs(role, cfg)
        try:
            outs = sess.run(None, feeds)
        except Exception as e:   # InvalidArgument: the graph does not take the sizes the manifest's constants give
            sizes = ", ".join(f"{k} {'×'.join(map(str, v.shape))}" for k, v in feeds.items())
            raise PackValidationError(
                f"{fname}: ONNX Runtime refused example inputs sized by the manifest's constants ({_one_line(e)}); "
                f"fed {sizes} — the manifest (condition.imageSize, condition.dim, grid.*, slat.channels …) does "
                "not match the graph") from None
        n = len(feeds["coords"]) if "coords" in feeds else 0
        sizes = {"K": feeds["image"].shape[0] // 2 if "image" in feeds else 0, "N": n, "64N": 64 * n,
                 "B": next(iter(feeds.values())).shape[0]}
        for (name, decl), arr in zip(entry["outputs"].items(), outs):
            want = _resolve(decl["shape"], sizes)
            if len(arr.shape) != len(want) or any(w not in (-1, g) for w, g in zip(want, arr.shape)):
                raise PackValidationError(f"{role}.onnx: output {name} has shape {list(arr.shape)}, expected {decl['shape']}")
            if not np.all(np.isfinite(arr)):
                raise PackValidationError(f"{role}.onnx: output {name} contains NaN/Inf on example inputs")
        if role == "mesh_decoder":
            s = (manifest.get("decoders") or {}).get("mesh", {}).get("subdivisions")
            if isinstance(s, int) and outs[0].shape[0] != n * 8 ** s:
                raise PackValidationError(
                    f"{fname}: output feats has {outs[0].shape[0]} rows for {n} voxels but manifest "
                    f"decoders.mesh.subdivisions is {s} ({n * 8 ** s} rows: 8^{s} per voxel)")


def config_from_manifest(manifest: dict):
    """A PackConfig with the sizes the manifest declares (enough for example inputs)."""
    from ..config import ConditionConfig, MeshDecoderConfig, PackConfig

    c = manifest["condition"]
    mesh = manifest["decoders"]["mesh"]
    g = manifest["grid"]
    cfg = PackConfig(name=manifest["name"], resolution=g["resolution"], latent_resolution=g["ssLatentResolution"],
                     latent_channels=g["ssLatentChannels"], slat_channels=manifest["slat"]["channels"])
    cfg.condition = ConditionConfig(image_size=c["imageSize"], dim=c["dim"])
    cfg.mesh = MeshDecoderConfig(window=mesh.get("window", 8), shifts=tuple(mesh.get("shifts", (0, 4))))
    return cfg


def build_parser():
    ap = cli.parser("Validate a Fast-SAM3D model pack folder (docs/model-pack.md). Exit code 0: valid; "
                    "1: invalid (every problem listed); 2: no pack folder there.")
    ap.add_argument("pack_dir", type=Path, help="the pack folder (holding manifest.json), e.g. ../models/mini")
    ap.add_argument("--no-run", action="store_true", help="skip running each role in ONNX Runtime")
    return ap


@cli.command
def main(argv=None) -> int:
    a = build_parser().parse_args(argv)
    cli.input_dir(a.pack_dir, "pack folder", hint="give the folder that holds a pack's manifest.json")
    try:
        m = validate_pack(a.pack_dir, run=not a.no_run)
    except PackValidationError as e:
        print(e, file=sys.stderr)
        return 1
    print(f"ok: {a.pack_dir} ({m['name']} {m['version']}, {len(m['files'])} roles)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
