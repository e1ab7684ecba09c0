"""Killed, interrupted and runaway builds: no process outlives the command, and every stop is one clear line.

A large site is rendered by a pool of worker processes. Whatever stops the build (SIGTERM from a CI
time-out, Ctrl+C, SIGKILL of the command, a worker killed for want of memory, a template that never
ends), the workers go with it, the output folder keeps the last whole site, and what the build
prints is a located error or one line, never a traceback. A render that takes longer than the
limit (``EXPLAINER_RENDER_LIMIT``, 60 s by default) stops with an error naming the template and page.
"""

from __future__ import annotations

import os
import pickle
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import BUILD, REPO, make_project, snapshot

from explainer import render
from explainer.errors import BuildError, Problem

sys.path.insert(0, str(REPO / "benchmarks"))
import corpus

RUNAWAY = "{% for i in range(10**12) %}{% endfor %}"
"""A template loop that would run for hours."""


def wait_until(condition: Callable[[], object], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s for {what}")
        time.sleep(0.02)


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid``."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry))
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie has stopped running)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def start(project: Path, *args: str, limit: float | None = None, group: bool = False) -> subprocess.Popen[str]:
    env = dict(os.environ)
    if limit is not None:
        env["EXPLAINER_RENDER_LIMIT"] = str(limit)
    return subprocess.Popen(
        [*BUILD, "build", *args],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=group,
    )


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, bytes]]]:
    """A site of 502 pages (rendered by workers), built once, with one event page whose template never ends.

    Shared: every test leaves it as it found it (the output folder as built, nothing beside it)."""
    ours, _hugo = corpus.write_both(tmp_path_factory.mktemp("large"), 250)
    assert subprocess.run([*BUILD, "build"], cwd=ours, capture_output=True).returncode == 0
    event = ours / "templates/event.html"
    event.write_text(event.read_text("utf-8").replace("<h1>", "{% if e.id == 'e000007' %}" + RUNAWAY + "{% endif %}<h1>", 1), "utf-8")
    yield ours, snapshot(ours / "_site")


def _program(pid: int) -> str:
    try:
        return os.readlink(f"/proc/{pid}/exe")
    except OSError:
        return ""


def _workers_of(proc: subprocess.Popen[str]) -> set[int]:
    workers: set[int] = set()

    def started() -> bool:  # forked workers run the build's own program (the search indexer, say, does not)
        workers.update(pid for pid in children(proc.pid) if _program(pid) == _program(proc.pid))
        return len(workers) >= 2 or proc.poll() is not None

    wait_until(started, 30, "the build's worker processes")
    assert proc.poll() is None, proc.communicate()
    return workers


def _after(project: Path, before: dict[str, bytes], workers: set[int]) -> None:
    wait_until(lambda: not any(alive(pid) for pid in workers), 10, "every worker process to end")
    assert snapshot(project / "_site") == before


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_to_the_command_stops_it_and_its_workers_with_one_line(large: tuple[Path, dict[str, bytes]], signum: int) -> None:
    project, before = large
    proc = start(project)
    workers = _workers_of(proc)
    proc.send_signal(signum)
    _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 128 + signum, err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    _after(project, before, workers)
    assert [p.name for p in project.iterdir() if p.name.startswith(".")] == []  # it cleaned up after itself


def test_ctrl_c_in_a_terminal_stops_every_process_of_the_build_with_one_line(large: tuple[Path, dict[str, bytes]]) -> None:
    """A terminal sends SIGINT to the whole foreground process group: the workers too."""
    project, before = large
    proc = start(project, group=True)
    workers = _workers_of(proc)
    os.killpg(proc.pid, signal.SIGINT)
    _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert "interrupted" in err
    _after(project, before, workers)


def test_workers_do_not_outlive_a_killed_command(large: tuple[Path, dict[str, bytes]]) -> None:
    project, before = large
    proc = start(project)
    workers = _workers_of(proc)
    proc.kill()
    proc.communicate(timeout=20)
    _after(project, before, workers)
    again = start(project, limit=1)  # fails at the runaway page within a second, after removing the leftovers
    assert again.wait(timeout=60) == 1
    assert [p.name for p in project.iterdir() if p.name.startswith(".")] == []


def test_a_worker_killed_for_want_of_memory_stops_the_build_with_a_located_error(large: tuple[Path, dict[str, bytes]]) -> None:
    project, before = large
    proc = start(project)
    workers = _workers_of(proc)
    for pid in workers:
        os.kill(pid, signal.SIGKILL)
    _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 1 and "Traceback" not in err, err
    assert re.search(r"^templates/\w+\.html:1:1: a worker process of the build stopped \(killed by SIGKILL\)", err, re.M), err
    _after(project, before, workers)


