"""Review s9: what odd input folders, a preview killed while it rebuilds, a temporary folder inside the project and a
tiny render limit do to the preview and the build; each is handled or located, never a traceback."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest
from conftest import BUILD, make_project, run_forked
from test_safety_s8 import _chain, _unchain
from test_serve import Server, wait_until

from explainer.write import PARTIAL, _partial_name


def _saves_rebuild(running: Server, marker: str) -> None:
    """Start the preview, then save a template and wait until its page shows ``marker`` (the watch saw the save)."""
    wait_until(running.listening, 60, "the preview to listen")
    assert running.proc.poll() is None, running.stop()
    wait_until(lambda: running.request("/en/")[0] == 200, 60, "the first build to be served")
    _save_shows(running, marker)


def _save_shows(running: Server, marker: str) -> None:
    """Save a template and wait until its page shows ``marker`` (the watch saw the save)."""
    home = running.project / "templates/home.html"
    home.write_text(home.read_text("utf-8").replace("{% block main %}", "{% block main %}<p>" + marker + "</p>", 1), "utf-8")
    wait_until(lambda: marker.encode() in running.request("/en/")[2], 20, "the saved template to be on the page")


def test_a_chain_of_folders_thousands_deep_in_an_input_folder_does_not_stop_the_preview_s_watch(tmp_path: Path) -> None:
    # before: "Exception in thread watch: Traceback … RecursionError" (os.walk recurses on Python 3.11), and no save
    # rebuilt the preview any more
    project = make_project(tmp_path / "site")
    _chain(project / "seeds", 1100)
    running = Server(project)
    try:
        _saves_rebuild(running, "saved-beside-a-deep-chain")
    finally:
        output = running.stop()
        _unchain(project)
    assert "Traceback" not in output and "Exception in thread" not in output and "stopped watching" not in output, output
    assert "preview: the input folders hold folders more than 64 deep (seeds/d/d/d/" in output, output


@pytest.mark.parametrize("folder", ["seeds", "static", "content", "templates", "locales"])
def test_a_chain_of_folders_thousands_deep_in_an_input_folder_builds_or_is_located(project: Path, folder: str) -> None:
    _chain(project / folder, 1100)
    try:
        result = run_forked(project, "build")
    finally:
        _unchain(project)
    assert "Traceback" not in result.stderr and "did not expect" not in result.stderr, result.stderr
    if result.returncode:
        assert f"{folder}/d/d/d" in result.stderr and "hint: " in result.stderr, result.stderr
    else:
        assert result.stdout.startswith("built "), result.stdout


def test_a_folder_whose_name_is_not_utf8_is_named_and_saves_elsewhere_still_rebuild(tmp_path: Path) -> None:
    # before: "the system's file watch failed (UnicodeEncodeError … surrogates not allowed); checking for saves every
    # 300 ms instead", then "stopped watching for saves": no save rebuilt, at this start or any later one
    project = make_project(tmp_path / "site")
    os.mkdir(os.path.join(os.fsencode(project / "seeds"), b"\xfd"))
    running = Server(project)
    try:
        _saves_rebuild(running, "saved-beside-a-folder-not-utf8")
        bad = os.path.join(os.fsencode(project / "static"), b"\xfe.txt")  # a file saved under such a name: a save too
        with open(bad, "wb") as fh:
            fh.write(b"saved\n")
        refused = b"static:1:1: a file name that is not printable UTF-8"
        wait_until(lambda: refused in running.output, 20, "the save of a name not UTF-8 to rebuild (and refuse it)")
        os.unlink(bad)
        _save_shows(running, "saved-after-a-name-not-utf8")
    finally:
        output = running.stop()
    assert "Traceback" not in output and "watch failed" not in output and "stopped watching" not in output, output
    assert "preview: saves in seeds/\\xfd are not seen (its name is not UTF-8" in output, output


def _served_once(project: Path) -> Path:
    """Run the preview until it serves its first build, then stop it; its folder."""
    running = Server(project)
    try:
        wait_until(running.listening, 60, "the preview to listen")
        wait_until(lambda: running.request("/en/")[0] == 200, 60, "the first build to be served")
    finally:
        output = running.stop()
    assert "Traceback" not in output, output
    return project / ".preview"


def test_a_half_written_file_of_a_preview_killed_while_it_rebuilt_is_removed_when_it_starts_again(tmp_path: Path) -> None:
    # before: a preview stopped (Ctrl+C, SIGKILL) while it wrote a page left .index.html.<pid>.<hex>.new; the next serve
    # refused to start: "the preview's folder holds …new, which no build wrote (a repository can ship it)"
    project = make_project(tmp_path / "site")
    out = _served_once(project)
    partials = [out / "en/.index.html.21504.acd87f4a.new", out / ".explainer-build.json.7.0123abcd.new"]
    for partial in partials:
        partial.write_bytes(b"<p>half a pa")
    running = Server(project)
    try:
        wait_until(running.listening, 60, "the preview to listen")
        assert running.proc.poll() is None, running.stop()
        wait_until(lambda: running.request("/en/")[0] == 200, 60, "the build to be served")
    finally:
        output = running.stop()
    assert "no build wrote" not in output and "Traceback" not in output, output
    assert not any(p.exists() for p in partials)
    assert PARTIAL.fullmatch(_partial_name("index.html")) and PARTIAL.fullmatch(_partial_name(".explainer-build.json"))


@pytest.mark.parametrize("name", ["en/.index.html.new", "en/.index.html.1.new", "en/index.html.1.acd87f4a.new", ".x.1.ACD87F4A.new"])
def test_a_shipped_file_named_almost_as_the_preview_s_own_temporaries_is_still_refused(tmp_path: Path, name: str) -> None:
    project = make_project(tmp_path / "site")
    out = _served_once(project)
    (out / name).write_text("<script>alert(1)</script>", "utf-8")
    running = Server(project)
    try:
        assert running.proc.wait(timeout=60) == 1
    finally:
        output = running.stop()
    assert f"the preview's folder holds {name}, which no build wrote" in output and "Traceback" not in output, output
    assert (out / name).exists()


def test_a_temporary_folder_inside_the_project_gets_no_temporaries_of_the_build(project: Path) -> None:
    # before: TMPDIR=$PWD/static put Jinja's bytecode cache in static/_jinja2-cache-<uid>/, published by the next build
    static = project / "static"
    before = sorted(p.relative_to(static) for p in static.rglob("*"))
    env = {**os.environ, "TMPDIR": str(static)}
    for _ in range(2):
        done = subprocess.run(BUILD + ["build"], cwd=project, capture_output=True, text=True, timeout=60, env=env)
        assert done.returncode == 0 and done.stdout.startswith("built "), done.stdout + done.stderr
    assert sorted(p.relative_to(static) for p in static.rglob("*")) == before
    assert not [p for p in (project / "_site").rglob("*") if "jinja" in p.name]
    assert "note: the temporary folder" in done.stderr and "is inside the project" in done.stderr, done.stderr


def test_a_bytecode_cache_inside_the_project_is_never_used(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a repository could ship static/_jinja2-cache-<uid>/…cache, compiled code that Jinja would load
    from explainer.project import Project
    from explainer.render import _bytecode_cache

    for inside in (project / "static", project):
        monkeypatch.setattr(tempfile, "tempdir", str(inside))
        assert _bytecode_cache(Project(project)) is None
    monkeypatch.setattr(tempfile, "tempdir", None)
    assert _bytecode_cache(Project(project)) is not None


def test_the_hint_of_a_page_past_the_render_limit_shows_the_limit_in_force(project: Path) -> None:
    # before: "(the limit: EXPLAINER_RENDER_LIMIT, 60 s)" whatever the limit
    env = {**os.environ, "EXPLAINER_RENDER_LIMIT": "1e-9"}
    done = subprocess.run(BUILD + ["build"], cwd=project, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 1 and "took longer than 1e-09 s" in done.stderr, done.stderr
    assert "(the limit: EXPLAINER_RENDER_LIMIT, 1e-09 s)" in done.stderr and "60 s" not in done.stderr, done.stderr
