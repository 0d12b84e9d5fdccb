"""Condition-encoder pretraining and the frozen-encoder path of stage 2: the fused attention used for
training equals the exported MatMul + Softmax form, a resized module resumes from the tensors that still
fit, the encoder's residual stem is shape-preserving, the pretraining's rotation error
does what it says, and the precomputed condition table equals running the encoder per batch."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
import torch

from fastsam3d_tools.config import ConditionConfig, get_config
from fastsam3d_tools.modules import ConditionEncoder, common
from fastsam3d_tools.train.common import CheckpointError, Trainer, load_checkpoint, load_matching
from fastsam3d_tools.train.condition import rotation_error
from fastsam3d_tools.train.ss_flow import batch_images, condition_table


def test_fused_attention_equals_the_exported_form(monkeypatch):
    if common._FUSED is None:
        pytest.skip("this torch has no fused attention (torch 1.13): only the exported form exists")
    g = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(2, 4, n, 16, generator=g) for n in (37, 50, 50))
    bias = torch.randn(2, 1, 37, 50, generator=g)
    fused = common.attention(q, k, v, bias)
    monkeypatch.setattr(common, "_FUSED", None)
    plain = common.attention(q, k, v, bias)
    assert torch.allclose(fused, plain, atol=1e-5)


def test_resized_module_is_refused_unless_asked_then_resumes_from_the_tensors_that_still_fit(tmp_path):
    small = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 2))
    t = Trainer("resize", {"m": small}, lr=1e-2, checkpoint_dir=tmp_path, log_dir=tmp_path, ema_decay=0.9)
    t.run(lambda rng, i: {"loss": small(torch.ones(1, 3)).sum()}, steps=2)
    trained = (tmp_path / "resize.pt").read_bytes()
    torch.manual_seed(5)
    big = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Linear(4, 5))       # the head grew
    fresh_head = big[1].weight.detach().clone()
    # Without asking: refused with the file, the misfit and the way out; the checkpoint is untouched.
    with pytest.raises(CheckpointError, match=r"resize\.pt \(step 2\) does not fit the network .*m: 2 tensors would "
                                              r"start fresh.*--config.*--allow-fresh-tensors"):
        Trainer("resize", {"m": big}, lr=1e-2, checkpoint_dir=tmp_path, log_dir=tmp_path, ema_decay=0.9)
    assert (tmp_path / "resize.pt").read_bytes() == trained
    t2 = Trainer("resize", {"m": big}, lr=1e-2, checkpoint_dir=tmp_path, log_dir=tmp_path, ema_decay=0.9,
                 allow_fresh=True)
    assert (tmp_path / "resize.before-fresh-step2.pt").read_bytes() == trained     # copied aside first
    assert t2.step == 2
    assert torch.equal(big[0].weight, small[0].weight)                            # kept
    assert torch.equal(big[1].weight, fresh_head)                                 # left fresh
    assert torch.equal(t2.ema.shadow["m"]["1.weight"], fresh_head)
    assert torch.allclose(t2.ema.shadow["m"]["0.weight"],
                          load_checkpoint(tmp_path / "resize.pt")["ema"]["weights"]["m"]["0.weight"])
    log = (tmp_path / "resize.log").read_text()
    assert "changed shape" in log and "1.weight" in log
    assert load_matching(torch.nn.Linear(3, 4), small[0].state_dict()) == []


def test_residual_stem_keeps_the_token_grid_and_old_weight_names():
    base = get_config("test-tiny")
    deep = dataclasses.replace(base, condition=dataclasses.replace(base.condition, stem_blocks=2))
    shallow_enc, deep_enc = ConditionEncoder(base), ConditionEncoder(deep)
    assert set(shallow_enc.state_dict()) <= set(deep_enc.state_dict())
    assert any(k.startswith("stem_res.1.") for k in deep_enc.state_dict())
    s = base.condition.image_size
    img, msk = torch.rand(2, 3, s, s), torch.ones(2, 1, s, s)
    a, b = deep_enc(img, msk)
    assert a.shape == b.shape == (1, base.condition.tokens, base.condition.dim)
    assert ConditionConfig().stem_blocks == 0


def test_rotation_error_of_rot6d_rows():
    def rot6d_z(deg):
        c, s = math.cos(math.radians(deg)), math.sin(math.radians(deg))
        return np.array([c, s, 0, -s, c, 0], np.float32)
    gt = np.stack([rot6d_z(0), rot6d_z(10)])
    pred = np.stack([rot6d_z(30), rot6d_z(10) * 3])        # scale of the 6D rows does not matter
    assert np.allclose(rotation_error(pred, gt), [30, 0], atol=1e-3)


def test_condition_table_equals_the_encoder_per_batch():
    cfg = get_config("test-tiny")
    s = cfg.condition.image_size
    rng = np.random.default_rng(0)
    data = {"seed": np.arange(5), "image": rng.integers(0, 255, (5, 2, 3, s, s), dtype=np.uint8),
            "mask": rng.random((5, 2, 1, s, s)) > 0.5}
    torch.manual_seed(0)
    enc = ConditionEncoder(cfg)
    table = condition_table(enc, data, "cpu", chunk=2)
    with torch.no_grad():
        direct, _ = enc(*batch_images(data, np.array([3, 1])))
    assert table.shape == (5, cfg.condition.tokens, cfg.condition.dim)
    assert torch.allclose(table[[3, 1]], direct, atol=1e-6)
