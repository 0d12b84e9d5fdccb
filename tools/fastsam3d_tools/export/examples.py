"""Example inputs of every role (for tracing, ORT parity checks and profiling) and the contract's
input/output signatures (names, dtypes, shapes with named dynamic axes)."""
from __future__ import annotations

from typing import Dict, List, Tuple, Union

import numpy as np

from ..config import PackConfig
from ..modules import tables

Dim = Union[int, str]
Signature = Dict[str, Tuple[str, List[Dim]]]  # name → (dtype, shape)


def signatures(cfg: PackConfig) -> Dict[str, Tuple[Signature, Signature]]:
    """(inputs, outputs) per role in the contract's order. Strings are dynamic axes."""
    cc = cfg.condition
    s, d, lc = cc.image_size, cc.dim, cc.tokens
    l3, c = cfg.latent_resolution ** 3, cfg.latent_channels
    lr, r, c8 = cfg.latent_resolution, cfg.resolution, cfg.slat_channels
    f = cfg.mesh.feats
    f32, i32 = "float32", "int32"
    return {
        "condition": (
            {"image": (f32, ["2K", 3, s, s]), "mask": (f32, ["2K", 1, s, s])},
            {"cond_ss": (f32, ["K", lc, d]), "cond_slat": (f32, ["K", lc, d])}),
        "ss_flow": (
            {"x_shape": (f32, ["B", l3, c]), "x_rot6d": (f32, ["B", 1, 6]), "x_translation": (f32, ["B", 1, 3]),
             "x_scale": (f32, ["B", 1, 3]), "x_translation_scale": (f32, ["B", 1, 1]), "t": (f32, ["B"]),
             "d": (f32, ["B"]), "cond": (f32, ["B", "Lc", d])},
            {"v_shape": (f32, ["B", l3, c]), "v_rot6d": (f32, ["B", 1, 6]), "v_translation": (f32, ["B", 1, 3]),
             "v_scale": (f32, ["B", 1, 3]), "v_translation_scale": (f32, ["B", 1, 1])}),
        "ss_decoder": (
            {"latent": (f32, ["B", c, lr, lr, lr])},
            {"logits": (f32, ["B", 1, r, r, r])}),
        "slat_flow": (
            {"x": (f32, ["N", c8]), "t": (f32, [1]), "cond": (f32, [1, "Lc2", d]), "coords": (i32, ["N", 3]),
             "nbr_fine": (i32, ["N", 27]), "nbr_coarse": (i32, ["Nc", 27]), "children": (i32, ["Nc", 8]),
             "inv_count": (f32, ["Nc", 1]), "fine_to_coarse": (i32, ["N"]), "coarse_xyz": (f32, ["Nc", 3])},
            {"v": (f32, ["N", c8])}),
        "mesh_decoder": (
            {"slat": (f32, ["N", c8]), "coords": (i32, ["N", 3]), "win0_idx": (i32, ["W0", "L0"]),
             "win0_inv": (i32, ["N"]), "win1_idx": (i32, ["W1", "L1"]), "win1_inv": (i32, ["N"]),
             "nbr_l1": (i32, ["8N", 27]), "nbr_l2": (i32, ["64N", 27])},
            {"feats": (f32, ["64N", f])}),
    }


def example_coords(cfg: PackConfig, radius_frac: float = 0.3, offset: float = 0.0) -> np.ndarray:
    """A lexicographic spherical shell on the pack grid (a typical pruned SS output)."""
    r = cfg.resolution
    return tables.sphere_shell(r, radius_frac * r, center=(r - 1) / 2 + offset)


def example_inputs(role: str, cfg: PackConfig, seed: int = 0, variant: int = 0) -> Dict[str, np.ndarray]:
    """Random inputs of one role. `variant` changes the dynamic sizes (K, B, Lc, N …) so tests can run
    a graph at sizes other than the ones it was traced with."""
    rng = np.random.default_rng(seed + 1000 * variant)
    cc = cfg.condition
    f = lambda *shape: rng.standard_normal(shape).astype(np.float32)  # noqa: E731
    if role == "condition":
        k = 1 + variant
        s = cc.image_size
        return {"image": rng.random((2 * k, 3, s, s), dtype=np.float32),
                "mask": (rng.random((2 * k, 1, s, s)) > 0.5).astype(np.float32)}
    if role == "ss_flow":
        b = 1 + variant
        lc = cc.tokens if variant == 0 else 1
        return {"x_shape": f(b, cfg.latent_resolution ** 3, cfg.latent_channels), "x_rot6d": f(b, 1, 6),
                "x_translation": f(b, 1, 3), "x_scale": f(b, 1, 3), "x_translation_scale": f(b, 1, 1),
                "t": (rng.random(b) * 1000).astype(np.float32), "d": np.zeros(b, np.float32),
                "cond": f(b, lc, cc.dim)}
    if role == "ss_decoder":
        lr = cfg.latent_resolution
        return {"latent": f(1 + variant, cfg.latent_channels, lr, lr, lr)}
    coords = example_coords(cfg, 0.3 - 0.07 * variant, offset=0.5 * variant)
    if role == "slat_flow":
        t = tables.slat_tables(coords)
        lc = cc.tokens if variant == 0 else 1
        return {"x": f(len(coords), cfg.slat_channels), "t": np.array([rng.random() * 1000], np.float32),
                "cond": f(1, lc, cc.dim), **t}
    if role == "mesh_decoder":
        t = tables.mesh_tables(coords, cfg.mesh.window, cfg.mesh.shifts)
        return {"slat": f(len(coords), cfg.slat_channels), **t}
    raise ValueError(f"unknown role {role!r}")
