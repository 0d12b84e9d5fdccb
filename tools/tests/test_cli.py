"""The command-line entry points (fastsam3d_tools/cli.py): a bad output or input path is one `error:` line
with exit code 2 (a full disk: exit code 1), never a traceback, and the data already there is untouched;
every option's help says what it is and its default."""
from __future__ import annotations

import argparse
import errno
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fastsam3d_tools import cli

TOOLS = Path(__file__).resolve().parents[1]
PACKAGE = TOOLS / "fastsam3d_tools"

COMMANDS = (
    "data.make_assets", "export.profile_pack", "export.validate", "packs.build_tiny",
    "segment.build_tiny", "segment.convert_sam", "segment.data", "segment.evaluate", "segment.train",
    "segment.validate", "train.condition", "train.dataset", "train.evaluate", "train.export_mini",
    "train.oracle_inputs", "train.probe_colour", "train.probe_condition", "train.probe_overfit",
    "train.slat_flow", "train.slat_vae", "train.ss_flow", "train.ss_vae",
)
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _module(name: str):
    return importlib.import_module(f"fastsam3d_tools.{name}")


def _one_error_line(err: str, *expected: str) -> str:
    """stderr is exactly one `error: …` line holding every expected fragment, and no traceback."""
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert "Traceback" not in err, err
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for fragment in expected:
        assert fragment in lines[0], (fragment, lines[0])
    return lines[0]


def _refused(capsys, name: str, argv, *expected: str, code: int = 2) -> str:
    with pytest.raises(SystemExit) as stopped:
        _module(name).main([str(a) for a in argv])
    assert stopped.value.code == code
    return _one_error_line(capsys.readouterr().err, *expected)


def _snapshot(root: Path) -> dict:
    """Every file under root (and root itself when it is a file) with its bytes."""
    if root.is_file():
        return {root.name: root.read_bytes()}
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ---- every entry point ---------------------------------------------------------------------------------
def test_every_command_module_is_listed_here():
    """A new entry point joins COMMANDS, so the checks below cover it."""
    found = sorted(
        ".".join(p.relative_to(PACKAGE).with_suffix("").parts)
        for p in PACKAGE.rglob("*.py") if 'if __name__ == "__main__"' in p.read_text())
    assert found == sorted(COMMANDS)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_option_says_what_it_is_and_its_default(name):
    """build_parser() gives the command's parser (HelpFormatter); every argument has help text, and an
    option with a default shows it (or names it in its own words); main is wrapped by cli.command."""
    mod = _module(name)
    ap = mod.build_parser()
    assert isinstance(ap, argparse.ArgumentParser) and ap.formatter_class is cli.HelpFormatter
    formatter = ap._get_formatter()
    for action in ap._actions:
        if isinstance(action, argparse._HelpAction) or action.help == argparse.SUPPRESS:
            continue
        label = "/".join(action.option_strings) or action.dest
        assert action.help and action.help.strip(), f"{name}: {label} has no help"
        if action.option_strings and action.default not in (None, False, argparse.SUPPRESS):
            assert "default" in formatter._get_help_string(action).lower(), f"{name}: {label} hides its default"
    assert "(default: " in ap.format_help() or name.endswith("validate")
    assert hasattr(mod.main, "__wrapped__"), f"{name}.main is not wrapped by cli.command"


def test_help_shows_repository_paths_relative_to_it():
    text = _module("train.export_mini").build_parser().format_help()
    assert "(default: <repo>/models/mini)" in " ".join(text.split())


# ---- a file where a folder goes, and the reverse ---------------------------------------------------------
FILE_AS_FOLDER = [
    ("train.oracle_inputs", ["--out", "{f}"], "--out {f} is a file, not a folder"),
    ("data.make_assets", ["validation", "--out", "{f}"], "--out {f} is a file, not a folder"),
    ("data.make_assets", ["examples", "--out", "{f}"], "--out {f} is a file, not a folder"),
    ("train.dataset", ["--cache", "{f}", "--count", "100"], "--cache {f} is a file, not a folder"),
    ("train.dataset", ["--cache", "{f}/sub", "--count", "100"], "{f} is a file, so nothing can be created"),
    ("train.export_mini", ["--out", "{f}"], "--out {f} is a file; the pack needs a folder"),
    ("packs.build_tiny", ["--out", "{f}"], "--out {f} is a file; the pack needs a folder"),
    ("segment.build_tiny", ["--out", "{f}"], "--out {f} is a file; the pack needs a folder"),
    ("segment.convert_sam", ["--checkpoint", "{f}", "--model-type", "vit_b", "--out", "{f}"],
     "--out {f} is a file; the pack needs a folder"),
    ("segment.train", ["--export", "{f}"], "--export {f} is a file; the pack needs a folder"),
    ("export.profile_pack", ["--pack", "{f}"], "--pack {f} is a file, not a folder"),
    ("export.validate", ["{f}"], "pack folder {f} is a file, not a folder"),
    ("segment.validate", ["{f}"], "pack folder {f} is a file, not a folder"),
    ("segment.evaluate", ["{f}"], "pack folder {f} is a file, not a folder"),
]


