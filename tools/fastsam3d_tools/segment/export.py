"""ONNX export of a segmentation pack: encoder.onnx + decoder.onnx with the contract's names and
dynamic axes, manifest.json (docs/segmentation-pack.md), then validation and a PyTorch vs ONNX Runtime
parity check on the very modules that were exported.

Used by build_tiny.py (random weights), train.py (seg-mini) and convert_sam.py (official SAM weights).
"""
from __future__ import annotations

import inspect
import io
import os
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torch.nn as nn

from ..export.manifest import sha256_file, write_manifest
from ..export.onnx_export import OPSET, _check_io, _dynamic_axes
from ..export.parity import relative_error
from . import SEGPACK_FORMAT
from .contract import ROLES, SegPackConfig, example_inputs, signatures
from .validate import validate_segpack


def export_graph(role: str, model: nn.Module, cfg: SegPackConfig, path: os.PathLike) -> None:
    """Trace `model` (eval mode) on example inputs and write `path` atomically with the contract's
    input/output names and dynamic axes (N points; the original image's H × W for `masks`)."""
    ins, outs = signatures(cfg)[role]
    example = example_inputs(role, cfg, variant=1)
    args = tuple(torch.from_numpy(example[name]) for name in ins)
    axes = _dynamic_axes(ins)
    axes.update(_dynamic_axes(outs))
    model = model.eval().cpu()
    buf = io.BytesIO()
    # torch ≥ 2.9 defaults to the dynamo exporter; these graphs are traced with the TorchScript one.
    extra = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    with torch.no_grad():
        torch.onnx.export(model, args, buf, input_names=list(ins), output_names=list(outs), dynamic_axes=axes,
                          opset_version=OPSET, do_constant_folding=True, **extra)
    proto = onnx.load_from_string(buf.getvalue())
    proto.producer_name = "fastsam3d_tools.segment"
    _check_io(role, proto, ins, outs)
    _stamp_shapes(proto, {**ins, **outs})
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    onnx.save(proto, str(tmp))
    os.replace(tmp, path)


def _stamp_shapes(proto: onnx.ModelProto, sig) -> None:
    """Write the contract's shapes onto the graph's inputs and outputs: the tracer leaves some axes it
    could not infer as made-up symbols (e.g. `masks`' K after a size-dependent Resize), which would make
    a declared (1, K, H, W) look dynamic to readers of the graph."""
    for v in list(proto.graph.input) + list(proto.graph.output):
        dims = v.type.tensor_type.shape.dim
        for d, want in zip(dims, sig[v.name][1]):
            if isinstance(want, int):
                d.dim_value = want
            else:
                d.dim_param = want


def build_segpack_manifest(cfg: SegPackConfig, pack_dir: os.PathLike, *, name: str, version: str, source: str,
                           description: str, license: str = "Apache-2.0",
                           metrics: Optional[dict] = None) -> dict:
    files = {}
    for role in ROLES:
        ins, outs = signatures(cfg)[role]
        path = Path(pack_dir) / f"{role}.onnx"
        files[role] = {"file": path.name, "sha256": sha256_file(path),
                       "inputs": {n: {"dtype": d, "shape": list(s)} for n, (d, s) in ins.items()},
                       "outputs": {n: {"dtype": d, "shape": list(s)} for n, (d, s) in outs.items()}}
    manifest = {
        "format": SEGPACK_FORMAT, "name": name, "version": version, "license": license,
        "description": description, "source": source,
        "input": {"size": cfg.size, "mean": list(cfg.mean), "std": list(cfg.std)},
        "embedding": {"channels": cfg.channels, "size": cfg.embedding_size},
        "maskInputSize": cfg.mask_size,
        "candidates": cfg.candidates,
        "files": files,
    }
    if metrics is not None:
        manifest["metrics"] = metrics
    return manifest


def session(path: os.PathLike) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def torch_outputs(net: nn.Module, role: str, cfg: SegPackConfig, feeds: Dict[str, np.ndarray]) -> List[np.ndarray]:
    ins = signatures(cfg)[role][0]
    with torch.no_grad():
        out = net.eval()(*[torch.from_numpy(feeds[n]) for n in ins])
    return [o.numpy() for o in ((out,) if isinstance(out, torch.Tensor) else out)]


def check_parity(net: nn.Module, role: str, cfg: SegPackConfig, onnx_path: os.PathLike, *, rtol: float = 1e-3,
                 variants=(0, 1, 2, 3), feeds_for=None) -> float:
    """Run `role` in PyTorch and ORT on example inputs of every variant (different numbers of points, box,
    previous mask, original size); raise on a shape or value mismatch. Returns the worst relative error.
    feeds_for(variant) overrides the example inputs (e.g. a real embedding from the encoder)."""
    sess = session(onnx_path)
    names = [o.name for o in sess.get_outputs()]
    worst = 0.0
    for v in variants:
        feeds = feeds_for(v) if feeds_for else example_inputs(role, cfg, seed=11, variant=v)
        for name, got, want in zip(names, sess.run(None, feeds), torch_outputs(net, role, cfg, feeds)):
            if got.shape != want.shape:
                raise AssertionError(f"{role}.onnx: output {name} has shape {got.shape}, PyTorch gives {want.shape}")
            err = relative_error(got, want)
            worst = max(worst, err)
            if not err < rtol:
                raise AssertionError(f"{role}.onnx: output {name} differs from PyTorch by {err:.2e} (relative, "
                                     f"tolerance {rtol:.0e}) at example variant {v}")
    return worst


def export_segpack(encoder: nn.Module, decoder: nn.Module, cfg: SegPackConfig, out_dir: os.PathLike, *, name: str,
                   version: str, source: str, description: str, license: str = "Apache-2.0",
                   metrics: Optional[dict] = None, parity_rtol: float = 1e-3) -> dict:
    """Export both graphs, write manifest.json, validate the folder (running both graphs) and check
    ORT against PyTorch. Returns the manifest."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    export_graph("encoder", encoder, cfg, out / "encoder.onnx")
    export_graph("decoder", decoder, cfg, out / "decoder.onnx")
    manifest = build_segpack_manifest(cfg, out, name=name, version=version, source=source,
                                      description=description, license=license, metrics=metrics)
    write_manifest(manifest, out)
    validate_segpack(out, run=True)
    check_parity(encoder, "encoder", cfg, out / "encoder.onnx", rtol=parity_rtol, variants=(0, 1))
    check_parity(decoder, "decoder", cfg, out / "decoder.onnx", rtol=parity_rtol)
    return manifest
