"""Mesh decoder (SAM 3D's SLaT mesh decoder at pack scale) and the matching SLaT encoder.

Decoder: Linear(C8 → W) + APE of the voxel coordinates → swin blocks alternating the shift-0 and
shift-s window tables → two subdivision blocks (R → 2R → 4R, parent-major children) → LayerNorm +
Linear to the feats layout (sdf 8 corners, colour 8×3). TypeScript extracts the surface.
Encoder (training only): per-voxel input features → same trunk → (mean, logvar) of the C8 latent.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from ..config import PackConfig
from .common import LayerNorm, sincos_3d
from .sparse import SubdivideBlock, SwinBlock


class SwinTrunk(nn.Module):
    def __init__(self, cin: int, width: int, depth: int, heads: int, mlp_ratio: float):
        super().__init__()
        self.width = width
        self.inp = nn.Linear(cin, width)
        self.blocks = nn.ModuleList([SwinBlock(width, heads, mlp_ratio) for _ in range(depth)])

    def forward(self, x, coords, win0_idx, win0_inv, win1_idx, win1_inv):
        h = self.inp(x) + sincos_3d(coords.float(), self.width)
        for i, blk in enumerate(self.blocks):
            h = blk(h, win0_idx, win0_inv) if i % 2 == 0 else blk(h, win1_idx, win1_inv)
        return h


class MeshDecoder(nn.Module):
    INPUTS = ("slat", "coords", "win0_idx", "win0_inv", "win1_idx", "win1_inv", "nbr_l1", "nbr_l2")
    OUTPUTS = ("feats",)

    def __init__(self, cfg: PackConfig):
        super().__init__()
        mc = cfg.mesh
        if cfg.subdivisions != 2 or len(mc.sub_channels) != 2:
            raise ValueError("the mesh_decoder contract has exactly 2 subdivisions (nbr_l1, nbr_l2)")
        self.trunk = SwinTrunk(cfg.slat_channels, mc.width, mc.depth, mc.heads, mc.mlp_ratio)
        c1, c2 = mc.sub_channels
        self.up1 = SubdivideBlock(mc.width, c1, mc.groups, mc.sub_conv_modes[0])
        self.up2 = SubdivideBlock(c1, c2, mc.groups, mc.sub_conv_modes[1])
        self.out_norm = LayerNorm(c2, elementwise_affine=False, eps=1e-6)
        self.out = nn.Linear(c2, mc.feats)
        self.latent_rgb, self.sdf_channels = mc.latent_rgb, mc.sdf_channels
        if self.latent_rgb >= 0:
            zero_colour_head(self)       # at the start the decoded colour is exactly the latent's

    def forward(self, slat, coords, win0_idx, win0_inv, win1_idx, win1_inv, nbr_l1, nbr_l2):
        h = self.trunk(slat, coords, win0_idx, win0_inv, win1_idx, win1_inv)
        h = self.up1(h, nbr_l1)
        h = self.up2(h, nbr_l2)
        feats = self.out(self.out_norm(h))
        if self.latent_rgb < 0:
            return feats
        sdf, colour = feats[:, :self.sdf_channels], feats[:, self.sdf_channels:]
        return torch.cat([sdf, colour + self.latent_colour_logits(slat, colour.shape[1] // 3)], dim=1)

    def latent_colour_logits(self, slat, corners: int):
        """(64N, corners·3): logit of each voxel's latent colour, repeated over its 64 fine children
        (parent-major, as the subdivision tables order them) and over the corners."""
        c = ((slat[:, self.latent_rgb:self.latent_rgb + 3] + 1.0) * 0.5).clamp(0.01, 0.99)
        logit = torch.log(c) - torch.log(1.0 - c)
        children = 8 ** 2                # two subdivisions
        return logit.unsqueeze(1).expand(-1, children * corners, -1).reshape(-1, 3 * corners)


def zero_colour_head(dec: MeshDecoder) -> None:
    """Zero the colour rows of the output layer: with `latent_rgb` set the decoded colour is then the
    latent's colour, and training refines it from there."""
    with torch.no_grad():
        dec.out.weight[dec.sdf_channels:].zero_()
        dec.out.bias[dec.sdf_channels:].zero_()


class SlatEncoder(nn.Module):
    """Training-only encoder of the SLaT autoencoder: (N, in_channels) per-voxel features → mean and
    logvar (N, C8) each. Same swin trunk as the decoder."""

    def __init__(self, cfg: PackConfig, in_channels: int):
        super().__init__()
        mc = cfg.mesh
        self.trunk = SwinTrunk(in_channels, mc.width, mc.depth, mc.heads, mc.mlp_ratio)
        self.norm = LayerNorm(mc.width, elementwise_affine=False, eps=1e-6)
        self.out = nn.Linear(mc.width, 2 * cfg.slat_channels)

    def forward(self, feats, coords, win0_idx, win0_inv, win1_idx, win1_inv):
        h = self.norm(self.trunk(feats, coords, win0_idx, win0_inv, win1_idx, win1_inv))
        mean, logvar = self.out(h).chunk(2, dim=-1)
        return mean, logvar
