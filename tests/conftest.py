"""Shared fixtures: small projects in temporary folders, built with the command line (a new Python, or a forked one)."""

from __future__ import annotations

import functools
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

# Property-based tests: the same examples on every run by default (a failure in CI replays
# exactly); HYPOTHESIS_PROFILE=deep for a longer random search that remembers its failures in
# .hypothesis/ (run it before a release: HYPOTHESIS_PROFILE=deep .venv/bin/python -m pytest).
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("deep", derandomize=False, print_blob=True)
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
settings.load_profile(PROFILE)


def examples(default: int, deep: int | None = None) -> int:
    """Examples per property: ``default``; with the deep profile ``deep``, or 25 times as many."""
    if PROFILE == "deep":
        return deep if deep is not None else default * 25
    return default


REPO = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
PROJECT_PARTS = ("templates", "schemas", "locales", "static", "seeds")
BUILD = [sys.executable, str(REPO / "build.py")]
"""The command line of this checkout's generator: it builds the project of its working directory."""


def make_project(dest: Path, content: Path = MINI) -> Path:
    """A complete project folder (no code: the generator is this checkout's): the repo's templates,
    schemas, catalogs, static files and seeds, with ``content`` as its content."""
    dest.mkdir(parents=True, exist_ok=True)
    for part in PROJECT_PARTS:
        shutil.copytree(REPO / part, dest / part)
    shutil.copytree(content, dest / "content")
    return dest


UNPRIVILEGED = (
    ["setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--inh-caps", "-dac_override,-dac_read_search"]
    if os.geteuid() == 0
    else []
)
"""A command prefix under which file permissions apply: root ignores ``chmod 000`` unless it drops these capabilities."""


def run_cli(project: Path, *args: str, timeout: float = 60, unprivileged: bool = False) -> subprocess.CompletedProcess[str]:
    """Run ``python build.py ARGS`` in ``project`` and capture its output (``unprivileged``: as a user that
    file permissions apply to, see :data:`UNPRIVILEGED`)."""
    command = [*(UNPRIVILEGED if unprivileged else []), *BUILD, *args]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=timeout)


def run_forked(project: Path, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """``python build.py ARGS`` in ``project`` as :func:`run_cli` runs it (the command line's ``main``, its exit
    code, what it prints, a time-out), but in a forked copy of this process instead of a new Python: the
    generator's imports and what a command reads once (Jinja, jsonschema, Babel's data) are loaded here first,
    which saves about 0.4 s of CPU a command. What a test has patched in this process applies there too. Tests
    of the command line itself (its process, signals, the terminal, start-up) use :func:`run_cli`."""
    _warm_up()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = multiprocessing.get_context("fork").Process(target=_command, args=(project, args, out.fileno(), err.fileno()))
        process.start()
        process.join(timeout)
        if process.exitcode is None:
            process.kill()
            process.join()
            raise subprocess.TimeoutExpired([*BUILD, *args], timeout)
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess([*BUILD, *args], process.exitcode, out.read().decode(), err.read().decode())


def _command(project: Path, args: tuple[str, ...], out: int, err: int) -> None:
    """The forked child of :func:`run_forked`: standard output and error as a new Python's (UTF-8, errors
    escaped on stderr only), on file descriptors 1 and 2, then build.py's ``sys.exit(main(ARGS))``. An
    exception that escapes ``main`` prints its traceback and exits 1, as it would there."""
    os.chdir(project)
    os.dup2(out, 1)
    os.dup2(err, 2)
    sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115 (flushed when the child exits)
    sys.stderr = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # noqa: SIM115
    from explainer.cli import main

    sys.exit(main(list(args)))


@functools.cache
def _warm_up() -> None:
    """Check a copy of the mini project once in this process, so that forked commands start warm."""
    from explainer.project import Project
    from explainer.site import check

    with tempfile.TemporaryDirectory() as top:
        check(Project(make_project(Path(top) / "site")))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh copy of the mini fixture project."""
    return make_project(tmp_path / "site")


@pytest.fixture(scope="session")
def built_mini(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mini project built once for read-only assertions; returns its output folder."""
    root = make_project(tmp_path_factory.mktemp("mini") / "site")
    result = run_cli(root, "build")
    assert result.returncode == 0, result.stderr
    return root / "_site"


@pytest.fixture(scope="session")
def built_real(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real site built once into a temporary folder; returns its output folder."""
    out = tmp_path_factory.mktemp("real") / "_site"
    result = subprocess.run([*BUILD, "build", "--out", str(out)], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return out


Edit = Callable[[str], str]


def edit(path: Path, change: Edit) -> None:
    """Rewrite a file through ``change``."""
    path.write_text(change(path.read_text("utf-8")), "utf-8")


def line_col(file: Path, needle: str) -> str:
    """``line:col`` of the first ``needle`` in ``file``, as an error names it."""
    text = file.read_text("utf-8")
    at = text.index(needle)
    return f"{text.count(chr(10), 0, at) + 1}:{at - text.rfind(chr(10), 0, at)}"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium (Debian's), one per test process (each xdist worker): a launch costs about a second
    of CPU. Tests open their own pages or contexts in it, and close them."""
    from browser import chromium

    with chromium() as b:
        yield b


@pytest.fixture(scope="session")
def served(built_real: Path) -> Iterator[str]:
    """The real site served over HTTP on the loopback (its base URL), one server per test process."""
    from browser import serve_folder

    with serve_folder(built_real) as base:
        yield base
