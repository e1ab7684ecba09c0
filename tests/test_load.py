"""Stage 1: YAML loading keeps positions and turns syntax problems into located errors."""

from __future__ import annotations

from pathlib import Path

from explainer.load import load_file, load_text


def test_positions_of_keys_and_values_are_kept() -> None:
    doc, problems = load_text("events:\n  - id: a\n    title:\n      ar: نص\n", "content/events.yaml")
    assert not problems and doc is not None
    assert doc.where(("events", 0, "title", "ar")) == (4, 11)
    assert doc.where(("events", 0, "id"), key=True) == (2, 5)
    # a path that does not exist falls back to its nearest located ancestor
    assert doc.where(("events", 0, "missing")) == (2, 5)


def test_dates_stay_text_and_numbers_stay_numbers() -> None:
    doc, _ = load_text("a: 2024-01-27\nb: 2500\nc: '2017'\nd: 33.5\ne: true\n", "x.yaml")
    assert doc is not None
    assert doc.data == {"a": "2024-01-27", "b": 2500, "c": "2017", "d": 33.5, "e": True}


def test_duplicate_keys_are_reported_at_the_second_key() -> None:
    _, problems = load_text("id: a\ntitle: x\nid: b\n", "content/x.yaml")
    assert [(p.line, p.col) for p in problems] == [(3, 1)]
    assert "duplicate key 'id'" in problems[0].message and "line 1" in problems[0].message


def test_tab_indentation_is_named_as_such() -> None:
    _, problems = load_text("events:\n\t- id: a\n", "content/events.yaml")
    assert len(problems) == 1
    assert problems[0].line == 2
    assert "tab" in problems[0].message and "spaces" in problems[0].hint


def test_empty_and_comment_only_files(tmp_path: Path) -> None:
    for text in ("", "   \n", "# only a comment\n"):
        _, problems = load_text(text, "content/x.yaml")
        assert [(p.line, p.col, p.message) for p in problems] == [(1, 1, "file is empty")]


def test_undecodable_file_names_line_and_column(tmp_path: Path) -> None:
    f = tmp_path / "x.yaml"
    f.write_bytes("a: 1\nb: نص\xff".encode("utf-8", "surrogateescape").replace(b"\xc3\xbf", b"\xff"))
    _, problems = load_file(f, "content/x.yaml")
    assert len(problems) == 1
    assert problems[0].line == 2 and "UTF-8" in problems[0].message


def test_syntax_error_is_located() -> None:
    _, problems = load_text("a: [1, 2\nb: 3\n", "content/x.yaml")
    assert len(problems) == 1 and problems[0].path == "content/x.yaml" and problems[0].line >= 1
    assert problems[0].message.startswith("YAML syntax error")
