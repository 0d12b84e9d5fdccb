"""tools/device_handback.sh: checkpoints larger than one file the device tool returns (16 MiB) come back
whole, checked, and nothing is replaced when a part is missing or damaged."""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "device_handback.sh"
MiB = 1024 * 1024


def _run(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "HANDBACK_ROOT": str(root)}
    return subprocess.run(["bash", str(SCRIPT), *args], env=env, capture_output=True, text=True)


def _files(root: Path, sizes: dict) -> dict:
    out = {}
    for i, (name, size) in enumerate(sizes.items()):
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(os.urandom(size) if size > 64 else f"log {i}\n".encode())
        out[name] = p.read_bytes()
    return out


def test_a_checkpoint_over_16_mib_comes_back_whole(tmp_path):
    src, out, dst = tmp_path / "device", tmp_path / "out", tmp_path / "here"
    data = _files(src, {"checkpoints/ss_flow.pt": 18 * MiB, "checkpoints/slat_flow.pt": 10 * MiB, "runs/ss_flow.log": 10})
    r = _run(src, "pack", str(out), *data)
    assert r.returncode == 0, r.stderr
    parts = sorted(out.glob("handback.tar.part-*"))
    # what $OUT returns: at most 8 files of at most 16 MiB (two left for the checksums and the run's log)
    assert 2 <= len(parts) <= 6 and all(p.stat().st_size <= 16 * MiB for p in parts)
    (dst / "checkpoints").mkdir(parents=True)
    (dst / "checkpoints" / "ss_flow.pt").write_bytes(b"older")
    r = _run(dst, "unpack", str(out))
    assert r.returncode == 0, r.stderr
    for name, content in data.items():
        assert (dst / name).read_bytes() == content


@pytest.mark.parametrize("damage", ["missing", "truncated"])
def test_a_damaged_hand_back_replaces_nothing(tmp_path, damage):
    src, out, dst = tmp_path / "device", tmp_path / "out", tmp_path / "here"
    data = _files(src, {"checkpoints/ss_flow.pt": 17 * MiB, "checkpoints/slat_flow.pt": 2 * MiB})
    assert _run(src, "pack", str(out), *data).returncode == 0
    last = sorted(out.glob("handback.tar.part-*"))[-1]
    if damage == "missing":
        last.unlink()
    else:
        last.write_bytes(last.read_bytes()[:-4096])
    (dst / "checkpoints").mkdir(parents=True)
    (dst / "checkpoints" / "ss_flow.pt").write_bytes(b"older")
    r = _run(dst, "unpack", str(out))
    assert r.returncode != 0
    assert (dst / "checkpoints" / "ss_flow.pt").read_bytes() == b"older"
    assert not (dst / "checkpoints" / "slat_flow.pt").exists()


def test_more_than_the_tool_returns_is_refused_with_the_reason(tmp_path):
    src = tmp_path / "device"
    data = _files(src, {"a.pt": 50 * MiB, "b.pt": 40 * MiB})
    r = _run(src, "pack", str(tmp_path / "out"), *data)
    assert r.returncode != 0 and "do not fit" in r.stderr
