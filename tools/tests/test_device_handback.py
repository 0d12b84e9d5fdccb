"""tools/device_handback.sh: checkpoints larger than one file the device tool returns (16 MiB) come back
whole and checked, logs are appended to the stage's history, and nothing is replaced when a part is
missing or damaged."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "device_handback.sh"
MiB = 1024 * 1024


def _run(root: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "HANDBACK_ROOT": str(root)}
    return subprocess.run(["bash", str(SCRIPT), *args], env=env, capture_output=True, text=True, cwd=cwd)


def _files(root: Path, sizes: dict) -> dict:
    out = {}
    for i, (name, size) in enumerate(sizes.items()):
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(os.urandom(size) if size > 64 else f'{{"step": {i}}}\n'.encode())
        out[name] = p.read_bytes()
    return out


def _parts(out: Path) -> list:
    return sorted(out.glob("handback.tar.part-*"))


def test_a_checkpoint_over_16_mib_comes_back_whole_and_logs_extend_the_history(tmp_path):
    src, out, dst = tmp_path / "device", tmp_path / "out", tmp_path / "here"
    data = _files(src, {"checkpoints/ss_flow.pt": 18 * MiB, "checkpoints/slat_flow.pt": 10 * MiB, "runs/ss_flow.log": 10})
    r = _run(src, "pack", "out", *data, cwd=tmp_path)          # OUT_DIR relative to where it is called
    assert r.returncode == 0, r.stderr
    # what $OUT returns: at most 8 files of at most 16 MiB, 64 MiB in all (two left for the checksums and log)
    assert 2 <= len(_parts(out)) <= 4 and all(p.stat().st_size <= 16 * MiB for p in _parts(out))
    (dst / "checkpoints").mkdir(parents=True)
    (dst / "checkpoints" / "ss_flow.pt").write_bytes(b"older")
    (dst / "runs").mkdir()
    (dst / "runs" / "ss_flow.log").write_bytes(b'{"step": -1}\n')
    r = _run(dst, "unpack", str(out))
    assert r.returncode == 0, r.stderr
    for name in ("checkpoints/ss_flow.pt", "checkpoints/slat_flow.pt"):
        assert (dst / name).read_bytes() == data[name]
    assert (dst / "runs" / "ss_flow.log").read_bytes() == b'{"step": -1}\n' + data["runs/ss_flow.log"]


@pytest.mark.parametrize("damage", ["missing", "truncated", "flipped"])
def test_a_damaged_hand_back_replaces_nothing(tmp_path, damage):
    src, out, dst = tmp_path / "device", tmp_path / "out", tmp_path / "here"
    data = _files(src, {"checkpoints/ss_flow.pt": 17 * MiB, "checkpoints/slat_flow.pt": 2 * MiB})
    assert _run(src, "pack", str(out), *data).returncode == 0
    first, last = _parts(out)[0], _parts(out)[-1]
    if damage == "missing":
        last.unlink()
    elif damage == "truncated":
        last.write_bytes(last.read_bytes()[:-4096])
    else:   # one byte inside the first checkpoint's data: the tar stays whole, only the checksum sees it
        b = bytearray(first.read_bytes())
        b[5 * MiB] ^= 0xFF
        first.write_bytes(bytes(b))
    (dst / "checkpoints").mkdir(parents=True)
    (dst / "checkpoints" / "ss_flow.pt").write_bytes(b"older")
    r = _run(dst, "unpack", str(out))
    assert r.returncode != 0 and "nothing was replaced" in r.stderr
    assert (dst / "checkpoints" / "ss_flow.pt").read_bytes() == b"older"
    assert not (dst / "checkpoints" / "slat_flow.pt").exists()


def test_a_new_pack_leaves_no_parts_of_an_older_one(tmp_path):
    src, out = tmp_path / "device", tmp_path / "out"
    big = _files(src, {"checkpoints/ss_flow.pt": 40 * MiB})
    assert _run(src, "pack", str(out), *big).returncode == 0 and len(_parts(out)) == 3
    small = _files(src, {"checkpoints/slat_flow.pt": 1 * MiB})
    assert _run(src, "pack", str(out), *small).returncode == 0 and len(_parts(out)) == 1
    dst = tmp_path / "here"
    assert _run(dst, "unpack", str(out)).returncode == 0
    assert (dst / "checkpoints" / "slat_flow.pt").read_bytes() == small["checkpoints/slat_flow.pt"]
    assert not (dst / "checkpoints" / "ss_flow.pt").exists()


@pytest.mark.parametrize("sizes, reason", [
    ({"a.pt": 40 * MiB, "b.pt": 25 * MiB}, "more than the device returns"),   # 65 MiB: over 64 with the log
    ({}, "nothing to hand back"),
])
def test_what_the_tool_cannot_return_is_refused_with_the_reason(tmp_path, sizes, reason):
    src = tmp_path / "device"
    src.mkdir()
    data = _files(src, sizes)
    r = _run(src, "pack", str(tmp_path / "out"), *data)
    assert r.returncode != 0 and reason in r.stderr


def test_paths_outside_tools_are_refused(tmp_path):
    src = tmp_path / "device"
    _files(tmp_path, {"secret.pt": 100})
    src.mkdir()
    r = _run(src, "pack", str(tmp_path / "out"), "../secret.pt")
    assert r.returncode != 0 and "relative to it" in r.stderr
