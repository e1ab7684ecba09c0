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
