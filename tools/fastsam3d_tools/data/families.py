"""Object families. Each builder draws one object (roughly unit size, z-up) from a numpy Generator;
`make_object` normalises it to the canonical frame. Families differ in spectral complexity: smooth blobs
and primitives (low), revolved profiles and extrusions (medium), furniture and mugs with thin parts and
CSG with sharp cuts (high).

`HELD_OUT_FAMILIES` never appear in training data; the benchmark set uses them plus new seeds.
"""
from __future__ import annotations

from typing import Callable, Dict

import numpy as np

from . import sdf as S
from .shapes import Part, Shape, SYM_AXIS_Z, SYM_NONE, sym_axis_z_with_flip, sym_cyclic_z, sym_group
from .textures import random_colour, random_field


def _u(rng: np.random.Generator, a: float, b: float) -> float:
    return float(rng.uniform(a, b))


def primitive(rng: np.random.Generator) -> Shape:
    kind = rng.choice(["box", "sphere", "cylinder", "capsule", "torus", "cone"])
    col = random_field(rng)
    if kind == "box":
        half = np.array([_u(rng, 0.2, 0.5), _u(rng, 0.2, 0.5), _u(rng, 0.15, 0.5)])
        part = Part("box", {"half": half, "round": _u(rng, 0.0, 0.08)}, col)
        sym = sym_group(S.rot_z(np.pi), S.rot_x(np.pi), S.rot_y(np.pi))
    elif kind == "sphere":
        part = Part("sphere", {"r": 0.5}, col)
        sym = SYM_AXIS_Z
    elif kind == "cylinder":
        part = Part("cylinder", {"r": _u(rng, 0.15, 0.5), "h": _u(rng, 0.2, 0.5), "round": _u(rng, 0.0, 0.05)}, col)
        sym = sym_axis_z_with_flip()
    elif kind == "capsule":
        h = _u(rng, 0.1, 0.35)
        part = Part("capsule", {"a": [0, 0, -h], "b": [0, 0, h], "r": _u(rng, 0.12, 0.3)}, col)
        sym = sym_axis_z_with_flip()
    elif kind == "torus":
        R = _u(rng, 0.3, 0.45)
        part = Part("torus", {"R": R, "r": _u(rng, 0.07, 0.18)}, col)
        sym = sym_axis_z_with_flip()
    else:  # cone / frustum as a revolved profile
        r0, r1, h = _u(rng, 0.25, 0.5), _u(rng, 0.0, 0.2), _u(rng, 0.3, 0.5)
        prof = np.array([[0, -h], [r0, -h], [r1, h], [0, h]])
        part = Part("revolve", {"profile": prof}, col)
        sym = SYM_AXIS_Z
    return Shape("primitive", [part], sym)


def _random_primitive_part(rng: np.random.Generator, op: str, colour) -> Part:
    kind = rng.choice(["box", "sphere", "cylinder"])
    pos = rng.uniform(-0.25, 0.25, size=3)
    rot = S.rot_z(_u(rng, 0, np.pi)) @ S.rot_x(_u(rng, -0.6, 0.6))
    if kind == "box":
        return Part("box", {"half": rng.uniform(0.12, 0.35, size=3), "round": _u(rng, 0, 0.04)}, colour, rot, pos, op)
    if kind == "sphere":
        return Part("sphere", {"r": _u(rng, 0.15, 0.35)}, colour, rot, pos, op)
    return Part("cylinder", {"r": _u(rng, 0.08, 0.25), "h": _u(rng, 0.15, 0.4)}, colour, rot, pos, op)


def csg(rng: np.random.Generator) -> Shape:
    """Unions and differences of 2-4 primitives (sharp creases, holes)."""
    base_col = random_field(rng)
    parts = [Part("box", {"half": rng.uniform(0.25, 0.45, size=3), "round": _u(rng, 0, 0.05)}, base_col)
             if rng.random() < 0.5 else Part("sphere", {"r": _u(rng, 0.35, 0.5)}, base_col)]
    for _ in range(int(rng.integers(1, 4))):
        op = "sub" if rng.random() < 0.45 else "add"
        parts.append(_random_primitive_part(rng, op, random_field(rng) if rng.random() < 0.5 else base_col))
    return Shape("csg", parts, SYM_NONE)


def _profile_from_radii(z: np.ndarray, r: np.ndarray, wall: float | None) -> np.ndarray:
    """Closed (rho, z) polygon: solid (down the axis) or a shell of thickness `wall` open at the top."""
    if wall is None:
        return np.concatenate([[[0.0, z[0]]], np.stack([r, z], axis=-1), [[0.0, z[-1]]]])
    inner_r = np.maximum(r - wall, 0.01)
    floor = z[0] + wall
    keep = z > floor
    inner = np.stack([inner_r[keep], z[keep]], axis=-1)[::-1]
    return np.concatenate([[[0.0, z[0]]], np.stack([r, z], axis=-1), inner, [[0.0, floor]]])