@pytest.mark.parametrize("name,argv,message", FILE_AS_FOLDER, ids=[f"{c[0]}-{k}" for k, c in enumerate(FILE_AS_FOLDER)])
def test_a_file_given_as_an_output_or_input_folder_is_one_error_line(capsys, tmp_path, name, argv, message):
    f = tmp_path / "existing.bin"
    f.write_bytes(b"precious")
    _refused(capsys, name, [a.format(f=f) for a in argv], message.format(f=f))
    assert f.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["existing.bin"]      # nothing staged or created


FOLDER_AS_FILE = [
    ("export.profile_pack", ["--config", "tiny", "--json", "{d}"], "--json {d} is a folder; give the path of a file"),
    ("train.evaluate", ["--out", "{d}"], "--out {d} is a folder; give the path of a file"),
    ("train.probe_overfit", ["--json", "{d}"], "--json {d} is a folder; give the path of a file"),
    ("train.export_mini", ["--metrics", "{d}", "--out", "{d}/pack"], "--metrics {d} is a folder"),
    ("segment.convert_sam", ["--checkpoint", "{d}", "--model-type", "vit_b", "--out", "{d}/pack"],
     "--checkpoint {d} is a folder"),
]


@pytest.mark.parametrize("name,argv,message", FOLDER_AS_FILE, ids=[c[0] for c in FOLDER_AS_FILE])
def test_a_folder_given_as_a_file_is_one_error_line(capsys, tmp_path, name, argv, message):
    d = tmp_path / "results"
    d.mkdir()
    (d / "keep.txt").write_text("keep")
    _refused(capsys, name, [a.format(d=d) for a in argv], message.format(d=d))
    assert _snapshot(d) == {"keep.txt": b"keep"}


MISSING_INPUT = [
    ("segment.convert_sam", ["--checkpoint", "{m}", "--model-type", "vit_b", "--out", "{t}/pack"],
     "--checkpoint {m}: no such file; download the official checkpoint"),
    ("train.export_mini", ["--metrics", "{m}", "--out", "{t}/pack"], "--metrics {m}: no such file"),
    ("train.oracle_inputs", ["--set", "{m}", "--out", "{t}/oracle"], "--set {m}: no such folder"),
    ("export.profile_pack", ["--pack", "{m}"], "--pack {m}: no such folder"),
    ("export.validate", ["{m}"], "pack folder {m}: no such folder"),
    ("segment.validate", ["{m}"], "pack folder {m}: no such folder"),
    ("segment.evaluate", ["{m}"], "pack folder {m}: no such folder"),
]


@pytest.mark.parametrize("name,argv,message", MISSING_INPUT, ids=[c[0] for c in MISSING_INPUT])
def test_a_missing_input_is_one_error_line(capsys, tmp_path, name, argv, message):
    m = tmp_path / "missing"
    _refused(capsys, name, [a.format(m=m, t=tmp_path) for a in argv], message.format(m=m))
    assert list(tmp_path.iterdir()) == []


def test_an_empty_benchmark_set_and_a_folder_without_a_pack_are_refused(capsys, tmp_path):
    (tmp_path / "empty").mkdir()
    _refused(capsys, "train.oracle_inputs", ["--set", tmp_path / "empty", "--out", tmp_path / "o"],
             "no benchmark objects")
    _refused(capsys, "export.profile_pack", ["--pack", tmp_path / "empty"], "has no manifest.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty"]


