"""Architecture of the pack this session can actually train.

The module library's `mini` config (fastsam3d_tools/config.py, owned by tools-modules) is sized for
inference latency. Trained from scratch on the project's shared 2-core CPU (a few percent of it per
process while seven colleagues build and test), its SS flow gets ~1 step per minute — far too few to
learn anything. `trained_mini()` keeps every contract-level size of `mini` (grid 32³, latent 8³×8,
SLaT 8 channels, 128 px input, 2 subdivisions, window 8) and narrows the learned networks where the
training FLOPs go: condition encoder, SS flow and SLaT flow. The manifest carries the sizes, so the
TypeScript pipeline needs no change; on a GPU (or later sessions) `--config mini-full` trains the
library's original widths with the same scripts.
"""
from __future__ import annotations

import dataclasses

from ..config import CONFIGS, ConditionConfig, PackConfig, SlatFlowConfig, SsFlowConfig, get_config


def trained_mini() -> PackConfig:
    base = get_config("mini")
    return dataclasses.replace(
        base,
        condition=ConditionConfig(image_size=128, stem_channels=(16, 32), stem_blocks=2, dim=64, depth=3, heads=4,
                                  mlp_ratio=4.0, full_pool=2, proj_hidden=128, slat_appearance=True),
        # 4 blocks since step 43,610 (grown from 2 by SsFlow.start_blocks_as_identity): the oracle study
        # (MODEL_CARD.md) puts the whole quality gap in this stage, so it gets the depth
        ss_flow=SsFlowConfig(width=64, depth=4, heads=4, mlp_ratio=4.0, freq_dim=64),
        slat_flow=SlatFlowConfig(io_channels=16, width=64, depth=2, heads=4, mlp_ratio=4.0, freq_dim=64),
        # the structured SLaT latent carries RGB in channels 5-7 (slat_targets.analytic_latent)
        mesh=dataclasses.replace(base.mesh, latent_rgb=5),
    )


# what the training scripts' --config takes (choices of their parsers)
CONFIG_NAMES = ("mini", "mini-full", *(n for n in CONFIGS if n != "mini"))
CONFIG_HELP = ("network sizes: mini = the shipped models/mini (train/sizes.py), mini-full = the library's "
               "mini widths (config.py), tiny / test-tiny = toy widths")


def add_config_argument(ap) -> None:
    """The scripts' shared `--config NAME` option."""
    ap.add_argument("--config", default="mini", choices=CONFIG_NAMES, help=CONFIG_HELP)


def pack_config(name: str) -> PackConfig:
    """'mini' → the CPU-trainable variant above; 'mini-full' → the library's mini; others as the library."""
    if name == "mini":
        return trained_mini()
    if name == "mini-full":
        return get_config("mini")
    return get_config(name)
