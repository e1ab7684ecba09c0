"""Stage 5 — write the site into a temporary folder beside the output, then swap it in.

A build that fails before or during writing leaves the previous output untouched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from .errors import BuildError, Problem


@contextmanager
def staging(out: Path) -> Iterator[Path]:
    """A new empty folder beside ``out``; swapped in for ``out`` when the block ends without error.

    If the block raises, the folder is removed and ``out`` is left as it was. Writing can happen
    anywhere inside the block (the build's worker processes write pages into it directly).
    """
    out = out.resolve()
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    except OSError as exc:
        raise BuildError([_unwritable(out, exc)]) from None
    try:
        yield tmp
        os.chmod(tmp, 0o755)
        _swap(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise BuildError([_unwritable(out, exc)]) from None
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_files(files: Mapping[str, bytes], folder: Path, made: set[str] | None = None) -> None:
    """Write ``files`` (relative path → bytes) below ``folder``; ``made`` remembers the folders created."""
    made = set() if made is None else made
    for rel in sorted(files):
        target = os.path.join(folder, rel)
        parent = os.path.dirname(target)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        with open(target, "wb") as fh:
            fh.write(files[rel])


def replace_file(target: Path, data: bytes) -> None:
    """Write ``target`` whole or not at all: into a file of this process beside it, then renamed
    over it (a reader never sees half of it, and two processes never write into the same file)."""
    partial = target.with_name(f".{target.name}.{os.getpid()}.new")
    partial.write_bytes(data)
    partial.replace(target)


def _unwritable(out: Path, exc: OSError) -> Problem:
    hint = "choose another --out folder, or fix its permissions"
    return Problem(str(out), 1, 1, f"output folder cannot be written: {exc.strerror}", hint)


def _swap(new: Path, out: Path) -> None:
    """Put ``new`` in place of ``out``; the old folder is removed only after the swap."""
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(20, "the output path exists and is not a folder")
    old = None
    if out.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
        os.rename(out, old / "site")
    try:
        os.rename(new, out)
    except OSError:
        if old is not None:
            os.rename(old / "site", out)  # put the previous output back
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
