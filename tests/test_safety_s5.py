"""Review s5, attacks 10 to 12: what reaches the terminal and what names the output cannot hold are the input's errors."""

from __future__ import annotations

from pathlib import Path

from conftest import line_col, run_cli

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
