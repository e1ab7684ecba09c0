"""Review s7: what a cloned repository can make the preview read, publish from a shipped output folder, or make
a number, a line end or a path too long do; each is the input's located error."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, make_project, run_forked
from test_serve import Server, _status, wait_until


def _link_to_a_device_or_pipe(project: Path, tmp_path: Path, how: str) -> str:
    """Put into ``project`` an input that reading would never finish (or would read the terminal): its path."""
    if how == "zero":  # a source's file, so the build reads it (an unlisted seed is never read)
        (project / "seeds/005_zero.txt").symlink_to("/dev/zero")
        sources = project / "content/sources.yaml"
        sources.write_text(sources.read_text("utf-8").replace("file: 003_d62c7aa82ec35e7c.txt", "file: 005_zero.txt", 1), "utf-8")
        return "seeds/005_zero.txt"
    if how == "fifo outside":
        os.mkfifo(tmp_path / "fifo")
        (project / "static/pipe.txt").symlink_to(tmp_path / "fifo")
        return "static/pipe.txt"
    if how == "fifo inside":
        os.mkfifo(project / "static/pipe.txt")
        return "static/pipe.txt"
    (project / "static/in.txt").symlink_to("/dev/stdin")
    return "static/in.txt"


@pytest.mark.parametrize("how", ["zero", "fifo outside", "fifo inside", "stdin"])
def test_the_preview_starts_and_shows_the_refusal_of_a_link_to_a_device_or_a_pipe(tmp_path: Path, how: str) -> None:
    # before: serve hashed every input by opening it: /dev/zero was read until memory ran out (here: a MemoryError,
    # not located), and a pipe or the terminal's input blocked it before it listened
    project = make_project(tmp_path / "site")
    where = _link_to_a_device_or_pipe(project, tmp_path, how)
    running = Server(project, stdin=subprocess.PIPE, memory=1_500_000_000)
    try:
        wait_until(running.listening, 30, "the preview to listen")
        assert running.proc.poll() is None, running.stop()
        wait_until(lambda: _status(running) is not None, 30, "the first build's status")
        status = _status(running)
        assert status["ok"] is False and [e["path"] for e in status["errors"]] == [where], status
        assert "outside the project" in status["errors"][0]["message"] or "not a regular file" in status["errors"][0]["message"]
        (project / where).unlink()  # the editor removes it: the preview builds again, and the refusal is gone
        if how == "zero":
            (project / where).write_text("نص\n", "utf-8")
        wait_until(lambda: all(e["path"] != where for e in (_status(running) or {"errors": [{"path": where}]})["errors"]), 30, "a rebuild")
    finally:
        output = running.stop()
    assert "did not expect" not in output and "could not locate" not in output and "Traceback" not in output, output


def test_a_build_names_every_file_it_kept_from_the_output_folder_that_it_did_not_write(project: Path) -> None:
    # before: a repository shipping _site/ with a forged manifest and _site/evil.html (a script) built "ok", silently
    # publishing evil.html at the site's root, outside the static/ rule of _headers that sandboxes such files
    out = project / "_site"
    out.mkdir()
    (out / ".explainer-build.json").write_text('{"generator":"explainer","files":[]}', "utf-8")
    (out / "evil.html").write_text("<script>alert(document.domain)</script>\n", "utf-8")
    (out / "CNAME").write_text("example.org\n", "utf-8")
    first = run_forked(project, "build")
    assert first.returncode == 0, first.stderr
    (out / "en/x.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>", "utf-8")
    (out / "drafts\n  index.html").mkdir()  # a name that tries to pass for more lines of the list
    again = run_forked(project, "build")
    assert again.returncode == 0, again.stderr
    heading = "kept in _site as they were, not written by the build (a repository can ship them: delete what you did not put there):"
    assert first.stdout.splitlines()[1:] == [heading, "  CNAME", "  evil.html"], first.stdout
    assert again.stdout.splitlines()[1:] == [heading, "  CNAME", "  drafts\\n  index.html/", "  en/x.svg", "  evil.html"], again.stdout
    assert (out / "evil.html").is_file() and (out / "en/x.svg").is_file()  # still the editor's to keep
    clean = make_project(project.parent / "clean")
    assert "kept" not in run_forked(clean, "build").stdout


LONG = "1" * 5000
"""An integer longer than Python converts from text (4,300 digits by default)."""


def test_a_number_too_long_to_read_in_the_map_file_is_a_located_error(project: Path) -> None:
    # before: "build stopped on an error it did not expect (ValueError: Exceeds the limit (4300 digits) …)"
    geo = (REPO / "content/geo.json").read_text("utf-8")
    geo = geo.replace('"clip":[33.4,', f'"note":"{LONG}", "scale":{LONG}.5, "clip":[\n  {LONG},', 1)  # (a text or a decimal: no limit)
    (project / "content/geo.json").write_text(geo, "utf-8")
    line = geo[: geo.index(f"  {LONG},")].count("\n") + 1
    for command in ("check", "build"):
        result = run_forked(project, command)
        assert result.returncode == 1 and "did not expect" not in result.stderr, result.stderr
        assert f"content/geo.json:{line}:3: a number with more than 4,300 digits (5,000)\n" in result.stderr, result.stderr
        assert "hint: regenerate the file" in result.stderr


def test_a_number_too_long_to_read_in_a_schema_is_a_located_error(project: Path) -> None:
    # before: the same "error it did not expect" (schemas are code, but a broken schema is a located error)
    schema = project / "schemas/figures.schema.json"
    text = schema.read_text("utf-8").replace('"minItems": 1,', f'"minItems": {LONG},', 1)
    schema.write_text(text, "utf-8")
    line = text[: text.index(LONG)].count("\n") + 1
    col = text.index(LONG) - text.rfind("\n", 0, text.index(LONG))
    for command in ("check", "build"):
        result = run_forked(project, command)
        assert result.returncode == 1 and "did not expect" not in result.stderr, result.stderr
        assert f"schemas/figures.schema.json:{line}:{col}: a number with more than 4,300 digits (5,000)\n" in result.stderr, result.stderr


@pytest.mark.parametrize("file", ["content/events.yaml", "content/pages.yaml"])
def test_review_of_a_file_with_lone_cr_line_ends_marks_each_item_in_place(tmp_path: Path, file: str) -> None:
    # before: every "reviewed:" line went to the end of the file (to the last item), which check then refused
    # as duplicate keys, and review said each item was marked
    lf, cr = make_project(tmp_path / "lf"), make_project(tmp_path / "cr")
    (cr / file).write_bytes((lf / file).read_bytes().replace(b"\n", b"\r"))
    for project in (lf, cr):
        result = run_forked(project, "review", file)
        assert result.returncode == 0 and result.stdout.count("marked as reviewed") >= 3, result.stderr
    assert (lf / file).read_bytes().count(b"reviewed:") == result.stdout.count("marked as reviewed")
    assert (cr / file).read_bytes() == (lf / file).read_bytes().replace(b"\n", b"\r")  # every other byte kept, its line ends too
    checked = run_forked(cr, "check")
    assert checked.returncode == 0, checked.stderr
    assert not [line for line in checked.stdout.splitlines() if f"{file}:" in line and "unreviewed" in line], checked.stdout


def _deep_file(folder: Path, total: int) -> str:
    """A file below ``folder`` in folders of 200-byte names, its absolute path ``total`` bytes long (more than
    the system opens, if asked): made through folder descriptors. Its path below the project."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    parts, length = [], len(os.fsencode(folder))
    try:
        while length + 201 + 10 < total:
            os.mkdir("d" * 200, dir_fd=fd)
            fd, old = os.open("d" * 200, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd), fd
            os.close(old)
            parts.append("d" * 200)
            length += 201
        name = "f" * (total - length - 1 - 4) + ".css"
        os.close(os.open(name, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd))
    finally:
        os.close(fd)
    return "/".join(["static", *parts, name])


