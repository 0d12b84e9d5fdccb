"""Per-pass ONNX Runtime latency of every role of a pack, at 1 and 2 intra-op threads, and the
resulting per-object estimate with acceleration off (SAM 3D's schedule: 25 SS steps of which 19 use
CFG = 44 ss_flow passes, 25 SLaT steps of which 13 use CFG = 38 slat_flow passes; the unconditional
passes use a 1-token zero condition).

    python -m fastsam3d_tools.export.profile_pack --config mini            # random weights, exported to a temp dir
    python -m fastsam3d_tools.export.profile_pack --pack models/mini       # an existing pack
    python -m fastsam3d_tools.export.profile_pack --config mini --json out.json

Reports medians of `--repeats` runs after one warm-up. Wall-clock numbers depend on the machine's
load; compare ratios, not absolute values, across runs.
"""
from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

from .. import cli
from ..config import CONFIGS, get_config
from ..modules import ROLES, build_all
from .examples import example_inputs
from .validate import config_from_manifest
from ..modules import tables

SS_COND, SS_UNCOND, SLAT_COND, SLAT_UNCOND = 25, 19, 25, 13


STAT = {"median": statistics.median, "min": min}


def _time(sess, feeds, repeats, cpu: bool, stat: str = "median"):
    """Median ms per run. cpu=True measures process CPU time instead of wall time: with one intra-op
    thread that is the latency an idle core would give, robust to other processes sharing the machine."""
    clock = time.process_time if cpu else time.perf_counter
    sess.run(None, feeds)
    ts = []
    for _ in range(repeats):
        t0 = clock()
        sess.run(None, feeds)
        ts.append((clock() - t0) * 1000)
    return STAT[stat](ts)


def profile(pack: Path, cfg, threads_list=(1, 2), repeats: int = 5, radius_frac: float = 0.3,
            cpu_time: bool = False, roles=ROLES, stat: str = "median") -> dict:
    coords = tables.sphere_shell(cfg.resolution, radius_frac * cfg.resolution)
    n = len(coords)
    nc = len(tables.coarse_tables(coords)["coarse"])
    results = {"voxels": n, "coarseVoxels": nc, "threads": {}}
    for threads in threads_list:
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        row = {}
        for role in roles:
            sess = ort.InferenceSession(str(pack / f"{role}.onnx"), opts, providers=["CPUExecutionProvider"])
            feeds = example_inputs(role, cfg, seed=0)
            if role in ("slat_flow", "mesh_decoder"):
                t = tables.slat_tables(coords) if role == "slat_flow" else \
                    tables.mesh_tables(coords, cfg.mesh.window, cfg.mesh.shifts)
                feeds.update(t)
                key = "x" if role == "slat_flow" else "slat"
                feeds[key] = np.random.default_rng(0).standard_normal((n, cfg.slat_channels)).astype(np.float32)
            cpu = cpu_time and threads == 1
            row[role] = _time(sess, feeds, repeats, cpu, stat)
            if role in ("ss_flow", "slat_flow"):
                feeds["cond"] = np.zeros(feeds["cond"].shape[:1] + (1, feeds["cond"].shape[2]), np.float32)
                row[role + "_uncond"] = _time(sess, feeds, repeats, cpu, stat)
        nan = float("nan")
        est = {
            "condition": row.get("condition", nan),
            "ssSampling": SS_COND * row.get("ss_flow", nan) + SS_UNCOND * row.get("ss_flow_uncond", nan),
            "ssDecode": row.get("ss_decoder", nan),
            "slatSampling": SLAT_COND * row.get("slat_flow", nan) + SLAT_UNCOND * row.get("slat_flow_uncond", nan),
            "meshDecode": row.get("mesh_decoder", nan),
        }
        est["total"] = sum(est.values())
        results["threads"][threads] = {"perPassMs": row, "objectEstimateMs": est,
                                       "clock": "cpu" if (cpu_time and threads == 1) else "wall"}
    return results


def build_parser():
    ap = cli.parser(__doc__)
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--config", choices=sorted(CONFIGS),
                   help="profile this pack config with random weights (exported to a temporary folder)")
    g.add_argument("--pack", type=Path, metavar="DIR", help="profile an existing pack folder (with manifest.json)")
    ap.add_argument("--repeats", type=int, default=5, help="timed runs per pass after one warm-up")
    ap.add_argument("--threads", default="1,2", metavar="N[,N…]",
                    help="comma-separated ONNX Runtime intra-op thread counts, one profile each")
    ap.add_argument("--radius", type=float, default=0.3,
                    help="sphere-shell radius of the test object, as a fraction of the grid's side")
    ap.add_argument("--json", type=Path, metavar="FILE", help="also write the results to this JSON file")
    ap.add_argument("--cpu-time", action="store_true",
                    help="measure 1-thread runs in process CPU time (use on a shared, loaded machine)")
    ap.add_argument("--stat", choices=sorted(STAT), default="median",
                    help="statistic over the repeats, in milliseconds per pass ('min' = best of N, least "
                         "sensitive to other load)")
    ap.add_argument("--roles", help="comma-separated subset of roles to profile (default: all)")
    return ap


@cli.command
def main(argv=None) -> int:
    ap = build_parser()
    a = ap.parse_args(argv)
    torch.set_num_threads(1)
    roles = tuple(a.roles.split(",")) if a.roles else ROLES
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        ap.error(f"unknown roles {unknown}; roles are {', '.join(ROLES)}")
    try:
        threads = tuple(int(t) for t in a.threads.split(","))
    except ValueError:
        threads = ()
    if not threads or min(threads) < 1:
        ap.error(f"--threads {a.threads!r}: expected thread counts of 1 or more, e.g. 1,2")
    if a.repeats < 1:
        ap.error(f"--repeats {a.repeats}: must be 1 or more")
    if a.json is not None:
        cli.output_file(a.json, "--json", example="profile.json")     # before minutes of profiling
    if a.pack:
        cli.input_dir(a.pack, "--pack", containing=("manifest.json",), hint="give a model pack folder")
    with tempfile.TemporaryDirectory() as tmp:
        if a.pack:
            pack = Path(a.pack)
            cfg = config_from_manifest(json.loads((pack / "manifest.json").read_text()))
        else:
            from .onnx_export import export_role
            cfg = get_config(a.config)
            torch.manual_seed(0)
            models = build_all(cfg)
            pack = Path(tmp)
            for role in roles:
                export_role(role, models[role], cfg, pack / f"{role}.onnx")
        res = profile(pack, cfg, threads, a.repeats, a.radius, a.cpu_time, roles, a.stat)
    res["config"] = a.config or str(a.pack)
    res["stat"] = a.stat
    res["loadAverage"] = list(__import__("os").getloadavg())
    print(f"{res['config']}: N = {res['voxels']} voxels (Nc = {res['coarseVoxels']})")
    for th, r in res["threads"].items():
        pp = "  ".join(f"{k} {v:.1f}" for k, v in r["perPassMs"].items())
        est = "  ".join(f"{k} {v:.0f}" for k, v in r["objectEstimateMs"].items())
        print(f"  {th} thread(s), {r['clock']} clock, per pass ms: {pp}\n    per object ms: {est}")
    if a.json is not None:
        a.json.parent.mkdir(parents=True, exist_ok=True)
        cli.write_text_atomic(a.json, json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
