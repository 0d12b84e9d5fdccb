"""Parallel builders of the GPU workflow (tools/train_on_device.sh): the render cache with `--workers`
writes the same shard bytes as one worker, and the SLaT flow's table prefill in worker processes gives
what the lazy per-step path gives."""
from __future__ import annotations

import numpy as np
import torch

from fastsam3d_tools.train import dataset
from fastsam3d_tools.train.sizes import pack_config
from fastsam3d_tools.train.slat_flow import LatentCache, object_latent, object_latents


def test_cache_workers_render_the_same_shard_bytes(tmp_path):
    args = ["--count", "2", "--shard-size", "1"]
    dataset.main(args + ["--workers", "1", "--cache", str(tmp_path / "one")])
    dataset.main(args + ["--workers", "2", "--cache", str(tmp_path / "two")])
    names = ["train-000000.npz", "train-000001.npz"]
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == names
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == names
    for n in names:
        assert (tmp_path / "one" / n).read_bytes() == (tmp_path / "two" / n).read_bytes()
    data = dataset.load_cache("train", tmp_path / "two")
    assert list(data["seed"]) == [0, 1] and data["image"].dtype == np.uint8
    # shards present are kept (not rewritten), so an interrupted build resumes
    before = (tmp_path / "two" / names[0]).stat().st_mtime_ns
    dataset.main(args + ["--workers", "2", "--cache", str(tmp_path / "two")])
    assert (tmp_path / "two" / names[0]).stat().st_mtime_ns == before


def test_slat_table_prefill_in_workers_matches_the_lazy_path():
    cfg = pack_config("mini")
    seeds = [0, 2]
    raw = object_latents(cfg, seeds, workers=2)
    mean, std = np.full(8, 0.5, np.float32), np.full(8, 2.0, np.float32)
    pre, lazy = LatentCache(cfg, mean, std), LatentCache(cfg, mean, std)
    for s in seeds:
        pre.add(s, raw[s])
        assert raw[s] is not None and object_latent(cfg, s) is not None
        (x_pre, t_pre), (x_lazy, t_lazy) = pre.get(s), lazy.get(s)
        assert torch.equal(x_pre, x_lazy) and set(t_pre) == set(t_lazy)
        assert all(torch.equal(t_pre[k], t_lazy[k]) for k in t_pre)
