"""Dense building blocks shared by every role: embeddings, attention, MLPs, adaLN helpers.

Export-friendly on purpose: attention is MatMul + Softmax (torch 1.13 has no SDPA, and the plain form
exports to every ONNX Runtime execution provider), shapes are read from tensors so dynamic axes stay
dynamic, and no forward has data-dependent Python control flow.
"""
from __future__ import annotations

import math
from typing import Optional

import torch
import torch.nn as nn
import torch.nn.functional as F


def timestep_embedding(t: torch.Tensor, dim: int, max_period: float = 10000.0) -> torch.Tensor:
    """Sinusoidal embedding as SAM 3D's TimestepEmbedder: [cos, sin], freqs exp(-ln(max_period)·i/half).

    `t` is (B,) and already scaled by 1000 (the network's convention). Kept in fp32.
    """
    half = dim // 2
    freqs = torch.exp(-math.log(max_period) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t.float().reshape(-1, 1) * freqs.reshape(1, -1)
    emb = torch.cat([torch.cos(args), torch.sin(args)], dim=-1)
    if dim % 2:
        emb = torch.cat([emb, torch.zeros_like(emb[:, :1])], dim=-1)
    return emb


class TimestepEmbedder(nn.Module):
    """Sinusoid → Linear → SiLU → Linear (SAM 3D's t_embedder / d_embedder)."""

    def __init__(self, width: int, freq_dim: int = 256):
        super().__init__()
        self.freq_dim = freq_dim
        self.mlp = nn.Sequential(nn.Linear(freq_dim, width), nn.SiLU(), nn.Linear(width, width))

    def forward(self, t: torch.Tensor) -> torch.Tensor:
        return self.mlp(timestep_embedding(t, self.freq_dim))


def sincos_3d(pos: torch.Tensor, dim: int) -> torch.Tensor:
    """Absolute 3D sin-cos position embedding of float coordinates (N, 3) → (N, dim).

    Each axis gets `dim // 3` channels (rounded down to even): [sin(x·f), cos(x·f)] with
    f_i = 1 / 10000^(i/half); the remainder is zero-padded, as SAM 3D's AbsolutePositionEmbedder.
    """
    per_axis = (dim // 3) // 2 * 2
    half = per_axis // 2
    freqs = 1.0 / (10000.0 ** (torch.arange(half, dtype=torch.float32, device=pos.device) / half))
    out = pos.float().unsqueeze(-1) * freqs                                # (N, 3, half)
    emb = torch.cat([torch.sin(out), torch.cos(out)], dim=-1).reshape(-1, 3 * per_axis)
    pad = dim - 3 * per_axis
    if pad:
        emb = F.pad(emb, (0, pad))
    return emb


def grid_coords(res: int) -> torch.Tensor:
    """Integer coordinates of a dense res³ grid in token order n = i·res² + j·res + k, as float (res³, 3)."""
    r = torch.arange(res, dtype=torch.float32)
    i, j, k = torch.meshgrid(r, r, r, indexing="ij")
    return torch.stack([i, j, k], dim=-1).reshape(-1, 3)


class MultiHeadRMSNorm(nn.Module):
    """qk RMS norm: F.normalize(x)·γ·√head_dim per head (exports as ReduceL2 + Div)."""

    def __init__(self, heads: int, head_dim: int):
        super().__init__()
        self.scale = math.sqrt(head_dim)
        self.gamma = nn.Parameter(torch.ones(heads, 1, head_dim))

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # (B, H, L, hd)
        norm = torch.sqrt((x * x).sum(-1, keepdim=True)).clamp_min(1e-12)
        return x / norm * self.gamma * self.scale


def split_heads(x: torch.Tensor, heads: int) -> torch.Tensor:
    c = x.shape[2]
    return x.reshape(x.shape[0], -1, heads, c // heads).transpose(1, 2)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    h, d = x.shape[1], x.shape[3]
    return x.transpose(1, 2).reshape(x.shape[0], -1, h * d)


_FUSED = getattr(F, "scaled_dot_product_attention", None)


def attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
              bias: Optional[torch.Tensor] = None) -> torch.Tensor:
    """softmax(q·kᵀ/√d + bias)·v over (B, H, L, d) tensors; bias broadcasts to (B, H, Lq, Lk).

    Exported graphs get MatMul + Softmax (the contract's ops; torch 1.13 has no fused kernel). When
    training on torch ≥ 2 the same function runs as one fused kernel: on the CPU it measured several
    times faster, since it never writes the (B, H, L, L) score tensor and its softmax out to memory.
    """
    if _FUSED is not None and not torch.onnx.is_in_onnx_export():
        return _FUSED(q, k, v, attn_mask=bias)
    scores = torch.matmul(q, k.transpose(-1, -2)) * (1.0 / math.sqrt(q.shape[-1]))
    if bias is not None:
        scores = scores + bias
    return torch.matmul(torch.softmax(scores, dim=-1), v)


class SelfAttention(nn.Module):
    def __init__(self, dim: int, heads: int, qk_norm: bool = True):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, 3 * dim)
        self.out = nn.Linear(dim, dim)
        self.q_norm = MultiHeadRMSNorm(heads, dim // heads) if qk_norm else None
        self.k_norm = MultiHeadRMSNorm(heads, dim // heads) if qk_norm else None

    def project(self, x: torch.Tensor):
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        q, k, v = split_heads(q, self.heads), split_heads(k, self.heads), split_heads(v, self.heads)
        if self.q_norm is not None:
            q, k = self.q_norm(q), self.k_norm(k)
        return q, k, v

    def forward(self, x: torch.Tensor, bias: Optional[torch.Tensor] = None) -> torch.Tensor:
        q, k, v = self.project(x)
        return self.out(merge_heads(attention(q, k, v, bias)))


class CrossAttention(nn.Module):
    """Queries from x (B, Lq, dim), keys/values from a context (B, Lk, ctx_dim); no qk norm (as SAM 3D).

    With an all-zero context every key/value row equals the projection bias, so the output does not
    depend on the context length: a 1-token zero condition equals a full-length one (tested).
    """

    def __init__(self, dim: int, ctx_dim: int, heads: int):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(dim, dim)
        self.kv = nn.Linear(ctx_dim, 2 * dim)
        self.out = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor, ctx: torch.Tensor) -> torch.Tensor:
        q = split_heads(self.q(x), self.heads)
        k, v = self.kv(ctx).chunk(2, dim=-1)
        o = attention(q, split_heads(k, self.heads), split_heads(v, self.heads))
        return self.out(merge_heads(o))


class Mlp(nn.Module):
    def __init__(self, dim: int, ratio: float, out_dim: Optional[int] = None):
        super().__init__()
        hidden = int(dim * ratio)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, out_dim or dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(F.gelu(self.fc1(x), approximate="tanh"))


class SwiGLU(nn.Module):
    """Llama-style feed-forward (SAM 3D's condition projection): w2(silu(w1 x) · w3 x)."""

    def __init__(self, dim: int, hidden: int, out_dim: int):
        super().__init__()
        self.w1 = nn.Linear(dim, hidden, bias=False)
        self.w3 = nn.Linear(dim, hidden, bias=False)
        self.w2 = nn.Linear(hidden, out_dim, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


def modulate(x: torch.Tensor, shift: torch.Tensor, scale: torch.Tensor) -> torch.Tensor:
    return x * (1 + scale) + shift


def zero_init(module: nn.Module) -> nn.Module:
    """adaLN-Zero style: start the residual branch (or modulation) at exactly zero."""
    for p in module.parameters():
        nn.init.zeros_(p)
    return module


class ModulatedCrossBlock(nn.Module):
    """adaLN transformer block with self-attention, cross-attention to a condition and an MLP
    (SAM 3D's ModulatedTransformerCrossBlock / ModulatedSparseTransformerCrossBlock), one stream."""

    def __init__(self, dim: int, ctx_dim: int, heads: int, mlp_ratio: float, temb_dim: int):
        super().__init__()
        self.norm1 = LayerNorm(dim, elementwise_affine=False, eps=1e-6)
        self.attn = SelfAttention(dim, heads, qk_norm=True)
        self.norm2 = LayerNorm(dim, elementwise_affine=True, eps=1e-6)
        self.cross = CrossAttention(dim, ctx_dim, heads)
        self.norm3 = LayerNorm(dim, elementwise_affine=False, eps=1e-6)
        self.mlp = Mlp(dim, mlp_ratio)
        self.ada = zero_init(nn.Linear(temb_dim, 6 * dim))

    def forward(self, x: torch.Tensor, ctx: torch.Tensor, temb: torch.Tensor) -> torch.Tensor:
        mod = self.ada(F.silu(temb)).unsqueeze(1)  # (B, 1, 6·dim)
        sh1, sc1, g1, sh2, sc2, g2 = mod.chunk(6, dim=-1)
        x = x + g1 * self.attn(modulate(self.norm1(x), sh1, sc1))
        x = x + self.cross(self.norm2(x), ctx)
        x = x + g2 * self.mlp(modulate(self.norm3(x), sh2, sc2))
        return x


class LayerNorm(nn.Module):
    """LayerNorm whose non-affine form still passes explicit ones/zeros: torch 1.13's opset-17 exporter
    emits LayerNormalization with an empty scale input otherwise, which the ONNX checker rejects."""

    def __init__(self, dim: int, elementwise_affine: bool = True, eps: float = 1e-6):
        super().__init__()
        self.dim, self.eps = dim, eps
        if elementwise_affine:
            self.weight = nn.Parameter(torch.ones(dim))
            self.bias = nn.Parameter(torch.zeros(dim))
        else:
            self.register_buffer("weight", torch.ones(dim), persistent=False)
            self.register_buffer("bias", torch.zeros(dim), persistent=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.layer_norm(x, (self.dim,), self.weight, self.bias, self.eps)
