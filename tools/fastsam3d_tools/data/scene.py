"""Scenes: one or more target objects, optional occluders (other objects partly in front), background,
light. Everything is drawn from `np.random.default_rng(seed)`, so a (seed, split) pair fully determines
the scene, the images, masks and ground truth.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

import numpy as np

from .camera import DEFAULT_FOV_DEG, Layout, project, sample_layout
from .families import FAMILIES, HELD_OUT_FAMILIES, TRAIN_FAMILIES, make_object
from .render import Posed, background_image, render


@dataclass
class Scene:
    seed: int
    targets: List[Posed]          # objects with masks and ground truth
    occluders: List[Posed]
    background: np.ndarray        # (3,) description colour is not kept; image regenerated from seed
    light_dir: np.ndarray
    fov_deg: float
    bg_seed: int

    @property
    def all_objects(self) -> List[Posed]:
        return self.targets + self.occluders

    def render(self, width: int):
        """(rgb float W×W×3, masks bool (T, W, W) visible pixels of each target, ids)."""
        bg = background_image(np.random.default_rng(self.bg_seed), width)
        rgb, ids, _ = render(self.all_objects, width, self.fov_deg, bg, self.light_dir)
        masks = np.stack([ids == k for k in range(len(self.targets))])
        return rgb, masks, ids


# An occluder's scale, and its depth as a share of the target's. Its apparent size in the photo therefore
# says something about the target's depth, which the 3D-IoU ceiling counts (bench/depth-ceiling.ts).
OCCLUDER_SCALE = (0.3, 0.6)
OCCLUDER_DEPTH_FACTOR = (0.55, 0.75)

# Each split draws from its own seed stream (the value is hashed into the RNG) with its own family mix:
# the held-out family is over-represented outside training; 'validation' is the benchmark's mix in another
# stream, for tuning decode settings without touching the benchmark's objects.
_HELD_OUT_MIX = tuple(TRAIN_FAMILIES) + tuple(HELD_OUT_FAMILIES) * 3
_SPLITS = {"train": (0, TRAIN_FAMILIES), "heldout": (1, _HELD_OUT_MIX), "validation": (2, _HELD_OUT_MIX)}


def _split(split: str):
    if split not in _SPLITS:
        raise ValueError(f"unknown split {split!r}; use one of {', '.join(map(repr, _SPLITS))}")
    return _SPLITS[split]


def _families_for(split: str) -> Sequence[str]:
    return _split(split)[1]


def _separated(layout: Layout, others: List[Posed], min_gap: float) -> bool:
    for o in others:
        d = np.linalg.norm(layout.translation - o.layout.translation)
        if d < (layout.scale + o.layout.scale) * 0.5 * min_gap:
            return False
    return True


def _scene_rng(seed: int, split: str) -> np.random.Generator:
    return np.random.default_rng([seed, _split(split)[0], 7321])


def _draw_shape(rng: np.random.Generator, fams: Sequence[str]):
    return make_object(rng, str(rng.choice(list(fams))))


def target_shape(seed: int, split: str = "train", families: Optional[Sequence[str]] = None):
    """The first target's shape of `make_scene(seed, split)` without drawing or rendering the rest
    (the shape is the first thing drawn from the scene's stream)."""
    fams = list(families) if families is not None else list(_families_for(split))
    return _draw_shape(_scene_rng(seed, split), fams)


def target_symmetry(seed: int, split: str = "train", families: Optional[Sequence[str]] = None) -> Dict:
    """`target_shape(seed, split).symmetry` without normalising the shape (the probe grid is what costs:
    0.4 s against 0.5 ms); the symmetry is fixed when the family draws the shape."""
    fams = list(families) if families is not None else list(_families_for(split))
    rng = _scene_rng(seed, split)
    return FAMILIES[str(rng.choice(fams))](rng).symmetry


def make_scene(seed: int, split: str = "train", n_targets: int = 1, occluder_prob: float = 0.35,
               fov_deg: float = DEFAULT_FOV_DEG, families: Optional[Sequence[str]] = None) -> Scene:
    """Draw a scene. Train seeds and held-out seeds live in separate streams (split is hashed in)."""
    rng = _scene_rng(seed, split)
    fams = list(families) if families is not None else list(_families_for(split))
    targets: List[Posed] = []
    for _ in range(n_targets):
        shape = _draw_shape(rng, fams)
        layout = sample_layout(rng, fov_deg)
        for _try in range(20):
            if _separated(layout, targets, 1.1):
                break
            layout = sample_layout(rng, fov_deg)
        targets.append(Posed(shape, layout))
    occluders: List[Posed] = []
    if n_targets == 1 and rng.random() < occluder_prob:
        # a smaller object between the camera and the target, offset sideways so it covers only a part
        tgt = targets[0].layout
        fam = str(rng.choice(list(TRAIN_FAMILIES)))
        shape = make_object(rng, fam)
        lay = sample_layout(rng, fov_deg, scale=OCCLUDER_SCALE)
        z = tgt.translation[2] * rng.uniform(*OCCLUDER_DEPTH_FACTOR)
        side = rng.normal(size=2)
        side /= np.linalg.norm(side)
        off = side * tgt.scale * rng.uniform(0.45, 0.8) * z / tgt.translation[2]
        lay.translation = np.array([tgt.translation[0] * z / tgt.translation[2] + off[0],
                                    tgt.translation[1] * z / tgt.translation[2] + off[1], z])
        occluders.append(Posed(shape, lay))
    light = np.array([rng.uniform(-0.6, 0.6), rng.uniform(-1.0, -0.3), rng.uniform(0.3, 1.0)])
    light /= np.linalg.norm(light)
    return Scene(seed, targets, occluders, np.zeros(3), light, fov_deg, int(rng.integers(0, 2**31)))


def centre_pixel(posed: Posed, width: int, fov_deg: float) -> np.ndarray:
    """Pixel (u, v) of the object-frame origin (the bbox centre) under the ground-truth layout."""
    return project(posed.layout.translation[None], width, fov_deg)[0]


def cutout_rgba(rgb: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """SAM 3D convention: object RGB inside the mask, white outside, alpha = mask (uint8 H×W×4)."""
    out = np.ones(rgb.shape[:2] + (4,), dtype=np.float64)
    out[..., :3] = np.where(mask[..., None], rgb, 1.0)
    out[..., 3] = mask.astype(np.float64)
    return (np.round(out * 255)).astype(np.uint8)
