"""Text that hides: line breaks other than LF, invisible characters, and mistakes that hide other mistakes.

An error is reported at the line and column an editor sees, whatever the file's line ends (CR only,
CRLF) and whatever line separators YAML reads as line breaks (U+2028, U+2029, NEL). Characters that
cannot be seen (zero-width space, word joiner, soft hyphen, a byte-order mark inside the text, tag
characters) are refused by name, and so is a text made only of invisible marks. One run reports
everything: a refused character, a schema error or a broken map does not hide the other errors.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from explainer.errors import BuildError, Problem
from explainer.project import Project
from explainer.site import check

FIG = "content/figures.yaml"
EV = "content/events.yaml"


def problems(root: Path) -> tuple[Problem, ...]:
    with pytest.raises(BuildError) as info:
        check(Project(root))
    return info.value.problems


def place(text: str, needle: str) -> tuple[int, int]:
    at = text.index(needle)
    start = max(text.rfind("\n", 0, at), text.rfind("\r", 0, at)) + 1
    return len(re.findall("\r\n|\r|\n", text[:at])) + 1, at - start + 1


CR_CASES = {
    "schema": ("value: 2500", "value: many", "many", "expected a number"),
    "character": ("US troops in Iraq", "US troops \u202ein Iraq", "\u202e", "U+202E"),
    "syntax": ("places: [baghdad]", "places: [baghdad", "    cite:", "YAML syntax error"),
}


@pytest.mark.parametrize("case", list(CR_CASES))
@pytest.mark.parametrize("ends", ["\r", "\r\n"], ids=["CR", "CRLF"])
def test_a_file_with_cr_line_ends_is_located_at_its_lines(project: Path, case: str, ends: str) -> None:
    old, new, needle, says = CR_CASES[case]
    name = "content/plan.yaml" if case == "syntax" else FIG
    file = project / name
    text = file.read_text("utf-8").replace(old, new, 1).replace("\n", ends)
    file.write_bytes(text.encode("utf-8"))
    line, col = place(text, needle)
    assert line > 2
    hits = [p for p in problems(project) if p.path == name and says in p.message]
    assert hits and hits[0].line == line and (case == "syntax" or hits[0].col == col), (line, col, problems(project))


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"], ids=["U+2028", "U+2029", "NEL"])
def test_a_line_separator_is_refused_by_name_and_shifts_no_line(project: Path, separator: str) -> None:
    file = project / FIG
    text = file.read_text("utf-8")
    text = f"# figures{separator}of the site\n" + text.replace("value: 2500", "value: many")
    file.write_text(text, "utf-8")
    found = problems(project)
    named = [p for p in found if p.path == FIG and f"U+{ord(separator):04X}" in p.message]
    assert [(p.line, p.col) for p in named] == [(1, 10)], found
    wrong = [p for p in found if p.path == FIG and "expected a number" in p.message]
    assert [(p.line, p.col) for p in wrong] == [place(text, "many")], found
    assert not [p for p in found if "document start" in p.message]


INVISIBLE = ["\u200b", "\u2060", "\u00ad", "\ufeff", "\U000e0041", "\u180e"]


@pytest.mark.parametrize("char", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
def test_invisible_characters_are_refused_by_name_where_they_are(project: Path, char: str) -> None:
    file = project / FIG
    text = file.read_text("utf-8").replace("US troops in Iraq", f"US troops{char} in Iraq", 1)
    file.write_text(text, "utf-8")
    found = [p for p in problems(project) if f"U+{ord(char):04X}" in p.message]
    assert [(p.path, p.line, p.col) for p in found] == [(FIG, *place(text, char))]


@pytest.mark.parametrize("only", ["\u200b\u200b", "\u200f", " \u200c\u200d "], ids=["zero-width-spaces", "RLM", "joiners"])
def test_a_title_of_invisible_characters_only_is_refused(project: Path, only: str) -> None:
    file = project / EV
    text = file.read_text("utf-8").replace("en: The US invades Iraq", f'en: "{only}"', 1)
    file.write_text(text, "utf-8")
    found = [p for p in problems(project) if p.path == EV and p.line == place(text, only)[0]]
    assert found, problems(project)


def test_a_refused_character_does_not_hide_the_file_s_other_errors(project: Path) -> None:
    file = project / EV
    text = (
        file.read_text("utf-8")
        .replace("The US invades Iraq", "The US \u202einvades Iraq", 1)
        .replace("places: [baghdad]", "places: [bagdad]", 1)
    )
    file.write_text(text, "utf-8")
    found = problems(project)
    assert any("U+202E" in p.message for p in found)
    assert any(p.path == EV and "unknown place 'bagdad'" in p.message for p in found), found


def test_a_schema_error_does_not_hide_the_file_s_reference_errors(project: Path) -> None:
    file = project / EV
    text = file.read_text("utf-8").replace("status: occurred", "status: ocurred", 1).replace("places: [baghdad]", "places: [bagdad]", 1)
    file.write_text(text, "utf-8")
    found = problems(project)
    assert any(p.path == EV and "'ocurred' is not allowed here" in p.message for p in found)
    assert any(p.path == EV and "unknown place 'bagdad'" in p.message for p in found), found


def test_a_broken_map_is_reported_beside_content_errors(project: Path) -> None:
    (project / "content/geo.json").write_text('{"source": "x", "licence": ', "utf-8")
    file = project / FIG
    file.write_text(file.read_text("utf-8").replace("value: 2500", "value: many"), "utf-8")
    found = problems(project)
    assert any(p.path == FIG for p in found)
    assert any(p.path == "content/geo.json" and "not valid JSON" in p.message for p in found), found
