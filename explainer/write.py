"""Stage 5 — write the site into a new folder beside the output folder, then exchange the two.

At every instant the output folder holds a whole site, the previous one or the new one: the new site
is written into a staging folder beside it (``.<name>.new-*``) and the two are exchanged in one step
(Linux's ``renameat2(RENAME_EXCHANGE)``; where the system has no such call, two renames, and a build
killed between them leaves the previous site beside the folder, where the next build finds it).

A build deletes nothing it did not write. It leaves in the output folder a manifest
(:data:`MANIFEST`) of every file it wrote, which is how the next build recognises a previous build
(never by a file name that other tools use). Whatever else the editor keeps in the folder (a
``CNAME``, a ``.git`` folder) is moved into the new site before the exchange, and a file of the
editor's where the new site has one is refused. A build that fails, or is interrupted, leaves the
output folder as it was; what an interrupted build leaves beside it is removed by the next build.

The exchange gives the output folder a new identity (inode): a bind mount of it, or a server whose
working folder is inside it, keeps showing the old folder. Mount or serve the folder that holds it.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import json
import os
import re
import secrets
import signal
import stat
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

from .errors import BuildError, Problem, shown_name, visible

MANIFEST = ".explainer-build.json"
"""The file, in the output folder, that lists every file the build wrote (and marks the folder as a build's)."""

STAGING_MARK = ".explainer-staging"
"""The file that marks a staging folder while the build writes into it (removed before it is swapped in)."""

MAX_OUT_DEPTH = 64
"""The deepest a folder in the output folder may be: a build writes at most 35 deep (``static/``'s 32 folders, the file
and ``static/`` itself), and the walks of the folder stay well clear of Python's recursion limit."""

_OUT_HINT = "choose another --out folder, or fix its permissions"

PARTIAL = re.compile(r"\..+\.[0-9]+\.[0-9a-f]{8}\.new", re.DOTALL)
"""The name of a file :func:`replace_file` is writing (see :func:`_partial_name`): a process stopped while it
writes (SIGKILL) leaves it behind."""


def read_manifest(folder: Path) -> frozenset[str] | None:
    """The files a build wrote into ``folder``, from its manifest; None if it has no valid one."""
    try:
        fd = os.open(folder / MANIFEST, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                return None
            data = json.loads(fh.read())
    except (OSError, ValueError):
        return None
    files = data.get("files") if isinstance(data, dict) and data.get("generator") == "explainer" else None
    if not isinstance(files, list) or not all(isinstance(f, str) and _plain_path(f) for f in files):
        return None
    return frozenset(files)


def _below(rel: str) -> bool:
    """Whether ``rel`` is a relative path below its folder: no ``..``, ``.`` or empty parts (so neither
    absolute nor climbing out), no NUL."""
    return bool(rel) and "\x00" not in rel and all(p not in ("", ".", "..") for p in rel.split("/"))


def _plain_path(rel: str) -> bool:
    """Whether ``rel`` is a path a manifest may list: below its folder, not the manifest itself, and at most
    :data:`MAX_OUT_DEPTH` deep (a forged one could otherwise lead the walks that follow it thousands of folders down)."""
    return _below(rel) and rel != MANIFEST and rel.count("/") < MAX_OUT_DEPTH


def _manifest_bytes(files: frozenset[str] | set[str]) -> bytes:
    return json.dumps({"generator": "explainer", "files": sorted(files)}, ensure_ascii=False, indent=0).encode("utf-8") + b"\n"


def _write_manifest(folder: Path, files: frozenset[str] | set[str]) -> None:
    replace_file(folder / MANIFEST, _manifest_bytes(files))


def _files_in(folder: Path) -> set[str]:
    """Every file below ``folder`` (not following links), relative, except the build's own marks."""
    found = set()
    for here, _dirs, files in os.walk(folder):
        rel = os.path.relpath(here, folder)
        for name in files:
            found.add(name if rel == "." else f"{rel}/{name}".replace(os.sep, "/"))
    return found - {MANIFEST, STAGING_MARK}


SWAPPED_IN = "explainer: the new site is in the output folder"
"""The note (:meth:`BaseException.add_note`) of an exception raised once the new site had been swapped in."""


@contextmanager
def staging(out: Path, kept: list[str] | None = None) -> Iterator[Path]:
    """A new empty folder beside ``out``; exchanged with ``out`` when the block ends without error.

    If the block raises, the folder is removed and ``out`` is left as it was. Writing can happen
    anywhere inside the block (the build's worker processes write pages into it directly).
    ``kept``: receives what the new site took along from ``out`` that no build wrote (files, and
    folders with a ``/`` at the end), for the build to name: a repository can ship an output folder.
    """
    out = Path(os.path.abspath(out))
    out = out.parent.resolve() / out.name
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        with _locked(out.parent):
            _remove_leftovers(out)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.new-", dir=out.parent))
    except OSError as exc:
        raise BuildError([unwritable(out, exc)]) from None
    held = _hold(tmp)  # while this process lives: the next build knows the folder is in use
    swapped = False
    try:
        (tmp / STAGING_MARK).touch()
        yield tmp
        os.chmod(tmp, 0o755)
        _write_manifest(tmp, _files_in(tmp))
        (tmp / STAGING_MARK).unlink()
        with _locked(out.parent), _signals_held():
            old, built, moved = _swap_in(tmp, out)
            swapped = True
        if kept is not None:
            kept += [f"{rel}/" if os.path.isdir(out / rel) and not os.path.islink(out / rel) else rel for rel in moved]
        if old is not None:
            _remove_built(old, built)
    except OSError as exc:
        if not swapped:
            _discard(tmp)
        if exc.filename is not None and not str(exc.filename).startswith((str(tmp), str(out))):
            raise  # not the output folder's: an input, reported as itself
        raise BuildError([unwritable(out, exc)]) from None
    except BaseException as exc:
        if swapped:  # (a signal held back during the swap): the command must not say the folder was left as it was
            exc.add_note(SWAPPED_IN)
        else:
            _discard(tmp)
        raise
    finally:
        os.close(held)


@contextmanager
def _signals_held() -> Iterator[None]:
    """Hold Ctrl+C and SIGTERM back while a site is swapped in: moving the editor's files into the new
    site, the exchange and its bookkeeping happen all together (the signal is acted on just after)."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _discard(tmp: Path) -> None:
    """Remove a staging folder that was not swapped in (everything in it was written by a build). Its
    mark goes last: a build killed while removing it leaves a folder still marked as a staging folder,
    which the next build removes (with the mark gone first, it would be left for good)."""
    with contextlib.suppress(OSError), os.scandir(tmp) as entries:
        for entry in entries:
            if entry.name == STAGING_MARK:
                continue
            if entry.is_dir(follow_symlinks=False):
                _remove_tree(Path(entry.path))
            else:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
    with contextlib.suppress(OSError):
        os.unlink(tmp / STAGING_MARK)
    with contextlib.suppress(OSError):
        os.rmdir(tmp)


def _remove_tree(folder: Path) -> None:
    """Remove ``folder`` and all in it, links never followed, what cannot be removed left (as ``shutil.rmtree`` with
    ``ignore_errors``, which recurses: a shipped staging folder with a chain of folders 1,200 deep stopped the build)."""
    below = list(_tree(folder))
    for _path, entry, _depth in reversed(below):  # what is in a folder before the folder
        with contextlib.suppress(OSError):
            if entry.is_dir(follow_symlinks=False):
                os.rmdir(entry.path)
            else:
                os.unlink(entry.path)
    with contextlib.suppress(OSError):
        os.rmdir(folder)


def _hold(folder: Path) -> int:
    """An open descriptor of ``folder`` with an exclusive lock on it, released when the process ends, however it ends."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    return fd


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """Hold a lock on ``folder`` (the output folder's parent) while leftovers are removed or a site is swapped in,
    so that two builds into the same folder take turns."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        yield  # a folder that cannot be opened is not written into either: the build reports that
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


class _Conflict(Exception):
    """A file of the editor's in the output folder where the new site has one (``linked``: a symbolic link)."""

    def __init__(self, paths: list[str], linked: bool = False) -> None:
        super().__init__(paths)
        self.paths, self.linked = paths, linked


def _swap_in(new: Path, out: Path) -> tuple[Path | None, frozenset[str], list[str]]:
    """Put the site in ``new`` in place of ``out``, keeping the files in ``out`` that no build wrote;
    return where the previous site is now, the files its build wrote (to be removed), and what was kept."""
    if not os.path.lexists(out):
        os.rename(new, out)
        return None, frozenset(), []
    if not out.is_dir() or out.is_symlink():
        raise NotADirectoryError(errno.ENOTDIR, "the output path exists and is not a folder", str(out))
    built = read_manifest(out) or frozenset()
    try:
        moved = _carry(out, new, built)
    except _Conflict as exc:
        raise BuildError([_conflict(out, exc.paths, exc.linked)]) from None
    try:
        old = _exchange(new, out)
    except OSError:
        _carry_back(moved, new, out)
        raise
    return old, built, moved


def _conflict(out: Path, paths: list[str], linked: bool) -> Problem:
    named = [shown_name(f"{p}/" if (out / p).is_dir() and not (out / p).is_symlink() else p) for p in paths[:5]]  # a folder as x/
    shown = ", ".join(named) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
    if linked:
        message = f"the output folder holds {shown}, a symbolic link (or a folder with one) that no build wrote"
        return Problem(str(out), 1, 1, message, "remove the link from the output folder, or choose another --out folder")
    message = f"the output folder holds {shown}, which the build did not write and would replace"
    return Problem(str(out), 1, 1, message, "move the file(s) or folder(s) out of the output folder, or choose another --out folder")


def _foreign(src: Path, built: frozenset[str]) -> list[str]:
    """What is in ``src`` but not in ``built`` (the files a build wrote there): files, and whole folders
    where no file of the build's is. A build writes only regular files: a folder or a link where it
    wrote a file is the editor's, put there since."""
    above = {str(p) for f in built for p in PurePosixPath(f).parents if str(p) != "."}
    foreign: list[str] = []

    def walk(rel: str) -> None:
        here = src / rel if rel else src
        for entry in sorted(os.scandir(here), key=lambda e: e.name):
            path = f"{rel}/{entry.name}" if rel else entry.name
            if path in (MANIFEST, STAGING_MARK) or (path in built and entry.is_file(follow_symlinks=False)):
                continue
            if entry.is_dir(follow_symlinks=False) and path in above:
                walk(path)  # a folder of the build's: what the editor added inside it is carried one by one
            else:
                foreign.append(path)

    walk("")
    return foreign


def unbuilt(out: Path) -> list[str]:
    """What ``out`` holds that its manifest does not list (files, and folders with a ``/`` at the end); nothing if
    it holds no manifest (then it is refused as the output folder anyway). A folder with no file in it is not named:
    the preview leaves one where it removed a page during a session."""
    built = read_manifest(out)
    if built is None:
        return []
    found = []
    for rel in _foreign(out, built):
        if not os.path.isdir(out / rel) or os.path.islink(out / rel):
            found.append(rel)
        elif any(not entry.is_dir(follow_symlinks=False) for _path, entry, _depth in _tree(out / rel)):  # a file or a link in it
            found.append(f"{rel}/")
    return found


def forget_build(out: Path, keep: frozenset[str]) -> None:
    """Remove from ``out`` the files its manifest lists but ``keep`` (never through a link), then the folders they
    leave empty; the manifest then lists only what it kept."""
    built = read_manifest(out)
    if built is None:
        return
    put_below(out, MANIFEST, _manifest_bytes(built & keep))
    _remove_files(out, built - keep)


def _links(path: Path) -> bool:
    """Whether ``path`` is a symbolic link, or a folder with one anywhere in it."""
    return path.is_symlink() or bool(links_in(path, most=1))


def _tree(folder: Path) -> Iterator[tuple[str, os.DirEntry[str], int]]:
    """Every entry below ``folder`` (links never followed), depth first in name order, with its path relative to
    ``folder`` and its depth (1: directly in it); a folder that cannot be listed is passed over. Without recursion:
    a repository can ship a chain of folders thousands deep (Python stops at a recursion depth of 1,000)."""

    def listing(here: str) -> Iterator[os.DirEntry[str]]:
        try:
            return iter(sorted(os.scandir(here), key=lambda e: e.name))
        except OSError:
            return iter(())

    stack = [(listing(str(folder)), "")]
    while stack:
        entries, rel = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        path = f"{rel}{entry.name}"
        yield path, entry, len(stack)
        if entry.is_dir(follow_symlinks=False):
            stack.append((listing(entry.path), path + "/"))


def links_in(folder: Path, most: int = 5) -> list[str]:
    """Up to ``most`` symbolic links in ``folder`` (never followed), as paths relative to it; none if it is not a folder."""
    found: list[str] = []
    if os.path.islink(folder):
        return found
    for path, entry, _depth in _tree(folder):
        if entry.is_symlink():
            found.append(path)
            if len(found) >= most:
                break
    return found


def too_deep(folder: Path) -> str | None:
    """The first folder in ``folder`` more than :data:`MAX_OUT_DEPTH` deep, relative to it, or None."""
    if os.path.islink(folder):
        return None
    for path, _entry, depth in _tree(folder):
        if depth > MAX_OUT_DEPTH:
            return path
    return None


def _carry(src: Path, dst: Path, built: frozenset[str]) -> list[str]:
    """Move what is in ``src`` but not in ``built`` (the files a build wrote there) into ``dst``; return
    what was moved. Nothing is moved if any of it would take the place of something in ``dst``, or
    is a symbolic link (or holds one): a new site never takes a link along, which a deploy tool
    might follow out of the folder (a repository could ship an output folder with one in it)."""
    foreign = _foreign(src, built)
    linked = [rel for rel in foreign if _links(src / rel)]
    if linked:
        raise _Conflict(linked, linked=True)
    clashes = [rel for rel in foreign if os.path.lexists(dst / rel) or _blocked(dst, rel)]
    if clashes:
        raise _Conflict(clashes)
    moved: list[str] = []
    try:
        for rel in foreign:
            (dst / rel).parent.mkdir(parents=True, exist_ok=True)
            os.rename(src / rel, dst / rel)
            moved.append(rel)
    except OSError:
        _carry_back(moved, dst, src)
        raise
    return moved


def _blocked(dst: Path, rel: str) -> bool:
    """Whether a folder on the way to ``rel`` is a file (or link) in ``dst``."""
    parent = dst
    for part in PurePosixPath(rel).parts[:-1]:
        parent = parent / part
        if os.path.lexists(parent) and (parent.is_symlink() or not parent.is_dir()):
            return True
    return False


def _carry_back(moved: list[str], src: Path, dst: Path) -> None:
    """Undo :func:`_carry`: move the editor's files back where they were."""
    for rel in reversed(moved):
        with contextlib.suppress(OSError):
            os.rename(src / rel, dst / rel)


_AT_FDCWD, _RENAME_EXCHANGE = -100, 2


@lru_cache(maxsize=1)
def _renameat2() -> Any:
    """The C library's ``renameat2`` (Linux, glibc 2.28 and later), or None."""
    return getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)


def _exchange(new: Path, out: Path) -> Path:
    """Swap the folders ``new`` and ``out`` in one step; return where the old site is now (``new``'s name)."""
    renameat2 = _renameat2()
    if renameat2 is not None:
        if renameat2(_AT_FDCWD, os.fsencode(new), _AT_FDCWD, os.fsencode(out), _RENAME_EXCHANGE) == 0:
            return new
        code = ctypes.get_errno()
        if code not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            raise OSError(code, os.strerror(code), str(out))
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}.old-", dir=out.parent))
    os.rename(out, old)  # onto the empty folder just made
    try:
        os.rename(new, out)
    except OSError:
        os.rename(old, out)  # put the previous site back
        raise
    return old