def vase(rng: np.random.Generator) -> Shape:
    """Revolved profile: sum of smooth bumps, open at the top with a wall."""
    n = 24
    z = np.linspace(-0.5, 0.5, n)
    r = _u(rng, 0.15, 0.25) + np.zeros(n)
    for _ in range(3):
        r += _u(rng, -0.1, 0.18) * np.exp(-((z - _u(rng, -0.5, 0.5)) ** 2) / (2 * _u(rng, 0.08, 0.25) ** 2))
    r = np.clip(r, 0.06, 0.45)
    wall = _u(rng, 0.035, 0.07) if rng.random() < 0.7 else None
    part = Part("revolve", {"profile": _profile_from_radii(z, r, wall)}, random_field(rng))
    return Shape("vase", [part], SYM_AXIS_Z)


def bottle(rng: np.random.Generator) -> Shape:
    """Closed revolved profile: body, shoulder, neck, optional cap."""
    body_r, neck_r = _u(rng, 0.15, 0.3), _u(rng, 0.04, 0.09)
    body_top, neck_bot = _u(rng, -0.05, 0.15), _u(rng, 0.2, 0.3)
    z = np.array([-0.5, -0.48, body_top, neck_bot, 0.45, 0.5])
    r = np.array([body_r * 0.9, body_r, body_r, neck_r, neck_r, neck_r])
    parts = [Part("revolve", {"profile": _profile_from_radii(z, r, None)}, random_field(rng))]
    if rng.random() < 0.6:
        parts.append(Part("cylinder", {"r": neck_r * 1.3, "h": 0.04}, random_field(rng), pos=np.array([0, 0, 0.47])))
    return Shape("bottle", parts, SYM_AXIS_Z)


def _star_polygon(rng: np.random.Generator) -> tuple[np.ndarray, int]:
    kind = rng.choice(["star", "ngon", "L", "arrow", "cross"])
    if kind in ("star", "ngon"):
        n = int(rng.integers(3, 8))
        ang = np.arange(2 * n if kind == "star" else n) * np.pi / (n if kind == "star" else n / 2)
        rad = np.ones_like(ang) * 0.5
        if kind == "star":
            rad[1::2] = _u(rng, 0.2, 0.35)
        return np.stack([rad * np.cos(ang), rad * np.sin(ang)], axis=-1), n
    if kind == "L":
        w = _u(rng, 0.15, 0.3)
        return np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, -0.5 + w], [-0.5 + w, -0.5 + w], [-0.5 + w, 0.5], [-0.5, 0.5]]), 1
    if kind == "cross":
        w = _u(rng, 0.1, 0.2)
        return np.array([[-w, -0.5], [w, -0.5], [w, -w], [0.5, -w], [0.5, w], [w, w], [w, 0.5], [-w, 0.5],
                         [-w, w], [-0.5, w], [-0.5, -w], [-w, -w]]), 4
    w = _u(rng, 0.1, 0.2)
    return np.array([[-0.5, -w], [0.1, -w], [0.1, -0.35], [0.5, 0], [0.1, 0.35], [0.1, w], [-0.5, w]]), 1


def extrusion(rng: np.random.Generator) -> Shape:
    poly, n = _star_polygon(rng)
    h = _u(rng, 0.08, 0.45)
    rot = np.eye(3) if rng.random() < 0.6 else S.rot_x(np.pi / 2)   # standing plate or lying slab
    part = Part("extrude", {"poly": poly, "h": h, "round": _u(rng, 0, 0.03)}, random_field(rng), rot=rot)
    sym = sym_cyclic_z(n) if (n > 1 and rot is not None and np.allclose(rot, np.eye(3))) else SYM_NONE
    return Shape("extrusion", [part], sym)


def table(rng: np.random.Generator) -> Shape:
    """Top + four thin legs (or a pedestal); thin parts stress the fine grid."""
    top_col, leg_col = random_field(rng), random_field(rng)
    hx, hy = _u(rng, 0.3, 0.5), _u(rng, 0.2, 0.5)
    th = _u(rng, 0.03, 0.06)
    height = _u(rng, 0.3, 0.6)
    round_top = rng.random() < 0.3
    parts = [Part("cylinder", {"r": hx, "h": th}, top_col, pos=np.array([0, 0, height]))
             if round_top else Part("box", {"half": [hx, hy, th], "round": 0.01}, top_col, pos=np.array([0, 0, height]))]
    leg_r = _u(rng, 0.025, 0.05)
    if round_top and rng.random() < 0.5:
        parts.append(Part("cylinder", {"r": leg_r * 1.8, "h": height / 2}, leg_col, pos=np.array([0, 0, height / 2])))
        parts.append(Part("cylinder", {"r": hx * 0.6, "h": 0.03}, leg_col, pos=np.array([0, 0, 0.03])))
        return Shape("table", parts, SYM_AXIS_Z)
    ix, iy = (hx * 0.7, hx * 0.7) if round_top else (hx - leg_r * 2, hy - leg_r * 2)
    for sx in (-1, 1):
        for sy in (-1, 1):
            parts.append(Part("capsule", {"a": [sx * ix, sy * iy, 0.0], "b": [sx * ix, sy * iy, height], "r": leg_r}, leg_col))
    sym = sym_group(S.rot_z(np.pi / 2), S.rot_z(np.pi), S.rot_z(1.5 * np.pi)) if round_top else sym_group(S.rot_z(np.pi))
    return Shape("table", parts, sym)


