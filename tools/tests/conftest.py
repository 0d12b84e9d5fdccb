"""Shared pytest setup for tools/: one torch thread (the machine's other core is shared), the package
on sys.path, and paths of the committed packs."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
import torch

TOOLS = Path(__file__).resolve().parents[1]
REPO = TOOLS.parent
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))

torch.set_num_threads(1)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def tiny_pack_dir() -> Path:
    return REPO / "models" / "test-tiny"


@pytest.fixture(scope="session")
def mini_pack_dir() -> Path:
    return REPO / "models" / "mini"