def test_a_missing_checkpoint_and_a_cuda_request_without_a_gpu_are_one_error_line(capsys, tmp_path, monkeypatch):
    from fastsam3d_tools.train import export_mini
    import torch

    monkeypatch.setattr(export_mini, "CHECKPOINTS", tmp_path)
    _refused(capsys, "train.export_mini", ["--out", tmp_path / "pack"], f"{tmp_path / 'ss_vae.pt'} is missing: run")
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    _refused(capsys, "train.ss_vae", ["--device", "cuda"], "CUDA was requested", "use --device cpu")


# ---- folders that cannot be written ----------------------------------------------------------------------
@pytest.mark.skipif(IS_ROOT, reason="root writes into read-only folders: chmod cannot make one here")
def test_an_unwritable_parent_is_one_error_line(capsys, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    (ro / "old.txt").write_text("old")
    ro.chmod(0o555)
    try:
        _refused(capsys, "train.oracle_inputs", ["--out", ro / "oracle"], f"cannot write in {ro} (permission denied)")
        _refused(capsys, "train.dataset", ["--cache", ro / "a" / "b", "--count", "100"], f"cannot write in {ro}")
        _refused(capsys, "train.evaluate", ["--out", ro / "eval.json"], f"cannot write in {ro}")
        _refused(capsys, "packs.build_tiny", ["--out", ro / "pack"], f"cannot write in {ro}")
        assert _snapshot(ro) == {"old.txt": b"old"}
    finally:
        ro.chmod(0o755)


def test_an_unwritable_folder_is_refused_whoever_runs_it(capsys, tmp_path, monkeypatch):
    """The same checks with os.access answering "no" for one folder, so they run as root too."""
    ro = tmp_path / "ro"
    ro.mkdir()
    (ro / "old.txt").write_text("old")
    real = os.access
    monkeypatch.setattr(cli.os, "access", lambda p, mode: False if Path(p) == ro else real(p, mode))
    _refused(capsys, "train.oracle_inputs", ["--out", ro / "oracle"], f"cannot write in {ro} (permission denied)")
    _refused(capsys, "data.make_assets", ["validation", "--out", ro], f"--out {ro}: the folder is not writable")
    _refused(capsys, "train.probe_overfit", ["--json", ro / "t.json"], f"cannot write in {ro}")
    _refused(capsys, "segment.build_tiny", ["--out", ro / "seg"], f"cannot write in {ro}")
    # a folder that can be written but whose parent cannot: the staged output is assembled beside it
    inner = ro / "set"
    inner.mkdir()
    _refused(capsys, "data.make_assets", ["validation", "--out", inner], f"cannot write in its parent {ro}")
    assert _snapshot(ro) == {"old.txt": b"old"}
    with pytest.raises(cli.UsageError, match="the checkpoint folder .* cannot write in"):
        from fastsam3d_tools.train.common import setup_runtime
        setup_runtime(argparse.Namespace(threads=1, procs=1, device="cpu"), checkpoint_dir=ro / "ckpt")


# ---- a full disk -----------------------------------------------------------------------------------------
def _benchmark_set(root: Path, n: int = 2) -> Path:
    for k in range(n):
        (root / f"{k:02d}-x").mkdir(parents=True)
        (root / f"{k:02d}-x" / "gt.json").write_text(json.dumps({"seed": k}))
    return root


def test_a_full_disk_half_way_leaves_the_output_folder_as_it_was(capsys, tmp_path, monkeypatch):
    """oracle_inputs writes every object beside --out first: the disk filling up at the second object is
    one error line (exit code 1) and the folder keeps its previous files, with no partial object in it."""
    from fastsam3d_tools.train import oracle_inputs

    bench = _benchmark_set(tmp_path / "bench")
    out = tmp_path / "oracle"
    (out / "00-x").mkdir(parents=True)
    (out / "00-x" / "oracle.json").write_text("previous run")
    before = _snapshot(out)
    calls = []

    def write_oracle(folder, seed, cfg):
        calls.append(seed)
        folder.mkdir(parents=True)
        (folder / "oracle.json").write_text("new, half written")
        if len(calls) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder / "ss_tokens.f32"))
        return {"voxels": 1, "occupied": 1}

    monkeypatch.setattr(oracle_inputs, "write_oracle", write_oracle)
    _refused(capsys, "train.oracle_inputs", ["--set", bench, "--out", out],
             "ss_tokens.f32: no space left on the device", code=1)
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bench", "oracle"]     # no staging folder left


