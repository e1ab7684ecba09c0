"""The explainer's real content: everything cited, proven, complete, consistent and honest about time."""

from __future__ import annotations

import difflib
import re

import pytest
from conftest import REPO

from explainer.kinds import cited_facts
from explainer.model import Model
from explainer.validate import Project, load_model


@pytest.fixture(scope="module")
def model() -> Model:
    return load_model(Project(REPO))  # proves every quote, reference and date, or raises


def facts(model: Model) -> list[tuple[str, str, tuple]]:
    out = [("event", e.id, e.cite) for e in model.events]
    out += [("phase", p.id, p.cite) for p in model.phases]
    out += [("note", n.id, n.cite) for n in model.continues + model.unknowns]
    out += [("place", p.id, p.cite) for p in model.places]
    out += [("entity", e.id, e.cite) for e in model.entities]
    out += [("statement", s.id, s.cite) for s in model.statements]
    out += [("figure", f.id, f.cite) for f in model.figures]
    out += [("question", q.id, q.cite) for q in model.questions]
    out += [("difference side", f"{d.id}[{i}]", s.cite) for d in model.disagreements for i, s in enumerate(d.sides)]
    return out


def test_what_the_site_must_explain_is_there(model: Model) -> None:
    assert len(model.sources) == 5
    assert len(model.events) >= 15
    assert len(model.questions) >= 8
    assert len(model.disagreements) >= 4 and all(len(d.sides) >= 2 for d in model.disagreements)
    assert [p.number for p in model.phases] == [1, 2]
    assert model.events[0].date.year == 2003 and model.events[-1].date.iso == "2026-09"
    for needed in ("baghdad", "ain-al-asad", "erbil", "kurdistan"):
        assert any(needed in p.id for p in model.places), needed
    assert any(f.value == 2500 for f in model.figures)


def test_every_fact_has_a_citation_and_every_source_is_used(model: Model) -> None:
    for kind, ident, cites in facts(model):
        assert cites, f"{kind} {ident} has no citation"
    used = {c.source for _ref, c in cited_facts(model)}
    assert used == {s.id for s in model.sources}


def test_every_quote_is_verbatim_in_its_paragraph(model: Model) -> None:
    sources = {s.id: s for s in model.sources}
    count = 0
    for _ref, cite in cited_facts(model):
        para = next(p for p in sources[cite.source].paragraphs if p.line == cite.line)
        assert 0 <= cite.start < cite.end <= len(para.text)
        count += 1
    assert count >= 300


def test_both_languages_carry_the_same_numbers_and_months(model: Model) -> None:
    mismatches = [n.format() for n in model.translation if n.kind == "parity"]
    assert mismatches == []


def test_sources_say_only_what_their_text_shows(model: Model) -> None:
    for s in model.sources:
        if s.date is None:
            assert s.dating is not None, f"{s.id}: an undated document must say what dates it"
        else:
            assert s.date_cite, f"{s.id}: a date needs the words that show it"
        if s.publisher is not None:
            assert s.publisher_cite, f"{s.id}: a publisher needs the words that show it"
    dated = {s.id: s.date for s in model.sources}
    assert sum(d is not None for d in dated.values()) == 2  # only 000 and 001 show a date


def test_honest_about_time_nothing_after_the_newest_document_has_occurred(model: Model) -> None:
    newest = max(s.date.sort_key for s in model.sources if s.date)
    for e in model.events:
        if e.status == "occurred":
            assert e.date.sort_key <= newest, f"{e.id} is dated after the newest document yet marked as occurred"
    assert {e.id: e.status for e in model.events}["phase-two-ends"] == "scheduled"


def test_names_are_spelled_one_way(model: Model) -> None:
    english = "\n".join(
        str(v) for path in (REPO / "content").glob("*.yaml") for v in re.findall(r"^\s+en: (.+)$", path.read_text("utf-8"), re.M)
    ) + "\n".join(
        t for path in (REPO / "content").glob("*.yaml") for t in re.findall(r"en: [|>]-?\n((?:\s{8,}.*\n)+)", path.read_text("utf-8"))
    )
    words = set(re.findall(r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?", english.replace("’s", "").replace("'s", "")))
    for entity in model.entities:
        if entity.kind != "person":
            continue
        surname = entity.name["en"].split()[-1].removeprefix("al-")
        variants = [
            w
            for w in words
            if w != surname
            and w.removeprefix("Al-") != surname
            and difflib.SequenceMatcher(None, w.lower(), surname.lower()).ratio() >= 0.83
        ]
        assert variants == [], f"{entity.name['en']} is also spelled {variants}"
