"""Sparse-voxel operators in gather form (no spconv, no scatter): the tables are built once per object
by TypeScript (and by modules/tables.py here) and passed in as int32 tensors; the graph only uses
Concat, Gather, MatMul, ReduceSum and element-wise ops.

Conventions (docs/model-pack.md): neighbour map nbr (N, 27) with o = kd·9 + kh·3 + kw for the offset
(kd−1, kh−1, kw−1) over [i, j, k], sentinel N = a zero row appended before gathering; children (Nc, 8)
with sentinel N; subdivision child row = parent_row·8 + c, c = dx·4 + dy·2 + dz.
"""
from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .common import LayerNorm, Mlp, SelfAttention


def pad_zero_row(x: torch.Tensor) -> torch.Tensor:
    """Append the sentinel zero row (index N) that missing neighbours / children point at."""
    return torch.cat([x, torch.zeros_like(x[:1])], dim=0)


class SparseConv3d(nn.Module):
    """3×3×3 submanifold convolution over a neighbour map.

    Weight layout (27, Cin, Cout): weight[o] equals a dense conv3d's weight[:, :, kd, kh, kw].T, so the
    result equals torch.nn.functional.conv3d(padding=1) evaluated at the active voxels (tested).
    mode 'concat': Gather (N, 27, Cin) → MatMul — one node pair, N·27·Cin floats of memory.
    mode 'loop': Σ_o Gather(X, nbr[:, o]) · W_o — 27 node groups, O(N·Cin) memory, for the finest levels.
    """

    def __init__(self, cin: int, cout: int, mode: str = "concat", bias: bool = True):
        super().__init__()
        if mode not in ("concat", "loop"):
            raise ValueError(f"SparseConv3d mode must be 'concat' or 'loop', got {mode!r}")
        self.cin, self.cout, self.mode = cin, cout, mode
        self.weight = nn.Parameter(torch.empty(27, cin, cout))
        bound = 1.0 / math.sqrt(27 * cin)
        nn.init.uniform_(self.weight, -bound, bound)
        self.bias = nn.Parameter(torch.zeros(cout)) if bias else None

    def forward(self, x: torch.Tensor, nbr: torch.Tensor) -> torch.Tensor:
        xp = pad_zero_row(x)
        idx = nbr.long()
        if self.mode == "concat":
            g = xp[idx]                                   # (N, 27, Cin)
            out = torch.matmul(g.reshape(-1, 27 * self.cin), self.weight.reshape(27 * self.cin, self.cout))
        else:
            out = torch.matmul(xp[idx[:, 0]], self.weight[0])
            for o in range(1, 27):
                out = out + torch.matmul(xp[idx[:, o]], self.weight[o])
        if self.bias is not None:
            out = out + self.bias
        return out


def mean_pool(x: torch.Tensor, children: torch.Tensor, inv_count: torch.Tensor) -> torch.Tensor:
    """Factor-2 mean pooling: (N, C) fine → (Nc, C) coarse through the children table."""
    return pad_zero_row(x)[children.long()].sum(dim=1) * inv_count


def nearest_up(x: torch.Tensor, fine_to_coarse: torch.Tensor) -> torch.Tensor:
    """Nearest upsampling: (Nc, C) coarse → (N, C) fine."""
    return x[fine_to_coarse.long()]


def subdivide(x: torch.Tensor) -> torch.Tensor:
    """Each voxel → its 8 children, child row = parent_row·8 + c (parent-major)."""
    return x.unsqueeze(1).expand(-1, 8, -1).reshape(-1, x.shape[1])


