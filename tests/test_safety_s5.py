"""Review s5, attacks 10 to 12: what reaches the terminal and what names the output cannot hold are the input's errors."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import line_col, make_project, run_cli, run_forked

ESCAPED_KEY = '  "\\e]0;PWNED-TITLE\\a\\e[31mRED\\e[0m":\n    title:\n      ar: نص\n      en: text\n'


def test_an_escape_in_a_double_quoted_key_is_refused_and_review_prints_nothing_raw(project: Path) -> None:
    # before: review rewrote the file and printed the key raw (setting the terminal's title and colours)
    pages = project / "content/pages.yaml"
    pages.write_text(pages.read_text("utf-8") + ESCAPED_KEY, "utf-8")
    where = line_col(pages, '"\\e]0;')
    for args in (("review", "content/pages.yaml"), ("check",)):
        result = run_cli(project, *args)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert "\x1b" not in result.stdout + result.stderr and "\x07" not in result.stdout + result.stderr
        assert f"content/pages.yaml:{where}: " in result.stderr, result.stderr
    assert pages.read_text("utf-8").endswith(ESCAPED_KEY)  # review wrote nothing


def test_a_content_file_name_that_is_not_utf8_is_a_located_error_in_the_preview(tmp_path: Path) -> None:
    # before: "serve stopped on an error it did not expect (UnicodeEncodeError …)": the status could not be written
    from test_serve import Server, _status, wait_until

    project = make_project(tmp_path / "site")
    (project / "content").joinpath(os.fsdecode(b"\xff\x1b[31m.yaml")).write_bytes(b"")
    running = Server(project)
    try:
        wait_until(running.listening, 30, "the preview to listen")
        assert running.proc.poll() is None, running.stop()
        wait_until(lambda: _status(running) is not None, 30, "the preview to serve its status")
        (error,) = _status(running)["errors"]
        assert error["path"] == "content/\\udcff\\u001b[31m.yaml" and error["line"] == 1, error
        assert "unknown content file" in error["message"] and error["hint"]
    finally:
        output = running.stop()
    assert "did not expect" not in output and "\x1b" not in output, output
    assert "content/\\udcff\\u001b[31m.yaml:1:1: unknown content file" in output, output


def test_a_static_file_whose_published_name_is_too_long_is_refused_by_check(project: Path) -> None:
    # before: check passed, and build blamed the output folder ("File name too long … choose another --out folder")
    name = "a" * 250 + ".css"
    (project / "static" / name).write_text("p {}\n", "utf-8")
    for command in ("check", "build"):
        result = run_forked(project, command)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert f"static/{name}:1:1: the file's published name would be 265 bytes long" in result.stderr, result.stderr
        assert "rename it to at most 244 bytes" in result.stderr and "output folder" not in result.stderr


def test_a_page_id_or_alias_too_long_for_a_folder_name_is_refused_by_check(project: Path) -> None:
    # before: check passed, and build blamed the output folder ("File name too long")
    long_id, long_alias = "a" * 300, "b" * 260
    pages = project / "content/pages.yaml"
    entry = f"  {long_id}:\n    title: {{ar: نص, en: text}}\n    body: {{ar: نص, en: text}}\n    menu: footer\n"
    entry += (
        f"  short-page:\n    title: {{ar: نص, en: text}}\n    body: {{ar: نص, en: text}}\n    menu: footer\n    aliases: [{long_alias}]\n"
    )
    pages.write_text(pages.read_text("utf-8") + entry, "utf-8")
    result = run_forked(project, "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"content/pages.yaml:{line_col(pages, long_id)}: page id 'aaaa" in result.stderr, result.stderr
    assert "is too long for an address (300 characters; an id may have at most 64)" in result.stderr
    assert f"content/pages.yaml:{line_col(pages, long_alias)}: alias 'bbbb" in result.stderr, result.stderr
    assert "(260 characters; an id may have at most 64)" in result.stderr and "output folder" not in result.stderr
