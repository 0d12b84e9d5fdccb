"""Architecture sizes of the packs this project builds.

Every size a network or the TypeScript pipeline needs lives here; the manifest writer copies the
relevant values into manifest.json, so nothing in TypeScript hard-codes a width or a resolution.
`mini` is sized from measured onnxruntime latencies (export/profile_pack.py) so that a full-quality
object (44 ss_flow + 38 slat_flow passes) runs in a few seconds on a 2-core CPU; `tiny` is the same
architecture at toy width for plumbing tests.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Tuple

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
# SAM 3D's rotation-6D normalisation (pipeline/inference_utils.py); packs may re-estimate them.
ROTATION_6D_MEAN = (-0.06366084883674913, 0.008438224692279752, 0.00017084786438302483,
                    0.0007126610473540038, -0.0030916726538816417, 0.5166093753457688)
ROTATION_6D_STD = (0.6656971967514863, 0.6787012271867754, 0.30345010594844524,
                   0.4394504420678794, 0.39817973931717104, 0.6176286868761914)


@dataclass
class ConditionConfig:
    image_size: int = 128      # S: crop and full frame are resized to S×S by TypeScript
    stem_channels: Tuple[int, ...] = (32, 64)  # stride-2 conv stem; last stage strides to `dim`
    stem_blocks: int = 0       # residual 3×3 conv blocks on the token grid after the stem (local features)
    dim: int = 128             # D: token width of cond_ss / cond_slat
    depth: int = 2             # ViT blocks shared by crop and full frame
    heads: int = 4
    mlp_ratio: float = 2.0
    full_pool: int = 2         # full-frame tokens are average-pooled by this factor per axis
    proj_hidden: int = 256     # SwiGLU hidden size of the per-stage projections
    # cond_slat also sees a patch embedding of the raw crop and frame (one stride-`stride` conv over
    # RGB + mask, named proj_slat_rgb so the SLaT stage trains it with proj_slat). Why: a trunk trained
    # only by shape and layout objectives (with colour jitter) keeps no colour, and the SLaT flow must
    # decode the object's colour from cond_slat (measured: a ridge probe of the mean object RGB from
    # pooled cond_slat scores R² −0.51 on the trained mini 0.5.0 encoder, 0.61 on a random one:
    # train.probe_colour).
    slat_appearance: bool = False

    @property
    def stride(self) -> int:
        return 2 ** (len(self.stem_channels) + 1)

    @property
    def grid(self) -> int:
        return self.image_size // self.stride

    @property
    def tokens(self) -> int:
        g = self.grid
        return g * g + (g // self.full_pool) ** 2


@dataclass
class SsFlowConfig:
    width: int = 128
    depth: int = 4
    heads: int = 4
    mlp_ratio: float = 4.0
    freq_dim: int = 128        # sinusoid size of the t and d embeddings


@dataclass
class SsVaeConfig:
    # channels per level, from the latent resolution L up to the grid resolution R (log2(R/L)+1 levels)
    channels: Tuple[int, ...] = (64, 32, 16)
    res_blocks: int = 1
    groups: int = 8
    sphere_radius: float = 0.35   # initial logit prior: a sphere of this radius (fraction of the grid)
    prior_sharpness: float = 1.0  # logit change per voxel of distance to the prior sphere


@dataclass
class SlatFlowConfig:
    io_channels: int = 32
    coarse_channels: int = 64   # conv width of the coarse res block (a 3×3×3 conv at `width` costs 4× more)
    width: int = 128
    depth: int = 4
    heads: int = 4
    mlp_ratio: float = 2.0      # 38 passes per object: the MLP is the largest per-token cost
    freq_dim: int = 128


@dataclass
class MeshDecoderConfig:
    width: int = 64
    depth: int = 4
    heads: int = 4
    mlp_ratio: float = 2.0
    window: int = 8
    shifts: Tuple[int, int] = (0, 4)
    # channels after each subdivision; the 64N-voxel level dominates the decoder (27 gathers per conv)
    sub_channels: Tuple[int, ...] = (16, 8)
    groups: int = 4
    sdf_channels: int = 8
    color_channels: int = 24       # 8 corners × RGB
    sdf_bias: float = 0.0
    # conv formulation per subdivision level: 'concat' (one Gather+MatMul, N·27·C memory) or 'loop'
    # (27 Gather+MatMul+Add, O(N·C) memory; needed at 64N voxels)
    sub_conv_modes: Tuple[str, ...] = ("concat", "loop")
    # first of 3 SLaT channels that hold RGB as 2c − 1 (a structured latent, as the mini pack's), or -1.
    # Set, the decoder adds logit(c) of each voxel to the colour logits of its 64 fine children, so the
    # network learns a correction to the latent's colour instead of carrying it through the trunk and the
    # token-wide group norms (measured on mini 0.5.0's decoder with the ground-truth latent: colour L1
    # 0.19 without, 0.014 by copying the latent's colour). SAM 3D's learned latent has no such channels.
    latent_rgb: int = -1

    @property
    def feats(self) -> int:
        return self.sdf_channels + self.color_channels


SS_MODALITIES = ("shape", "rotation6d", "translation", "scale", "translationScale")


@dataclass
class SamplerConfig:
    ss_steps: int = 25
    ss_rescale_t: float = 3.0
    ss_cfg_strength: float = 7.0
    ss_cfg_interval: Tuple[float, float] = (0.0, 500.0)
    # The SS modalities CFG applies to (the others take the conditional velocity). SAM 3D's code snapshot
    # guides all of them; a pack trained on canonical pose targets guides the shape only (MODEL_CARD.md).
    ss_cfg_modalities: Tuple[str, ...] = SS_MODALITIES
    slat_steps: int = 25
    slat_rescale_t: float = 1.0
    slat_cfg_strength: float = 1.0
    slat_cfg_interval: Tuple[float, float] = (0.0, 500.0)


@dataclass
class PackConfig:
    name: str
    resolution: int = 32           # R: fine SS grid
    latent_resolution: int = 8     # L
    latent_channels: int = 8       # C of the SS latent
    slat_channels: int = 8         # C8
    fov_deg: float = 40.0
    crop_box_factor: float = 1.2
    occupancy_threshold: float = 0.0
    prune_surface_distance: int = 1
    max_voxels: int = 6000
    min_voxels: int = 64
    subdivisions: int = 2
    condition: ConditionConfig = field(default_factory=ConditionConfig)
    ss_flow: SsFlowConfig = field(default_factory=SsFlowConfig)
    ss_vae: SsVaeConfig = field(default_factory=SsVaeConfig)
    slat_flow: SlatFlowConfig = field(default_factory=SlatFlowConfig)
    mesh: MeshDecoderConfig = field(default_factory=MeshDecoderConfig)
    sampler: SamplerConfig = field(default_factory=SamplerConfig)
    rotation6d_mean: Tuple[float, ...] = ROTATION_6D_MEAN
    rotation6d_std: Tuple[float, ...] = ROTATION_6D_STD
    slat_mean: Tuple[float, ...] = (0.0,) * 8
    slat_std: Tuple[float, ...] = (1.0,) * 8

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def mini() -> PackConfig:
    """The trained pack's architecture (sized from export/profile_pack.py measurements)."""
    return PackConfig(name="mini")


