"""ONNX export, manifest and validator; the committed test-tiny pack (and models/mini when present)."""
from __future__ import annotations

import json
import shutil

import numpy as np
import onnxruntime as ort
import pytest
import torch

from fastsam3d_tools.config import mini, tiny
from fastsam3d_tools.export import PackValidationError, export_role, validate_pack
from fastsam3d_tools.export.manifest import build_manifest
from fastsam3d_tools.export.examples import example_inputs
from fastsam3d_tools.export.parity import check_role, relative_error, torch_outputs
from fastsam3d_tools.train.export_mini import with_ss_guidance
from fastsam3d_tools.modules import ROLES, build_role
from fastsam3d_tools.packs.build_tiny import build_models, occupied_surface_count


def session(path):
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def assert_close(role, got, want, rtol=1e-4):
    for g, w in zip(got, want):
        assert g.shape == w.shape, f"{role}: {g.shape} != {w.shape}"
        err = relative_error(g, w)
        assert err < rtol, f"{role}: ORT vs PyTorch relative error {err:.2e}"


@pytest.fixture(scope="module")
def tiny_models():
    return build_models(tiny())


def test_tiny_pack_is_valid_and_small(tiny_pack_dir):
    manifest = validate_pack(tiny_pack_dir, run=True)
    assert manifest["source"]["kind"] == "random"
    total = sum(p.stat().st_size for p in tiny_pack_dir.iterdir())
    assert total < 2 * 1024 * 1024
    assert sorted(p.name for p in tiny_pack_dir.iterdir()) == sorted([f"{r}.onnx" for r in ROLES] + ["manifest.json"])


@pytest.mark.parametrize("role", ROLES)
def test_tiny_pack_matches_pytorch_at_several_dynamic_sizes(role, tiny_pack_dir, tiny_models):
    """The committed ONNX files are reproduced by build_tiny's seeded weights, at the traced sizes and
    at other values of every dynamic axis (K, B, Lc, N, Nc, W, L)."""
    cfg = tiny()
    sess = session(tiny_pack_dir / f"{role}.onnx")
    for variant in (0, 1, 2):
        feeds = example_inputs(role, cfg, seed=11, variant=variant)
        assert_close(role, sess.run(None, feeds), torch_outputs(tiny_models[role], role, cfg, feeds))


def test_tiny_pack_gives_usable_voxels_and_a_surface(tiny_pack_dir):
    manifest = json.loads((tiny_pack_dir / "manifest.json").read_text())
    ss = manifest["ss"]
    dec = session(tiny_pack_dir / "ss_decoder.onnx")
    rng = np.random.default_rng(0)
    lr, c = manifest["grid"]["ssLatentResolution"], manifest["grid"]["ssLatentChannels"]
    counts = []
    for scale in (0.0, 1.0, 5.0, 50.0):
        logits = dec.run(None, {"latent": (rng.standard_normal((1, c, lr, lr, lr)) * scale).astype(np.float32)})[0]
        counts.append(occupied_surface_count(logits, ss["occupancyThreshold"]))
    assert all(ss["minVoxels"] <= n <= ss["maxVoxels"] for n in counts), counts
    assert len(set(counts)) > 1, "the latent should move the occupancy"
    feeds = example_inputs("mesh_decoder", tiny(), seed=2)
    feats = session(tiny_pack_dir / "mesh_decoder.onnx").run(None, feeds)[0]
    a, b = manifest["decoders"]["mesh"]["layout"]["sdf"]
    sdf = feats[:, a:b] + manifest["decoders"]["mesh"]["sdfBias"]
    assert (sdf < 0).any() and (sdf > 0).any()


