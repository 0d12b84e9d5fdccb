"""Training plumbing: resumable checkpoints (step counter, weights, optimiser and RNG continue exactly,
CPU tensors only whatever the device), device selection, the analytic SS latent and its structured
decoder, and the SLaT stage's targets and decoder loss."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from fastsam3d_tools.config import get_config
from fastsam3d_tools.data.scene import target_shape
from fastsam3d_tools.data.targets import occupancy
from fastsam3d_tools.modules import MeshDecoder, SsDecoder
from fastsam3d_tools.modules.tables import mesh_tables
from fastsam3d_tools.train.common import CheckpointError, Trainer, load_checkpoint, load_weights, select_device, to_device
from fastsam3d_tools.train.slat_targets import analytic_latent, build_targets, object_coords
from fastsam3d_tools.train.slat_vae import decode, decoder_loss
from fastsam3d_tools.train.ss_latent import encode_occupancy, init_structured_decoder, tokens_to_latent


def _toy_step(model, draws):
    def step(rng: np.random.Generator, i: int):
        x = torch.from_numpy(rng.normal(size=(4, 3)).astype(np.float32))
        noise = torch.randn(4, 1)          # torch RNG must continue too
        draws.append((x.sum().item(), noise.sum().item()))
        return {"loss": ((model(x) - noise) ** 2).mean()}
    return step


def _tensors(obj, path="st"):
    """(path, tensor) of every tensor inside nested dicts / lists / tuples."""
    if isinstance(obj, torch.Tensor):
        yield path, obj
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from _tensors(v, f"{path}[{k!r}]")
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from _tensors(v, f"{path}[{i}]")


def test_resume_continues_step_rng_and_weights(tmp_path):
    straight_dir, split_dir = tmp_path / "a", tmp_path / "b"
    torch.manual_seed(0)
    ma = torch.nn.Linear(3, 1)
    draws_a = []
    ta = Trainer("toy", {"m": ma}, lr=1e-2, seed=3, checkpoint_dir=straight_dir, log_dir=tmp_path)
    ta.run(_toy_step(ma, draws_a), steps=4)

    torch.manual_seed(0)
    mb = torch.nn.Linear(3, 1)
    draws_b = []
    tb = Trainer("toy", {"m": mb}, lr=1e-2, seed=3, checkpoint_dir=split_dir, log_dir=tmp_path, ema_decay=0.9,
                 device="cpu")
    tb.run(_toy_step(mb, draws_b), steps=2)
    assert (split_dir / "toy.pt").exists() and tb.step == 2

    # what a resume reads is device-independent: CPU tensors only (weights, Adam moments, EMA, RNG),
    # no CUDA generator state when written on a CPU, and our loader accepts it on every torch
    st = load_checkpoint(split_dir / "toy.pt")
    found = dict(_tensors(st))
    assert any("optimiser" in k and "exp_avg" in k for k in found) and any("ema" in k for k in found)
    assert [k for k, v in found.items() if v.device.type != "cpu"] == []
    assert st["cuda_rng"] is None

    torch.manual_seed(123)                 # a new process: different default state, restored from the file
    mc = torch.nn.Linear(3, 1)
    tc = Trainer("toy", {"m": mc}, lr=1e-2, seed=999, checkpoint_dir=split_dir, log_dir=tmp_path, ema_decay=0.9,
                 device=select_device("cpu"))
    assert tc.step == 2
    tc.run(_toy_step(mc, draws_b), steps=2)
    assert tc.step == 4
    assert draws_a == draws_b              # bit-exact: the same data and noise draws …
    for pa, pc in zip(ma.parameters(), mc.parameters()):
        assert torch.equal(pa, pc)         # … and the same weights (the EMA does not touch the trained ones)


def test_ema_resumes_exactly_and_is_what_load_weights_returns(tmp_path):
    def train(dirname, splits):
        torch.manual_seed(0)
        m = torch.nn.Linear(3, 1)
        for n in splits:                   # each chunk = a new process resuming from the file
            t = Trainer("toy", {"m": m}, lr=1e-2, seed=3, checkpoint_dir=tmp_path / dirname, log_dir=tmp_path,
                        ema_decay=0.9)
            t.run(_toy_step(m, []), steps=n)
        return m, t.ema.shadow["m"]

    m_a, ema_a = train("a", [6])
    _, ema_b = train("b", [2, 4])
    for n in ema_a:
        assert torch.allclose(ema_a[n], ema_b[n])
    # the EMA lags the weights (it averages them), and load_weights ships it by default
    assert not torch.allclose(ema_a["weight"], m_a.weight.detach())
    fresh = torch.nn.Linear(3, 1)
    load_weights("toy", {"m": fresh}, checkpoint_dir=tmp_path / "a")
    assert torch.allclose(fresh.weight, ema_a["weight"])
    load_weights("toy", {"m": fresh}, checkpoint_dir=tmp_path / "a", ema=False)
    assert torch.allclose(fresh.weight, m_a.weight)


def test_select_device_without_a_gpu(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert select_device("cpu") == torch.device("cpu")
    assert select_device("auto") == torch.device("cpu")
    with pytest.raises(RuntimeError) as err:
        select_device("cuda")
    assert str(err.value) == "CUDA was requested but torch.cuda.is_available() is False; use --device cpu"
    with pytest.raises(ValueError):
        select_device("gpu")


def test_select_device_auto_takes_the_gpu_when_torch_sees_one(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch, "set_float32_matmul_precision", lambda p: None)   # no global change here
    assert select_device("auto") == torch.device("cuda")
    assert select_device("cuda") == torch.device("cuda")


def test_to_device_moves_nested_batches_and_leaves_the_rest():
    batch = {"x": torch.ones(2), "tables": {"nbr": torch.zeros(3, 27, dtype=torch.int32)},
             "pair": (torch.ones(1), 3), "list": [torch.ones(1)], "name": "a", "n": 4}
    out = to_device(batch, "cpu")
    assert set(out) == set(batch) and out["name"] == "a" and out["n"] == 4
    assert isinstance(out["pair"], tuple) and out["pair"][1] == 3 and isinstance(out["list"], list)
    assert out["tables"]["nbr"].dtype == torch.int32
    assert all(t.device.type == "cpu" for _, t in _tensors(out))


def test_checkpoint_stays_under_the_size_limit(tmp_path):
    from fastsam3d_tools.train.common import MAX_CHECKPOINT_BYTES
    n = int((MAX_CHECKPOINT_BYTES / 4 / 2) ** 0.5)    # weights half the limit: over it with Adam moments
    big = torch.nn.Linear(n, n)
    t = Trainer("big", {"m": big}, lr=1e-3, checkpoint_dir=tmp_path, log_dir=tmp_path)
    t.run(lambda rng, i: {"loss": big(torch.ones(1, n)).sum()}, steps=1)
    assert (tmp_path / "big.pt").stat().st_size < MAX_CHECKPOINT_BYTES
    assert load_checkpoint(tmp_path / "big.pt")["optimiser"] is None
    # the moments went beside it, and the next run on this machine resumes with them
    assert (tmp_path / "big.optim.pt").exists()
    moments = t.opt.state_dict()["state"][0]["exp_avg_sq"].clone()
    again = Trainer("big", {"m": torch.nn.Linear(n, n)}, lr=1e-3, checkpoint_dir=tmp_path, log_dir=tmp_path)
    assert torch.equal(again.opt.state_dict()["state"][0]["exp_avg_sq"], moments)
    # moments of another step are not these weights' (a checkpoint copied in from elsewhere): fresh ones
    st = load_checkpoint(tmp_path / "big.pt")
    st["step"] += 5
    torch.save(st, tmp_path / "big.pt")
    fresh = Trainer("big", {"m": torch.nn.Linear(n, n)}, lr=1e-3, checkpoint_dir=tmp_path, log_dir=tmp_path)
    assert fresh.opt.state_dict()["state"] == {}


def test_analytic_ss_latent_decodes_with_the_structured_decoder():
    cfg = get_config("mini")
    occ = np.stack([occupancy(target_shape(s, "train"), cfg.resolution) for s in (0, 1)])
    tokens = encode_occupancy(occ, cfg.latent_resolution)
    assert tokens.shape == (2, cfg.latent_resolution ** 3, cfg.latent_channels)
    assert tokens.min() >= -1 and tokens.max() <= 1
    # token n = i·L² + j·L + k covers voxels [4i, 4i+4) × … ; channel 7 = octant (1, 1, 1)
    L = cfg.latent_resolution
    i, j, k = 3, 4, 5
    frac = occ[0, 4 * i + 2:4 * i + 4, 4 * j + 2:4 * j + 4, 4 * k + 2:4 * k + 4].mean()
    assert np.isclose(tokens[0, i * L * L + j * L + k, 7], 2 * frac - 1)
    dec = init_structured_decoder(SsDecoder(cfg))
    with torch.no_grad():
        logits = dec(tokens_to_latent(torch.from_numpy(tokens), L))[:, 0].numpy()
    for b in range(2):
        pred, gt = logits[b] > 0, occ[b]
        assert (pred & gt).sum() / (pred | gt).sum() > 0.6


def test_slat_targets_and_decoder_loss_are_consistent():
    cfg = get_config("tiny")
    shape = target_shape(2, "train")
    coords = object_coords(shape, cfg.resolution, cfg.prune_surface_distance)[:40]
    tg = build_targets(shape, cfg.resolution, cfg.subdivisions, cfg.prune_surface_distance, coords=coords,
                       with_encoder_inputs=False)
    assert tg.sdf.shape == (64 * len(coords), 8) and np.all(np.abs(tg.sdf) <= 1)
    z = analytic_latent(shape, coords, cfg.resolution)
    assert z.shape == (len(coords), 8) and np.all(np.abs(z[:, 5:]) <= 1)
    # a perfect prediction has zero loss; the random decoder does not
    perfect = torch.cat([torch.from_numpy(tg.sdf), torch.logit(torch.from_numpy(tg.colour).clamp(1e-4, 1 - 1e-4)).reshape(-1, 24)], 1)
    assert float(decoder_loss(perfect, tg)["sdf"]) == 0.0
    assert float(decoder_loss(perfect, tg)["colour"]) < 1e-3
    dec = MeshDecoder(cfg)
    tb = {k: torch.from_numpy(v) for k, v in mesh_tables(tg.coords, cfg.mesh.window, cfg.mesh.shifts).items()}
    feats = decode(dec, torch.from_numpy(z), tb)
    assert feats.shape == (64 * len(coords), cfg.mesh.feats)
    assert float(decoder_loss(feats, tg)["sdf"]) > 0.01


def test_lr_scales_give_named_parameters_their_own_rate(tmp_path):
    """`lr_scales` (train.ss_flow --blocks-lr): parameters under a prefix train at lr × factor through the
    warm-up schedule as well; the rest at lr. A factor of 0 leaves its parameters exactly as they were."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.Linear(3, 1))
    before = [p.detach().clone() for p in model.parameters()]
    tr = Trainer("toy", {"m": model}, lr=1e-2, checkpoint_dir=tmp_path, log_dir=tmp_path, lr_scales={"m.1.": 0.0})
    tr.run(_toy_step(model, []), steps=3, lr_schedule=lambda s: 0.5)
    rates = sorted(g["lr"] for g in tr.opt.param_groups)
    assert rates == [0.0, 5e-3]
    (w0, b0, w1, b1), now = before, list(model.parameters())
    assert not torch.equal(now[0], w0) and not torch.equal(now[1], b0)
    assert torch.equal(now[2], w1) and torch.equal(now[3], b1)