def chair(rng: np.random.Generator) -> Shape:
    seat_col, leg_col = random_field(rng), random_field(rng)
    hx, hy = _u(rng, 0.2, 0.3), _u(rng, 0.2, 0.3)
    seat_h, th = _u(rng, 0.35, 0.5), _u(rng, 0.03, 0.05)
    back_h = _u(rng, 0.3, 0.55)
    leg_r = _u(rng, 0.02, 0.04)
    parts = [Part("box", {"half": [hx, hy, th], "round": 0.01}, seat_col, pos=np.array([0, 0, seat_h])),
             Part("box", {"half": [hx, th, back_h / 2], "round": 0.01}, seat_col,
                  rot=S.rot_x(_u(rng, -0.2, 0.0)), pos=np.array([0, hy - th, seat_h + back_h / 2]))]
    for sx in (-1, 1):
        for sy in (-1, 1):
            x, y = sx * (hx - leg_r * 1.5), sy * (hy - leg_r * 1.5)
            parts.append(Part("capsule", {"a": [x, y, 0.0], "b": [x, y, seat_h], "r": leg_r}, leg_col))
    return Shape("chair", parts, SYM_NONE)


def mug(rng: np.random.Generator) -> Shape:
    r, h = _u(rng, 0.22, 0.35), _u(rng, 0.3, 0.45)
    wall = _u(rng, 0.035, 0.06)
    z = np.linspace(-h, h, 4)
    col = random_field(rng)
    body = Part("revolve", {"profile": _profile_from_radii(z, np.full(4, r), wall)}, col)
    hr = _u(rng, 0.03, 0.05)
    handle = Part("torus", {"R": _u(rng, 0.12, 0.2), "r": hr}, col if rng.random() < 0.6 else random_field(rng),
                  rot=S.rot_x(np.pi / 2), pos=np.array([r, 0.0, _u(rng, -0.05, 0.1)]))
    # the handle goes before the body's hollow so the cavity is not filled by the torus
    cavity = Part("cylinder", {"r": r - wall, "h": h}, col, pos=np.array([0, 0, wall + 0.001]), op="sub")
    return Shape("mug", [body, handle, cavity], SYM_NONE)


def blob(rng: np.random.Generator) -> Shape:
    """Smooth union of 3-7 spheres (low spectral complexity)."""
    col = random_field(rng)
    parts = []
    for i in range(int(rng.integers(3, 8))):
        parts.append(Part("sphere", {"r": _u(rng, 0.12, 0.3)}, col, pos=rng.uniform(-0.3, 0.3, size=3),
                          blend=0.0 if i == 0 else _u(rng, 0.08, 0.2)))
    return Shape("blob", parts, SYM_NONE)


def lamp(rng: np.random.Generator) -> Shape:
    """HELD OUT: disk base, thin pole, conical shade (revolved shell) — seen parts, unseen arrangement."""
    base_col, shade_col = random_field(rng), random_field(rng)
    base_r = _u(rng, 0.15, 0.25)
    pole_h = _u(rng, 0.4, 0.7)
    shade_r0, shade_r1, shade_h = _u(rng, 0.25, 0.4), _u(rng, 0.1, 0.2), _u(rng, 0.2, 0.35)
    wall = 0.035
    z0 = pole_h - shade_h * 0.3
    zs = np.array([z0, z0 + shade_h])
    outer = np.array([[shade_r0, zs[0]], [shade_r1, zs[1]], [shade_r1 - wall, zs[1]], [shade_r0 - wall, zs[0]]])
    parts = [Part("cylinder", {"r": base_r, "h": 0.03, "round": 0.01}, base_col, pos=np.array([0, 0, 0.03])),
             Part("capsule", {"a": [0, 0, 0.03], "b": [0, 0, pole_h], "r": _u(rng, 0.02, 0.035)}, base_col),
             Part("revolve", {"profile": outer}, shade_col)]
    return Shape("lamp", parts, SYM_AXIS_Z)


FAMILIES: Dict[str, Callable[[np.random.Generator], Shape]] = {
    "primitive": primitive, "csg": csg, "vase": vase, "bottle": bottle, "extrusion": extrusion,
    "table": table, "chair": chair, "mug": mug, "blob": blob, "lamp": lamp,
}
HELD_OUT_FAMILIES = ("lamp",)
TRAIN_FAMILIES = tuple(f for f in FAMILIES if f not in HELD_OUT_FAMILIES)


def make_object(rng: np.random.Generator, family: str) -> Shape:
    """Draw one object of `family` and normalise it to the canonical frame (longest side 0.9-1.0)."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}; choose one of {sorted(FAMILIES)}")
    shape = FAMILIES[family](rng)
    return shape.normalised(target=_u(rng, 0.9, 0.98))


__all__ = ["FAMILIES", "HELD_OUT_FAMILIES", "TRAIN_FAMILIES", "make_object", "random_colour"]