class SparseGroupNorm(nn.Module):
    """GroupNorm over all active voxels of one object (SAM 3D's SparseGroupNorm32: stats over tokens)."""

    def __init__(self, groups: int, channels: int, eps: float = 1e-5):
        super().__init__()
        self.groups, self.eps = groups, eps
        self.weight = nn.Parameter(torch.ones(channels))
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = x.shape[1]
        g = x.reshape(-1, self.groups, c // self.groups)
        mean = g.mean(dim=(0, 2), keepdim=True)
        var = ((g - mean) ** 2).mean(dim=(0, 2), keepdim=True)
        g = (g - mean) / torch.sqrt(var + self.eps)
        return g.reshape(-1, c) * self.weight + self.bias


class SparseResBlock(nn.Module):
    """SAM 3D's SparseResBlock3d with adaLN from the timestep embedding:
    LN → SiLU → conv → LN·(1+scale)+shift → SiLU → conv (zero-init) + skip."""

    def __init__(self, cin: int, cout: int, temb_dim: int, mode: str = "concat"):
        super().__init__()
        self.norm1 = LayerNorm(cin, eps=1e-6)
        self.conv1 = SparseConv3d(cin, cout, mode)
        self.norm2 = LayerNorm(cout, elementwise_affine=False, eps=1e-6)
        self.emb = nn.Linear(temb_dim, 2 * cout)
        self.conv2 = SparseConv3d(cout, cout, mode)
        nn.init.zeros_(self.conv2.weight)
        self.skip = nn.Linear(cin, cout) if cin != cout else nn.Identity()

    def forward(self, x: torch.Tensor, nbr: torch.Tensor, temb: torch.Tensor) -> torch.Tensor:
        h = self.conv1(F.silu(self.norm1(x)), nbr)
        scale, shift = self.emb(F.silu(temb)).chunk(2, dim=-1)   # temb (1, T) broadcasts over rows
        h = self.conv2(F.silu(self.norm2(h) * (1 + scale) + shift), nbr)
        return h + self.skip(x)


class WindowAttention(nn.Module):
    """Swin attention through window tables: gather tokens into (W, Lmax) windows (sentinel rows are
    masked keys), attend inside each window, gather back with win_inv. Equals per-window dense
    attention (tested)."""

    def __init__(self, dim: int, heads: int, qk_norm: bool = False):
        super().__init__()
        self.heads = heads
        self.attn = SelfAttention(dim, heads, qk_norm=qk_norm)

    def forward(self, x: torch.Tensor, win_idx: torch.Tensor, win_inv: torch.Tensor) -> torch.Tensor:
        c = x.shape[1]
        idx = win_idx.long()
        tokens = pad_zero_row(x)[idx]                              # (W, Lmax, C)
        # Key padding mask = slots holding the sentinel N; gathered from a padded ones-column so the
        # graph never needs N as a number.
        valid = pad_zero_row(torch.ones_like(x[:, :1]))[idx]       # (W, Lmax, 1): 1 real, 0 padding
        bias = ((valid - 1.0) * 1e9).squeeze(-1).unsqueeze(1).unsqueeze(1)  # (W, 1, 1, Lmax)
        out = self.attn(tokens, bias)                              # (W, Lmax, C)
        return out.reshape(-1, c)[win_inv.long()]


class SwinBlock(nn.Module):
    """Pre-norm transformer block (LN without affine, as SAM 3D's decoder trunk) with window attention."""

    def __init__(self, dim: int, heads: int, mlp_ratio: float):
        super().__init__()
        self.norm1 = LayerNorm(dim, elementwise_affine=False, eps=1e-6)
        self.attn = WindowAttention(dim, heads)
        self.norm2 = LayerNorm(dim, elementwise_affine=False, eps=1e-6)
        self.mlp = Mlp(dim, mlp_ratio)

    def forward(self, x, win_idx, win_inv):
        x = x + self.attn(self.norm1(x), win_idx, win_inv)
        return x + self.mlp(self.norm2(x))


class SubdivideBlock(nn.Module):
    """SAM 3D's SparseSubdivideBlock3d: GN + SiLU on the parent, subdivide, conv → GN → SiLU → conv,
    skip = 1×1. For CPU cost the channel reduction (1×1) happens on the parent level, 8× fewer rows;
    a learned per-child-slot embedding tells the 8 children apart before the first conv."""

    def __init__(self, cin: int, cout: int, groups: int, mode: str):
        super().__init__()
        self.norm0 = SparseGroupNorm(groups, cin)
        self.reduce = nn.Linear(cin, cout)
        self.slot = nn.Parameter(torch.randn(8, cout) * 0.02)
        self.conv1 = SparseConv3d(cout, cout, mode)
        self.norm1 = SparseGroupNorm(groups, cout)
        self.conv2 = SparseConv3d(cout, cout, mode)

    def forward(self, x: torch.Tensor, nbr: torch.Tensor) -> torch.Tensor:
        h = self.reduce(F.silu(self.norm0(x)))                     # (N, cout) on the parent level
        h = (h.unsqueeze(1) + self.slot).reshape(-1, h.shape[1])   # (8N, cout) children, parent-major
        skip = h
        h = self.conv1(h, nbr)
        h = self.conv2(F.silu(self.norm1(h)), nbr)
        return h + skip