def test_a_resume_trains_at_its_own_rates_not_the_checkpoints(tmp_path):
    """torch's optimiser state carries its groups' rates; a resumed run with other --lr / lr_scales (the
    same groups, so the moments are kept) must train at the rates it was given."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.Linear(3, 1))
    Trainer("toy", {"m": model}, lr=1e-2, checkpoint_dir=tmp_path, log_dir=tmp_path,
            lr_scales={"m.1.": 4.0}).run(_toy_step(model, []), steps=2)
    again = Trainer("toy", {"m": model}, lr=1e-3, checkpoint_dir=tmp_path, log_dir=tmp_path, lr_scales={"m.1.": 2.0})
    assert again.step == 2 and any(again.opt.state.values())          # resumed, moments restored
    assert sorted((g["lr"], g["lr_scale"]) for g in again.opt.param_groups) == [(1e-3, 1.0), (2e-3, 2.0)]


def test_a_checkpoint_torch_cannot_read_is_named_with_what_to_do(tmp_path):
    """Truncated, garbage, empty or foreign files: one line naming the file, not a pickle traceback, and
    the file is left as it was."""
    good = tmp_path / "good.pt"
    torch.save({"models": {}, "step": 1}, good)
    cases = {"garbage.pt": b"\x80\x04not a pickle at all", "empty.pt": b"", "cut.pt": good.read_bytes()[:40]}
    for name, data in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(CheckpointError, match=rf"{name} is not a readable checkpoint .*restore it"):
            load_checkpoint(path)
        assert path.read_bytes() == data
    moments = tmp_path / "x.optim.pt"
    moments.write_bytes(b"junk")
    with pytest.raises(CheckpointError, match=r"x\.optim\.pt is not a readable checkpoint .*delete it"):
        load_checkpoint(moments)
    foreign = tmp_path / "foreign.pt"
    torch.save([1, 2, 3], foreign)
    with pytest.raises(CheckpointError, match="holds a list"):
        load_checkpoint(foreign)
    # A state dict saved by hand is not a training checkpoint: the trainer says so instead of KeyError.
    torch.save(torch.nn.Linear(2, 2).state_dict(), tmp_path / "toy.pt")
    with pytest.raises(CheckpointError, match=r"toy\.pt is not a training checkpoint of this project"):
        Trainer("toy", {"m": torch.nn.Linear(2, 2)}, lr=1e-2, checkpoint_dir=tmp_path, log_dir=tmp_path)
