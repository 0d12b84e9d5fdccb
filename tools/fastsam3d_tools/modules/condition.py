"""Condition encoder (role `condition`): a small CNN-stem ViT trained from scratch, in place of SAM 3D's
DINOv2 image and mask encoders + fusers.

Input rows come in pairs [crop_k, full_k]; RGB is ImageNet-normalised inside the graph and the mask is
a fourth channel. Both views share the encoder; the full-frame tokens are average-pooled. Two
projections (LayerNorm + SwiGLU, as SAM 3D's fusers) give cond_ss and cond_slat, each with a learned
crop/full tag added (SAM 3D's idx_emb). Output tokens per object = crop grid² + (grid/pool)².
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..config import IMAGENET_MEAN, IMAGENET_STD, PackConfig
from .common import LayerNorm, Mlp, SelfAttention, SwiGLU


class VitBlock(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_ratio: float):
        super().__init__()
        self.norm1 = LayerNorm(dim, eps=1e-6)
        self.attn = SelfAttention(dim, heads, qk_norm=False)
        self.norm2 = LayerNorm(dim, eps=1e-6)
        self.mlp = Mlp(dim, mlp_ratio)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.mlp(self.norm2(x))


class ResConv(nn.Module):
    """x + conv(gelu(conv(x))) at constant size: depth for the stem without shrinking the token grid."""

    def __init__(self, ch: int):
        super().__init__()
        self.conv1 = nn.Conv2d(ch, ch, 3, padding=1)
        self.conv2 = nn.Conv2d(ch, ch, 3, padding=1)

    def forward(self, x):
        return x + self.conv2(F.gelu(self.conv1(x)))


class _Projection(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.norm = LayerNorm(dim, eps=1e-6)
        self.ff = SwiGLU(dim, hidden, dim)
        self.tag = nn.Parameter(torch.randn(2, dim) * 0.02)  # row 0: crop tokens, row 1: full frame

    def forward(self, crop, full):
        return torch.cat([self.ff(self.norm(crop)) + self.tag[0], self.ff(self.norm(full)) + self.tag[1]], dim=1)


class ConditionEncoder(nn.Module):
    INPUTS = ("image", "mask")
    OUTPUTS = ("cond_ss", "cond_slat")

    def __init__(self, cfg: PackConfig):
        super().__init__()
        cc = cfg.condition
        if cc.image_size % cc.stride or cc.grid % cc.full_pool:
            raise ValueError(f"condition.image_size {cc.image_size} must be divisible by the stem stride "
                             f"{cc.stride} and the token grid by full_pool {cc.full_pool}")
        self.cc = cc
        chans = (4,) + tuple(cc.stem_channels) + (cc.dim,)
        layers = []
        for a, b in zip(chans[:-1], chans[1:]):
            layers += [nn.Conv2d(a, b, 3, stride=2, padding=1), nn.GELU()]
        self.stem = nn.Sequential(*layers[:-1])
        # a separate module (not more Sequential entries) so packs without blocks keep their weight names
        self.stem_res = nn.Sequential(*[ResConv(cc.dim) for _ in range(cc.stem_blocks)])
        self.pos = nn.Parameter(torch.randn(cc.grid * cc.grid, cc.dim) * 0.02)
        self.blocks = nn.ModuleList([VitBlock(cc.dim, cc.heads, cc.mlp_ratio) for _ in range(cc.depth)])
        self.norm = LayerNorm(cc.dim, eps=1e-6)
        self.proj_ss = _Projection(cc.dim, cc.proj_hidden)
        self.proj_slat = _Projection(cc.dim, cc.proj_hidden)
        if cc.slat_appearance:
            # zero at the start: adding it changes nothing until the SLaT stage trains it
            self.proj_slat_rgb = nn.Conv2d(4, cc.dim, kernel_size=cc.stride, stride=cc.stride)
            nn.init.zeros_(self.proj_slat_rgb.weight)
            nn.init.zeros_(self.proj_slat_rgb.bias)
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).reshape(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).reshape(1, 3, 1, 1), persistent=False)

    def forward(self, image, mask):
        cc = self.cc
        x = torch.cat([(image - self.mean) / self.std, mask * 2.0 - 1.0], dim=1)
        h = self.stem_res(self.stem(x))                           # (2K, D, g, g)
        h = h.flatten(2).transpose(1, 2) + self.pos               # (2K, g², D)
        for blk in self.blocks:
            h = blk(h)
        h = self.norm(h)
        crop, full = self._crop_and_pooled_full(h)
        cond_ss = self.proj_ss(crop, full)
        if cc.slat_appearance:
            a_crop, a_full = self._crop_and_pooled_full(self.proj_slat_rgb(x).flatten(2).transpose(1, 2))
            crop, full = crop + a_crop, full + a_full
        return cond_ss, self.proj_slat(crop, full)

    def _crop_and_pooled_full(self, h):
        """(2K, g², D) tokens of crop/frame pairs → crop tokens (K, g², D) and the frame's tokens
        average-pooled by full_pool per axis (K, (g/p)², D)."""
        g, p, d = self.cc.grid, self.cc.full_pool, self.cc.dim
        h = h.reshape(-1, 2, g * g, d)
        full = h[:, 1].reshape(-1, g // p, p, g // p, p, d).mean(dim=(2, 4)).reshape(-1, (g // p) ** 2, d)
        return h[:, 0], full
