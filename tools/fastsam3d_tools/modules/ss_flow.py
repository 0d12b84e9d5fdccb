"""Sparse-structure flow: SAM 3D's two-stream ("MoT") modulated transformer at pack scale.

Streams: `shape` (L³ latent tokens with a fixed 3D sin-cos APE) and `pose` (4 tokens: rot6d,
translation, scale, translation_scale, each with its own in/out projection and a learned position
vector). Per block the adaLN modulation (from t and d embeddings) is shared, everything else is per
stream. Shape attends only to shape; pose attends to [pose, shape] — so the shape velocity never
depends on the pose tokens (tested). Both streams cross-attend to the condition tokens.
"""
from __future__ import annotations

from typing import Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..config import PackConfig
from .common import (LayerNorm, CrossAttention, Mlp, SelfAttention, TimestepEmbedder, attention, grid_coords,
                     merge_heads, modulate, sincos_3d, zero_init)

# Pose modalities in the contract's order, with their sizes (last axis of x_<name>).
POSE_MODALITIES: Tuple[Tuple[str, int], ...] = (
    ("rot6d", 6), ("translation", 3), ("scale", 3), ("translation_scale", 1))


class _Stream(nn.Module):
    """Per-stream weights of one MoT block."""

    def __init__(self, dim: int, ctx_dim: int, heads: int, mlp_ratio: float):
        super().__init__()
        self.norm1 = LayerNorm(dim, elementwise_affine=False, eps=1e-6)
        self.attn = SelfAttention(dim, heads, qk_norm=True)
        self.norm2 = LayerNorm(dim, elementwise_affine=True, eps=1e-6)
        self.cross = CrossAttention(dim, ctx_dim, heads)
        self.norm3 = LayerNorm(dim, elementwise_affine=False, eps=1e-6)
        self.mlp = Mlp(dim, mlp_ratio)


class MotBlock(nn.Module):
    def __init__(self, dim: int, ctx_dim: int, heads: int, mlp_ratio: float):
        super().__init__()
        self.shape = _Stream(dim, ctx_dim, heads, mlp_ratio)
        self.pose = _Stream(dim, ctx_dim, heads, mlp_ratio)
        self.ada = zero_init(nn.Linear(dim, 6 * dim))  # shared by both streams, as SAM 3D

    def forward(self, xs: torch.Tensor, xp: torch.Tensor, ctx: torch.Tensor, temb: torch.Tensor):
        sh1, sc1, g1, sh2, sc2, g2 = self.ada(F.silu(temb)).unsqueeze(1).chunk(6, dim=-1)
        s, p = self.shape, self.pose
        qs, ks, vs = s.attn.project(modulate(s.norm1(xs), sh1, sc1))
        qp, kp, vp = p.attn.project(modulate(p.norm1(xp), sh1, sc1))
        a_s = attention(qs, ks, vs)                                   # shape → shape only
        # pose → pose + shape; shape keys/values detached as SAM 3D (pose losses do not train the shape
        # stream through this path; a no-op in the exported graph)
        a_p = attention(qp, torch.cat([kp, ks.detach()], dim=2), torch.cat([vp, vs.detach()], dim=2))
        xs = xs + g1 * s.attn.out(merge_heads(a_s))
        xp = xp + g1 * p.attn.out(merge_heads(a_p))
        xs = xs + s.cross(s.norm2(xs), ctx)
        xp = xp + p.cross(p.norm2(xp), ctx)
        xs = xs + g2 * s.mlp(modulate(s.norm3(xs), sh2, sc2))
        xp = xp + g2 * p.mlp(modulate(p.norm3(xp), sh2, sc2))
        return xs, xp


class SsFlow(nn.Module):
    """Role `ss_flow`: (x_shape, x_rot6d, x_translation, x_scale, x_translation_scale, t, d, cond) →
    (v_shape, v_rot6d, v_translation, v_scale, v_translation_scale). t and d arrive ×1000."""

    INPUTS = ("x_shape", "x_rot6d", "x_translation", "x_scale", "x_translation_scale", "t", "d", "cond")
    OUTPUTS = ("v_shape", "v_rot6d", "v_translation", "v_scale", "v_translation_scale")

    def __init__(self, cfg: PackConfig):
        super().__init__()
        fc = cfg.ss_flow
        w, c = fc.width, cfg.latent_channels
        self.shape_in = nn.Linear(c, w)
        self.register_buffer("shape_pos", sincos_3d(grid_coords(cfg.latent_resolution), w), persistent=False)
        self.pose_in = nn.ModuleList([nn.Linear(n, w) for _, n in POSE_MODALITIES])
        self.pose_pos = nn.Parameter(torch.randn(len(POSE_MODALITIES), w) * 0.02)
        self.t_embed = TimestepEmbedder(w, fc.freq_dim)
        self.d_embed = TimestepEmbedder(w, fc.freq_dim)
        self.blocks = nn.ModuleList(
            [MotBlock(w, cfg.condition.dim, fc.heads, fc.mlp_ratio) for _ in range(fc.depth)])
        self.out_norm = LayerNorm(w, elementwise_affine=False, eps=1e-6)
        self.shape_out = zero_init(nn.Linear(w, c))
        self.pose_out = nn.ModuleList([zero_init(nn.Linear(w, n)) for _, n in POSE_MODALITIES])

    def start_blocks_as_identity(self, first: int) -> None:
        """Make blocks `first`, `first`+1, … pass their tokens through unchanged, so a deeper flow warm-started
        from a shallower checkpoint begins as exactly that network and training grows the new blocks from
        zero. Their adaLN gates are zero from construction (attention and MLP branches off); the
        cross-attention branch is not gated (as SAM 3D), so its output projection is zeroed here."""
        with torch.no_grad():
            for blk in self.blocks[first:]:
                for stream in (blk.shape, blk.pose):
                    zero_init(stream.cross.out)
                zero_init(blk.ada)

    def forward(self, x_shape, x_rot6d, x_translation, x_scale, x_translation_scale, t, d, cond):
        temb = self.t_embed(t) + self.d_embed(d)
        xs = self.shape_in(x_shape) + self.shape_pos
        pose_inputs = (x_rot6d, x_translation, x_scale, x_translation_scale)
        xp = torch.cat([lin(x) for lin, x in zip(self.pose_in, pose_inputs)], dim=1) + self.pose_pos
        for blk in self.blocks:
            xs, xp = blk(xs, xp, cond, temb)
        xs, xp = self.out_norm(xs), self.out_norm(xp)
        v_shape = self.shape_out(xs)
        v_pose = [lin(xp[:, i:i + 1]) for i, lin in enumerate(self.pose_out)]
        return (v_shape, *v_pose)