def test_validator_names_file_and_problem(tiny_pack_dir, tmp_path):
    pack = tmp_path / "pack"
    shutil.copytree(tiny_pack_dir, pack)
    with open(pack / "ss_decoder.onnx", "ab") as fh:
        fh.write(b"\0")
    with pytest.raises(PackValidationError, match=r"ss_decoder\.onnx: sha256"):
        validate_pack(pack)
    shutil.copy(tiny_pack_dir / "ss_decoder.onnx", pack / "ss_decoder.onnx")
    m = json.loads((pack / "manifest.json").read_text())
    m["files"]["slat_flow"]["inputs"] = dict(reversed(list(m["files"]["slat_flow"]["inputs"].items())))
    (pack / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(PackValidationError, match=r"slat_flow\.onnx: inputs are"):
        validate_pack(pack)
    m["format"] = "fastsam3d-pack/99"
    (pack / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(PackValidationError, match="not supported"):
        validate_pack(pack)
    (pack / "manifest.json").unlink()
    with pytest.raises(PackValidationError, match="manifest.json: missing"):
        validate_pack(pack)


def _edited_copy(tiny_pack_dir, tmp_path, edit):
    pack = tmp_path / "pack"
    shutil.copytree(tiny_pack_dir, pack)
    m = json.loads((pack / "manifest.json").read_text())
    edit(pack, m)
    (pack / "manifest.json").write_text(json.dumps(m))
    return pack


def test_validator_cut_short_onnx_is_one_line(tiny_pack_dir, tmp_path, capsys):
    """A truncated .onnx whose manifest sha256 was updated to match: a problem line, not a protobuf traceback."""
    from fastsam3d_tools.export.manifest import sha256_file
    from fastsam3d_tools.export.validate import main

    def cut(pack, m):
        f = pack / "slat_flow.onnx"
        f.write_bytes(f.read_bytes()[:5000])
        m["files"]["slat_flow"]["sha256"] = sha256_file(f)

    pack = _edited_copy(tiny_pack_dir, tmp_path, cut)
    with pytest.raises(PackValidationError, match=r"slat_flow\.onnx: not a readable ONNX model \(DecodeError"):
        validate_pack(pack)
    assert main([str(pack)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and "slat_flow.onnx: not a readable ONNX model" in err


@pytest.mark.parametrize("edit, message", [
    (lambda m: m["condition"].update(imageSize=128),
     r"condition\.onnx: ONNX Runtime refused example inputs sized by the manifest's constants \(InvalidArgument: "
     r"Got invalid dimensions for input: \w+ .*index: 2 Got: 128 Expected: 64.*\); fed image 2×3×128×128"),
    (lambda m: m["condition"].update(dim=64), r"ss_flow\.onnx: ONNX Runtime refused example inputs .*cond 1×\d+×64"),
    (lambda m: m["decoders"]["mesh"].update(subdivisions=3),
     r"mesh_decoder\.onnx: output feats has \d+ rows for \d+ voxels but manifest decoders\.mesh\.subdivisions is 3"),
])
def test_validator_manifest_graph_mismatch_is_one_line(tiny_pack_dir, tmp_path, capsys, edit, message):
    """Constants that contradict the graphs: ONNX Runtime's InvalidArgument becomes a line naming the file."""
    from fastsam3d_tools.export.validate import main

    pack = _edited_copy(tiny_pack_dir, tmp_path, lambda _, m: edit(m))
    with pytest.raises(PackValidationError, match=message):
        validate_pack(pack, run=True)
    assert main([str(pack)]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def _random_export_matches(role, cfg, seed, tmp_path, variants):
    """Export `role` at `cfg` with random weights (zero-initialised tensors drawn too, so every path
    carries signal) and return the largest relative ONNX-vs-PyTorch difference."""
    torch.manual_seed(seed)
    net = build_role(role, cfg).eval()
    with torch.no_grad():
        for p in net.parameters():
            if torch.count_nonzero(p) == 0:
                p.normal_(0, 0.02)
    path = tmp_path / f"{role}.onnx"
    export_role(role, net, cfg, path)
    return check_role(net, role, cfg, path, rtol=5e-4, variants=variants)


@pytest.mark.parametrize("role", ROLES)
def test_mini_architecture_exports_and_matches_pytorch(role, tmp_path):
    """Random weights at the mini sizes: the export path the trained pack uses, checked against PyTorch."""
    assert _random_export_matches(role, mini(), 7, tmp_path, variants=(1,)) < 5e-4


@pytest.mark.parametrize("role", ["condition", "mesh_decoder"])
def test_trained_mini_colour_paths_export_and_match_pytorch(role, tmp_path):
    """The trained pack's config adds cond_slat's appearance path and the mesh decoder's latent-colour
    skip (train/sizes.py); both go through the same export and parity check, with non-zero weights."""
    from fastsam3d_tools.train.sizes import pack_config
    cfg = pack_config("mini")
    assert cfg.condition.slat_appearance and cfg.mesh.latent_rgb == 5
    assert _random_export_matches(role, cfg, 3, tmp_path, variants=(1, 2)) < 5e-4


def test_export_mini_neutral_colour_is_one_grey_with_the_same_sdf():
    """`export_mini --colour neutral` (the shipping rule of MODEL_CARD.md): from the committed training
    checkpoints, every colour logit is 0 (sigmoid: mid grey) and the SDF rows equal the colour export's."""
    from fastsam3d_tools.train.export_mini import build_models as build_trained
    cfg_l, latent, *_ = build_trained(colour="latent")
    cfg_n, neutral, *_ = build_trained(colour="neutral")
    assert cfg_l.mesh.latent_rgb == 5 and cfg_n.mesh.latent_rgb == -1
    feeds = example_inputs("mesh_decoder", cfg_l, seed=1)
    (got_l,) = torch_outputs(latent["mesh_decoder"], "mesh_decoder", cfg_l, feeds)
    (got_n,) = torch_outputs(neutral["mesh_decoder"], "mesh_decoder", cfg_n, feeds)
    sdf = cfg_l.mesh.sdf_channels
    np.testing.assert_array_equal(got_n[:, :sdf], got_l[:, :sdf])
    assert np.all(got_n[:, sdf:] == 0.0)
    assert np.abs(got_l[:, sdf:]).max() > 0.1        # the colour export does carry the latent's colour
    with pytest.raises(ValueError, match="colour must be one of"):
        build_trained(colour="rainbow")


def test_check_role_reports_a_mismatch(tmp_path):
    cfg = tiny()
    torch.manual_seed(0)
    net = build_role("ss_decoder", cfg)
    export_role("ss_decoder", net, cfg, tmp_path / "ss_decoder.onnx")
    with torch.no_grad():
        net.out.bias.add_(1.0)   # the PyTorch model no longer matches the file
    with pytest.raises(AssertionError, match=r"ss_decoder\.onnx: output logits differs from PyTorch"):
        check_role(net, "ss_decoder", cfg, tmp_path / "ss_decoder.onnx")


def test_mini_pack_when_present(mini_pack_dir):
    if not (mini_pack_dir / "manifest.json").exists():
        pytest.skip("models/mini not built yet (tools-training)")
    validate_pack(mini_pack_dir, run=True)


def test_sparse_roles_run_on_one_and_two_voxels(tiny_pack_dir):
    """Carving can leave very few voxels: the graphs must not assume more than one row or window."""
    cfg = tiny()
    from fastsam3d_tools.modules import tables
    slat = session(tiny_pack_dir / "slat_flow.onnx")
    mesh = session(tiny_pack_dir / "mesh_decoder.onnx")
    for coords in (np.array([[3, 4, 5]], np.int32), np.array([[0, 0, 0], [15, 15, 15]], np.int32)):
        n = len(coords)
        x = np.random.default_rng(n).standard_normal((n, cfg.slat_channels)).astype(np.float32)
        feeds = dict(tables.slat_tables(coords), x=x, t=np.array([500.0], np.float32),
                     cond=np.zeros((1, 1, cfg.condition.dim), np.float32))
        v = slat.run(None, feeds)[0]
        assert v.shape == (n, cfg.slat_channels) and np.isfinite(v).all()
        feats = mesh.run(None, dict(tables.mesh_tables(coords, cfg.mesh.window, cfg.mesh.shifts), slat=x))[0]
        assert feats.shape == (64 * n, cfg.mesh.feats) and np.isfinite(feats).all()


def test_fp16_weights_halve_the_file_and_stay_close(tmp_path):
    cfg = mini()
    torch.manual_seed(3)
    net = build_role("ss_flow", cfg).eval()
    with torch.no_grad():
        for p in net.parameters():
            if torch.count_nonzero(p) == 0:
                p.normal_(0, 0.02)
    export_role("ss_flow", net, cfg, tmp_path / "fp32.onnx")
    export_role("ss_flow", net, cfg, tmp_path / "fp16.onnx", weights_fp16=True)
    size32, size16 = (tmp_path / "fp32.onnx").stat().st_size, (tmp_path / "fp16.onnx").stat().st_size
    assert size16 < 0.6 * size32
    sess = session(tmp_path / "fp16.onnx")
    assert all(i.type == "tensor(float)" for i in sess.get_inputs() + sess.get_outputs())  # fp32 I/O
    err = check_role(net, "ss_flow", cfg, tmp_path / "fp16.onnx", rtol=2e-2, variants=(0,))
    assert 0 < err < 2e-2


def test_manifest_guides_only_the_chosen_ss_modalities(tiny_pack_dir):
    """`export_mini --ss-cfg shape` writes CFG factor 1 for the shape and 0 for every pose modality."""
    cfg = tiny()
    kw = dict(version="0", source={}, description="")
    every = build_manifest(cfg, tiny_pack_dir, **kw)["ss"]["cfg"]["modalities"]
    assert every == {"shape": 1, "rotation6d": 1, "translation": 1, "scale": 1, "translationScale": 1}
    guided = build_manifest(with_ss_guidance(cfg, "shape"), tiny_pack_dir, **kw)["ss"]["cfg"]["modalities"]
    assert guided == {"shape": 1, "rotation6d": 0, "translation": 0, "scale": 0, "translationScale": 0}


def test_export_mini_writes_the_chosen_ss_guidance_strength(tiny_pack_dir):
    """`export_mini --ss-cfg shape --ss-cfg-strength 4` writes strength 4 on the shape only; without the
    flag the strength stays SAM 3D's 7; a negative strength is refused before any export starts."""
    from fastsam3d_tools.train.export_mini import main
    kw = dict(version="0", source={}, description="")
    chosen = build_manifest(with_ss_guidance(tiny(), "shape", 4), tiny_pack_dir, **kw)["ss"]["cfg"]
    assert chosen["strength"] == 4.0
    assert chosen["modalities"] == {"shape": 1, "rotation6d": 0, "translation": 0, "scale": 0, "translationScale": 0}
    default = build_manifest(with_ss_guidance(tiny(), "all"), tiny_pack_dir, **kw)["ss"]["cfg"]
    assert default["strength"] == 7.0 and set(default["modalities"].values()) == {1}
    with pytest.raises(SystemExit) as refused:
        main(["--ss-cfg-strength", "-1", "--out", str(tiny_pack_dir / "never")])
    assert refused.value.code == 2 and not (tiny_pack_dir / "never").exists()


def test_export_is_all_or_nothing_and_never_over_another_kind_of_pack(tiny_models, tmp_path):
    """A failed export (here a NaN weight, caught by validation) leaves the target pack as it was, with no
    staging folder behind; a successful one replaces the pack's files and keeps the rest (a model card);
    a folder holding a segmentation pack is refused before anything is written."""
    from fastsam3d_tools.export import export_pack
    from fastsam3d_tools.export.manifest import write_manifest
    from fastsam3d_tools.export.staging import PackOutputError

    out = tmp_path / "pack"
    kw = dict(version="0.0.1", source={"kind": "random"}, description="test")
    export_pack(tiny_models, tiny(), out, **kw)
    (out / "MODEL_CARD.md").write_text("card")
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    broken = dict(tiny_models)
    broken["slat_flow"] = build_models(tiny())["slat_flow"]
    with torch.no_grad():
        next(p for p in broken["slat_flow"].parameters() if p.numel() > 1).fill_(float("nan"))
    with pytest.raises(Exception):
        export_pack(broken, tiny(), out, **kw)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["pack"]          # no staging folder left behind

    export_pack(tiny_models, tiny(), out, **{**kw, "version": "0.0.2"})
    assert json.loads((out / "manifest.json").read_text())["version"] == "0.0.2"
    assert (out / "MODEL_CARD.md").read_text() == "card"

    seg = tmp_path / "seg"
    seg.mkdir()
    (seg / "manifest.json").write_text(json.dumps({"format": "fastsam3d-segpack/1"}))
    with pytest.raises(PackOutputError, match=r"holds a 'fastsam3d-segpack/1' pack, not a 'fastsam3d-pack/1' one"):
        export_pack(tiny_models, tiny(), seg, **kw)
    assert [p.name for p in seg.iterdir()] == ["manifest.json"]

    with pytest.raises(ValueError, match="NaN or infinite"):
        write_manifest({"ss": {"cfg": {"strength": float("nan")}}}, tmp_path)