def tiny() -> PackConfig:
    """Same architecture at toy width and a 16³ grid: random weights, < 2 MB, fast plumbing tests."""
    return PackConfig(
        name="test-tiny",
        resolution=16,
        latent_resolution=4,
        latent_channels=8,
        max_voxels=2000,
        min_voxels=16,
        condition=ConditionConfig(image_size=64, stem_channels=(8, 16), dim=32, depth=1, heads=2,
                                  mlp_ratio=2.0, full_pool=2, proj_hidden=48),
        ss_flow=SsFlowConfig(width=32, depth=2, heads=2, mlp_ratio=2.0, freq_dim=32),
        ss_vae=SsVaeConfig(channels=(16, 8, 8), res_blocks=1, groups=4),
        slat_flow=SlatFlowConfig(io_channels=8, coarse_channels=16, width=32, depth=2, heads=2, mlp_ratio=2.0, freq_dim=32),
        mesh=MeshDecoderConfig(width=16, depth=2, heads=2, mlp_ratio=2.0, window=8, shifts=(0, 4),
                               sub_channels=(8, 8), groups=2),
    )


CONFIGS = {"mini": mini, "tiny": tiny, "test-tiny": tiny}


def get_config(name: str) -> PackConfig:
    try:
        return CONFIGS[name]()
    except KeyError:
        raise ValueError(f"unknown pack config {name!r}; choose one of {sorted(CONFIGS)}") from None