@pytest.mark.parametrize("total", [4080, 4400])
def test_a_static_file_whose_path_is_too_long_is_an_error_at_it_that_says_so(project: Path, total: int) -> None:
    # before, 4,400 bytes: "cannot read file: File name too long" with the hint "give yourself read permission (chmod u+r …)";
    # 4,080 bytes: read, then the build blamed the output folder ("output folder cannot be written: File name too long")
    rel = _deep_file(project / "static", total)
    for command in ("check", "build"):
        result = run_forked(project, command)
        assert result.returncode == 1 and "did not expect" not in result.stderr, result.stderr
        assert "output folder" not in result.stderr and "chmod" not in result.stderr, result.stderr
        if total < 4096:  # it can be read: its published path (in the output folder's staging folder) could not be written
            message = f"the file's published path would be {len(rel) + 11:,} bytes long (static/, its folders and its name); at most 1,024"
            assert f"{rel}:1:1: {message}\n" in result.stderr, result.stderr
        else:
            (line,) = [x for x in result.stderr.splitlines() if "its path is" in x]
            assert line.startswith("static/d") and rel.startswith(line.split(":")[0]), line
            assert line.endswith(" bytes long; the system opens paths of at most 4,095"), line
        assert "hint: shorten the names of the folders it is in, or keep it fewer folders deep" in result.stderr
    assert not (project / "_site").exists()