def _remove_files(folder: Path, files: frozenset[str]) -> None:
    """Delete ``files`` in ``folder`` (never through a link), then the folders below it that they leave empty."""
    for rel in sorted(files):
        with contextlib.suppress(OSError):
            _unlink_below(folder, rel)
    for _path, entry, _depth in reversed(list(_tree(folder))):  # a folder after what is in it
        if entry.is_dir(follow_symlinks=False):
            with contextlib.suppress(OSError):
                os.rmdir(entry.path)  # only an empty folder goes


def _remove_built(folder: Path, built: frozenset[str]) -> None:
    """Delete the files of ``built`` in ``folder`` (never through a link), then the folders they leave
    empty, then ``folder`` itself if nothing else is in it."""
    _remove_files(folder, built)
    for name in (STAGING_MARK, MANIFEST):  # the manifest last: until it goes, the folder is known as a build's
        with contextlib.suppress(OSError):
            _unlink_below(folder, name)
    with contextlib.suppress(OSError):
        os.rmdir(folder)


def _unlink_below(folder: Path, rel: str) -> None:
    """Unlink ``folder/rel`` if it is not a folder, going down through real folders only (a link on the
    way stops it: a forged manifest cannot reach outside)."""
    parts = rel.split("/")
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        for part in parts[:-1]:
            next_fd = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = next_fd
        if not stat.S_ISDIR(os.stat(parts[-1], dir_fd=fd, follow_symlinks=False).st_mode):
            os.unlink(parts[-1], dir_fd=fd)
    finally:
        os.close(fd)


