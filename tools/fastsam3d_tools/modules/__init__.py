"""Export-friendly module library mirroring SAM 3D Objects' building blocks (see each file).

Role networks (exported one ONNX file each, names/orders in the class INPUTS/OUTPUTS):
  condition → ConditionEncoder, ss_flow → SsFlow, ss_decoder → SsDecoder, slat_flow → SlatFlow,
  mesh_decoder → MeshDecoder. Training-only: SsEncoder, SlatEncoder.
"""
from __future__ import annotations

from typing import Dict

import torch.nn as nn

from ..config import PackConfig
from .condition import ConditionEncoder
from .mesh_decoder import MeshDecoder, SlatEncoder
from .slat_flow import SlatFlow
from .ss_flow import POSE_MODALITIES, SsFlow
from .ss_vae import SsDecoder, SsEncoder

ROLES = ("condition", "ss_flow", "ss_decoder", "slat_flow", "mesh_decoder")
ROLE_CLASSES = {
    "condition": ConditionEncoder,
    "ss_flow": SsFlow,
    "ss_decoder": SsDecoder,
    "slat_flow": SlatFlow,
    "mesh_decoder": MeshDecoder,
}


def build_role(role: str, cfg: PackConfig) -> nn.Module:
    if role not in ROLE_CLASSES:
        raise ValueError(f"unknown role {role!r}; roles are {ROLES}")
    return ROLE_CLASSES[role](cfg)


def build_all(cfg: PackConfig) -> Dict[str, nn.Module]:
    return {role: build_role(role, cfg) for role in ROLES}


__all__ = ["ROLES", "ROLE_CLASSES", "build_role", "build_all", "ConditionEncoder", "SsFlow", "SsDecoder",
           "SsEncoder", "SlatFlow", "MeshDecoder", "SlatEncoder", "POSE_MODALITIES"]