def test_a_runaway_template_stops_at_the_limit_naming_the_template_and_the_page(large: tuple[Path, dict[str, bytes]]) -> None:
    project, before = large
    started = time.monotonic()
    proc = start(project, limit=1)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "Traceback" not in err, err
    line = next((line for line in err.splitlines() if "longer than 1 s" in line), "")
    assert line.startswith("templates/event.html:") and "timeline/e000007/index.html" in line, err
    assert time.monotonic() - started < 30
    assert snapshot(project / "_site") == before


def test_a_runaway_template_on_the_serial_path_stops_too(tmp_path: Path) -> None:
    project = make_project(tmp_path / "site")
    home = project / "templates/home.html"
    home.write_text(home.read_text("utf-8").replace("{% block main %}", "{% block main %}\n" + RUNAWAY, 1), "utf-8")
    line = home.read_text("utf-8").split("\n").index(RUNAWAY) + 1
    proc = start(project, limit=1)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "Traceback" not in err, err
    assert f"templates/home.html:{line}:1: rendering " in err and "index.html took longer than 1 s" in err, err


def test_ctrl_c_on_the_serial_path_is_one_line_and_leaves_nothing(tmp_path: Path) -> None:
    project = make_project(tmp_path / "site")
    home = project / "templates/home.html"
    home.write_text(home.read_text("utf-8").replace("{% block main %}", "{% block main %}" + RUNAWAY, 1), "utf-8")
    proc = start(project, group=True)
    wait_until(lambda: any(p.name.startswith("._site.new-") for p in project.iterdir()), 30, "the build to start writing")
    time.sleep(0.2)  # into the runaway page (the condition above is only the start of writing)
    os.killpg(proc.pid, signal.SIGINT)
    _out, err = proc.communicate(timeout=20)
    assert proc.returncode == 130 and "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert [p.name for p in project.iterdir() if p.name.startswith(".")] == []


def test_an_invalid_render_limit_is_named(tmp_path: Path) -> None:
    project = make_project(tmp_path / "site")
    env = {**os.environ, "EXPLAINER_RENDER_LIMIT": "soon"}
    result = subprocess.run([*BUILD, "build"], cwd=project, capture_output=True, text=True, env=env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "EXPLAINER_RENDER_LIMIT" in result.stderr and "'soon'" in result.stderr


def test_a_build_error_crosses_a_process_boundary_whole() -> None:
    error = BuildError([Problem("templates/event.html", 3, 1, "template error: boom", "check this template line")])
    again = pickle.loads(pickle.dumps(error))
    assert isinstance(again, BuildError) and again.problems == error.problems and again.report() == error.report()


def test_one_pool_of_workers_and_nothing_else_renders_in_parallel() -> None:
    assert render.PARALLEL_FROM > 0
    for gone in ("with_child", "_render_split", "SPLIT_FROM"):
        assert not hasattr(render, gone), gone
    assert "os._exit" not in (REPO / "build.py").read_text("utf-8")


def test_ctrl_c_while_the_generator_is_still_being_imported_is_one_line(tmp_path: Path) -> None:
    """Review s2, attack 15b: Ctrl+C in the first tenth of a second showed a KeyboardInterrupt traceback.

    The project's copy of the generator is made slow to import (it waits after saying it got there), so
    that the signal comes while the import runs, every time."""
    root = make_project(tmp_path / "site")
    ready = tmp_path / "importing"
    generator = tmp_path / "generator"  # a copy of this checkout's generator, to slow down
    shutil.copytree(REPO / "explainer", generator / "explainer", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy2(REPO / "build.py", generator / "build.py")
    init = generator / "explainer/__init__.py"
    init.write_text(
        init.read_text("utf-8") + "\nimport os as _os, time as _time\n"
        "if _os.environ.get('SLOW_IMPORT'):\n    open(_os.environ['SLOW_IMPORT'], 'w').close()\n    _time.sleep(60)\n",
        "utf-8",
    )
    proc = subprocess.Popen(
        [sys.executable, str(generator / "build.py"), "build"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SLOW_IMPORT": str(ready)},
    )
    try:
        wait_until(ready.exists, 30, "the generator to be imported")
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 130 and err == "interrupted: the output folder was left as it was\n", err
    assert not (root / "_site").exists()
