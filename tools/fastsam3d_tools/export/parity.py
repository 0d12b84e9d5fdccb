"""PyTorch vs ONNX Runtime parity of exported roles (run by export_pack on the very models it exported,
so a trained pack is checked with its real weights, and by the tests)."""
from __future__ import annotations

import os
from typing import Dict, List

import numpy as np
import onnxruntime as ort
import torch
import torch.nn as nn

from ..config import PackConfig
from .examples import example_inputs, signatures


def torch_outputs(net: nn.Module, role: str, cfg: PackConfig, feeds: Dict[str, np.ndarray]) -> List[np.ndarray]:
    ins = signatures(cfg)[role][0]
    net = net.eval().cpu()
    with torch.no_grad():
        out = net(*[torch.from_numpy(feeds[n]) for n in ins])
    return [o.numpy() for o in ((out,) if isinstance(out, torch.Tensor) else out)]


def relative_error(got: np.ndarray, want: np.ndarray) -> float:
    """max |got − want| / max |want| (one number per output; robust to outputs near zero elementwise)."""
    return float(np.abs(got - want).max()) / (float(np.abs(want).max()) + 1e-6)


def compare_outputs(role: str, names, got_list, want_list, rtol: float, variant) -> float:
    """Raise on a shape mismatch or a relative error ≥ rtol between ORT outputs and PyTorch outputs
    (in `names` order); returns the worst relative error. Shared with the segmentation exporter."""
    worst = 0.0
    for name, got, want in zip(names, got_list, want_list):
        if got.shape != want.shape:
            raise AssertionError(f"{role}.onnx: output {name} has shape {got.shape}, PyTorch gives {want.shape}")
        err = relative_error(got, want)
        worst = max(worst, err)
        if not err < rtol:
            raise AssertionError(f"{role}.onnx: output {name} differs from PyTorch by {err:.2e} (relative, "
                                 f"tolerance {rtol:.0e}) at example variant {variant}")
    return worst


def check_role(net: nn.Module, role: str, cfg: PackConfig, onnx_path: os.PathLike, *, rtol: float = 1e-3,
               variants=(0, 1)) -> float:
    """Run `role` in PyTorch and ORT on example inputs at several dynamic sizes; raise on a mismatch.
    Returns the worst relative error."""
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
    worst = 0.0
    names = list(signatures(cfg)[role][1])
    for v in variants:
        feeds = example_inputs(role, cfg, seed=11, variant=v)
        worst = max(worst, compare_outputs(role, names, sess.run(None, feeds), torch_outputs(net, role, cfg, feeds),
                                           rtol, v))
    return worst
