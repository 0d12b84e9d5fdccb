"""Parallel builders of the GPU workflow (tools/train_on_device.sh): the render cache with `--workers`
writes the same shard bytes as one worker, and the SLaT flow's table prefill in worker processes gives
what the lazy per-step path gives."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
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
    # the processes of a data-parallel run each load a disjoint share of the shards, together all of it
    shares = [dataset.load_cache("train", tmp_path / "two", part=r, parts=2) for r in (0, 1)]
    assert [list(d["seed"]) for d in shares] == [[0], [1]]
    for k in data:
        assert np.array_equal(np.concatenate([d[k] for d in shares]), data[k]), k
    with pytest.raises(FileNotFoundError, match="fewer train shards than the 3 processes"):
        dataset.load_cache("train", tmp_path / "two", part=2, parts=3)
    # shards present are kept (not rewritten), so an interrupted build resumes
    before = (tmp_path / "two" / names[0]).stat().st_mtime_ns
    dataset.main(args + ["--workers", "2", "--cache", str(tmp_path / "two")])
    assert (tmp_path / "two" / names[0]).stat().st_mtime_ns == before


def test_cache_from_a_first_seed_renders_only_that_range(tmp_path, monkeypatch, capsys):
    args = ["--shard-size", "1", "--cache", str(tmp_path)]
    dataset.main(args + ["--first", "2", "--count", "4"])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["train-000002.npz", "train-000003.npz"]
    assert list(dataset.load_cache("train", tmp_path, part=0, parts=1)["seed"]) == [2, 3]
    with pytest.raises(ValueError, match="multiple of the shard size 100 below --count 400"):
        dataset.build_cache(400, first=150, out=tmp_path)
    with pytest.raises(SystemExit) as refused:          # the command: one error line, exit code 2
        dataset.main(["--first", "150", "--count", "400", "--cache", str(tmp_path)])
    assert refused.value.code == 2
    assert "error: --first 150: must be a multiple of the shard size 100 below --count 400" in capsys.readouterr().err
    # render workers get one BLAS thread each (they fought for the cores), unless the caller chose
    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    monkeypatch.setenv("MKL_NUM_THREADS", "3")
    with dataset._one_thread_per_worker():
        assert os.environ["OMP_NUM_THREADS"] == "1" and os.environ["MKL_NUM_THREADS"] == "3"
    assert "OMP_NUM_THREADS" not in os.environ and os.environ["MKL_NUM_THREADS"] == "3"


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


# --- data-parallel CPU training (train/data_parallel.py) ------------------------------------------------

_X = torch.linspace(-1, 1, 8 * 3).reshape(8, 3)
_Y = torch.stack([_X.sum(1), _X[:, 0] * 2 - _X[:, 2]], 1)


def _toy_main(argv):
    """A stage script in miniature: `--procs` processes, each training on its share of the 8 rows."""
    import argparse
    from fastsam3d_tools.train import data_parallel as dp
    from fastsam3d_tools.train.common import Trainer, add_runtime_arguments, launch_if_parallel, setup_runtime

    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    add_runtime_arguments(ap)
    a = ap.parse_args(argv)
    if launch_if_parallel(_toy_main, argv, a):
        return
    setup_runtime(a)
    torch.manual_seed(dp.rank())                # different fresh weights per process: rank 0's must win
    net = torch.nn.Linear(3, 2)
    trainer = Trainer("toy", {"net": net}, lr=0.05, checkpoint_dir=Path(a.dir), log_dir=Path(a.dir), ema_decay=0.9)
    rows = torch.arange(8).reshape(dp.world(), -1)[dp.rank()]
    trainer.extra = {"rows_total": float(dp.total(rows.numpy().sum(keepdims=True))[0])}   # over all shares

    def step(rng, i):
        return {"loss": torch.nn.functional.mse_loss(net(_X[rows]), _Y[rows])}

    trainer.run(step, steps=5)


def test_two_processes_train_like_one_with_their_batches_together(tmp_path):
    from fastsam3d_tools.train.common import load_checkpoint

    _toy_main([str(tmp_path / "one")])
    _toy_main([str(tmp_path / "two"), "--procs", "2"])
    one, two = (load_checkpoint(tmp_path / d / "toy.pt") for d in ("one", "two"))
    assert one["step"] == two["step"] == 5
    assert one["extra"]["rows_total"] == two["extra"]["rows_total"] == 28.0
    torch.manual_seed(0)
    start = torch.nn.Linear(3, 2).state_dict()            # rank 0's fresh weights (rank 1 drew others)
    for k, v in one["models"]["net"].items():
        assert not torch.allclose(v, start[k], atol=1e-3), k     # trained
        assert torch.allclose(v, two["models"]["net"][k], atol=1e-6), k
        assert torch.allclose(one["ema"]["weights"]["net"][k], two["ema"]["weights"]["net"][k], atol=1e-6), k
