"""The project's small interactive segmentation network (encoder + prompt decoder) with SAM's ONNX
interface (docs/segmentation-pack.md).

Encoder: a stride-4 conv net with a small context pyramid (stride 8, 16) folded back in, so every
embedding cell sees a good part of the object around it. Decoder: the prompts are rasterised onto the
E × E embedding grid with plain tensor ops (Gaussian blobs for positive and negative clicks, a soft box
from the label-2/3 corners, the previous mask's logits), so the ONNX graph accepts any number of points;
a small U-net over [embedding, prompt maps] gives K mask logits at E × E (upsampled to M) and an MLP on
pooled features gives each candidate's predicted IoU.
"""
from __future__ import annotations

from typing import Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from .contract import LABEL_BOX_BR, LABEL_BOX_TL, LABEL_NEG, LABEL_POS, SegPackConfig, resized_size

BLOB_SIGMAS = (1.0, 4.0)      # Gaussian widths of click blobs in embedding cells: precise + context
PROMPT_CHANNELS = 2 * len(BLOB_SIGMAS) + 2   # pos blobs, neg blobs, box, previous mask


def conv_bn(cin: int, cout: int, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True))


class ResBlock(nn.Module):
    def __init__(self, ch: int, dilation: int = 1):
        super().__init__()
        self.c1 = nn.Conv2d(ch, ch, 3, 1, dilation, dilation, bias=False)
        self.b1 = nn.BatchNorm2d(ch)
        self.c2 = nn.Conv2d(ch, ch, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(ch)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = F.relu(self.b1(self.c1(x)))
        return F.relu(x + self.b2(self.c2(y)))


def _up2(x: torch.Tensor) -> torch.Tensor:
    return F.interpolate(x, scale_factor=2.0, mode="bilinear", align_corners=False)


class SegEncoder(nn.Module):
    """image (B, 3, S, S), normalised → image_embeddings (B, C, S/4, S/4)."""

    def __init__(self, cfg: SegPackConfig, width: int = 32):
        super().__init__()
        if cfg.size != 4 * cfg.embedding_size:
            raise ValueError(f"SegEncoder has stride 4: embedding size {cfg.embedding_size} needs input size "
                             f"{4 * cfg.embedding_size}, not {cfg.size}")
        w = width
        self.stem = nn.Sequential(conv_bn(3, w // 2, 2), conv_bn(w // 2, w, 2), ResBlock(w))
        self.down1 = nn.Sequential(conv_bn(w, 2 * w, 2), ResBlock(2 * w))
        self.down2 = nn.Sequential(conv_bn(2 * w, 2 * w, 2), ResBlock(2 * w, dilation=2))
        self.lat1 = nn.Conv2d(2 * w, w, 1)
        self.lat2 = nn.Conv2d(2 * w, w, 1)
        self.fuse = ResBlock(w)
        self.proj = nn.Conv2d(w, cfg.channels, 1)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        x4 = self.stem(image)
        x8 = self.down1(x4)
        x16 = self.down2(x8)
        ctx = self.lat1(x8) + _up2(self.lat2(x16))
        return self.proj(self.fuse(x4 + _up2(ctx)))


def rasterise_prompts(coords: torch.Tensor, labels: torch.Tensor, mask_input: torch.Tensor,
                      has_mask_input: torch.Tensor, size: int, embedding_size: int, mask_size: int) -> torch.Tensor:
    """Prompt maps (B, PROMPT_CHANNELS, E, E) from SAM's prompt tensors. coords (B, N, 2) are (x, y) in
    the S-pixel frame (pixel indices, like SAM: +0.5 is the pixel centre); label −1 (padding) and any
    other value draw nothing. Works for any N ≥ 1 with broadcasting only (exports with a dynamic N)."""
    e = embedding_size
    f = e / size
    cx = ((coords[..., 0] + 0.5) * f).unsqueeze(-1).unsqueeze(-1)        # (B, N, 1, 1)
    cy = ((coords[..., 1] + 0.5) * f).unsqueeze(-1).unsqueeze(-1)
    grid = torch.arange(e, dtype=coords.dtype, device=coords.device) + 0.5
    gx = grid.view(1, 1, 1, e)
    gy = grid.view(1, 1, e, 1)
    d2 = (gx - cx) ** 2 + (gy - cy) ** 2                                    # (B, N, E, E)
    pos = (labels == LABEL_POS).to(coords.dtype).unsqueeze(-1).unsqueeze(-1)
    neg = (labels == LABEL_NEG).to(coords.dtype).unsqueeze(-1).unsqueeze(-1)
    maps = []
    for which in (pos, neg):
        for sigma in BLOB_SIGMAS:
            maps.append((torch.exp(d2 * (-0.5 / sigma ** 2)) * which).amax(dim=1, keepdim=True))
    # box from its two corners (mean over corners of each kind, so a missing box gives has_box 0)
    tl = (labels == LABEL_BOX_TL).to(coords.dtype)
    br = (labels == LABEL_BOX_BR).to(coords.dtype)
    n_tl = tl.sum(1).clamp(min=1.0)
    n_br = br.sum(1).clamp(min=1.0)
    has_box = (tl.sum(1) * br.sum(1)).clamp(max=1.0).view(-1, 1, 1, 1)
    cxf, cyf = cx[..., 0, 0], cy[..., 0, 0]                                # (B, N)
    x0 = ((cxf * tl).sum(1) / n_tl).view(-1, 1, 1, 1)
    y0 = ((cyf * tl).sum(1) / n_tl).view(-1, 1, 1, 1)
    x1 = ((cxf * br).sum(1) / n_br).view(-1, 1, 1, 1)
    y1 = ((cyf * br).sum(1) / n_br).view(-1, 1, 1, 1)
    k = 2.0   # edge softness: about half a cell
    box = (torch.sigmoid((gx - x0) * k) * torch.sigmoid((x1 - gx) * k)
           * torch.sigmoid((gy - y0) * k) * torch.sigmoid((y1 - gy) * k)) * has_box
    maps.append(box)
    pool = mask_size // e   # static (a traced shape would be a tensor)
    prev = F.avg_pool2d(mask_input, pool) if pool > 1 else mask_input
    maps.append(torch.tanh(prev * 0.25) * has_mask_input.view(-1, 1, 1, 1))
    return torch.cat(maps, 1)


class SegDecoder(nn.Module):
    """SAM's decoder interface: (image_embeddings, point_coords, point_labels, mask_input,
    has_mask_input, orig_im_size) → (iou_predictions (1, K), low_res_masks (1, K, M, M), masks (1, K, H, W))."""

    def __init__(self, cfg: SegPackConfig, width: int = 32):
        super().__init__()
        self.cfg = cfg
        w = width
        self.inp = conv_bn(cfg.channels + PROMPT_CHANNELS, w)
        self.b64 = ResBlock(w)
        self.d32 = nn.Sequential(conv_bn(w, 2 * w, 2), ResBlock(2 * w))
        self.d16 = nn.Sequential(conv_bn(2 * w, 2 * w, 2), ResBlock(2 * w, dilation=2))
        self.u32 = nn.Conv2d(2 * w, 2 * w, 1)
        self.r32 = ResBlock(2 * w)
        self.u64 = nn.Conv2d(2 * w, w, 1)
        self.r64 = ResBlock(w)
        self.mask_head = nn.Conv2d(w, cfg.candidates, 3, 1, 1)
        self.iou_head = nn.Sequential(nn.Linear(4 * w + 2 * cfg.candidates, 64), nn.ReLU(inplace=True),
                                      nn.Linear(64, cfg.candidates))

    def predict(self, emb: torch.Tensor, coords: torch.Tensor, labels: torch.Tensor, mask_input: torch.Tensor,
                has_mask_input: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        """Batched core used by training: (iou (B, K), low-res logits (B, K, M, M))."""
        cfg = self.cfg
        prompts = rasterise_prompts(coords, labels, mask_input, has_mask_input, cfg.size, cfg.embedding_size,
                                    cfg.mask_size)
        x64 = self.b64(self.inp(torch.cat([emb, prompts], 1)))
        x32 = self.d32(x64)
        x16 = self.d16(x32)
        y32 = self.r32(x32 + self.u32(_up2(x16)))
        y64 = self.r64(x64 + self.u64(_up2(y32)))
        logits = self.mask_head(y64)                                        # (B, K, E, E)
        # IoU head: global context + how much each candidate covers and how confident it is
        prob = torch.sigmoid(logits)
        feats = torch.cat([y64.mean((2, 3)), y64.amax((2, 3)), x16.mean((2, 3)), prob.mean((2, 3)),
                           (prob * (1 - prob)).mean((2, 3))], 1)
        iou = self.iou_head(feats)
        if cfg.mask_size != cfg.embedding_size:
            logits = F.interpolate(logits, size=(cfg.mask_size, cfg.mask_size), mode="bilinear", align_corners=False)
        return iou, logits

    def forward(self, image_embeddings, point_coords, point_labels, mask_input, has_mask_input, orig_im_size):
        iou, low = self.predict(image_embeddings, point_coords, point_labels, mask_input, has_mask_input)
        return iou, low, upscale_masks(low, orig_im_size, self.cfg.size)


def upscale_masks(low_res: torch.Tensor, orig_im_size: torch.Tensor, size: int) -> torch.Tensor:
    """low-res logits (B, K, M, M) in the padded S frame → logits (B, K, H, W) of the original image:
    to S × S, crop the unpadded region, resize to orig_im_size (H, W). Traced with tensor sizes so the
    exported graph follows orig_im_size at run time."""
    x = low_res
    if x.shape[-1] != size:
        x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
    hw = orig_im_size.to(torch.int64)
    scale = size / orig_im_size.max()
    ph = torch.floor(orig_im_size[0] * scale + 0.5).to(torch.int64)
    pw = torch.floor(orig_im_size[1] * scale + 0.5).to(torch.int64)
    x = x[..., :ph, :pw]
    return F.interpolate(x, size=(hw[0], hw[1]), mode="bilinear", align_corners=False)


def build_seg_net(cfg: SegPackConfig, width: int = 32) -> Tuple[SegEncoder, SegDecoder]:
    return SegEncoder(cfg, width), SegDecoder(cfg, width)


__all__ = ["SegEncoder", "SegDecoder", "build_seg_net", "rasterise_prompts", "upscale_masks", "resized_size"]
