"""Writing a pack folder all or nothing.

An export writes its ONNX files and manifest into a staging folder beside the target, validates them and
checks them against PyTorch there, and only then moves them into the target (the manifest last). A
failure anywhere (a NaN weight, a parity miss, a full disk) leaves the target as it was: the default
target of `train.export_mini` is the shipped `models/mini`, which the app would otherwise accept broken.
A target that holds another kind of pack (a segmentation pack where a reconstruction pack goes, or the
reverse) is refused before anything is written, and so is a file or an unwritable folder (cli.output_dir).
The staging itself is cli.staged_folder.
"""
from __future__ import annotations

import json
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..cli import UsageError, output_dir, staged_folder


class PackOutputError(UsageError, ValueError):
    """The target folder cannot take this pack; the message says why and what to do (a UsageError: one
    `error:` line and exit code 2 from a command; still a ValueError for callers that catch those)."""


def refuse_other_pack(out: Path, expected_format: str, what: str = "--out") -> None:
    """Raise PackOutputError when `out` is a file, a folder that cannot be written, or a folder whose
    manifest.json is another kind of pack."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise PackOutputError(f"{what} {out} is a file; the pack needs a folder (choose another {what})")
    try:
        output_dir(out, what, beside=True)
    except UsageError as e:
        raise PackOutputError(e.message) from None
    manifest = out / "manifest.json"
    if not manifest.is_file():
        return
    try:
        found = json.loads(manifest.read_text()).get("format")
    except (ValueError, AttributeError):
        found = None   # unreadable: a broken pack of any kind, which this export may replace
    if isinstance(found, str) and found != expected_format:
        raise PackOutputError(f"{out} holds a {found!r} pack, not a {expected_format!r} one; writing this pack "
                              f"there would break it. Choose another --out (or remove that pack first)")


@contextmanager
def staged_pack(out_dir: os.PathLike, expected_format: str) -> Iterator[Path]:
    """Yield a staging folder for the pack's files; when the block ends without an exception, move them
    into `out_dir` (created if needed; files of the same name replaced, manifest.json last, others kept,
    e.g. a MODEL_CARD.md). The staging folder is removed either way."""
    out = Path(out_dir)
    refuse_other_pack(out, expected_format)
    with staged_folder(out, last=("manifest.json",)) as stage:
        yield stage
