"""What every command-line entry point of fastsam3d_tools shares: its error class and `main` wrapper, its
help formatter, checks of the paths it is given, and writes that never leave a half-written file or
folder behind.

A problem the user can fix (a path that is a file where a folder is expected, a missing input, a folder
that cannot be written, a full disk) ends the command with ONE line on stderr, `error: <what was wrong
and what to do>`, and no traceback:

* `ToolError` (exit code 1) and `UsageError` (exit code 2: the call or its paths are wrong) carry that
  line. They are SystemExit subclasses, so even code that runs outside `command` (a data-parallel child,
  a library call in a script) stops with the line instead of a traceback; `str(e)` is the message alone.
  `train.common.CheckpointError` and `export.staging.PackOutputError` are UsageErrors.
* `@command` wraps a `main(argv=None)`: a ToolError prints its line and exits with its code; an OSError
  about a path (no such file, permission denied, read-only file system, a file where a folder is
  needed, …: exit 2; no space left on the device: exit 1) is turned into the same kind of line. Any other
  exception is a bug and keeps its traceback.
* `parser(...)` makes an ArgumentParser whose help shows every option's default (paths relative to the
  repository) unless the help text already says it.
* `output_dir`, `output_file`, `input_file`, `input_dir` check a path before any work starts and return it
  as a Path; the messages name the option and the path.
* `atomic_path` / `write_text_atomic` write a file through a temporary sibling that replaces it only when
  complete; `staged_folder` writes a whole output folder beside it and moves the result in only when the
  block succeeded (the pack exports use it through `export.staging.staged_pack`).
"""
from __future__ import annotations

import argparse
import errno
import functools
import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterable, Iterator, NoReturn, Optional, Union

PathLike = Union[str, os.PathLike]
REPO = Path(__file__).resolve().parents[2]


# ---- errors and the main wrapper ---------------------------------------------------------------------
class ToolError(SystemExit):
    """A problem the user can fix: printed as one line `error: <message>`, exit code `exit_code` (1)."""

    exit_code = 1

    def __init__(self, message: str, *, exit_code: Optional[int] = None):
        super().__init__(f"error: {message}")     # what Python prints if nothing catches it
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:
        return self.message


class UsageError(ToolError):
    """The command was called with something it cannot use (a path, a value): exit code 2, as argparse."""

    exit_code = 2


# errno → (exit code, what to say after the path)
_OS_ERRORS = {
    errno.ENOENT: (2, "no such file or folder"),
    errno.ENOTDIR: (2, "a part of this path is a file, not a folder; choose another path"),
    errno.EISDIR: (2, "is a folder where a file is needed; give a file path"),
    errno.EEXIST: (2, "already exists and is not a folder; choose another path or move it away"),
    errno.EACCES: (2, "permission denied; choose a location you can write to (or fix its permissions)"),
    errno.EPERM: (2, "operation not permitted; choose a location you can write to (or fix its permissions)"),
    errno.EROFS: (2, "read-only file system; choose a location you can write to"),
    errno.ENOSPC: (1, "no space left on the device; free some space or write somewhere else, then run again "
                      "(finished files that were already there are kept as they were)"),
    errno.EDQUOT: (1, "disk quota exceeded; free some space or write somewhere else, then run again"),
}


def describe_os_error(e: OSError) -> Optional[tuple]:
    """(exit code, one-line message) for an OSError about a path, or None for any other OSError."""
    if e.errno in _OS_ERRORS:
        code, what = _OS_ERRORS[e.errno]
        where = " → ".join(str(f) for f in (e.filename, e.filename2) if f is not None)
        return code, f"{where}: {what}" if where else f"{e.strerror or e}: {what}"
    if e.errno is None and isinstance(e, FileNotFoundError) and str(e):
        return 2, str(e)        # raised with a message of our own ("… is missing: run … first")
    return None


