"""Export the trained stages to models/mini through the tools-modules exporter.

    tools/.venv/bin/python -m fastsam3d_tools.train.export_mini [--out ../models/mini] [--version 0.1.0]

Networks: condition (stage-4 checkpoint when present — its trunk is stage 2's, frozen — else stage 2),
ss_flow (stage 2), ss_decoder (stage 1), slat_flow (stage 4), mesh_decoder (stage 3). Constants from
training: rotation6d mean/std (stage 2), slat mean/std (stage 3). Training steps and seconds per stage
go into manifest.source; `--metrics FILE` adds the model card's measured numbers to manifest.metrics.

`--colour neutral` ships the mesh decoder without the latent-colour skip and with its colour head zeroed,
so every mesh decodes in one neutral grey. Why: the shipping rule of MODEL_CARD.md — a colour path ships
only once the benchmark's colour L1 beats the neutral answer; until then a wrong colour (a green mug
decoded purple) is worse for an artist than an honest untextured mesh. `--colour latent` (default) ships
the trained colour path as configured.
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import math
from pathlib import Path
from typing import Optional

import torch

from .. import PACK_FORMAT, __version__, cli
from ..export.staging import refuse_other_pack
from .sizes import pack_config
from ..export.onnx_export import export_pack
from ..modules import ConditionEncoder, MeshDecoder, SlatFlow, SsDecoder, SsFlow
from ..modules.mesh_decoder import zero_colour_head
from .common import CHECKPOINTS, TOOLS, load_checkpoint, stage_weights

STAGES = ("ss_vae", "ss_flow", "slat_vae", "slat_flow")


def _load(stage: str) -> dict:
    path = CHECKPOINTS / f"{stage}.pt"
    if not path.exists():
        raise cli.UsageError(f"{path} is missing: run `python -m fastsam3d_tools.train.{stage}` first")
    return load_checkpoint(path)


COLOURS = ("latent", "neutral")


def build_models(cfg_name: str = "mini", colour: str = "latent"):
    if colour not in COLOURS:
        raise ValueError(f"colour must be one of {COLOURS}, not {colour!r}")
    cfg = pack_config(cfg_name)
    st = {s: _load(s) for s in STAGES}
    ss_extra, slat_extra = st["ss_flow"]["extra"], st["slat_vae"]["extra"]
    cfg = dataclasses.replace(cfg, rotation6d_mean=tuple(ss_extra["rotation6d_mean"]),
                              rotation6d_std=tuple(ss_extra["rotation6d_std"]),
                              slat_mean=tuple(slat_extra["slat_mean"]), slat_std=tuple(slat_extra["slat_std"]))
    skip_trained = cfg.mesh.latent_rgb >= 0
    if colour == "neutral":          # no latent-colour skip in the graph; the colour head is zeroed below
        cfg = dataclasses.replace(cfg, mesh=dataclasses.replace(cfg.mesh, latent_rgb=-1))
    models = {"condition": ConditionEncoder(cfg), "ss_flow": SsFlow(cfg), "ss_decoder": SsDecoder(cfg),
              "slat_flow": SlatFlow(cfg), "mesh_decoder": MeshDecoder(cfg)}
    # the flows ship their EMA weights when their stage keeps an EMA (stage_weights)
    models["condition"].load_state_dict(stage_weights(st["slat_flow"], "condition"))
    models["ss_flow"].load_state_dict(stage_weights(st["ss_flow"], "ss_flow"))
    models["ss_decoder"].load_state_dict(stage_weights(st["ss_vae"], "decoder"))
    models["slat_flow"].load_state_dict(stage_weights(st["slat_flow"], "slat_flow"))
    if colour == "latent" and skip_trained and not st["slat_vae"]["extra"].get("colour_skip"):
        # its colour rows were trained without the skip: adding the skip to them gives wrong colours
        raise RuntimeError("the slat_vae checkpoint predates the latent-colour skip (config mesh.latent_rgb); "
                           "run `python -m fastsam3d_tools.train.slat_vae --steps 0` once to migrate it")
    models["mesh_decoder"].load_state_dict(stage_weights(st["slat_vae"], "decoder"))
    if colour == "neutral":
        zero_colour_head(models["mesh_decoder"])   # colour logits 0 everywhere: sigmoid → mid grey
    # the SS flow was trained with stage 2's condition projection; stage 4 froze it, check that it matches
    ss_cond = stage_weights(st["ss_flow"], "condition")
    slat_cond = stage_weights(st["slat_flow"], "condition")
    for k, v in ss_cond.items():
        if not k.startswith("proj_slat") and not torch.equal(v, slat_cond[k]):
            raise RuntimeError(f"condition weight {k} differs between the ss_flow and slat_flow checkpoints: "
                               "stage 2 kept training after stage 4 started; run stage 4 with --sync-condition")
    training = {s: {"steps": int(st[s]["step"]), "seconds": round(float(st[s].get("seconds", 0.0)), 1)} for s in STAGES}
    digest = hashlib.sha256()
    for s in STAGES:
        digest.update((CHECKPOINTS / f"{s}.pt").read_bytes())
    return cfg, models, training, digest.hexdigest()


def with_ss_guidance(cfg, modalities: str = "all", strength: Optional[float] = None):
    """The sampler settings the manifest carries for SS classifier-free guidance: which modalities it
    applies to ("all" or "shape") and, when given, its strength (else the config's, SAM 3D's 7)."""
    sampler = cfg.sampler
    if modalities == "shape":
        sampler = dataclasses.replace(sampler, ss_cfg_modalities=("shape",))
    if strength is not None:
        sampler = dataclasses.replace(sampler, ss_cfg_strength=float(strength))
    return dataclasses.replace(cfg, sampler=sampler)


def build_parser():
    ap = cli.parser(__doc__)
    ap.add_argument("--out", type=Path, default=TOOLS.parent / "models" / "mini", metavar="DIR",
                    help="pack folder to write (replaced all or nothing; other files there, e.g. MODEL_CARD.md, "
                         "are kept)")
    ap.add_argument("--version", default="0.1.0", help="the manifest's version of the pack, e.g. 0.8.0")
    ap.add_argument("--metrics", type=Path, default=None, metavar="FILE",
                    help="JSON file of measured numbers to write into manifest.metrics (default: none)")
    ap.add_argument("--colour", choices=COLOURS, default="latent",
                    help="latent: the trained colour path; neutral: one grey for every mesh (see above)")
    ap.add_argument("--ss-cfg", choices=("all", "shape"), default="all",
                    help="SS modalities that classifier-free guidance applies to: all (SAM 3D's code snapshot) "
                         "or shape only (for canonical pose targets, where guiding the pose overshoots: "
                         "models/mini/MODEL_CARD.md)")
    ap.add_argument("--ss-cfg-strength", type=float, default=None,
                    help="SS classifier-free guidance strength written to the manifest, a factor ≥ 0 (default: "
                         "SAM 3D's 7; the model card's sweeps chose lower ones on the validation split)")
    return ap


@cli.command
def main(argv=None) -> None:
    ap = build_parser()
    a = ap.parse_args(argv)
    if a.ss_cfg_strength is not None and not (math.isfinite(a.ss_cfg_strength) and a.ss_cfg_strength >= 0):
        ap.error(f"--ss-cfg-strength {a.ss_cfg_strength}: must be a finite number, 0 (no guidance) or more")
    if not a.version.strip():
        ap.error("--version must not be empty (the manifest's version, e.g. 0.8.0)")
    # the paths before the checkpoints load and the export runs (minutes)
    refuse_other_pack(a.out, PACK_FORMAT)
    metrics = None
    if a.metrics is not None:
        cli.input_file(a.metrics, "--metrics")
        try:
            metrics = json.loads(a.metrics.read_text())
        except (ValueError, UnicodeDecodeError) as e:
            raise cli.UsageError(f"--metrics {a.metrics}: not valid JSON ({e})") from None
        if not isinstance(metrics, dict):
            raise cli.UsageError(f"--metrics {a.metrics}: holds a {type(metrics).__name__}, not a JSON object")
    torch.set_num_threads(2)
    cfg, models, training, digest = build_models(colour=a.colour)
    cfg = with_ss_guidance(cfg, a.ss_cfg, a.ss_cfg_strength)
    manifest = export_pack(
        models, cfg, a.out, version=a.version,
        source={"kind": "trained", "tool": f"tools/fastsam3d_tools/train/export_mini.py {__version__}",
                "checkpoint_sha256": digest, "training": training, "colour": a.colour},
        description="Mini pack trained from scratch on the project's procedural objects (see MODEL_CARD.md). "
                    "SAM 3D's structure at small scale, for CPUs, tests and benchmarks.",
        metrics=metrics)
    print(json.dumps({"out": str(a.out), "files": {k: v["path"] for k, v in manifest["files"].items()},
                      "training": training}, indent=1))


if __name__ == "__main__":
    main()
