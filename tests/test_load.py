"""Stage 1: YAML loading keeps positions and turns syntax problems into located errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import REPO

from explainer.load import _FORBIDDEN, _READABLE_REFUSED, _UNPARSABLE, load_file, load_text


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


# --- refusals and positions --------------------------------------------------------------------


HOSTILE_DOCUMENTS = [
    "a: &x 1\nb: *x\n",
    "<<: {a: 1}\nb: 2\n",
    "a: !!python/object:os.system x\n",
    "a: 1\nb: 2\na: 3\nc: {a: 1, a: 2}\n",
    "? [a, b]\n: c\nd: e\n",
    "? {a: 1}\n: {b: *c, b: d}\ne: [1e400, 99999999999999999, .nan, 12, 1.5, true, null, ~, '3']\n",
    "a: \"\\u202e x \\x1b \\0\"\nb: '\\u202e'\nc: \\u202e\n",
    "- [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[x]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
    "a: 1\n---\nb: 2\n",
    "*a\n",
]


@pytest.mark.parametrize("text", HOSTILE_DOCUMENTS)
def test_what_is_not_plain_data_is_refused_at_its_place(text: str) -> None:
    _doc, problems = load_text(text, "x.yaml")
    assert problems, "each of these documents has something to refuse"
    assert all(p.path == "x.yaml" and p.line >= 1 and p.col >= 1 and p.hint for p in problems)


def test_the_real_content_loads_without_a_problem() -> None:
    for file in sorted((REPO / "content").glob("*.yaml")):
        doc, problems = load_file(file, file.name)
        assert doc is not None and not problems, file.name


def _at(text: str, needle: str, after: str = "") -> tuple[int, int]:
    """The line and column of ``needle`` (its first occurrence after ``after``)."""
    offset = text.index(needle, text.index(after) if after else 0)
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def test_positions_match_the_text() -> None:
    text = "# a comment\nevents:\n  - id: a\n    cite:\n      - {source: s, quote: 'نص', en: \"t\"}\n  - id: b\n"
    doc, problems = load_text(text, "content/events.yaml")
    assert doc is not None and not problems
    assert doc.where(("events", 0, "cite", 0, "quote")) == _at(text, "'نص'")
    assert doc.where(("events", 0, "cite", 0, "en"), key=True) == _at(text, "en:")
    assert doc.where(("events", 1, "id")) == _at(text, "b\n")
    assert doc.where(("events",), key=True) == (2, 1)
    assert doc.where(("events", 1)) == _at(text, "id: b")  # an item of a top-level list: its own start


def test_a_problem_in_a_large_file_is_located_at_its_line_and_column(tmp_path: Path) -> None:
    items = "".join(f'  - id: e{i}\n    title: {{ar: "ع {i}", en: "t {i}"}}\n' for i in range(2000))
    file = tmp_path / "events.yaml"
    text = "events:\n" + items.replace("  - id: e1500\n", "  - id: e1500\n    titel: x\n")
    file.write_text(text, "utf-8")
    doc, problems = load_file(file, "content/events.yaml")
    assert doc is not None and not problems
    assert doc.where(("events", 1500, "titel"), key=True) == _at(text, "titel") == (1 + 2 * 1500 + 2, 5)
    assert doc.where(("events", 1500, "titel")) == _at(text, "x\n", "titel")
    assert doc.where(("events", 1999, "title", "en")) == _at(text, '"t 1999"')


def test_refused_characters_are_found_wherever_they_are() -> None:
    # readable by YAML (found after parsing), unreadable (found before), written as an escape (found in the value)
    for text, where in [
        ("a: x\u202ey\n", (1, 5)),
        ("a: x\n# \u2066 in a comment\n", (2, 3)),
        ("a: x\x1b\n", (1, 5)),
        ("a: x\n---\nb: \x00\n", (3, 4)),  # after a second document, where reading stops
        ('a: "x\\u202ey"\n', (1, 4)),
        ('a: "x\\x85y"\n', (1, 4)),
    ]:
        _, problems = load_text(text, "x.yaml")
        refused = [p for p in problems if p.message.startswith("text contains")]
        assert [(p.line, p.col) for p in refused] == [where], (text, problems)
    # an escape written in text that has no escapes is just text
    doc, problems = load_text("a: '\\u202e'\nb: \\x1b\n", "x.yaml")
    assert doc is not None and not problems and doc.data == {"a": "\\u202e", "b": "\\x1b"}


def test_the_characters_yaml_reads_are_the_refused_ones_it_does_not_refuse() -> None:
    readable = {chr(c) for c in range(0x10000) if _FORBIDDEN.match(chr(c)) and not _UNPARSABLE.match(chr(c))}
    assert readable == set(_READABLE_REFUSED)


def test_a_file_with_a_byte_order_mark_is_read_as_its_text(tmp_path: Path) -> None:
    text = "a:\n  - نص\n  - 'x'\nb: \u202e\n"
    file = tmp_path / "x.yaml"
    file.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    from_file = load_file(file, "x.yaml")
    from_text = load_text(text, "x.yaml")
    assert from_file[1] == from_text[1] and len(from_file[1]) == 1
    assert from_file[0] is not None and from_text[0] is not None
    assert from_file[0].data == from_text[0].data
    assert from_file[0].where(("a", 1)) == from_text[0].where(("a", 1)) == (3, 5)


def test_a_process_forked_while_the_cyclic_gc_is_paused_runs_it() -> None:
    """A worker forked while another thread of the preview has paused the cyclic GC (the window after a save) would keep
    it off for good: no thread of it ends that pause."""
    import gc
    import os

    from explainer.load import pause_cycles

    end = pause_cycles()
    try:
        assert not gc.isenabled()
        pid = os.fork()
        if pid == 0:  # the child: the collector runs, and a pause of its own ends
            ok = gc.isenabled()
            mine = pause_cycles()
            ok = ok and not gc.isenabled()
            mine()
            os._exit(0 if ok and gc.isenabled() else 1)
        _pid, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        assert not gc.isenabled()  # the parent's pause goes on
    finally:
        end()
    assert gc.isenabled()
