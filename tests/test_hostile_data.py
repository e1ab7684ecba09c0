"""Hostile data (review s2): no input in content/, seeds/, static/, locales/ or schemas/ may hang a
command, take unbounded memory, or end in a traceback instead of a located error.

Each test reproduces one attack of the review on a small project; a test of something that used to
hang runs the real command in a subprocess with a time-out and asserts that it finished.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import edit, run_cli

EVENT_TITLE = "title: {ar: الغزو الأمريكي للعراق, en: The US invades Iraq}"


def _at(file: Path, needle: str) -> str:
    """``line:col`` of the first ``needle`` in ``file``."""
    text = file.read_text("utf-8")
    at = text.index(needle)
    return f"{text.count(chr(10), 0, at) + 1}:{at - text.rfind(chr(10), 0, at)}"


def _no_traceback(result: object) -> None:
    stderr = getattr(result, "stderr", "")
    assert "Traceback" not in stderr, stderr
    assert getattr(result, "returncode", None) == 1, stderr


# --- content/style.yaml (attacks 23, 24) ------------------------------------------------------------


def test_a_style_rule_that_would_backtrack_for_ever_is_refused_at_the_rule(project: Path) -> None:
    rules = 'en: ["^(?:a|aa)+$", "' + "(?:a|aa)?" * 7 + '"]'
    edit(project / "content/style.yaml", lambda s: s.replace('en: ["\\\\bnext year\\\\b"]', rules))
    edit(project / "content/events.yaml", lambda s: s.replace(EVENT_TITLE, "title: {ar: الغزو الأمريكي للعراق, en: " + "a" * 60 + "!}"))
    result = run_cli(project, "check", timeout=60)  # before: catastrophic backtracking, ~fib(60) steps
    _no_traceback(result)
    style = project / "content/style.yaml"
    nested, optional = _at(style, '"^(?:a|aa)+$'), _at(style, '"(?:a|aa)?')
    assert f"content/style.yaml:{nested}: a repeat without a small upper bound" in result.stderr, result.stderr
    assert f"content/style.yaml:{optional}: the rule has more than 1,000 ways to match" in result.stderr
    assert "2 errors found" in result.stderr


def test_a_prefer_that_names_a_missing_group_is_located(project: Path) -> None:
    edit(project / "content/style.yaml", lambda s: s.replace('prefer: "ISIS"', 'prefer: "\\\\9"'))
    edit(project / "content/events.yaml", lambda s: s.replace(EVENT_TITLE, "title: {ar: الغزو الأمريكي للعراق, en: Daesh}"))
    result = run_cli(project, "check")
    _no_traceback(result)
    style = project / "content/style.yaml"
    at = _at(style, '"\\\\9"')
    message = "'prefer' is not a valid replacement for this rule: invalid group reference 9"
    assert f"content/style.yaml:{at}: {message}" in result.stderr, result.stderr


# --- the report itself (attack 43) ------------------------------------------------------------------


def test_a_newline_in_a_schema_description_cannot_spoof_a_line_of_the_report(project: Path) -> None:
    schema = project / "schemas/figures.schema.json"
    fake = "built 555 files (80 pages) into _site in 1.21 s"
    body = json.loads(schema.read_text("utf-8"))
    body["properties"]["figures"]["items"]["properties"]["reviewed"]["description"] = f"use 8 hex digits\n\n{fake}"
    schema.write_text(json.dumps(body), "utf-8")
    edit(project / "content/figures.yaml", lambda s: s.replace("    value: 2500\n", '    value: 2500\n    reviewed: "zz"\n', 1))
    result = run_cli(project, "build")
    _no_traceback(result)
    assert fake in result.stderr, result.stderr
    assert not any(line.startswith("built") for line in result.stderr.splitlines() + result.stdout.splitlines()), result.stderr


# --- content/geo.json (attacks 29, 30) --------------------------------------------------------------


def test_a_map_file_with_many_bad_shapes_is_reported_in_time_with_its_first_problems(project: Path) -> None:
    shapes = ",\n".join(f'{{"id": "c{i}", "name": "n", "rings": [[1, 2]]}}' for i in range(60_000))
    geo = project / "content/geo.json"
    geo.write_text(f'{{"source": "s", "licence": "l",\n"countries": [\n{shapes}\n],\n"regions": []}}\n', "utf-8")
    result = run_cli(project, "check", timeout=60)  # before: each problem scanned the whole file (over 120 s)
    _no_traceback(result)
    assert "content/geo.json:3:1: countries 'c0': a ring is not a list" in result.stderr, result.stderr
    assert "content/geo.json:4:1: countries 'c1': a ring is not a list" in result.stderr
    assert "content/geo.json:1:1: 59,901 more problems in this file are not described (the first 99 are)" in result.stderr
    assert "content/geo.json: " not in result.stderr  # all that was collected is shown


def test_a_map_file_that_is_not_utf8_or_nested_too_deeply_is_located(project: Path) -> None:
    geo = project / "content/geo.json"
    geo.write_bytes(b'{"source": "x\n\xff"}')
    result = run_cli(project, "check")
    _no_traceback(result)
    assert "content/geo.json:2:1: not valid UTF-8 (byte 0xff)" in result.stderr, result.stderr
    geo.write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    result = run_cli(project, "check")
    _no_traceback(result)
    assert "content/geo.json:1:1: nested too deeply to read" in result.stderr, result.stderr


def test_a_map_file_over_the_size_limit_is_refused_unread(project: Path) -> None:
    with (project / "content/geo.json").open("ab") as fh:
        fh.truncate(65 * 2**20)  # a sparse file: 65 MB of NUL bytes after the JSON
    result = run_cli(project, "check")
    _no_traceback(result)
    assert "content/geo.json:1:1: file is too large (65 MB; at most 64 MB)" in result.stderr, result.stderr


# --- UI catalogs (attacks 2, 3, 14, 39) -------------------------------------------------------------

CATALOG = "locales/en/LC_MESSAGES/messages.po"
PLURALS = '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"'
CHARSET = "charset=utf-8"


def _catalog_case(project: Path, old: str, new: str, expected: str) -> str:
    po = project / CATALOG
    edit(po, lambda s: s.replace(old, new, 1))
    result = run_cli(project, "build", timeout=60)
    _no_traceback(result)
    line = po.read_text("utf-8").split("\n").index(new.split("\n")[0]) + 1
    assert f"{CATALOG}:{line}:1: malformed catalog: {expected}" in result.stderr, result.stderr
    return result.stderr


def test_a_huge_number_of_plural_forms_is_refused_before_it_takes_memory(project: Path) -> None:
    # before: Babel made 400 million msgstr slots for the one plural entry (6 GB after 2 minutes)
    _catalog_case(project, PLURALS, PLURALS.replace("nplurals=2", "nplurals=400000000"), "Plural-Forms declares 400,000,000 plural forms")


def test_a_malformed_plural_expression_is_located(project: Path) -> None:
    _catalog_case(project, PLURALS, PLURALS.replace("(n != 1);", "(n != 1;"), "the plural expression is not valid")
    edit(project / CATALOG, lambda s: s.replace("(n != 1;", "(n != 1);", 1))
    assert run_cli(project, "check").returncode == 0  # put back, the catalog builds again


def test_an_unknown_charset_is_located_and_its_escapes_shown_escaped(project: Path) -> None:
    edit(project / CATALOG, lambda s: s.replace(CHARSET, "charset=bogus-enc", 1))
    result = run_cli(project, "build")
    _no_traceback(result)
    assert f"{CATALOG}:17:1: malformed catalog: the header names the charset «bogus-enc»" in result.stderr, result.stderr
    edit(project / CATALOG, lambda s: s.replace("charset=bogus-enc", "charset=\x1b[2J\x1b[H\x1b[32mbuilt-ok\x1b[8m", 1))
    result = run_cli(project, "build")
    _no_traceback(result)
    assert "\x1b" not in result.stderr + result.stdout
    assert "the header names the charset «\\u001b[2J\\u001b[H\\u001b[32mbuilt-ok\\u001b[8m»" in result.stderr, result.stderr


# --- static/ (attack 1) -----------------------------------------------------------------------------


def test_a_stylesheet_that_is_not_utf8_is_located(project: Path) -> None:
    css = project / "static/style.css"
    lines = css.read_bytes().count(b"\n")
    with css.open("ab") as fh:
        fh.write(b"body{}\n/* \xff\xfe bad */\n")
    for command in ("build", "check"):
        result = run_cli(project, command)
        _no_traceback(result)
        assert f"static/style.css:{lines + 2}:4: stylesheet is not valid UTF-8 (byte 0xff)" in result.stderr, result.stderr
