"""The oracle study's ground-truth files (train/oracle_inputs.py), as bench/oracle.ts reads them: the SS
tokens decode (structured SS decoder) to the occupancy file in the same voxel order, the SLaT voxels are
that occupancy's pruned surface, and the latent's centre SDF puts every one of them at the surface."""
from __future__ import annotations

import json

import numpy as np
import torch

from fastsam3d_tools.data.targets import surface_voxels
from fastsam3d_tools.modules import SsDecoder
from fastsam3d_tools.train.evaluate import occupancy_iou
from fastsam3d_tools.train.oracle_inputs import FORMAT, write_oracle
from fastsam3d_tools.train.sizes import pack_config
from fastsam3d_tools.train.ss_latent import init_structured_decoder, tokens_to_latent


def test_oracle_files_agree_with_each_other_in_the_pipeline_voxel_order(tmp_path):
    cfg = pack_config("mini")
    R, L = cfg.resolution, cfg.latent_resolution
    meta = write_oracle(tmp_path / "obj", seed=3, cfg=cfg)
    d = tmp_path / "obj"
    assert json.loads((d / "oracle.json").read_text())["format"] == FORMAT
    occ = np.fromfile(d / "occupancy.u8", dtype="<u1").reshape(R, R, R).astype(bool)
    tokens = np.fromfile(d / "ss_tokens.f32", dtype="<f4").reshape(L ** 3, meta["ssChannels"])
    coords = np.fromfile(d / "slat_coords.i32", dtype="<i4").reshape(-1, 3)
    latent = np.fromfile(d / "slat_latent.f32", dtype="<f4").reshape(-1, meta["slatChannels"])
    assert meta["occupied"] == occ.sum() > 0 and meta["voxels"] == len(coords) == len(latent)

    dec = init_structured_decoder(SsDecoder(cfg)).eval()
    with torch.no_grad():
        decoded = dec(tokens_to_latent(torch.from_numpy(tokens)[None], L))[0, 0].numpy() > 0
    assert occupancy_iou(decoded, occ) > 0.7
    # the same tokens in another voxel order decode to something else: the check above can fail
    flipped = torch.from_numpy(tokens.reshape(L, L, L, -1).transpose(2, 1, 0, 3).reshape(L ** 3, -1).copy())
    with torch.no_grad():
        wrong = dec(tokens_to_latent(flipped[None], L))[0, 0].numpy() > 0
    assert occupancy_iou(wrong, occ) < occupancy_iou(decoded, occ) - 0.1

    assert np.array_equal(coords, np.argwhere(surface_voxels(occ, cfg.prune_surface_distance)))
    assert np.all(np.abs(latent[:, 0]) < 1.0)   # centre SDF in voxel units: every voxel is on the surface
