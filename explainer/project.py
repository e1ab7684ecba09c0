"""Where a project's parts live, which paths it reads from, and which folders a build may write.

A project is a folder: ``content/``, ``seeds/``, ``schemas/``, ``templates/``, ``static/`` and
``locales/``. Paths shown to the user are relative to its root.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from .errors import Problem, long_number
from .write import MAX_OUT_DEPTH, links_in, read_manifest, remove_leftovers, too_deep, unwritable

MAX_INPUT_BYTES = 64 * 1024 * 1024
"""Any one input file (a seed, a template, a catalog, a static file...) larger than this is refused:
the build reads inputs whole, and a hand-made file is far smaller."""

MAX_STATIC_BYTES = 256 * 1024 * 1024
"""All of ``static/`` together may hold at most this much (it is copied into every build)."""

MAX_STATIC_FILES = 10_000

MAX_DEPTH = 32
"""Folders inside ``static/`` or ``templates/`` nested deeper than this are refused (a site needs a few)."""

_OUTSIDE_HINT = "the build reads only files inside the project: copy the file into it, or remove the link"


def universal_newlines(text: str) -> str:
    """``text`` with CRLF and CR line ends as LF, as Python's text files read it."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _is_mount_point(folder: Path) -> bool:
    """Whether ``folder`` is a mount point, a bind mount of a folder of the same file system included
    (which ``os.path.ismount`` does not see: Linux lists them in /proc/self/mountinfo)."""
    if os.path.ismount(folder):
        return True
    try:
        with open("/proc/self/mountinfo", encoding="utf-8", errors="replace") as fh:
            points = {re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), line.split()[4]) for line in fh if len(line.split()) > 4}
    except OSError:
        return False
    return str(folder) in points


class InputError(Exception):
    """An input that cannot be read, with the located problem that says why (``missing``: it does not exist)."""

    def __init__(self, problem: Problem, missing: bool = False) -> None:
        super().__init__(problem.format())
        self.problem = problem
        self.missing = missing


_TOO_LARGE = "remove it, or what was pasted into it by mistake"
"""The hint for an input file over the size limit."""


