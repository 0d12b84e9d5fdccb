"""train.probe_overfit's scorers on the test-tiny architecture: one number per modality (stage 2) or
channel group (stage 4), the zero condition scored apart, the same noise on every call."""
from __future__ import annotations

import math

import numpy as np
import torch

from fastsam3d_tools.config import get_config
from fastsam3d_tools.modules import ConditionEncoder, SlatFlow, SsFlow
from fastsam3d_tools.train.dataset import make_sample
from fastsam3d_tools.train.probe_overfit import MODALITIES, SLAT_GROUPS, flow_losses, slat_losses


def _trained_looking(module: torch.nn.Module) -> torch.nn.Module:
    """Random weights everywhere: the library zero-initialises the condition's output projections."""
    with torch.no_grad():
        for p in module.parameters():
            p.add_(0.05 * torch.randn_like(p))
    return module.eval()


def _data(cfg, seeds):
    rows = [s for s in (make_sample(k, "train", render_size=96, image_size=cfg.condition.image_size,
                                    resolution=cfg.resolution) for k in seeds) if s]
    return {k: np.stack([r[k] for r in rows]) for k in rows[0]}


def test_stage_2_scorer_is_deterministic_and_reads_the_condition():
    cfg = get_config("test-tiny")
    torch.manual_seed(0)
    enc, flow = ConditionEncoder(cfg).eval(), _trained_looking(SsFlow(cfg))
    data = _data(cfg, range(3))
    r6 = (np.zeros(6, np.float32), np.ones(6, np.float32))
    a = flow_losses(cfg, enc, flow, data, *r6)
    assert set(a) == set(MODALITIES) and all(math.isfinite(v) and v > 0 for v in a.values())
    assert a == flow_losses(cfg, enc, flow, data, *r6)
    assert a != flow_losses(cfg, enc, flow, data, *r6, zero_condition=True)


def test_stage_4_scorer_reports_geometry_and_rgb():
    cfg = get_config("test-tiny")
    torch.manual_seed(0)
    enc, flow = ConditionEncoder(cfg).eval(), SlatFlow(cfg).eval()
    data = _data(cfg, range(2))
    out = slat_losses(cfg, enc, flow, data, np.zeros(8, np.float32), np.ones(8, np.float32))
    assert set(out) == set(SLAT_GROUPS) and all(math.isfinite(v) and v > 0 for v in out.values())
