"""Structured-latent flow: SAM 3D's sparse U-shaped flow at pack scale.

Fine level (N voxels, resolution R): input Linear + APE of the voxel coordinates, a sparse res block;
mean-pool to the coarse level (Nc voxels, R/2) with a res block that widens to the transformer width;
APE of the coarse coordinates; dense modulated transformer blocks over all coarse tokens with
cross-attention to cond_slat; back to the fine level by nearest upsampling with U-Net skips; output
LayerNorm + Linear. Batch 1 (sparse graphs are per object).
"""
from __future__ import annotations

import torch
import torch.nn as nn

from ..config import PackConfig
from .common import LayerNorm, ModulatedCrossBlock, TimestepEmbedder, sincos_3d, zero_init
from .sparse import SparseResBlock, mean_pool, nearest_up


class SlatFlow(nn.Module):
    INPUTS = ("x", "t", "cond", "coords", "nbr_fine", "nbr_coarse", "children", "inv_count",
              "fine_to_coarse", "coarse_xyz")
    OUTPUTS = ("v",)

    def __init__(self, cfg: PackConfig):
        super().__init__()
        fc = cfg.slat_flow
        io, w, c8 = fc.io_channels, fc.width, cfg.slat_channels
        self.io, self.width = io, w
        self.t_embed = TimestepEmbedder(w, fc.freq_dim)
        self.inp = nn.Linear(c8, io)
        self.res_in = SparseResBlock(io, io, w)
        # Coarse level after pooling: a res block at coarse_channels, then a Linear to the transformer
        # width (SAM 3D convolves at the full width here; at pack scale that conv dominated the pass).
        self.res_down = SparseResBlock(io, fc.coarse_channels, w)
        self.to_width = nn.Linear(fc.coarse_channels, w)
        self.blocks = nn.ModuleList(
            [ModulatedCrossBlock(w, cfg.condition.dim, fc.heads, fc.mlp_ratio, w) for _ in range(fc.depth)])
        # Width reduction on the coarse level (8× cheaper than SAM 3D's 2W→io conv on the fine level).
        self.up_proj = nn.Linear(2 * w, io)
        self.res_up = SparseResBlock(io, io, w)
        self.res_out = SparseResBlock(2 * io, io, w)
        self.out_norm = LayerNorm(io, elementwise_affine=False, eps=1e-6)
        self.out = zero_init(nn.Linear(io, c8))

    def forward(self, x, t, cond, coords, nbr_fine, nbr_coarse, children, inv_count, fine_to_coarse,
                coarse_xyz):
        temb = self.t_embed(t)                                          # (1, W)
        h = self.inp(x) + sincos_3d(coords.float(), self.io)
        h0 = self.res_in(h, nbr_fine, temb)
        hc = self.to_width(self.res_down(mean_pool(h0, children, inv_count), nbr_coarse, temb))
        skip = hc
        hc = hc + sincos_3d(coarse_xyz, self.width)
        hc = hc.unsqueeze(0)
        for blk in self.blocks:
            hc = blk(hc, cond, temb)
        hc = self.up_proj(torch.cat([hc.squeeze(0), skip], dim=-1))
        hf = self.res_up(nearest_up(hc, fine_to_coarse), nbr_fine, temb)
        hf = self.res_out(torch.cat([hf, h0], dim=-1), nbr_fine, temb)
        return self.out(self.out_norm(hf))
