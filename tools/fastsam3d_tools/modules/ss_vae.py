"""Dense 3D-conv sparse-structure VAE (SAM 3D's SparseStructure encoder/decoder at pack scale).

Decoder (exported as `ss_decoder`): latent (B, C, L, L, L) → occupancy logits (B, 1, R, R, R), with
pixel-shuffle upsampling and a learned per-voxel logit prior (initialised as a sphere) that training
refines; it also guarantees that a random-weight pack yields a usable voxel set.
Encoder (training only): occupancy (B, 1, R, R, R) → mean, logvar (B, C, L, L, L).
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..config import PackConfig


def _levels(cfg: PackConfig) -> int:
    ups = int(round(math.log2(cfg.resolution / cfg.latent_resolution)))
    if cfg.latent_resolution * 2 ** ups != cfg.resolution:
        raise ValueError(f"grid resolution {cfg.resolution} must be latent resolution "
                         f"{cfg.latent_resolution} times a power of two")
    if len(cfg.ss_vae.channels) != ups + 1:
        raise ValueError(f"ss_vae.channels needs {ups + 1} entries (one per level), got {cfg.ss_vae.channels}")
    return ups


class ResBlock3d(nn.Module):
    def __init__(self, cin: int, cout: int, groups: int):
        super().__init__()
        self.norm1 = nn.GroupNorm(min(groups, cin), cin)
        self.conv1 = nn.Conv3d(cin, cout, 3, padding=1)
        self.norm2 = nn.GroupNorm(min(groups, cout), cout)
        self.conv2 = nn.Conv3d(cout, cout, 3, padding=1)
        self.skip = nn.Conv3d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x):
        h = self.conv1(F.silu(self.norm1(x)))
        h = self.conv2(F.silu(self.norm2(h)))
        return h + self.skip(x)


def pixel_shuffle_3d(x: torch.Tensor, r: int = 2) -> torch.Tensor:
    _, c8, d, h, w = x.shape          # spatial sizes are fixed per pack; batch stays dynamic
    c = c8 // (r ** 3)
    x = x.reshape(-1, c, r, r, r, d, h, w).permute(0, 1, 5, 2, 6, 3, 7, 4)
    return x.reshape(-1, c, d * r, h * r, w * r)


def sphere_prior(resolution: int, radius: float, sharpness: float) -> torch.Tensor:
    """Logits (1, 1, R, R, R): positive inside a centred sphere of `radius`·R, `sharpness` per voxel."""
    r = torch.arange(resolution, dtype=torch.float32) + 0.5 - resolution / 2
    i, j, k = torch.meshgrid(r, r, r, indexing="ij")
    d = torch.sqrt(i * i + j * j + k * k)
    return ((radius * resolution - d) * sharpness).reshape(1, 1, resolution, resolution, resolution)


class SsDecoder(nn.Module):
    INPUTS = ("latent",)
    OUTPUTS = ("logits",)

    def __init__(self, cfg: PackConfig):
        super().__init__()
        vc = cfg.ss_vae
        ups = _levels(cfg)
        ch = vc.channels
        self.inp = nn.Conv3d(cfg.latent_channels, ch[0], 3, padding=1)
        self.levels = nn.ModuleList()
        for lvl in range(ups + 1):
            blocks = [ResBlock3d(ch[lvl], ch[lvl], vc.groups) for _ in range(vc.res_blocks)]
            self.levels.append(nn.Sequential(*blocks))
        self.ups = nn.ModuleList([nn.Conv3d(ch[l], ch[l + 1] * 8, 3, padding=1) for l in range(ups)])
        self.out_norm = nn.GroupNorm(min(vc.groups, ch[-1]), ch[-1])
        self.out = nn.Conv3d(ch[-1], 1, 3, padding=1)
        nn.init.normal_(self.out.weight, std=1e-3)   # start from the prior
        nn.init.zeros_(self.out.bias)
        self.logit_prior = nn.Parameter(sphere_prior(cfg.resolution, vc.sphere_radius, vc.prior_sharpness))

    def forward(self, latent):
        h = self.inp(latent)
        for lvl, blocks in enumerate(self.levels):
            h = blocks(h)
            if lvl < len(self.ups):
                h = pixel_shuffle_3d(self.ups[lvl](h))
        return self.out(F.silu(self.out_norm(h))) + self.logit_prior


class SsEncoder(nn.Module):
    """Training-only: occupancy (B, 1, R, R, R) in {0, 1} → (mean, logvar), each (B, C, L, L, L)."""

    def __init__(self, cfg: PackConfig):
        super().__init__()
        vc = cfg.ss_vae
        ups = _levels(cfg)
        ch = list(reversed(vc.channels))   # fine → coarse
        self.inp = nn.Conv3d(1, ch[0], 3, padding=1)
        self.levels = nn.ModuleList()
        for lvl in range(ups + 1):
            self.levels.append(nn.Sequential(*[ResBlock3d(ch[lvl], ch[lvl], vc.groups) for _ in range(vc.res_blocks)]))
        self.downs = nn.ModuleList([nn.Conv3d(ch[l], ch[l + 1], 3, stride=2, padding=1) for l in range(ups)])
        self.out_norm = nn.GroupNorm(min(vc.groups, ch[-1]), ch[-1])
        self.out = nn.Conv3d(ch[-1], 2 * cfg.latent_channels, 3, padding=1)

    def forward(self, occupancy):
        h = self.inp(occupancy * 2.0 - 1.0)
        for lvl, blocks in enumerate(self.levels):
            h = blocks(h)
            if lvl < len(self.downs):
                h = self.downs[lvl](h)
        mean, logvar = self.out(F.silu(self.out_norm(h))).chunk(2, dim=1)
        return mean, logvar