def fail(message: str, code: int = 2) -> NoReturn:
    """Print `error: message` on stderr and exit with `code` (no traceback)."""
    print(f"error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(code) from None


def command(main: Callable) -> Callable:
    """Decorate a command's `main(argv=None)`: user-facing errors become one `error:` line and an exit
    code (see the module docstring); `main(argv)` then raises SystemExit(code) like argparse does."""

    @functools.wraps(main)
    def run(argv=None):
        try:
            return main(argv)
        except ToolError as e:
            fail(e.message, e.exit_code)
        except OSError as e:
            described = describe_os_error(e)
            if described is None:
                raise
            fail(described[1], described[0])

    return run


# ---- help --------------------------------------------------------------------------------------------
def shown(value) -> str:
    """A default as the help shows it: paths inside the repository relative to it ("models/mini")."""
    if isinstance(value, (str, os.PathLike)) and os.path.isabs(value):
        try:
            return f"<repo>/{Path(value).resolve().relative_to(REPO)}"
        except ValueError:
            return str(value)
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions as written; every option's help ends with its default unless the help already names
    one or there is none to name (None, a flag's False)."""

    def _get_help_string(self, action):
        text = action.help or ""
        default = action.default
        if (text and "default" not in text.lower() and action.option_strings and default is not None
                and default is not False and default is not argparse.SUPPRESS
                and not isinstance(action, (argparse._HelpAction, argparse._VersionAction))):
            text += f" (default: {shown(default).replace('%', '%%')})"
        return text


def parser(description: Optional[str], **kwargs) -> argparse.ArgumentParser:
    """The ArgumentParser of a command, with HelpFormatter."""
    return argparse.ArgumentParser(description=description, formatter_class=HelpFormatter, **kwargs)


# ---- path checks -------------------------------------------------------------------------------------
def _label(what: str, path: Path) -> str:
    return f"{what} {path}" if what else str(path)


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)


def _nearest_existing(path: Path) -> Path:
    p = Path(os.path.abspath(path))
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def _check_can_create(path: Path, what: str) -> None:
    """`path` does not exist: the folder it would be created in must be (or become) a writable folder."""
    base = _nearest_existing(path.parent)
    if not base.is_dir():
        raise UsageError(f"{_label(what, path)}: {base} is a file, so nothing can be created under it; "
                         "choose another path")
    if not _writable(base):
        raise UsageError(f"{_label(what, path)}: cannot write in {base} (permission denied); choose a folder "
                         "you can write to")


def output_dir(path: PathLike, what: str = "--out", *, beside: bool = False) -> Path:
    """An output folder: an existing writable folder, or one that can be created. beside=True: the
    output is staged in a sibling folder first (`staged_folder`), so the parent must be writable too."""
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise UsageError(f"{_label(what, p)} is a file, not a folder; choose another path "
                         "(or move the file away)")
    if not p.exists():
        _check_can_create(p, what)
        return p
    if not _writable(p):
        raise UsageError(f"{_label(what, p)}: the folder is not writable (permission denied); choose a folder "
                         "you can write to")
    parent = Path(os.path.abspath(p)).parent
    if beside and not _writable(parent):
        raise UsageError(f"{_label(what, p)}: cannot write in its parent {parent} (permission denied), where "
                         "the output is assembled before it replaces the folder's files; choose another folder")
    return p


def output_file(path: PathLike, what: str = "--out", *, example: str = "") -> Path:
    """An output file: not a folder; an existing one writable; its folder writable or creatable (the file
    is written through a temporary sibling, `atomic_path`)."""
    p = Path(path)
    if p.is_dir():
        hint = f", e.g. {p / example}" if example else ""
        raise UsageError(f"{_label(what, p)} is a folder; give the path of a file to write{hint}")
    parent = Path(os.path.abspath(p)).parent
    if parent.exists() and not parent.is_dir():
        raise UsageError(f"{_label(what, p)}: {parent} is a file, not a folder; choose another path")
    if not parent.exists():
        _check_can_create(parent, what)
    elif not _writable(parent):
        raise UsageError(f"{_label(what, p)}: cannot write in {parent} (permission denied); choose a folder "
                         "you can write to")
    if p.exists() and not os.access(p, os.W_OK):
        raise UsageError(f"{_label(what, p)}: the file is read-only; choose another path or make it writable")
    return p


def input_file(path: PathLike, what: str, *, hint: str = "") -> Path:
    """An input file that exists, is a file and can be read."""
    p = Path(path)
    tail = f"; {hint}" if hint else ""
    if not p.exists():
        raise UsageError(f"{_label(what, p)}: no such file{tail}")
    if p.is_dir():
        raise UsageError(f"{_label(what, p)} is a folder; give the path of a file{tail}")
    if not os.access(p, os.R_OK):
        raise UsageError(f"{_label(what, p)}: cannot read the file (permission denied)")
    return p


def input_dir(path: PathLike, what: str, *, containing: Iterable[str] = (), hint: str = "") -> Path:
    """An input folder that exists (and holds the files named in `containing`)."""
    p = Path(path)
    tail = f"; {hint}" if hint else ""
    if not p.exists():
        raise UsageError(f"{_label(what, p)}: no such folder{tail}")
    if not p.is_dir():
        raise UsageError(f"{_label(what, p)} is a file, not a folder{tail}")
    for name in containing:
        if not (p / name).is_file():
            raise UsageError(f"{_label(what, p)} has no {name}{tail}")
    return p


# ---- writes that are complete or absent --------------------------------------------------------------
@contextmanager
def atomic_path(path: PathLike, keep_suffix: bool = False) -> Iterator[Path]:
    """Yield a temporary path beside `path` to write; when the block succeeds it replaces `path` (one
    rename), when it fails (a full disk, an exception) the temporary file is removed and `path` is as it
    was. The temporary name is hidden (a leading dot) and ends in `.partial`, so globs such as `*.pt`
    never take it; keep_suffix=True ends it like `path` instead (np.savez appends .npz otherwise)."""
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.partial{path.suffix}" if keep_suffix
                         else f".{path.name}.{os.getpid()}.partial")
    try:
        yield tmp
        os.replace(tmp, path)
    except BaseException:
        try:
            tmp.unlink()
        except OSError:
            pass
        raise


def write_bytes_atomic(path: PathLike, data: bytes) -> None:
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def write_text_atomic(path: PathLike, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


@contextmanager
def staged_folder(out: PathLike, what: str = "--out", *, last: Iterable[str] = ()) -> Iterator[Path]:
    """Yield an empty staging folder beside `out`; when the block ends without an exception, move its
    entries into `out` (created if needed): files and sub-folders of the same name are replaced, others
    kept, the names in `last` moved last (a manifest or an index, so a reader never sees it before the
    files it names). The moves are renames on one file system, so a full disk cannot stop them half way;
    the staging folder is removed either way."""
    out = output_dir(out, what, beside=True)
    Path(os.path.abspath(out)).parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.partial-", dir=Path(os.path.abspath(out)).parent))
    try:
        yield stage
        out.mkdir(exist_ok=True)
        last = tuple(last)
        trash = stage / ".replaced"
        for name in sorted(os.listdir(stage), key=lambda n: (n in last, last.index(n) if n in last else 0, n)):
            src, dst = stage / name, out / name
            if src == trash:
                continue
            if dst.is_dir() and not dst.is_symlink():     # a folder cannot be replaced by one rename
                trash.mkdir(exist_ok=True)
                os.replace(dst, trash / name)
            elif src.is_dir() and os.path.lexists(dst):     # a file where the folder goes
                os.unlink(dst)
            os.replace(src, dst)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