def remove_leftovers(out: Path) -> None:
    """What interrupted builds left beside the output folder ``out``, removed or put back (see
    :func:`_remove_leftovers`): done before the folder is checked, since a site put back is checked too."""
    out = Path(os.path.abspath(out))
    with contextlib.suppress(OSError), _locked(out.parent):
        _remove_leftovers(out.parent.resolve() / out.name)


def _remove_leftovers(out: Path) -> None:
    """Remove what interrupted builds left beside ``out``: their staging folders (marked), and sites
    swapped out but not yet deleted (with a manifest). A folder in use by a running build is left
    alone, and so is one without a build's mark, or with files no build wrote (a build killed while
    moving the editor's files: a note says where they are). If the output folder itself is missing
    (killed between the two renames where there is no exchange), the last whole site is put back."""
    prefixes = (f".{out.name}.new-", f".{out.name}.old-")
    try:
        names = sorted(n for n in os.listdir(out.parent) if n.startswith(prefixes))
    except OSError:
        return
    for name in names:
        folder = out.parent / name
        try:
            fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a running build's
            _remove_leftover(folder, out)
        finally:
            os.close(fd)


_noted: set[str] = set()
"""The leftovers already said to hold links (said once per process)."""


def _remove_leftover(folder: Path, out: Path) -> None:
    built = read_manifest(folder)
    if built is None:
        if os.path.isfile(folder / STAGING_MARK) and not os.path.islink(folder / STAGING_MARK):
            _discard(folder)  # a staging folder: all of it written by its build
        else:
            with contextlib.suppress(OSError):
                os.rmdir(folder)  # made, and killed before its mark was written: an empty folder
        return
    if not os.path.lexists(out):
        linked = links_in(folder)
        if linked:  # no build writes a link: not a site to put back (a repository can ship such a "leftover")
            if str(folder) not in _noted:  # once (the output checks and the staging both handle leftovers)
                _noted.add(str(folder))
                note = f"note: {folder} holds symbolic links ({', '.join(linked)}); it is not put back as {out.name}: delete it"
                print(visible(note), file=sys.stderr)
            return
        os.rename(folder, out)
        return
    foreign = _foreign(folder, built)
    if foreign:  # a build stopped while moving the editor's files into its new site: left for the editor to move back
        shown = ", ".join(foreign[:5]) + (" …" if len(foreign) > 5 else "")
        print(visible(f"note: {folder} holds files that no build wrote ({shown}); move them back into {out.name}"), file=sys.stderr)
        return
    _remove_built(folder, built)