@dataclass(frozen=True)
class Project:
    """Where a site's parts live. Paths shown to the user are relative to ``root``."""

    root: Path

    @classmethod
    def find(cls, start: Path) -> Project:
        """The project ``start`` is in: the nearest folder holding ``content/``, from ``start`` up
        (``start`` itself if none does: the build then says what is missing)."""
        start = start.absolute()
        for folder in (start, *start.parents):
            if (folder / "content").is_dir():
                return cls(folder)
        return cls(start)

    @property
    def content(self) -> Path:
        return self.root / "content"

    @property
    def seeds(self) -> Path:
        return self.root / "seeds"

    @property
    def schemas(self) -> Path:
        return self.root / "schemas"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def static(self) -> Path:
        return self.root / "static"

    @property
    def locales(self) -> Path:
        return self.root / "locales"

    @property
    def input_folders(self) -> tuple[Path, ...]:
        """The folders the build reads: every input resolves inside one of them."""
        return (self.content, self.seeds, self.schemas, self.templates, self.static, self.locales)

    @cached_property
    def real_root(self) -> Path:
        """The project's folder with every symbolic link resolved."""
        return self.root.resolve()

    @cached_property
    def _real_inputs(self) -> tuple[str, ...]:
        """The input folders as they are inside :attr:`real_root` (by name: a link in their place leads elsewhere)."""
        return tuple(str(self.real_root / folder.name) for folder in self.input_folders)

    def holds(self, path: str | Path) -> bool:
        """Whether ``path``, its links resolved, is the project's folder or inside it (a repository's files can be there)."""
        real = Path(os.path.realpath(path))
        return real.is_relative_to(self.real_root)

    def inside_inputs(self, real: Path) -> bool:
        """Whether the resolved path ``real`` is inside one of the input folders (not merely inside the project:
        a link to ``.git``, ``.venv`` or the output folder would publish what is there)."""
        text = str(real)
        return any(text == folder or text.startswith(folder + os.sep) for folder in self._real_inputs)

    def refusal(self, path: Path, *, folder: bool = False, missing: tuple[str, str] | None = None) -> Problem | None:
        """Why ``path`` cannot be read as an input, or None if it can: a regular file (with ``folder``, a
        folder) that resolves inside the project's input folders and can be opened.

        A path that resolves outside them (through a symbolic link anywhere along it: out of the project,
        or to another part of it such as ``.git``) is refused at the link; one that cannot be reached for
        want of permission, at the folder that stops it.
        ``missing``: the message and hint for a path that does not exist (default: a plain one).
        """
        try:
            fd = self._open(path, folder=folder, missing=missing)
        except InputError as exc:
            return exc.problem
        if fd >= 0:  # a file's descriptor: only its opening was the question
            os.close(fd)
        return None

    def read_bytes(
        self, path: Path, *, missing: tuple[str, str] | None = None, limit: int = MAX_INPUT_BYTES, too_large: str = _TOO_LARGE
    ) -> bytes:
        """The bytes of the input file ``path``; raises :class:`InputError` (see :meth:`refusal`). ``too_large``: the
        hint for a file over ``limit`` bytes."""
        return self._read(self._open(path, folder=False, missing=missing), path, limit, too_large)

    def read_listed(self, path: Path) -> bytes:
        """The bytes of a file that :meth:`files_below` has just listed (so found inside the input folders, and a
        regular file), without resolving its path again: as :meth:`read_bytes`, it is opened without waiting
        and read only if it is still a regular file of at most :data:`MAX_INPUT_BYTES`; raises :class:`InputError`."""
        return self._read(self._open_regular(path, path), path, MAX_INPUT_BYTES)

    def _read(self, fd: int, path: Path, limit: int, too_large: str = _TOO_LARGE) -> bytes:
        """The bytes of the open regular file ``fd`` (of ``path``), at most ``limit``; closes it."""
        try:
            with os.fdopen(fd, "rb") as fh:
                size = os.fstat(fh.fileno()).st_size
                if size > limit:
                    message = f"file is too large ({size / 2**20:.0f} MB; at most {limit // 2**20} MB)"
                    raise InputError(Problem(self.show(path), 1, 1, message, too_large))
                return fh.read(limit + 1)
        except OSError as exc:
            raise InputError(self._unreadable(path, exc, folder=False)) from None

    def _open(self, path: Path, *, folder: bool, missing: tuple[str, str] | None) -> int:
        """An open descriptor of ``path`` (closed at once for a folder; -1), or :class:`InputError`."""
        real = Path(os.path.realpath(path))
        if not self.inside_inputs(real):
            raise InputError(self._outside(path))
        try:
            info = os.stat(real)
        except OSError as exc:
            if exc.errno == errno.ENOENT:
                message, hint = missing or (f"{'folder' if folder else 'file'} does not exist", "create it, or correct the name")
                raise InputError(Problem(self.show(path), 1, 1, message, hint), missing=True) from None
            raise InputError(self._unreadable(path, exc, folder)) from None
        if folder != stat.S_ISDIR(info.st_mode):
            raise InputError(self._not_a(path, info.st_mode, folder))
        if not folder:
            if not stat.S_ISREG(info.st_mode):
                raise InputError(self._not_a(path, info.st_mode, folder))
            return self._open_regular(path, real, follow=False)
        try:
            os.close(os.open(real, os.O_RDONLY | os.O_NONBLOCK | os.O_DIRECTORY))
            os.listdir(real)  # a folder that can be entered but not listed
            return -1
        except OSError as exc:
            raise InputError(self._unreadable(path, exc, folder)) from None

    def _open_regular(self, path: Path, real: Path, *, follow: bool = True) -> int:
        """An open descriptor of the regular file ``real`` (``path`` resolved), or :class:`InputError`.

        O_NONBLOCK: should a pipe take the file's place after all, opening it does not wait. ``follow=False``
        (``real`` is resolved, so its last part is no link): should a link take its place after all, it is not followed.
        And what was opened must be inside the input folders (should a folder on the way have become a link)."""
        try:
            fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | (0 if follow else os.O_NOFOLLOW))
            mode = os.fstat(fd).st_mode
            if not stat.S_ISREG(mode):
                os.close(fd)
                raise InputError(self._not_a(path, mode, False))
            if not self._leads_inside(fd):  # a folder on the way became a link meanwhile
                os.close(fd)
                raise InputError(self._outside(path))
            os.set_blocking(fd, True)
            return fd
        except OSError as exc:
            if exc.errno == errno.ELOOP and not follow:
                message = "cannot read file: it became a symbolic link while the build read it"
                raise InputError(Problem(self.show(path), 1, 1, message, "build again")) from None
            raise InputError(self._unreadable(path, exc, False)) from None

    def _leads_inside(self, fd: int) -> bool:
        """Whether the open descriptor ``fd`` leads inside the input folders, as the system names it (Linux's /proc)."""
        try:
            opened = os.readlink(f"/proc/self/fd/{fd}")
        except FileNotFoundError:
            return True  # no /proc here: the path resolved before opening is all there is
        except OSError:
            return False  # a file the system cannot name (a path over 4,096 bytes)
        return self.inside_inputs(Path(opened))

    def _outside(self, path: Path) -> Problem:
        """The problem of ``path``, which resolves outside the project, located at the link that leads out."""
        at = path
        try:
            parts = path.relative_to(self.root).parts
        except ValueError:
            parts = ()
        for n in range(1, len(parts) + 1):
            prefix = self.root.joinpath(*parts[:n])
            if not self.inside_inputs(Path(os.path.realpath(prefix))):
                at = prefix
                break
        target = Path(os.path.realpath(at))
        if target.is_relative_to(self.real_root):
            where = "the project's own folder" if target == self.real_root else self.show_real(target)
            message = f"resolves to {where}, outside the project's input folders"
            folders = ", ".join(f.name + "/" for f in self.input_folders)
            hint = f"the build reads only files inside {folders}: copy the file into one, or remove the link"
            return Problem(self.show(at), 1, 1, message, hint)
        return Problem(self.show(at), 1, 1, f"resolves to {target}, outside the project", _OUTSIDE_HINT)

    def _unreadable(self, path: Path, exc: OSError, folder: bool) -> Problem:
        """The problem of an input that cannot be read: at the folder that cannot be entered, if one can't."""
        at, is_folder = path, folder
        if exc.errno == errno.EACCES:
            try:
                parts = path.relative_to(self.root).parts
            except ValueError:
                parts = ()
            for n in range(len(parts)):
                prefix = self.root.joinpath(*parts[:n])
                try:
                    os.stat(prefix.joinpath(parts[n]))
                except PermissionError:
                    at, is_folder = prefix, True
                    break
                except OSError:
                    break
        what = "folder" if is_folder else "file"
        if exc.errno == errno.ENAMETOOLONG:
            return _too_long(self.show(at), what, os.fsencode(path))
        if exc.errno == errno.ELOOP:
            hint = "point the link at the file or folder itself, or put that in its place"
            return Problem(self.show(at), 1, 1, f"cannot read {what}: its symbolic links go round in a loop", hint)
        hint = f"give yourself read permission on it (chmod u+r{'x' if is_folder else ''} {self.show(at)})"
        return Problem(self.show(at), 1, 1, f"cannot read {what}: {exc.strerror or exc}", hint)

    def _not_a(self, path: Path, mode: int, folder: bool) -> Problem:
        found = (
            "a folder"
            if stat.S_ISDIR(mode)
            else "a regular file"
            if stat.S_ISREG(mode)
            else "not a regular file (a pipe, socket or device)"
        )
        wanted = "folder" if folder else "file"
        return Problem(self.show(path), 1, 1, f"cannot read {wanted}: it is {found}", f"replace it with the {wanted} the project needs")

    def schema_files(self) -> tuple[dict[str, bytes], list[Problem]]:
        """The bytes of each ``*.schema.json`` file of ``schemas/`` by its name, each found as every input folder's
        files are (:meth:`files_below`), read as :meth:`read_bytes` reads, and JSON; and the problems of the folder."""
        try:
            self._open(self.schemas, folder=True, missing=("the schemas folder is missing", "restore schemas/ from the repository"))
        except InputError as exc:
            return {}, [exc.problem]
        files: dict[str, bytes] = {}
        found, problems = self.files_below(self.schemas)
        for odd in sorted(self.schemas.glob("*.schema.json")):  # (files_below goes into a folder of that name)
            if odd.is_dir() and self.inside_inputs(Path(os.path.realpath(odd))):  # (one that leads out is refused already)
                problems.append(self._not_a(odd, odd.stat().st_mode, False))
        for file in found:
            if file.parent != self.schemas or not file.name.endswith(".schema.json"):
                continue
            text = ""
            try:
                data = self.read_bytes(file)
                text = data.decode("utf-8")
                json.loads(text)
                files[file.name] = data
            except InputError as exc:
                problems.append(exc.problem)
            except UnicodeDecodeError:
                problems.append(Problem(self.show(file), 1, 1, "schema is not valid UTF-8", "restore it from the repository"))
            except json.JSONDecodeError as exc:
                message = f"schema is not valid JSON: {exc.msg}"
                problems.append(Problem(self.show(file), exc.lineno, exc.colno, message, "fix the JSON syntax here"))
            except RecursionError:
                problems.append(Problem(self.show(file), 1, 1, "schema nested too deeply", "restore it from the repository"))
            except ValueError:  # an integer too long for Python to convert
                problems.append(long_number(text, self.show(file), "restore it from the repository"))
        return files, problems

    def files_below(self, folder: Path) -> tuple[list[Path], list[Problem]]:
        """Every file below ``folder`` (none if it does not exist), in order, and the problems of what cannot be read.

        Links are followed when they resolve inside the input folders (a folder once); anything else that
        is not a regular file or a folder is a problem, as is more than :data:`MAX_STATIC_BYTES` in all.
        """
        try:
            self._open(folder, folder=True, missing=None)
        except InputError as exc:
            return [], [] if exc.missing else [exc.problem]
        files: list[Path] = []
        problems: list[Problem] = []
        seen: set[Path] = set()
        total = 0

        def walk(here: Path, depth: int = 0) -> bool:
            """Add the files below ``here``; False once the limit is passed."""
            nonlocal total
            if depth > MAX_DEPTH:
                message = f"folders nested more than {MAX_DEPTH} deep"
                problems.append(Problem(self.show(here), 1, 1, message, "keep the folder's files at most a few folders deep"))
                return False
            real_here = Path(os.path.realpath(here))
            seen.add(real_here)
            try:
                with os.scandir(here) as found:
                    entries = sorted((entry.name, entry.is_symlink()) for entry in found)
            except OSError as exc:
                problems.append(self._unreadable(here, exc, True))
                return True
            for name, linked in entries:
                path = here / name
                real = Path(os.path.realpath(path)) if linked else real_here / name  # (only a link leads elsewhere)
                if not _plain_name(name):  # its name would be part of an address, and of the terminal's report
                    hint = "rename it with printable UTF-8 characters"
                    problems.append(Problem(self.show(here), 1, 1, f"a file name that is not printable UTF-8: {name!a}", hint))
                    continue
                if not self.inside_inputs(real):
                    problems.append(self._outside(path))
                    continue
                try:
                    info = os.stat(path)
                except OSError as exc:
                    problems.append(self._unreadable(path, exc, False))
                    continue
                if stat.S_ISDIR(info.st_mode):
                    if real not in seen and not walk(path, depth + 1):
                        return False
                elif not stat.S_ISREG(info.st_mode):
                    problems.append(self._not_a(path, info.st_mode, False))
                elif total + info.st_size > MAX_STATIC_BYTES or len(files) >= MAX_STATIC_FILES:
                    limits = f"{MAX_STATIC_BYTES // 2**20} MB or {MAX_STATIC_FILES:,} files"
                    message = f"{self.show(folder)}/ holds more than {limits}, counting up to this file"
                    problems.append(Problem(self.show(path), 1, 1, message, "keep in it only what the site uses"))
                    return False
                else:
                    try:  # it can be read: found now, with the other problems, not when it is copied
                        os.close(os.open(path, os.O_RDONLY | os.O_NONBLOCK))
                    except OSError as exc:
                        problems.append(self._unreadable(path, exc, False))
                        continue
                    total += info.st_size
                    files.append(path)
            return True

        walk(folder)
        return files, problems

    def show_real(self, real: Path) -> str:
        """The resolved path ``real`` relative to the resolved project root."""
        try:
            return real.relative_to(self.real_root).as_posix()
        except ValueError:
            return str(real)

    def show(self, path: Path) -> str:
        """``path`` relative to the project root, with forward slashes."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def output_problems(self, out: Path) -> list[Problem]:
        """Why ``out`` must not be the output folder of a build (empty if it may be).

        Refused: a symbolic link (a repository could ship ``_site`` or ``.preview`` as a link to any
        folder), a path that goes through a link inside the project (``public/site`` where the
        repository ships ``public`` as a link), the project itself or a folder that holds it, one of
        its inputs (or a folder inside or around one), a path that is not a folder, a folder that is
        not empty and holds no previous build, and a folder that holds a symbolic link (no build
        writes one). A previous build is recognised by its manifest (:data:`~explainer.write.MANIFEST`)
        alone, and a build removes only the files that manifest lists.

        Once the path itself may be used, what interrupted builds left beside the folder is handled
        first (:func:`~explainer.write.remove_leftovers`): a site put back is checked like any other.
        """
        hint = "choose a new folder for the site, such as _site"
        out = Path(os.path.abspath(out))  # "..", "." and the like, as they are written
        try:
            if os.path.islink(out):
                message = f"the output folder is a symbolic link (to {os.readlink(out)})"
                return [Problem(str(out), 1, 1, message, "give the folder itself as --out, or remove the link")]
            link = self._link_on_the_way(out)
            if link is not None:
                message = f"the output folder's path goes through {self.show(link)}, a symbolic link (to {os.readlink(link)})"
                return [Problem(str(out), 1, 1, message, "give a folder of the project itself as --out, or remove the link")]
            target = out.parent.resolve() / out.name
            root = self.real_root
            if root.is_relative_to(target):
                return [Problem(str(target), 1, 1, "the output folder would replace the project itself", hint)]
            for folder in (*self.input_folders, self.root / "explainer"):
                inputs = folder.resolve()
                if target.is_relative_to(inputs) or inputs.is_relative_to(target):
                    return [Problem(str(target), 1, 1, f"the output folder would replace the project's {self.show(folder)}/", hint)]
            remove_leftovers(target)
            info = os.stat(target) if os.path.lexists(target) else None
            if info is None:
                return []
            if not stat.S_ISDIR(info.st_mode):
                raise NotADirectoryError(errno.ENOTDIR, "the output path exists and is not a folder")
            if _is_mount_point(target):  # a build exchanges the folder for a new one: a mount point stays where it is
                message = "the output folder is a mount point, which a build cannot replace with the new site"
                where = f"build into a folder inside it (--out {target}/site), or mount the folder that holds the output folder"
                return [Problem(str(target), 1, 1, message, where)]
            if os.listdir(target) and read_manifest(target) is None:
                message = "the output folder is not empty and holds no previous build of the site"
                earlier = "choose a new folder for the site; if it holds a site that an earlier version built (no manifest), delete it once"
                return [Problem(str(target), 1, 1, message, earlier)]
            deep = too_deep(target)
            if deep is not None:  # no build writes that deep: the walks of the folder would never end (or overflow)
                shown = deep[:60] + "…" if len(deep) > 60 else deep
                message = f"the output folder holds folders more than {MAX_OUT_DEPTH} deep ({shown}), deeper than any build writes"
                return [Problem(str(target), 1, 1, message, "delete the folder, or choose another --out folder")]
            linked = links_in(target)
            if linked:  # a build writes no link: a repository can ship one to lead writes out of the folder
                message = f"the output folder holds {', '.join(linked)}, a symbolic link (or a folder with one) that no build wrote"
                return [Problem(str(target), 1, 1, message, "remove the link from the output folder, or delete the folder")]
        except OSError as exc:
            return [unwritable(out.absolute(), exc)]
        return []

    def _link_on_the_way(self, out: Path) -> Path | None:
        """The first symbolic link among the folders between the project's root and ``out`` (if ``out`` is inside it)."""
        root = Path(os.path.abspath(self.root))
        if not out.is_relative_to(root):
            return None
        here = root
        for part in out.relative_to(root).parts[:-1]:
            here = here / part
            if os.path.islink(here):
                return here
        return None


PATH_MAX = 4096
"""Linux's limit on a path, in bytes, its final NUL included."""


def _too_long(shown: str, what: str, path: bytes) -> Problem:
    """The problem of an input whose name, or whole path, is longer than the system opens."""
    longest = max(path.split(b"/"), key=len)
    if len(longest) > 255:
        message = f"cannot read {what}: a name in its path is {len(longest):,} bytes long; a file or folder name may have 255"
        return Problem(shown, 1, 1, message, "correct the name (a file name that long cannot exist)")
    message = f"cannot read {what}: its path is {len(path):,} bytes long; the system opens paths of at most {PATH_MAX - 1:,}"
    hint = "shorten the names of the folders it is in, or keep it fewer folders deep (or move the project to a shorter path)"
    return Problem(shown, 1, 1, message, hint)


def _plain_name(name: str) -> bool:
    """Whether a file's name is printable UTF-8 (a byte that is not UTF-8 reaches Python as a lone surrogate)."""
    return name.isprintable() and not any("\udc80" <= ch <= "\udcff" for ch in name)
