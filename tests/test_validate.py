"""Stage 2: schema, references, dates and quotes — every problem located, all reported at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import edit

from explainer.errors import BuildError
from explainer.validate import Project, load_model


def problems_of(root: Path) -> list[str]:
    with pytest.raises(BuildError) as info:
        load_model(Project(root))
    return [p.format() for p in info.value.problems]


def test_fixture_is_valid_and_events_are_sorted(project: Path) -> None:
    model = load_model(Project(project))
    assert [e.id for e in model.events] == ["invasion", "first-round", "phase-one-deadline"]
    assert model.events[2].date.qualifier == "by" and model.events[2].date.iso == "2025-09"


def test_missing_source_language_is_an_error_at_the_field_a_missing_translation_is_not(project: Path) -> None:
    edit(
        project / "content/events.yaml",
        lambda s: s.replace("title: {ar: الغزو الأمريكي للعراق, en: The US invades Iraq}", "title: {ar: الغزو الأمريكي للعراق}"),
    )
    load_model(Project(project))  # no problem
    edit(project / "content/events.yaml", lambda s: s.replace("title: {ar: الغزو الأمريكي للعراق}", "title: {en: The US invades Iraq}"))
    (msg,) = problems_of(project)
    assert msg.startswith("content/events.yaml:5:12: title: the Arabic text ('ar') is missing")
    assert "hint: add 'ar:' with the Arabic text" in msg


def test_unknown_key_suggests_the_right_one(project: Path) -> None:
    edit(
        project / "content/events.yaml",
        lambda s: s.replace("    status: occurred\n    title: {ar: الغزو", "    status: occurred\n    tilte: x\n    title: {ar: الغزو", 1),
    )
    (msg,) = problems_of(project)
    assert msg.startswith("content/events.yaml:5:5: events[1]: unknown key 'tilte'")
    assert "did you mean 'title'?" in msg


def test_all_errors_in_all_files_are_reported_in_one_run(project: Path) -> None:
    edit(project / "content/events.yaml", lambda s: s.replace('date: "2003-03"', 'date: "2003-13"'))
    edit(project / "content/figures.yaml", lambda s: s.replace("value: 2500", "value: many"))
    edit(project / "content/questions.yaml", lambda s: s.replace("source: joint", "source: jiont"))
    edit(
        project / "content/plan.yaml",
        lambda s: s.replace("التحالف سيواصل عمليته العسكرية في سوريا", "التحالف سيواصل عمليته العسكرية في ليبيا"),
    )
    msgs = problems_of(project)
    assert len(msgs) == 4, msgs
    joined = "\n".join(msgs)
    assert "content/events.yaml:3:11: impossible date '2003-13'" in joined
    assert "content/figures.yaml:3:12: figures[1].value: expected a number, found text" in joined
    assert "content/questions.yaml:6:18: unknown source 'jiont'" in joined and "did you mean 'joint'?" in joined
    assert "content/plan.yaml:14:" in joined and "quote not found in source 'joint'" in joined


def test_quote_matching_ignores_only_the_allowed_differences(project: Path) -> None:
    # tatweel, diacritics, alef forms and other quotation marks still match
    edit(project / "content/figures.yaml", lambda s: s.replace("يناهز عددها 2500 جندي", "يُناهـز  عددها 2500 جُندي"))
    load_model(Project(project))
    # a changed number does not
    edit(project / "content/figures.yaml", lambda s: s.replace("2500 جُندي", "3500 جُندي"))
    (msg,) = problems_of(project)
    assert "quote not found" in msg


def test_duplicate_ids_on_one_page(project: Path) -> None:
    # statements and the glossary share the people page, so their ids share its anchors
    edit(project / "content/statements.yaml", lambda s: s.replace("id: miller-meeting", "id: miller"))
    (msg,) = problems_of(project)
    assert msg.startswith("content/statements.yaml:2:9: duplicate id 'miller' (first used at content/glossary.yaml:2)")
    # items on different pages may share an id
    edit(project / "content/statements.yaml", lambda s: s.replace("id: miller", "id: invasion"))
    load_model(Project(project))


def test_unknown_reference_and_missing_seed(project: Path) -> None:
    edit(project / "content/events.yaml", lambda s: s.replace("places: [baghdad]", "places: [bagdad]"))
    edit(project / "content/sources.yaml", lambda s: s.replace("003_d62c7aa82ec35e7c.txt", "003_missing.txt"))
    joined = "\n".join(problems_of(project))
    assert "unknown place 'bagdad'" in joined and "did you mean 'baghdad'?" in joined
    assert "content/sources.yaml:23:11: source file seeds/003_missing.txt does not exist" in joined


def test_chrome_lines_cannot_be_cited(project: Path) -> None:
    edit(
        project / "content/figures.yaml",
        lambda s: s.replace('quote: "التي يناهز عددها 2500 جندي ضمن قوات التحالف"', 'quote: "About Post Author"').replace(
            "source: joint", "source: masalla"
        ),
    )
    (msg,) = problems_of(project)
    assert "page chrome" in msg


def test_citation_points_at_the_paragraph_and_characters(project: Path) -> None:
    model = load_model(Project(project))
    cite = model.figures[0].cite[0]
    source = next(s for s in model.sources if s.id == cite.source)
    para = next(p for p in source.paragraphs if p.line == cite.line)
    assert para.text[cite.start : cite.end] == "التي يناهز عددها 2500 جندي ضمن قوات التحالف"


def test_after_orders_a_year_only_event_without_inventing_a_month(project: Path) -> None:
    # a year-only event normally sorts before the months of its year
    edit(project / "content/events.yaml", lambda s: s.replace('date: "2025-09"', 'date: "2024"'))
    assert [e.id for e in load_model(Project(project)).events][1] == "phase-one-deadline"
    edit(project / "content/events.yaml", lambda s: s.replace('date: "2024"\n', 'date: "2024"\n    after: first-round\n'))
    assert [e.id for e in load_model(Project(project)).events] == ["invasion", "first-round", "phase-one-deadline"]


def test_after_errors(project: Path) -> None:
    edit(project / "content/events.yaml", lambda s: s.replace('    date: "2003-03"\n', '    date: "2003-03"\n    after: first-round\n'))
    (msg,) = problems_of(project)
    assert msg.startswith("content/events.yaml:4:12: 'invasion' (2003-03) cannot follow 'first-round' (2024-01-27)")
    edit(project / "content/events.yaml", lambda s: s.replace("after: first-round", "after: frist-round"))
    (msg,) = problems_of(project)
    assert "unknown event 'frist-round'" in msg
    edit(project / "content/events.yaml", lambda s: s.replace("after: frist-round", "after: invasion"))
    (msg,) = problems_of(project)
    assert "'after' makes a loop" in msg


def test_problems_deep_in_a_long_file_are_located(project: Path) -> None:
    """The loader records no positions on its fast path; the schema, the model and the duplicate check still
    point at the right line and column of the 2,000th item."""
    file = project / "content/events.yaml"
    text = file.read_text("utf-8")
    item = text[text.index("  - id: phase-one-deadline") :]
    many = "".join(item.replace("id: phase-one-deadline", f"id: copy-{i}") for i in range(2000))
    many = many.replace("id: copy-900\n", "id: copy-900\n    statu: x\n")  # unknown key (the schema)
    many = many.replace("id: copy-1999\n", "id: invasion\n")  # duplicate id (the model)
    edit(file, lambda s: s + many)
    lines = file.read_text("utf-8").split("\n")
    line_of = {n + 1: line for n, line in enumerate(lines)}
    msgs = problems_of(project)
    assert len(msgs) == 2, msgs  # the item that fails the schema is left out; the others are checked in the same run
    where = next(n for n, line in line_of.items() if line == "    statu: x")
    assert msgs[0].startswith(f"content/events.yaml:{where}:5: events[904]: unknown key 'statu'")
    duplicate = next(n for n, line in line_of.items() if line == "  - id: invasion" and n > 2)
    column = line_of[duplicate].index("invasion") + 1
    assert msgs[1].startswith(f"content/events.yaml:{duplicate}:{column}: duplicate id 'invasion' (first used at content/events.yaml:2)")
    edit(file, lambda s: s.replace("    statu: x\n", ""))
    (msg,) = problems_of(project)
    assert msg.startswith(f"content/events.yaml:{duplicate - 1}:{column}: duplicate id 'invasion' (first used at content/events.yaml:2)")


def test_whole_numbers_written_with_a_decimal_point_are_whole(project: Path) -> None:
    """JSON Schema's "integer" takes 1.0 (a YAML float): a phase numbered 1.0 is phase 1 (its anchors are
    ``phase-1``, not ``phase-1.0``), a place of phase 1.0 belongs to it, and a left-out line 40.0 of a
    seed is line 40 (it was a crash: a list index that is a float)."""
    edit(project / "content/plan.yaml", lambda t: t.replace("    number: 1\n", "    number: 1.0\n"))
    edit(project / "content/places.yaml", lambda t: t.replace("    phase: 1\n", "    phase: 1.0\n"))
    edit(project / "content/sources.yaml", lambda t: t.replace("      - line: 40\n", "      - line: 40.0\n"))
    model = load_model(Project(project))
    assert [(p.number, type(p.number)) for p in model.phases] == [(1, int)]
    assert {type(p.phase) for p in model.places if p.phase is not None} == {int}
    assert [(c.line, type(c.line)) for s in model.sources for c in s.chrome] == [(40, int)]


def test_a_schema_without_its_draft_named_still_explains_the_content_s_errors(project: Path) -> None:
    """A schema without "$schema" is read as the draft the build validates with (it stopped `check` with an error
    it did not expect)."""
    import json

    schema = project / "schemas/figures.schema.json"
    data = json.loads(schema.read_text("utf-8"))
    del data["$schema"]
    schema.write_text(json.dumps(data | {"required": [*data.get("required", []), "zzz"]}), "utf-8")
    assert any("content/figures.yaml" in p and "required field 'zzz' is missing" in p for p in problems_of(project))
