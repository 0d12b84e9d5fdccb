"""Module library: shapes, and every gather/table formulation against a brute-force reference."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from fastsam3d_tools.config import mini, tiny
from fastsam3d_tools.export.examples import example_inputs, signatures
from fastsam3d_tools.modules import ROLES, build_role, tables
from fastsam3d_tools.modules.common import CrossAttention, sincos_3d, timestep_embedding
from fastsam3d_tools.modules.sparse import (SparseConv3d, SparseGroupNorm, WindowAttention, mean_pool,
                                            nearest_up, subdivide)


def random_coords(res: int, frac: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    occ = rng.random((res, res, res)) < frac
    return np.argwhere(occ).astype(np.int32)  # argwhere is lexicographic


def test_timestep_embedding_is_cos_first_with_sam3d_frequencies():
    t = torch.tensor([0.0, 250.0, 1000.0])
    emb = timestep_embedding(t, 8)
    half = 4
    freqs = np.exp(-math.log(10000) * np.arange(half) / half)
    want = np.concatenate([np.cos(t.numpy()[:, None] * freqs), np.sin(t.numpy()[:, None] * freqs)], axis=1)
    np.testing.assert_allclose(emb.numpy(), want, rtol=1e-5, atol=1e-5)
    assert emb[0, :half].eq(1).all() and emb[0, half:].eq(0).all()


def test_sincos_3d_layout_and_padding():
    pos = torch.tensor([[1.0, 2.0, 3.0]])
    emb = sincos_3d(pos, 20)  # 6 channels per axis, 2 zero-padded
    assert emb.shape == (1, 20)
    freqs = 1.0 / 10000 ** (np.arange(3) / 3)
    for axis, value in enumerate((1.0, 2.0, 3.0)):
        block = emb[0, axis * 6:(axis + 1) * 6].numpy()
        np.testing.assert_allclose(block, np.concatenate([np.sin(value * freqs), np.cos(value * freqs)]), atol=1e-6)
    assert emb[0, 18:].abs().sum() == 0


@pytest.mark.parametrize("mode", ["concat", "loop"])
def test_gather_sparse_conv_equals_dense_conv3d(mode):
    torch.manual_seed(0)
    res, cin, cout = 9, 5, 7
    coords = random_coords(res, 0.3, seed=1)
    x = torch.randn(len(coords), cin)
    conv = SparseConv3d(cin, cout, mode)
    with torch.no_grad():
        conv.bias.normal_()
    nbr = torch.from_numpy(tables.neighbour_map(coords))
    got = conv(x, nbr)
    dense = torch.zeros(1, cin, res, res, res)
    ci = torch.from_numpy(coords).long()
    dense[0, :, ci[:, 0], ci[:, 1], ci[:, 2]] = x.t()
    w = conv.weight.detach().reshape(3, 3, 3, cin, cout).permute(4, 3, 0, 1, 2)  # (Cout, Cin, kd, kh, kw)
    ref = F.conv3d(dense, w, conv.bias.detach(), padding=1)[0][:, ci[:, 0], ci[:, 1], ci[:, 2]].t()
    torch.testing.assert_close(got.detach(), ref, rtol=1e-4, atol=1e-5)


def test_neighbour_map_matches_brute_force():
    coords = random_coords(6, 0.4, seed=2)
    nbr = tables.neighbour_map(coords)
    index = {tuple(c): n for n, c in enumerate(coords.tolist())}
    for n, c in enumerate(coords.tolist()):
        for o, off in enumerate(tables.OFFSETS.tolist()):
            q = tuple(a + b for a, b in zip(c, off))
            assert nbr[n, o] == index.get(q, len(coords))
    assert nbr[:, 13].tolist() == list(range(len(coords)))


def test_mean_pool_and_nearest_up_tables_match_brute_force():
    torch.manual_seed(0)
    coords = random_coords(8, 0.35, seed=3)
    ct = tables.coarse_tables(coords)
    x = torch.randn(len(coords), 4)
    pooled = mean_pool(x, torch.from_numpy(ct["children"]), torch.from_numpy(ct["inv_count"]))
    coarse = sorted({tuple(v // 2 for v in c) for c in coords.tolist()})
    assert [tuple(c) for c in ct["coarse"].tolist()] == coarse  # lexicographic unique
    for r, cc in enumerate(coarse):
        members = [n for n, c in enumerate(coords.tolist()) if tuple(v // 2 for v in c) == cc]
        torch.testing.assert_close(pooled[r], x[members].mean(0))
        for n in members:
            c = coords[n] - 2 * np.array(cc)
            assert ct["children"][r, c[0] * 4 + c[1] * 2 + c[2]] == n
    up = nearest_up(pooled, torch.from_numpy(ct["fine_to_coarse"]))
    for n, c in enumerate(coords.tolist()):
        torch.testing.assert_close(up[n], pooled[coarse.index(tuple(v // 2 for v in c))])


def test_subdivision_is_parent_major():
    coords = np.array([[0, 1, 2], [3, 3, 3]], dtype=np.int32)
    child = tables.subdivide_coords(coords)
    assert child.shape == (16, 3)
    for p in range(2):
        for c in range(8):
            d = np.array([c // 4, (c // 2) % 2, c % 2])
            assert (child[p * 8 + c] == 2 * coords[p] + d).all()
    x = torch.arange(6.0).reshape(2, 3)
    s = subdivide(x)
    assert s.shape == (16, 3) and torch.equal(s[8:], x[1].expand(8, 3)) and torch.equal(s[:8], x[0].expand(8, 3))


@pytest.mark.parametrize("shift", [0, 2])
def test_window_attention_equals_masked_dense_reference(shift):
    torch.manual_seed(0)
    coords = random_coords(10, 0.25, seed=4)
    wt = tables.window_tables(coords, window=4, shift=shift)
    x = torch.randn(len(coords), 8)
    attn = WindowAttention(8, heads=2)
    got = attn(x, torch.from_numpy(wt["win_idx"]), torch.from_numpy(wt["win_inv"]))
    # Reference: plain dense attention over each window's member tokens (no padding at all).
    win = (coords + shift) // 4
    ref = torch.zeros_like(got)
    for w in np.unique(win, axis=0):
        members = np.where((win == w).all(axis=1))[0]
        ref[members] = attn.attn(x[members].unsqueeze(0))[0]
    torch.testing.assert_close(got, ref, rtol=1e-4, atol=1e-5)
    # Tables: lexicographic windows, row order within a window, win_inv inverts win_idx.
    flat = wt["win_idx"].reshape(-1)
    assert (flat[wt["win_inv"]] == np.arange(len(coords))).all()
    first = [tuple(win[row[0]]) for row in wt["win_idx"]]
    assert first == sorted(first) and len(set(first)) == len(first)
    for row in wt["win_idx"]:
        members = row[row < len(coords)]
        assert (np.diff(members) > 0).all() and (row[len(members):] == len(coords)).all()
        assert (win[members] == win[members[0]]).all()


def test_sparse_group_norm_equals_torch_group_norm():
    torch.manual_seed(0)
    x = torch.randn(37, 12)
    gn = SparseGroupNorm(4, 12)
    ref = F.group_norm(x.t().unsqueeze(0), 4, gn.weight, gn.bias, eps=gn.eps)[0].t()
    torch.testing.assert_close(gn(x), ref, rtol=1e-4, atol=1e-5)


def test_one_token_zero_condition_equals_full_length_zero_condition():
    torch.manual_seed(0)
    ca = CrossAttention(16, 24, heads=4)
    x = torch.randn(2, 9, 16)
    torch.testing.assert_close(ca(x, torch.zeros(2, 1, 24)), ca(x, torch.zeros(2, 50, 24)), rtol=1e-5, atol=1e-6)
    cfg = tiny()
    for role in ("ss_flow", "slat_flow"):
        net = build_role(role, cfg).eval()
        for p in net.parameters():       # adaLN-Zero gates would hide the cross-attention path
            if torch.count_nonzero(p) == 0:
                p.data.normal_(0, 0.05)
        feeds = example_inputs(role, cfg, seed=3)
        names = signatures(cfg)[role][0]
        args = {n: torch.from_numpy(feeds[n]) for n in names}
        b = args["cond"].shape[0]
        with torch.no_grad():
            one = net(*[torch.zeros(b, 1, cfg.condition.dim) if n == "cond" else args[n] for n in names])
            full = net(*[torch.zeros(b, 77, cfg.condition.dim) if n == "cond" else args[n] for n in names])
            cond = net(*[args[n] for n in names])
        one, full, cond = [(o,) if isinstance(o, torch.Tensor) else o for o in (one, full, cond)]
        for a, c in zip(one, full):
            torch.testing.assert_close(a, c, rtol=1e-5, atol=1e-6)
        assert any(not torch.allclose(a, c) for a, c in zip(one, cond)), role + " ignores its condition"


def test_ss_flow_shape_velocity_ignores_pose_tokens():
    cfg = tiny()
    net = build_role("ss_flow", cfg).eval()
    for p in net.parameters():
        if torch.count_nonzero(p) == 0:
            p.data.normal_(0, 0.05)
    f = {k: torch.from_numpy(v) for k, v in example_inputs("ss_flow", cfg, seed=1).items()}
    names = signatures(cfg)["ss_flow"][0]
    with torch.no_grad():
        a = net(*[f[n] for n in names])
        g = dict(f, x_rot6d=f["x_rot6d"] + 1.0, x_scale=f["x_scale"] - 2.0)
        b = net(*[g[n] for n in names])
    torch.testing.assert_close(a[0], b[0])          # shape stream: unchanged
    assert not torch.allclose(a[1], b[1])           # pose stream: reacts


@pytest.mark.parametrize("cfg_fn", [tiny, mini], ids=["tiny", "mini"])
def test_every_role_produces_the_contract_shapes(cfg_fn):
    cfg = cfg_fn()
    sigs = signatures(cfg)
    for role in ROLES:
        net = build_role(role, cfg).eval()
        feeds = example_inputs(role, cfg, variant=1)
        ins, outs = sigs[role]
        with torch.no_grad():
            res = net(*[torch.from_numpy(feeds[n]) for n in ins])
        res = (res,) if isinstance(res, torch.Tensor) else res
        n = len(feeds.get("coords", ()))
        sizes = {"N": n, "64N": 64 * n, "B": feeds[next(iter(ins))].shape[0],
                 "K": feeds["image"].shape[0] // 2 if "image" in feeds else 0}
        for (name, (_, shape)), out in zip(outs.items(), res):
            want = [d if isinstance(d, int) else sizes[d] for d in shape]
            assert list(out.shape) == want, f"{cfg.name}/{role}/{name}: {list(out.shape)} != {want}"
            assert torch.isfinite(out).all()


def test_training_encoders_shapes():
    from fastsam3d_tools.modules import SlatEncoder, SsEncoder
    cfg = tiny()
    occ = (torch.rand(2, 1, cfg.resolution, cfg.resolution, cfg.resolution) > 0.5).float()
    mean, logvar = SsEncoder(cfg)(occ)
    lr = cfg.latent_resolution
    assert mean.shape == logvar.shape == (2, cfg.latent_channels, lr, lr, lr)
    feeds = example_inputs("mesh_decoder", cfg)
    enc = SlatEncoder(cfg, in_channels=5)
    n = len(feeds["coords"])
    args = [torch.from_numpy(feeds[k]) for k in ("coords", "win0_idx", "win0_inv", "win1_idx", "win1_inv")]
    mean, logvar = enc(torch.randn(n, 5), *args)
    assert mean.shape == logvar.shape == (n, cfg.slat_channels)


def test_latent_colour_skip_gives_the_latent_colour_to_every_fine_child():
    """mesh.latent_rgb (the mini pack's structured latent): with the colour head at its zero start the
    decoded colour of each of a voxel's 64 fine children, at every corner, is the voxel's latent RGB."""
    import dataclasses

    from fastsam3d_tools.modules import MeshDecoder
    cfg = tiny()
    cfg = dataclasses.replace(cfg, mesh=dataclasses.replace(cfg.mesh, latent_rgb=5))
    dec = MeshDecoder(cfg).eval()
    feeds = example_inputs("mesh_decoder", cfg, seed=3)
    n = len(feeds["coords"])
    slat = torch.randn(n, cfg.slat_channels)
    slat[:, 5:8] = torch.rand(n, 3) * 1.6 - 0.8            # RGB as 2c − 1, inside the clamp
    args = [torch.from_numpy(feeds[k]) for k in MeshDecoder.INPUTS[1:]]
    with torch.no_grad():
        feats = dec(slat, *args)
    sdf_ch = cfg.mesh.sdf_channels
    colour = torch.sigmoid(feats[:, sdf_ch:].reshape(64 * n, -1, 3))
    want = ((slat[:, 5:8] + 1) / 2).repeat_interleave(64, dim=0)[:, None, :].expand_as(colour)
    assert torch.allclose(colour, want, atol=1e-5)


def test_slat_appearance_path_starts_silent_and_feeds_only_cond_slat():
    """condition.slat_appearance: a zero-initialised patch embedding added before the cond_slat
    projection — the encoder's outputs are unchanged until it trains, and it never touches cond_ss."""
    import dataclasses

    from fastsam3d_tools.modules import ConditionEncoder
    base = tiny()
    cfg = dataclasses.replace(base, condition=dataclasses.replace(base.condition, slat_appearance=True))
    torch.manual_seed(0)
    plain = ConditionEncoder(base).eval()
    app = ConditionEncoder(cfg).eval()
    missing = app.load_state_dict(plain.state_dict(), strict=False).missing_keys
    assert sorted(missing) == ["proj_slat_rgb.bias", "proj_slat_rgb.weight"]
    feeds = example_inputs("condition", cfg, seed=1)
    img, msk = torch.from_numpy(feeds["image"]), torch.from_numpy(feeds["mask"])
    with torch.no_grad():
        ss0, slat0 = plain(img, msk)
        ss1, slat1 = app(img, msk)
        assert torch.equal(ss0, ss1) and torch.allclose(slat0, slat1, atol=1e-6)
        app.proj_slat_rgb.weight.normal_(0, 0.1)
        ss2, slat2 = app(img, msk)
    assert torch.equal(ss0, ss2)
    assert (slat2 - slat0).abs().max() > 1e-3


def test_ss_flow_grown_deeper_from_a_checkpoint_starts_as_the_shallower_network():
    """train.ss_flow warm-starts a deeper SS flow from a shallower checkpoint: the new blocks pass their
    tokens through (start_blocks_as_identity), so the outputs are the checkpoint's to float precision."""
    import dataclasses
    from fastsam3d_tools.modules import SsFlow
    from fastsam3d_tools.train.common import load_matching
    cfg = tiny()
    torch.manual_seed(0)
    shallow = SsFlow(cfg)
    with torch.no_grad():                       # trained-looking weights: no zero-initialised layer left
        for p in shallow.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    deep = SsFlow(dataclasses.replace(cfg, ss_flow=dataclasses.replace(cfg.ss_flow, depth=cfg.ss_flow.depth + 2)))
    fresh = load_matching(deep, shallow.state_dict())
    assert fresh and all(n.startswith(("blocks.2.", "blocks.3.")) for n in fresh)
    L, C = cfg.latent_resolution, cfg.latent_channels
    x = (torch.randn(2, L ** 3, C), torch.randn(2, 1, 6), torch.randn(2, 1, 3), torch.randn(2, 1, 3),
         torch.randn(2, 1, 1), torch.tensor([300.0, 800.0]), torch.zeros(2), torch.randn(2, 5, cfg.condition.dim))
    with torch.no_grad():
        before = deep(*x)
        deep.start_blocks_as_identity(cfg.ss_flow.depth)
        after, want = deep(*x), shallow(*x)
    assert not torch.allclose(before[0], want[0], atol=1e-3)      # the fresh blocks did change the output
    for a, w in zip(after, want):
        assert torch.allclose(a, w, atol=1e-5)
