"""An analytic sparse-structure latent and a decoder initialised to invert it.

Why: on this project's shared 2-core CPU a learned 3D-conv VAE gets a few dozen steps before the
deadline, far from converged. The latent here needs no training and decodes almost losslessly:
token (i, j, k) of the 8³ latent covers a 4³ block of the 32³ occupancy; its channel
q = dx·4 + dy·2 + dz holds the occupied fraction f of the 2³ octant (dx, dy, dz) of that block, as
x = 2f − 1 ∈ [−1, 1]. The decoder network (modules' SsDecoder, unchanged architecture) is set so that
logits = w · silu(groupnorm(x)) at every fine voxel of an octant, i.e. logit > 0 ⇔ f > ½:
  inp copies the 8 latent channels, every ResBlock is the identity (conv2 = 0), ups[0] routes channel
  q to sub-position q of the pixel shuffle (16³ grid of octant values), ups[1] replicates it to the 8
  children at 32³ as the pair (x, −x) — a zero-mean GroupNorm group, so normalising keeps the sign —
  and the output conv reads channel 0. Fine-tuning (ss_vae.py) may then sharpen it.
"""
from __future__ import annotations

import numpy as np
import torch

from ..modules import SsDecoder

OUT_GAIN = 8.0


def encode_occupancy(occ: np.ndarray, latent_res: int = 8) -> np.ndarray:
    """occ (B, R, R, R) bool → tokens (B, L³, 8) float32, token n = i·L² + j·L + k."""
    b, r = occ.shape[0], occ.shape[1]
    h = r // (2 * latent_res)           # voxels per octant side (2 at 32³ / 8³)
    x = occ.reshape(b, latent_res, 2, h, latent_res, 2, h, latent_res, 2, h).astype(np.float32)
    frac = x.mean(axis=(3, 6, 9))                                  # (B, L, dx, L, dy, L, dz)
    frac = frac.transpose(0, 1, 3, 5, 2, 4, 6).reshape(b, latent_res ** 3, 8)
    return (2.0 * frac - 1.0).astype(np.float32)


def tokens_to_latent(tokens: torch.Tensor, latent_res: int = 8) -> torch.Tensor:
    """(B, L³, C) → (B, C, L, L, L) as the contract (latent[b, c, i, j, k] = x_shape[b, n, c])."""
    b, _, c = tokens.shape
    return tokens.transpose(1, 2).reshape(b, c, latent_res, latent_res, latent_res)


@torch.no_grad()
def init_structured_decoder(dec: SsDecoder) -> SsDecoder:
    for p in dec.parameters():
        p.zero_()
    centre = (1, 1, 1)
    # group norms: unit affine
    for m in dec.modules():
        if isinstance(m, torch.nn.GroupNorm):
            m.weight.fill_(1.0)
            m.bias.zero_()
    c_lat = dec.inp.in_channels
    for q in range(c_lat):
        dec.inp.weight[(q, q) + centre] = 1.0
    # ResBlocks are the identity once conv2 is zero (skip is Identity when cin == cout): already zero.
    up0, up1 = dec.ups[0], dec.ups[1]
    for q in range(c_lat):
        up0.weight[(q, q) + centre] = 1.0          # channel 0, sub-position q
    for s in range(8):
        up1.weight[(s, 0) + centre] = 1.0          # channel 0 replicated to every child
        up1.weight[(8 + s, 0) + centre] = -1.0     # channel 1 = −channel 0 (zero-mean group)
    dec.out.weight[(0, 0) + centre] = OUT_GAIN
    if len(dec.ups) != 2:
        raise ValueError("structured SS decoder init expects exactly two upsampling levels (8³ → 32³)")
    return dec
