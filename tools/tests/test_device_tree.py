"""What a lent GPU machine is sent: the repository's tracked files (and untracked ones git does not ignore),
at most 64 MiB in all, or the call is refused (.library/device/README.md, "Limits"). The checkpoints are
most of it, so this fails before a GPU session finds out (tools/README.md, "Training on a GPU machine")."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LIMIT_MIB = 58       # the device's 64, less room for what a call carries beside the tree (wheels, a cache)


def _listed(*args: str) -> list:
    out = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z", *args], capture_output=True, check=True).stdout
    return [REPO / p for p in out.decode().split("\0") if p]


def test_the_tree_a_gpu_machine_is_sent_stays_under_its_limit():
    try:
        files = _listed() + _listed("--others", "--exclude-standard")
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    sizes = {p: p.stat().st_size for p in files if p.is_file()}
    total = sum(sizes.values())
    largest = sorted(sizes.items(), key=lambda kv: -kv[1])[:5]
    assert total < LIMIT_MIB * 2**20, (
        f"the files a device call sends come to {total / 2**20:.1f} MiB, over {LIMIT_MIB} MiB (the device takes 64): "
        "keep checkpoints smaller (train.common.MAX_CHECKPOINT_BYTES) or out of the tree; largest: "
        + ", ".join(f"{p.relative_to(REPO)} {s / 2**20:.1f} MiB" for p, s in largest))


def test_no_checkpoint_is_larger_than_a_file_the_device_returns():
    from fastsam3d_tools.train.common import MAX_CHECKPOINT_BYTES
    assert MAX_CHECKPOINT_BYTES <= 16 * 2**20
    for p in (REPO / "tools" / "checkpoints").glob("*.pt"):
        assert p.stat().st_size <= MAX_CHECKPOINT_BYTES, f"{p.name} is over {MAX_CHECKPOINT_BYTES >> 20} MiB"