def write_files(files: Mapping[str, bytes], folder: Path, made: set[str] | None = None) -> None:
    """Write ``files`` (relative path → bytes) below ``folder``; ``made`` remembers the folders created."""
    made = set() if made is None else made
    for rel in sorted(files):
        if not _below(rel):
            raise OSError(errno.EINVAL, "not a path inside the output folder", rel)  # never above it, whatever a page's id
        target = os.path.join(folder, rel)
        parent = os.path.dirname(target)
        if parent not in made:
            os.makedirs(parent, exist_ok=True)
            made.add(parent)
        with open(target, "wb", opener=_no_follow) as fh:
            fh.write(files[rel])


def _no_follow(path: str, flags: int) -> int:
    """Open ``path`` as ``open`` would, but never through a link at its name (ELOOP)."""
    return os.open(path, flags | os.O_NOFOLLOW, 0o666)


def replace_file(target: Path, data: bytes, mode: int | None = None) -> None:
    """Write ``target`` whole or not at all: into a new file of this process beside it, then renamed
    over it (a reader never sees half of it, and two processes never write into the same file).
    ``mode``: the new file's permissions (default: the process's).

    The new file is created, never opened: a link planted at its name (a repository can ship one
    for every likely name) is not followed, and a link at ``target`` is replaced, not written through.
    """
    fd = os.open(target.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        _replace_at(fd, target.name, data, mode)
    finally:
        os.close(fd)


def _replace_at(dir_fd: int, name: str, data: bytes, mode: int | None = None) -> None:
    """:func:`replace_file` for the file ``name`` of the open folder ``dir_fd``."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    for _ in range(100):
        partial = _partial_name(name)
        try:
            fd = os.open(partial, flags, 0o666, dir_fd=dir_fd)
            break
        except FileExistsError:
            continue  # a name taken (by a link, or a file of the editor's): another one
    else:
        raise FileExistsError(errno.EEXIST, "no free name for a new file", name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if mode is not None:
                os.fchmod(fh.fileno(), mode)
        os.replace(partial, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(partial, dir_fd=dir_fd)
        raise


def _partial_name(name: str) -> str:
    """A name for the new file of ``name`` while it is written: :data:`PARTIAL` matches it, and no other of this process's."""
    return f".{name}.{os.getpid()}.{secrets.token_hex(4)}.new"


def remove_partials(out: Path) -> list[str]:
    """Remove the files below ``out`` named as :func:`replace_file` names the file it writes (:data:`PARTIAL`), which a
    writer stopped half-way left (never through a link); return their paths, relative to ``out``."""
    removed = []
    for rel, entry, _depth in _tree(out):
        if PARTIAL.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
                removed.append(rel)
    return removed


def _folder_below(folder: Path, parts: list[str], make: bool) -> int:
    """An open descriptor of the folder ``folder/parts...``, reached through real folders only (a link on the
    way, or ``folder`` itself a link, raises OSError ELOOP or ENOTDIR); missing folders are made with ``make``."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        for part in parts:
            if make:
                with contextlib.suppress(FileExistsError):
                    os.mkdir(part, 0o777, dir_fd=fd)
            next_fd = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = next_fd
    except BaseException:
        os.close(fd)
        raise
    return fd


def put_below(folder: Path, rel: str, data: bytes) -> None:
    """Write ``folder/rel`` whole (see :func:`replace_file`), going down through real folders only and
    making the missing ones: a link in the output folder is never written through."""
    parts = rel.split("/")
    if not _below(rel):
        raise OSError(errno.EINVAL, "not a path inside the folder", rel)
    fd = _folder_below(folder, parts[:-1], make=True)
    try:
        _replace_at(fd, parts[-1], data)
    finally:
        os.close(fd)


def write_into(out: Path, rel: str, data: bytes) -> None:
    """Write one file into the output folder of a build, whole, and list it in the folder's manifest.

    A folder that does not exist is made as a build makes one (a site of that one file, swapped in);
    a folder that holds no build is never written into.
    """
    built = read_manifest(out)
    if built is None:
        if os.path.lexists(out):
            raise BuildError(
                [Problem(str(out), 1, 1, "the output folder holds no build of the site; nothing is written into it", _OUT_HINT)]
            )
        with staging(out) as tmp:
            write_files({rel: data}, tmp)
        return
    try:
        if rel not in built:
            put_below(out, MANIFEST, _manifest_bytes(built | {rel}))
        put_below(out, rel, data)
    except OSError as exc:
        if exc.errno in (errno.ELOOP, errno.ENOTDIR):
            message = f"the output folder holds a symbolic link (or a file) on the way to {rel}; nothing is written through it"
            raise BuildError([Problem(str(out), 1, 1, message, "remove the link from the output folder, or delete the folder")]) from None
        raise BuildError([unwritable(out, exc)]) from None


def unwritable(out: Path, exc: OSError) -> Problem:
    """The problem of an output folder that cannot be written."""
    return Problem(str(out), 1, 1, f"output folder cannot be written: {exc.strerror or exc}", _OUT_HINT)
