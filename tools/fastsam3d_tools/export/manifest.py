"""manifest.json writer: every constant from the PackConfig, sha256 and I/O signature of every file."""
from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Optional

from .. import PACK_FORMAT
from ..config import IMAGENET_MEAN, IMAGENET_STD, SS_MODALITIES, PackConfig
from ..modules import ROLES
from .examples import signatures


def sha256_file(path: os.PathLike) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _io(sig) -> dict:
    return {name: {"dtype": dtype, "shape": list(shape)} for name, (dtype, shape) in sig.items()}


def build_manifest(cfg: PackConfig, pack_dir: os.PathLike, *, version: str, source: dict, description: str,
                   license: str = "Apache-2.0", metrics: Optional[dict] = None) -> dict:
    cc, sp, mc = cfg.condition, cfg.sampler, cfg.mesh
    sigs = signatures(cfg)
    files = {}
    for role in ROLES:
        path = Path(pack_dir) / f"{role}.onnx"
        ins, outs = sigs[role]
        files[role] = {"path": path.name, "sha256": sha256_file(path), "inputs": _io(ins), "outputs": _io(outs)}
    sdf0 = 0
    col0 = mc.sdf_channels
    manifest = {
        "format": PACK_FORMAT,
        "name": cfg.name,
        "version": version,
        "license": license,
        "description": description,
        "source": source,
        "camera": {"fovDeg": cfg.fov_deg},
        "grid": {"resolution": cfg.resolution, "ssLatentResolution": cfg.latent_resolution,
                 "ssLatentChannels": cfg.latent_channels},
        "condition": {"imageSize": cc.image_size, "tokens": cc.tokens, "tokensSlat": cc.tokens, "dim": cc.dim,
                      "usesPointmap": False, "cropBoxFactor": cfg.crop_box_factor,
                      "imageMean": list(IMAGENET_MEAN), "imageStd": list(IMAGENET_STD)},
        "ss": {"steps": sp.ss_steps, "rescaleT": sp.ss_rescale_t, "shortcut": None,
               "cfg": {"strength": sp.ss_cfg_strength, "interval": list(sp.ss_cfg_interval),
                       "modalities": {m: int(m in sp.ss_cfg_modalities) for m in SS_MODALITIES}},
               "occupancyThreshold": cfg.occupancy_threshold, "pruneSurfaceDistance": cfg.prune_surface_distance,
               "maxVoxels": cfg.max_voxels, "minVoxels": cfg.min_voxels,
               "rotation6dMean": list(cfg.rotation6d_mean), "rotation6dStd": list(cfg.rotation6d_std)},
        "slat": {"steps": sp.slat_steps, "rescaleT": sp.slat_rescale_t,
                 "cfg": {"strength": sp.slat_cfg_strength, "interval": list(sp.slat_cfg_interval)},
                 "channels": cfg.slat_channels, "mean": list(cfg.slat_mean), "std": list(cfg.slat_std),
                 "coarseFactor": 2},
        "decoders": {
            "mesh": {"subdivisions": cfg.subdivisions, "window": mc.window, "shifts": list(mc.shifts),
                     "layout": {"sdf": [sdf0, sdf0 + mc.sdf_channels], "deform": None, "weights": None,
                                "color": [col0, col0 + mc.color_channels]},
                     "sdfBias": mc.sdf_bias, "colorActivation": "sigmoid"},
            "gaussian": None},
        "files": files,
    }
    if metrics is not None:
        manifest["metrics"] = metrics
    return manifest


def write_manifest(manifest: dict, pack_dir: os.PathLike) -> Path:
    path = Path(pack_dir) / "manifest.json"
    tmp = path.with_name("manifest.json.tmp")
    try:   # NaN and Infinity are not JSON: the app could not read the manifest at all
        text = json.dumps(manifest, indent=2, allow_nan=False)
    except ValueError as e:
        raise ValueError(f"manifest.json for {pack_dir} holds a NaN or infinite number ({e}); "
                         f"check the values it was built from (e.g. --ss-cfg-strength, the SLaT statistics)") from e
    tmp.write_text(text + "\n")
    os.replace(tmp, path)
    return path
