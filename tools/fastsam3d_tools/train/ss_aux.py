"""Training-only readout that supervises the condition tokens directly (not exported).

Stage 2 on a CPU learns the image → shape mapping very slowly: after ~2k small-batch steps the flow's
one-step prediction at t = 0.05 was only 5 % better with the image than without it (`cond` 0.404 vs
zero condition 0.424 MSE to the latent; the dataset mean gives 0.516). The flow can only read the image
through cross-attention to `cond_ss`, and its gradient reaches the encoder through a noisy velocity loss.

This head asks the same thing of `cond_ss` as the flow's cross-attention does, without noise: one
learned query per SS latent token (plus four pose queries) cross-attends to the condition tokens and
regresses the clean latent and the normalised layout. Its loss is added to the flow loss with a small
weight; the head is dropped at export, the flow and encoder keep the exact SAM 3D structure.
"""
from __future__ import annotations

import torch
import torch.nn as nn

from ..modules.common import CrossAttention, LayerNorm


class CondReadout(nn.Module):
    def __init__(self, ctx_dim: int, tokens: int, channels: int, dim: int = 64, heads: int = 4):
        super().__init__()
        self.queries = nn.Parameter(torch.randn(tokens + 1, dim) * 0.02)    # last one: the layout query
        self.cross = CrossAttention(dim, ctx_dim, heads)
        self.norm = LayerNorm(dim, eps=1e-6)
        self.shape = nn.Linear(dim, channels)
        self.pose = nn.Linear(dim, 6 + 3 + 3)

    def forward(self, cond: torch.Tensor):
        q = self.queries.unsqueeze(0).expand(cond.shape[0], -1, -1)
        h = self.norm(q + self.cross(q, cond))
        return self.shape(h[:, :-1]), self.pose(h[:, -1:])
