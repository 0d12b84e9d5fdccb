"""ONNX export of a segmentation pack: encoder.onnx + decoder.onnx with the contract's names and
dynamic axes, manifest.json (docs/segmentation-pack.md), then validation and a PyTorch vs ONNX Runtime
parity check on the very modules that were exported.

Used by build_tiny.py (random weights), train.py (seg-mini) and convert_sam.py (official SAM weights).
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Dict, List, Optional

import numpy as np
import onnx
import onnxruntime as ort
import torch
import torch.nn as nn

from ..export.manifest import sha256_file, write_manifest
from ..export.staging import staged_pack
from ..export.onnx_export import trace_to_onnx
from ..export.parity import compare_outputs
from . import SEGPACK_FORMAT
from .contract import ROLES, SegPackConfig, example_inputs, signatures
from .validate import validate_segpack


def export_graph(role: str, model: nn.Module, cfg: SegPackConfig, path: os.PathLike) -> None:
    """Trace `model` (eval mode) on example inputs and write `path` atomically with the contract's
    input/output names and dynamic axes (N points; the original image's H × W for `masks`)."""
    ins, outs = signatures(cfg)[role]
    example = example_inputs(role, cfg, variant=1)
    proto = trace_to_onnx(role, model, example, ins, outs, producer="fastsam3d_tools.segment")
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
        worst = max(worst, compare_outputs(role, names, sess.run(None, feeds), torch_outputs(net, role, cfg, feeds),
                                           rtol, v))
    return worst


def export_segpack(encoder: nn.Module, decoder: nn.Module, cfg: SegPackConfig, out_dir: os.PathLike, *, name: str,
                   version: str, source: str, description: str, license: str = "Apache-2.0",
                   metrics: Optional[dict] = None, parity_rtol: float = 1e-3) -> dict:
    """Export both graphs, write manifest.json, validate the folder (running both graphs) and check
    ORT against PyTorch. Returns the manifest."""
    with staged_pack(out_dir, SEGPACK_FORMAT) as out:   # all or nothing, never over another kind of pack
        export_graph("encoder", encoder, cfg, out / "encoder.onnx")
        export_graph("decoder", decoder, cfg, out / "decoder.onnx")
        manifest = build_segpack_manifest(cfg, out, name=name, version=version, source=source,
                                          description=description, license=license, metrics=metrics)
        write_manifest(manifest, out)
        validate_segpack(out, run=True)
        check_parity(encoder, "encoder", cfg, out / "encoder.onnx", rtol=parity_rtol, variants=(0, 1))
        check_parity(decoder, "decoder", cfg, out / "decoder.onnx", rtol=parity_rtol)
    return manifest
