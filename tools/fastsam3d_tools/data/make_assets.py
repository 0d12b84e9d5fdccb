"""Write the example inputs and the held-out benchmark set from the generator.

    tools/.venv/bin/python -m fastsam3d_tools.data.make_assets examples  [--out resources/examples]
    tools/.venv/bin/python -m fastsam3d_tools.data.make_assets benchmark [--out resources/benchmark] [--count 24]
    tools/.venv/bin/python -m fastsam3d_tools.data.make_assets validation --out DIR [--count 24]

'validation' writes the benchmark's layout from its own seed stream (same family mix, never trained on and
never scored by the benchmark), so decode settings can be tuned without looking at the benchmark's objects:
`npm run bench -- --set DIR ...`.

(run from tools/ with PYTHONPATH=. or with the package installed). Deterministic: the same command
writes byte-identical files.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import List

import numpy as np
from PIL import Image

from .. import cli
from .camera import DEFAULT_FOV_DEG, LAYOUT_DEPTH, LAYOUT_SCALE, focal
from .families import HELD_OUT_FAMILIES, TRAIN_FAMILIES
from .scene import OCCLUDER_DEPTH_FACTOR, OCCLUDER_SCALE, centre_pixel, cutout_rgba, make_scene
from .targets import gt_mesh, write_ply

REPO = Path(__file__).resolve().parents[3]

# (name, seed, family, size): chosen seeds whose objects are clearly visible; the scene has 3 objects
EXAMPLES = [
    ("vase", 11, "vase"), ("chair", 4, "chair"), ("mug", 2, "mug"), ("table", 8, "table"), ("bottle", 5, "bottle"),
]
SCENE_EXAMPLE = ("scene-three", 21, ("blob", "mug", "extrusion"))
# the command that writes each scored set, and the seed stream it draws from (scene.py)
SET_SPLITS = {"benchmark": "heldout", "validation": "validation"}


def _save_png(arr: np.ndarray, path: Path) -> None:
    mode = "RGBA" if arr.shape[-1] == 4 else "RGB"
    Image.fromarray(arr, mode).save(path, optimize=True)


def _u8(rgb: np.ndarray) -> np.ndarray:
    return np.round(np.clip(rgb, 0, 1) * 255).astype(np.uint8)


def write_examples(out: Path, size: int = 384) -> List[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, seed, fam in EXAMPLES:
        sc = make_scene(seed, "train", families=[fam], occluder_prob=0.0)
        rgb, masks, _ = sc.render(size)
        d = out / name
        d.mkdir(exist_ok=True)
        _save_png(_u8(rgb), d / "image.png")
        _save_png(cutout_rgba(rgb, masks[0]), d / "0.png")
        written.append(d)
    name, seed, fams = SCENE_EXAMPLE
    sc = _scene_of(seed, fams)
    rgb, masks, _ = sc.render(size)
    d = out / name
    d.mkdir(exist_ok=True)
    _save_png(_u8(rgb), d / "image.png")
    for k in range(len(masks)):
        _save_png(cutout_rgba(rgb, masks[k]), d / f"{k}.png")
    written.append(d)
    return written


def _scene_of(seed: int, fams) -> "object":
    """A 3-object scene, one object per listed family, smaller and spread across the frame."""
    from .camera import sample_layout
    from .families import make_object
    from .render import Posed
    base = make_scene(seed, "train", families=[fams[0]], occluder_prob=0.0)
    rng = np.random.default_rng([seed, 99])
    targets = []
    xs = (-0.9, 0.0, 0.9)
    for k, fam in enumerate(fams):
        shape = make_object(rng, fam)
        lay = sample_layout(rng, base.fov_deg, depth=(3.2, 3.8), scale=(0.7, 0.85))
        lay.translation = np.array([xs[k], rng.uniform(-0.35, 0.1), lay.translation[2] + 0.3 * (k == 1)])
        targets.append(Posed(shape, lay))
    base.targets = targets
    return base


# How the targets were placed (camera.sample_layout), for the 3D-IoU ceiling without depth (bench/depth-ceiling.ts).
LAYOUT_PRIOR = {"depth": list(LAYOUT_DEPTH), "scale": list(LAYOUT_SCALE),
                "occluder": {"depthFactor": list(OCCLUDER_DEPTH_FACTOR), "scale": list(OCCLUDER_SCALE)},
                "about": "depth (camera z) and scale uniform and independent; centre uniform across the frame's "
                         "central part; an occluder's scale uniform, its depth the target's times a uniform factor"}


def write_benchmark(out: Path, count: int = 24, size: int = 256, max_triangles: int = 6000,
                    what: str = "benchmark") -> dict:
    """Scored objects (`what` in SET_SPLITS): seeds never trained on, the held-out family over-represented."""
    split = SET_SPLITS[what]
    out.mkdir(parents=True, exist_ok=True)
    items = []
    seed = 0
    while len(items) < count:
        sc = make_scene(seed, split)
        seed += 1
        rgb, masks, ids = sc.render(size)
        vis = int(masks[0].sum())
        if vis < 0.01 * size * size:     # skip objects that are almost hidden or off-frame
            continue
        tgt = sc.targets[0]
        name = f"{len(items):02d}-{tgt.shape.family}"
        d = out / name
        d.mkdir(exist_ok=True)
        _save_png(_u8(rgb), d / "image.png")
        _save_png(cutout_rgba(rgb, masks[0]), d / "0.png")
        # The occluder's visible mask, as an artist would mask the thing in front (fit to mask keeps what
        # it hides; `npm run bench -- --fit-to-mask --mask-occluders`). Never scored.
        occluder_masks, occluder_layouts = [], []
        for j in range(len(sc.occluders)):
            front = ids == len(sc.targets) + j
            if front.any():
                occluder_masks.append(f"{1 + len(occluder_masks)}.png")
                occluder_layouts.append(sc.occluders[j].layout.to_json())   # its apparent size hints at depth
                _save_png(cutout_rgba(rgb, front), d / occluder_masks[-1])
        v, f, c = gt_mesh(tgt.shape, max_triangles)
        write_ply(d / "gt.ply", v, f, c)
        bbox = tgt.shape.bbox()
        gt = {
            "name": name, "split": split, "seed": sc.seed, "family": tgt.shape.family,
            "heldOutFamily": tgt.shape.family in HELD_OUT_FAMILIES,
            "symmetry": tgt.shape.symmetry,
            "camera": {"fovDeg": sc.fov_deg, "width": size, "height": size, "focalPx": float(focal(size, sc.fov_deg))},
            "layout": tgt.layout.to_json(),
            "objectBBox": {"min": [float(x) for x in bbox[0]], "max": [float(x) for x in bbox[1]]},
            "mesh": {"file": "gt.ply", "vertices": int(len(v)), "triangles": int(len(f))},
            "visiblePixels": vis, "occluded": len(sc.occluders) > 0, "occluderMasks": occluder_masks,
            "occluderLayouts": occluder_layouts,
            "centrePixel": [float(x) for x in centre_pixel(tgt, size, sc.fov_deg)],
        }
        (d / "gt.json").write_text(json.dumps(gt, indent=1) + "\n")
        items.append({"name": name, "family": gt["family"], "heldOutFamily": gt["heldOutFamily"]})
    index = {"format": "fastsam3d-benchmark/1", "count": len(items), "trainFamilies": list(TRAIN_FAMILIES),
             "heldOutFamilies": list(HELD_OUT_FAMILIES), "items": items,
             "layoutPrior": LAYOUT_PRIOR,
             "generator": f"tools/.venv/bin/python -m fastsam3d_tools.data.make_assets {what}"}
    (out / "index.json").write_text(json.dumps(index, indent=1) + "\n")
    return index


def build_parser():
    ap = cli.parser(__doc__)
    ap.add_argument("what", choices=["examples", *SET_SPLITS],
                    help="examples: the example inputs; benchmark: the scored held-out set; validation: a set "
                         "in the benchmark's layout from its own seeds")
    ap.add_argument("--out", type=Path, metavar="DIR",
                    help="folder to write (written beside it first and moved in when complete; default: "
                         "resources/examples or resources/benchmark; validation needs one)")
    ap.add_argument("--count", type=int, default=24, help="objects in a benchmark or validation set")
    ap.add_argument("--replace-committed", action="store_true",
                    help="allow writing a set of another size over the committed benchmark set")
    return ap


@cli.command
def main(argv=None) -> None:
    ap = build_parser()
    a = ap.parse_args(argv)
    if a.count < 1:
        ap.error(f"--count {a.count}: a set needs at least 1 item")
    if a.what == "examples" and a.count != 24:
        ap.error("--count is for the benchmark and validation sets; examples are the fixed few in write_examples")
    if a.what == "benchmark" and a.out is None and not a.replace_committed:
        committed = REPO / "resources" / "benchmark" / "index.json"
        if committed.is_file():
            n = json.loads(committed.read_text()).get("count")
            if isinstance(n, int) and n != a.count:
                ap.error(f"the committed benchmark set has {n} items and --count is {a.count}: writing it would "
                         f"shrink or grow the set every reported number is measured on. Pass --out DIR for "
                         f"another set, or --replace-committed if that is the point")
    if a.what == "validation" and a.out is None:
        ap.error("validation needs --out DIR (it is not committed; the benchmark set is resources/benchmark)")
    out = a.out or REPO / "resources" / ("examples" if a.what == "examples" else "benchmark")
    cli.output_dir(out, "--out", beside=True)
    # all or nothing: a failure half way (a full disk) leaves the folder as it was, never a mixed set
    with cli.staged_folder(out, last=("index.json",)) as stage:
        if a.what == "examples":
            written = [out / d.name for d in write_examples(stage)]
        else:
            idx = write_benchmark(stage, a.count, what=a.what)
    if a.what == "examples":
        for d in written:
            print("wrote", d)
    else:
        print("wrote", idx["count"], a.what, "items")


if __name__ == "__main__":
    main()
