"""Review s8: what a cloned repository can make Pagefind, ``review``, the kept-files listing, a deep output folder,
the preview's own folder and an odd line break do; each is refused or named, never a traceback."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import BUILD, make_project, run_forked
from test_serve import Server, wait_until


@pytest.mark.parametrize("how", ["pagefind.yml", "pagefind.yaml", "pagefind.toml", "pagefind.json", "PAGEFIND_LOGFILE", "fifo"])
def test_a_pagefind_config_in_the_project_or_the_environment_does_not_write_outside_it(
    project: Path, tmp_path: Path, how: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # before: build ran Pagefind in the project root, which read pagefind.yml's `logfile:` and truncated the file it named
    # (~/.bashrc, a document); a FIFO there made the build wait for ever
    victim = tmp_path / "victim.txt"
    victim.write_text("ORIGINAL USER DATA\n", "utf-8")
    if how == "fifo":
        os.mkfifo(tmp_path / "fifo")
        (project / "pagefind.yml").write_text(f"logfile: {tmp_path / 'fifo'}\nverbose: true\n", "utf-8")
    elif how == "PAGEFIND_LOGFILE":
        monkeypatch.setenv("PAGEFIND_LOGFILE", str(victim))  # the forked build's environment, and its Pagefind's
        monkeypatch.setenv("PAGEFIND_VERBOSE", "true")
    elif how.endswith(".toml"):
        (project / how).write_text(f'logfile = "{victim}"\nverbose = true\n', "utf-8")
    elif how.endswith(".json"):
        (project / how).write_text(f'{{"logfile": "{victim}", "verbose": true}}', "utf-8")
    else:
        (project / how).write_text(f"logfile: {victim}\nverbose: true\n", "utf-8")
    done = run_forked(project, "build")
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("built "), done.stdout
    assert victim.read_text("utf-8") == "ORIGINAL USER DATA\n"
    assert (project / "_site/pagefind/pagefind-entry.json").is_file()
    assert not [p for p in project.iterdir() if p.name.startswith(".pagefind") or p.name == "pagefind"]


@pytest.mark.parametrize("how", ["outside", "git", "fifo"])
def test_review_reads_site_yaml_through_the_same_gate_as_build(project: Path, tmp_path: Path, how: str) -> None:
    # before: review read content/site.yaml with a plain load: a link out of the project was followed (its text decided
    # the source language, and its words reached the errors), and a link to .git/ too
    site = project / "content/site.yaml"
    if how == "fifo":
        site.unlink()
        os.mkfifo(site)
        expected = "content/site.yaml:1:1: cannot read file: it is not a regular file"
    else:
        target = tmp_path / "secret.yaml" if how == "outside" else project / ".git/config.yaml"
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(site.read_bytes())  # a valid site.yaml: review would use it without a word
        site.unlink()
        site.symlink_to(target)
        expected = "content/site.yaml:1:1: resolves to " + (f"{target}, outside the project" if how == "outside" else ".git/config.yaml")
    events = (project / "content/events.yaml").read_bytes()
    built = run_forked(project, "build")
    assert built.returncode == 1 and expected in built.stderr, built.stderr
    result = run_forked(project, "review", "content/events.yaml")
    assert result.returncode == 1, result.stdout + result.stderr
    assert expected in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert (project / "content/events.yaml").read_bytes() == events


@pytest.mark.parametrize("encoding", ["utf-8:strict", "ascii:strict"])
def test_kept_files_with_names_a_terminal_cannot_show_are_listed_escaped(project: Path, encoding: str) -> None:
    # before: a kept name that is not UTF-8 stopped build with UnicodeEncodeError after it had built (exit 1, on a
    # terminal whose encoding is strict), and U+2028/U+2029 went to the terminal raw (a line break in some)
    out = project / "_site"
    out.mkdir()
    (out / ".explainer-build.json").write_text('{"generator":"explainer","files":[]}', "utf-8")
    for name in (b"\xff\xfe.html", "a\u2028b\u2029c.html".encode(), "d\x1b[2Je\x85f.html".encode(), "خريطة.html".encode()):
        with open(os.path.join(os.fsencode(out), name), "wb") as fh:
            fh.write(b"<p>kept</p>\n")
    env = dict(os.environ, PYTHONIOENCODING=encoding)
    done = subprocess.run(BUILD + ["build"], cwd=project, capture_output=True, timeout=60, env=env)
    assert done.returncode == 0 and not done.stderr, done.stderr.decode("utf-8", "replace")
    lines = done.stdout.decode("ascii" if encoding.startswith("ascii") else "utf-8").splitlines()
    arabic = "خريطة.html" if encoding.startswith("utf") else "\\u062e\\u0631\\u064a\\u0637\\u0629.html"
    assert lines[1].startswith("kept in _site as they were"), lines
    expected = ["  \\xff\\xfe.html", "  a\\u2028b\\u2029c.html", "  d\\u001b[2Je\\u0085f.html", f"  {arabic}"]
    assert sorted(lines[2:]) == sorted(expected), lines


EVIL = "<script>alert(document.domain)</script>\n"


def _shipped_preview(project: Path, listed: list[str]) -> Path:
    """A ``.preview/`` as a repository can ship it: evil.html and a page, with a manifest listing ``listed``."""
    out = project / ".preview"
    (out / "en").mkdir(parents=True)
    (out / "evil.html").write_text(EVIL, "utf-8")
    (out / "en/index.html").write_text("<p>shipped</p>\n", "utf-8")
    (out / ".explainer-build.json").write_text(json.dumps({"generator": "explainer", "files": listed}), "utf-8")
    return out


def test_serve_refuses_a_preview_folder_with_files_no_build_wrote(tmp_path: Path) -> None:
    # before: a shipped .preview/ with a forged manifest (listing nothing) was built into, and its evil.html served
    # at http://127.0.0.1:8000/evil.html without a word, though docs/security.md said such a folder is refused
    project = make_project(tmp_path / "site")
    out = _shipped_preview(project, ["en/index.html"])
    running = Server(project)
    try:
        assert running.proc.wait(timeout=60) == 1
    finally:
        output = running.stop()
    assert "Traceback" not in output, output
    assert f"{out}:1:1: the preview's folder holds evil.html, which no build wrote" in output, output
    assert "hint: " in output and "delete .preview/" in output, output
    assert (out / "evil.html").read_text("utf-8") == EVIL and not (out / "__preview").exists()  # nothing written


def test_serve_whose_first_build_fails_serves_nothing_of_the_folder_as_it_was(tmp_path: Path) -> None:
    # before: a manifest forged to list evil.html, and content that does not build, had the preview serve evil.html
    # (a failed build leaves the folder as it was; only a build that succeeds removes what the manifest lists)
    project = make_project(tmp_path / "site")
    out = _shipped_preview(project, ["en/index.html", "evil.html"])
    events = project / "content/events.yaml"
    events.write_text(events.read_text("utf-8") + "\n  - id: [broken\n", "utf-8")
    running = Server(project)
    try:
        wait_until(running.listening, 60, "the preview to listen")
        assert running.proc.poll() is None, running.stop()
        wait_until(lambda: running.request("/__preview/status.json")[0] == 200, 30, "the status of the failed build")
        assert running.request("/evil.html")[0] == 404
        assert running.request("/en/")[0] == 404
        assert json.loads(running.request("/__preview/status.json")[2])["errors"]
    finally:
        output = running.stop()
    assert "Traceback" not in output and "content/events.yaml" in output, output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == [".explainer-build.json", "__preview", "__preview/status.json"]


def test_serve_starts_again_on_the_folder_of_its_last_session(tmp_path: Path) -> None:
    # the refusal above must not catch the preview's own folder: a page removed during a session leaves its folder empty
    project = make_project(tmp_path / "site")
    events = project / "content/events.yaml"
    for step in ("first", "again"):
        running = Server(project)
        try:
            wait_until(running.listening, 60, "the preview to listen")
            assert running.proc.poll() is None, (step, running.stop())
            wait_until(lambda r=running: r.request("/en/timeline/first-round/")[0] == 200, 60, "the first build to be served")
            if step == "first":
                text = events.read_text("utf-8")
                events.write_text(text[: text.index("  - id: invasion")] + text[text.index("  - id: first-round") :], "utf-8")
                wait_until(lambda r=running: r.request("/en/timeline/invasion/")[0] == 404, 60, "the page of the event to go")
        finally:
            output = running.stop()
        assert "no build wrote" not in output and "Traceback" not in output, output


def _chain(folder: Path, depth: int) -> None:
    """``depth`` folders, each inside the last, below ``folder`` (one-letter names: the path stays short)."""
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(depth):
            os.mkdir("d", dir_fd=fd)
            fd, old = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd), fd
            os.close(old)
    finally:
        os.close(fd)


@pytest.mark.parametrize("where", ["_site", "._site.new-shipped", "._site.old-shipped"])
def test_a_very_deep_chain_of_folders_in_or_beside_the_output_folder_is_a_located_error(project: Path, where: str) -> None:
    # before: RecursionError in links_in() (through output_problems), or in shutil.rmtree for a shipped staging folder:
    # "stopped on an error it did not expect"
    folder = project / where
    _chain(folder, 1200)
    marks = {"_site": ".explainer-build.json", "._site.new-shipped": ".explainer-staging", "._site.old-shipped": ".explainer-build.json"}
    (folder / marks[where]).write_text('{"generator":"explainer","files":[]}', "utf-8")
    if where != "_site":
        (project / "_site").mkdir()
        (project / "_site/.explainer-build.json").write_text('{"generator":"explainer","files":[]}', "utf-8")
    result = run_forked(project, "build")
    assert "did not expect" not in result.stderr and "Traceback" not in result.stderr, result.stderr
    try:
        if where == "_site":
            assert result.returncode == 1, result.stdout
            message = "the output folder holds folders more than 64 deep (d/d/d/"
            assert f"{project / '_site'}:1:1: {message}" in result.stderr and "hint: " in result.stderr, result.stderr
        else:
            assert result.returncode == 0, result.stderr
    finally:  # pytest's clean-up of old temporary folders recurses (a RecursionError warning at a later run)
        _unchain(project)


def _unchain(project: Path) -> None:
    """Remove every chain of ``d`` folders in ``project``'s own folders, one folder at a time (moved up: short paths)."""
    for top in [p for p in project.iterdir() if p.is_dir() and not p.is_symlink()]:
        while (top / "d").is_dir():
            if (top / "d/d").is_dir():
                os.rename(top / "d/d", top / "e")
                os.rmdir(top / "d")
                os.rename(top / "e", top / "d")
            else:
                os.rmdir(top / "d")


