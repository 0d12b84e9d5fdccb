"""ONNX export of the five roles (opset 17, fp32 I/O, the contract's names, orders and dynamic axes)
and of a whole pack folder (ONNX files + manifest.json, then validated).

Usage (a trained pack):  export_pack(models, cfg, out_dir, source={...}, version="0.1.0", …)
"""
from __future__ import annotations

import inspect
import io
import os
from pathlib import Path
from typing import Dict, Optional

import onnx
import torch
import torch.nn as nn

from .. import PACK_FORMAT
from ..config import PackConfig
from ..modules import ROLES
from .examples import example_inputs, signatures
from .fp16 import weights_to_fp16
from .manifest import build_manifest, write_manifest
from .parity import check_role
from .staging import staged_pack
from .validate import validate_pack

OPSET = 17


def _dynamic_axes(sig) -> Dict[str, Dict[int, str]]:
    axes: Dict[str, Dict[int, str]] = {}
    for name, (_, shape) in sig.items():
        dyn = {i: d for i, d in enumerate(shape) if isinstance(d, str)}
        if dyn:
            axes[name] = dyn
    return axes


def trace_to_onnx(role: str, model: nn.Module, example: Dict, ins, outs, *, producer: str) -> onnx.ModelProto:
    """Trace `model` (eval mode, CPU) on `example` inputs with the signature's names and dynamic axes;
    checks that the graph kept every contract input and output. Shared by the 3D pack and the
    segmentation pack exporters."""
    args = tuple(torch.from_numpy(example[name]) for name in ins)
    axes = _dynamic_axes(ins)
    axes.update(_dynamic_axes(outs))
    model = model.eval().cpu()
    buf = io.BytesIO()
    # torch ≥ 2.9 defaults to the dynamo exporter; these graphs are written for the TorchScript one
    # (dynamic_axes, shape-traced reshapes), so ask for it explicitly where the switch exists.
    extra = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}
    with torch.no_grad():
        torch.onnx.export(model, args, buf, input_names=list(ins), output_names=list(outs),
                          dynamic_axes=axes, opset_version=OPSET, do_constant_folding=True, **extra)
    proto = onnx.load_from_string(buf.getvalue())
    proto.producer_name = producer
    _check_io(role, proto, ins, outs)
    return proto


def export_role(role: str, model: nn.Module, cfg: PackConfig, path: os.PathLike, *,
                weights_fp16: bool = False) -> None:
    """Trace `model` on example inputs and write `path` (atomically); weights_fp16 stores large weights
    as float16 with casts inside (I/O and compute stay float32)."""
    ins, outs = signatures(cfg)[role]
    example = example_inputs(role, cfg)
    proto = trace_to_onnx(role, model, example, ins, outs, producer="fastsam3d_tools")
    if weights_fp16:
        proto = weights_to_fp16(proto)
        onnx.checker.check_model(proto)
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    onnx.save(proto, str(tmp))
    os.replace(tmp, path)


def _check_io(role, proto, ins, outs):
    got_in = [i.name for i in proto.graph.input]
    got_out = [o.name for o in proto.graph.output]
    if got_in != list(ins) or got_out != list(outs):
        raise RuntimeError(f"{role}: exported graph has inputs {got_in} / outputs {got_out}, the contract "
                           f"needs {list(ins)} / {list(outs)} (an input unused by the network is dropped "
                           f"by the exporter — every contract input must be used)")


def export_pack(models: Dict[str, nn.Module], cfg: PackConfig, out_dir: os.PathLike, *, version: str,
                source: dict, description: str, license: str = "Apache-2.0",
                metrics: Optional[dict] = None, verify: bool = True, parity_rtol: Optional[float] = None,
                weights_fp16: bool = False) -> dict:
    """Export every role to `out_dir`, write manifest.json, validate the folder and (verify=True) check
    every role against the PyTorch model at several dynamic sizes. Returns the manifest. All or nothing:
    the files are written and checked in a staging folder and moved into `out_dir` only when every check
    passed (staging.py); a folder holding another kind of pack is refused."""
    missing = [r for r in ROLES if r not in models]
    if missing:
        raise ValueError(f"export_pack needs a network for every role; missing {missing}")
    with staged_pack(out_dir, PACK_FORMAT) as out:
        for role in ROLES:
            export_role(role, models[role], cfg, out / f"{role}.onnx", weights_fp16=weights_fp16)
        manifest = build_manifest(cfg, out, version=version, source=source, description=description,
                                  license=license, metrics=metrics)
        write_manifest(manifest, out)
        if verify:
            validate_pack(out, run=True)
            if parity_rtol is None:
                parity_rtol = 2e-2 if weights_fp16 else 1e-3
            for role in ROLES:
                check_role(models[role], role, cfg, out / f"{role}.onnx", rtol=parity_rtol)
    return manifest