def test_a_full_disk_while_writing_a_set_keeps_the_committed_files(capsys, tmp_path, monkeypatch):
    from fastsam3d_tools.data import make_assets

    out = tmp_path / "val"
    (out / "00-mug").mkdir(parents=True)
    (out / "00-mug" / "gt.json").write_text("old")
    (out / "index.json").write_text("old index")
    before = _snapshot(out)

    def write_benchmark(stage, count, what):
        (stage / "00-mug").mkdir()
        (stage / "00-mug" / "gt.json").write_text("new")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(stage / "01-vase" / "image.png"))

    monkeypatch.setattr(make_assets, "write_benchmark", write_benchmark)
    _refused(capsys, "data.make_assets", ["validation", "--out", out], "no space left on the device", code=1)
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["val"]


def test_a_complete_set_replaces_the_folders_it_wrote_and_keeps_the_rest(tmp_path, monkeypatch, capsys):
    from fastsam3d_tools.data import make_assets

    out = tmp_path / "val"
    (out / "00-mug").mkdir(parents=True)
    (out / "00-mug" / "stale.png").write_text("stale")
    (out / "README").write_text("kept")

    def write_benchmark(stage, count, what):
        (stage / "00-mug").mkdir()
        (stage / "00-mug" / "gt.json").write_text("new")
        (stage / "index.json").write_text("{}")
        return {"count": 1}

    monkeypatch.setattr(make_assets, "write_benchmark", write_benchmark)
    make_assets.main(["validation", "--out", str(out)])
    assert _snapshot(out) == {"00-mug/gt.json": b"new", "README": b"kept", "index.json": b"{}"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["val"]
    assert "wrote 1 validation items" in capsys.readouterr().out


def test_a_failed_atomic_write_leaves_the_old_file_and_no_partial_one(tmp_path):
    target = tmp_path / "eval.json"
    target.write_text("old")
    with pytest.raises(OSError):
        with cli.atomic_path(target) as tmp:
            tmp.write_text("half")
            raise OSError(errno.ENOSPC, "No space left on device", str(tmp))
    assert target.read_text() == "old" and [p.name for p in tmp_path.iterdir()] == ["eval.json"]
    cli.write_text_atomic(target, "new")
    assert target.read_text() == "new" and [p.name for p in tmp_path.iterdir()] == ["eval.json"]


def test_os_errors_about_paths_become_one_line_and_others_keep_their_traceback(capsys):
    @cli.command
    def main(argv=None):
        raise argv

    for err, code, text in ((PermissionError(errno.EACCES, "Permission denied", "/x/y"), 2, "/x/y: permission denied"),
                            (OSError(errno.EROFS, "Read-only file system", "/x"), 2, "/x: read-only file system"),
                            (OSError(errno.ENOSPC, "No space left on device", "/x"), 1, "/x: no space left"),
                            (FileNotFoundError("/x/ss_vae.pt is missing: train stage 'ss_vae' first"), 2,
                             "ss_vae.pt is missing")):
        with pytest.raises(SystemExit) as stopped:
            main(err)
        assert stopped.value.code == code
        _one_error_line(capsys.readouterr().err, text)
    with pytest.raises(ConnectionResetError):           # not about a path: a bug or a real failure, shown in full
        main(ConnectionResetError(errno.ECONNRESET, "reset"))


# ---- the real commands, as a user runs them --------------------------------------------------------------
@pytest.mark.parametrize("argv,message", [
    (["train.oracle_inputs", "--out", "{f}"], "--out {f} is a file, not a folder"),
    (["data.make_assets", "validation", "--out", "{f}"], "--out {f} is a file, not a folder"),
    (["segment.convert_sam", "--checkpoint", "{m}", "--model-type", "vit_b", "--out", "{t}/p"],
     "--checkpoint {m}: no such file"),
], ids=["oracle_inputs", "make_assets", "convert_sam"])
def test_commands_run_as_processes_print_one_line_and_exit_2(tmp_path, argv, message):
    f, m = tmp_path / "file.txt", tmp_path / "missing.pth"
    f.write_text("data")
    fill = lambda s: s.format(f=f, m=m, t=tmp_path)     # noqa: E731
    r = subprocess.run([sys.executable, "-m", f"fastsam3d_tools.{argv[0]}", *map(fill, argv[1:])], cwd=TOOLS,
                       capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(TOOLS)})
    assert r.returncode == 2, r.stderr
    _one_error_line(r.stderr, fill(message))
    assert f.read_text() == "data" and sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]