@pytest.mark.parametrize("text", ["\x85" * 1000, "\u2028\u2029\n# a comment\n\x85", "\n\n  \u2029"])
def test_a_content_file_of_line_breaks_yaml_reads_and_editors_do_not_show_says_so(project: Path, text: str) -> None:
    # before: "content/figures.yaml:1:1: file is empty", though the file holds 1,000 characters
    (project / "content/figures.yaml").write_text(text, "utf-8")
    result = run_forked(project, "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "figures.yaml:1:1: file is empty" not in result.stderr, result.stderr
    first = next(i for i, ch in enumerate(text) if ch in "\x85\u2028\u2029")
    line, col = text.count("\n", 0, first) + 1, first - (text.rfind("\n", 0, first) + 1) + 1
    assert f"content/figures.yaml:{line}:{col}: file holds no YAML document, only" in result.stderr, result.stderr
    assert "U+0085" in result.stderr or "U+2028" in result.stderr or "U+2029" in result.stderr, result.stderr


def test_a_build_stopped_once_its_site_is_in_place_does_not_say_the_folder_was_left_as_it_was(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # before: an error after the swap (here: listing the kept files, as F3's crash did) ended with "the output
    # folder was left as it was" although the new site was in it
    import explainer.cli

    out = project / "_site"
    out.mkdir()
    (out / ".explainer-build.json").write_text('{"generator":"explainer","files":[]}', "utf-8")
    (out / "notes.txt").write_text("the editor's own\n", "utf-8")

    def broken(name: str) -> str:
        raise RuntimeError("a bug in the listing")

    monkeypatch.setattr(explainer.cli, "shown_name", broken)
    result = run_forked(project, "build")
    assert result.returncode == 1 and "a bug in the listing" in result.stderr, result.stderr
    assert "left as it was" not in result.stderr and "the new site is in place" in result.stderr, result.stderr
    assert (out / "en/index.html").exists() and (out / "notes.txt").exists()
