"""The kinds of content item, in one table: what each is, where it is written and what is made of it.

A kind is a list in a content file (``events:`` in ``content/events.yaml``). Its entry says which
file and list hold it, how an item is checked and built into its model class (:mod:`~explainer.model`),
which page shows it (its id is an anchor there), whether each item has a page of its own, how it is
published as open data, and how it is named where it is cited. Everything else iterates this table:
adding a kind is adding an entry (and its class and template).

The translatable texts of an item are found, not listed: every mapping keyed by the site's
languages is one, and so is a citation (its quote in the source language, keyed by the others).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .model import (
    Citation,
    Cites,
    Disagreement,
    Entity,
    Event,
    FactRef,
    Figure,
    FuzzyDate,
    Model,
    Note,
    Phase,
    Place,
    Question,
    Side,
    Source,
    Statement,
    Text,
    Update,
)

if TYPE_CHECKING:
    from .checks import Item

Row = dict[str, Any]


@dataclass(frozen=True)
class Kind:
    """One kind of content item."""

    name: str
    """The model's collection (``model.events``)."""
    file: str
    """The content file: ``content/<file>.yaml``."""
    key: str
    """The list in that file."""
    build: Callable[[Item], Any]
    """The item checked and built into its model object (None if it cannot be)."""
    page: str
    """The page that shows the items: their ids are anchors there, unique on that page."""
    fact: str = ""
    """What a citation of an item is called on its source's page ("event"); "" for a kind without citations."""
    title: Callable[[Model, Any], Text] | None = None
    """The item's name where it is cited."""
    cites: Callable[[Any], Iterable[Citation]] | None = None
    """The item's citations."""
    own_page: bool = False
    """Each item has a page of its own, ``<page>/<id>/`` (and may have ``aliases``)."""
    collection: str | None = None
    """The open data collection it is published as (``data/<lang>/<collection>.json`` and ``.csv``)."""
    rows: Callable[[Any, Texts], Row] | None = None
    """One item as an open data record in one language."""
    order: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None = None
    """The order of the items in the model (default: as written)."""
    data_order: Callable[[tuple[Any, ...]], tuple[Any, ...]] | None = None
    """The order of the items in the open data (default: the model's)."""


class Texts:
    """One language's view of texts for open data: a missing translation is ``None``, not the source text."""

    def __init__(self, code: str, source: str) -> None:
        self.code, self.source = code, source

    def __call__(self, text: Text | None) -> str | None:
        return None if text is None or not text.has(self.code) else text[self.code]

    def cites(self, cites: Cites) -> list[Row]:
        return [
            {
                "source": c.source,
                "paragraph": c.number,
                "line": c.line,
                f"quote_{self.source}": c.quote,
                **({"translation": self(c.translation)} if self.code != self.source else {}),
            }
            for c in cites
        ]


def date_fields(date: FuzzyDate | None) -> Row:
    if date is None:
        return {"date": None, "date_precision": None, "date_qualifier": None}
    return {"date": date.iso, "date_precision": date.precision, "date_qualifier": date.qualifier}


# --- the kinds -------------------------------------------------------------------------------------


def _source(item: Item) -> Source | None:
    return item.source()


def _entity(item: Item) -> Entity:
    raw = item.raw
    return Entity(raw["id"], raw["kind"], raw["side"], item.text("name"), item.text("role"), item.cites("cite"))


def _whole(value: Any) -> Any:
    """A number the schema calls an integer as one: JSON Schema's "integer" takes ``1.0`` (YAML's float)
    as well as ``1``, which would be shown as ``1.0`` (in an anchor such as ``phase-1.0``)."""
    return int(value) if isinstance(value, float) else value


def _place(item: Item) -> Place:
    raw = item.raw
    return Place(
        raw["id"],
        raw["kind"],
        item.text("name"),
        float(raw["lat"]),
        float(raw["lon"]),
        _whole(raw.get("phase")),
        item.text("role"),
        item.cites("cite"),
    )


def _event(item: Item) -> Event | None:
    raw = item.raw
    date = item.date("date", raw.get("qualifier"))
    event = Event(
        raw["id"],
        date or FuzzyDate(1900),
        raw["status"],
        item.text("title"),
        item.optional_text("body"),
        item.refs("places", "places", "place"),
        item.refs("actors", "entities", "person or organisation"),
        item.cites("cite"),
        raw.get("after"),
        bool(raw.get("key", False)),
    )
    return event if date else None


def _phase(item: Item) -> Phase | None:
    raw = item.raw
    ends = item.date(("ends", "date"), raw["ends"].get("qualifier"))
    places = item.refs("places", "places", "place")
    if ends is None:
        return None
    return Phase(raw["id"], _whole(raw["number"]), ends, item.text("title"), item.text("summary"), places, item.cites("cite"))


def _note(item: Item) -> Note:
    return Note(item.raw["id"], item.text("text"), item.cites("cite"))


def _statement(item: Item) -> Statement:
    raw = item.raw
    item.ref(("speaker",), "entities", raw["speaker"], "person or organisation")
    date = item.date("date", raw.get("qualifier")) if "date" in raw else None
    return Statement(raw["id"], raw["speaker"], date, item.optional_text("context"), item.text("said"), item.cites("cite"))


def _figure(item: Item) -> Figure:
    raw = item.raw
    return Figure(
        raw["id"], raw["value"], bool(raw.get("approximate", False)), item.text("label"), item.optional_text("note"), item.cites("cite")
    )


def _question(item: Item) -> Question:
    return Question(item.raw["id"], item.text("question"), item.text("answer"), item.cites("cite"))


def _disagreement(item: Item) -> Disagreement:
    sides = tuple(Side(item.text(("sides", i, "claim")), item.cites(("sides", i, "cite"))) for i in range(len(item.raw["sides"])))
    return Disagreement(item.raw["id"], item.text("topic"), item.text("summary"), sides)


def _update(item: Item) -> Update | None:
    date = item.date("date")
    return Update(item.raw["id"], date, item.raw["kind"], item.text("text"), tuple(item.raw.get("pages", ()))) if date else None


def _first_line(text: Text) -> Text:
    return text.map(lambda value: (value.strip().splitlines() or [""])[0][:120])


def _speaker(model: Model, statement: Statement) -> Text:
    names: dict[str, Text] = {e.id: e.name for e in model.entities}
    return names.get(statement.speaker, statement.said)


def _event_rows(e: Event, t: Texts) -> Row:
    return {
        "id": e.id,
        **date_fields(e.date),
        "status": e.status,
        "title": t(e.title),
        "body": t(e.body),
        "places": list(e.places),
        "actors": list(e.actors),
        "citations": t.cites(e.cite),
    }


def _statement_rows(s: Statement, t: Texts) -> Row:
    return {
        "id": s.id,
        "speaker": s.speaker,
        **date_fields(s.date),
        "context": t(s.context),
        "said": t(s.said),
        "citations": t.cites(s.cite),
    }


def _entity_rows(p: Entity, t: Texts) -> Row:
    return {"id": p.id, "kind": p.kind, "side": p.side, "name": t(p.name), "role": t(p.role), "citations": t.cites(p.cite)}


def _place_rows(p: Place, t: Texts) -> Row:
    return {
        "id": p.id,
        "kind": p.kind,
        "name": t(p.name),
        "lat": p.lat,
        "lon": p.lon,
        "phase": p.phase,
        "role": t(p.role),
        "citations": t.cites(p.cite),
    }


def _phase_rows(p: Phase, t: Texts) -> Row:
    return {
        "id": p.id,
        "number": p.number,
        "ends": p.ends.iso,
        "ends_precision": p.ends.precision,
        "ends_qualifier": p.ends.qualifier,
        "title": t(p.title),
        "summary": t(p.summary),
        "places": list(p.places),
        "citations": t.cites(p.cite),
    }


def _note_rows(section: str) -> Callable[[Note, Texts], Row]:
    def rows(n: Note, t: Texts) -> Row:
        return {"id": n.id, "section": section, "text": t(n.text), "citations": t.cites(n.cite)}

    return rows


def _update_rows(u: Update, t: Texts) -> Row:
    return {"id": u.id, "date": u.date.iso, "kind": u.kind, "text": t(u.text), "pages": list(u.pages)}


def _figure_rows(f: Figure, t: Texts) -> Row:
    return {
        "id": f.id,
        "value": f.value,
        "approximate": f.approximate,
        "label": t(f.label),
        "note": t(f.note),
        "citations": t.cites(f.cite),
    }


def _question_rows(q: Question, t: Texts) -> Row:
    return {"id": q.id, "question": t(q.question), "answer": t(q.answer), "citations": t.cites(q.cite)}


def _disagreement_rows(d: Disagreement, t: Texts) -> Row:
    sides = [{"claim": t(s.claim), "citations": t.cites(s.cite)} for s in d.sides]
    return {"id": d.id, "topic": t(d.topic), "summary": t(d.summary), "sides": sides}


def _source_rows(s: Source, t: Texts) -> Row:
    return {
        "id": s.id,
        "file": s.file,
        "label": t(s.label),
        f"headline_{t.source}": s.headline[t.source] if s.headline else None,
        "publisher": t(s.publisher),
        **date_fields(s.date),
        "dating": t(s.dating),
        "paragraphs": len(s.paragraphs),
    }


def _by_number(phases: tuple[Phase, ...]) -> tuple[Phase, ...]:
    return tuple(sorted(phases, key=lambda p: p.number))


def _newest_first(updates: tuple[Update, ...]) -> tuple[Update, ...]:
    return tuple(sorted(updates, key=lambda u: (u.date.sort_key, u.id), reverse=True))


def _oldest_first(updates: tuple[Update, ...]) -> tuple[Update, ...]:
    return tuple(sorted(updates, key=lambda u: (u.date.sort_key, u.id)))


def _cite(item: Any) -> Cites:
    return item.cite  # type: ignore[no-any-return]


KINDS: tuple[Kind, ...] = (
    Kind(
        "events",
        "events",
        "events",
        _event,
        "timeline",
        "event",
        lambda _m, e: e.title,
        _cite,
        own_page=True,
        collection="events",
        rows=_event_rows,
    ),
    Kind(
        "phases",
        "plan",
        "phases",
        _phase,
        "plan",
        "phase",
        lambda _m, p: p.title,
        _cite,
        collection="phases",
        rows=_phase_rows,
        order=_by_number,
    ),
    Kind(
        "continues",
        "plan",
        "continues",
        _note,
        "plan",
        "note",
        lambda _m, n: _first_line(n.text),
        _cite,
        collection="plan-notes",
        rows=_note_rows("continues"),
    ),
    Kind(
        "unknowns",
        "plan",
        "unknowns",
        _note,
        "plan",
        "note",
        lambda _m, n: _first_line(n.text),
        _cite,
        collection="plan-notes",
        rows=_note_rows("unknown"),
    ),
    Kind("places", "places", "places", _place, "plan", "place", lambda _m, p: p.name, _cite, collection="places", rows=_place_rows),
    Kind(
        "entities", "glossary", "entities", _entity, "people", "entity", lambda _m, e: e.name, _cite, collection="people", rows=_entity_rows
    ),
    Kind(
        "statements",
        "statements",
        "statements",
        _statement,
        "people",
        "statement",
        _speaker,
        _cite,
        collection="statements",
        rows=_statement_rows,
    ),
    Kind("figures", "figures", "figures", _figure, "home", "figure", lambda _m, f: f.label, _cite, collection="figures", rows=_figure_rows),
    Kind(
        "questions",
        "questions",
        "questions",
        _question,
        "questions",
        "question",
        lambda _m, q: q.question,
        _cite,
        collection="questions",
        rows=_question_rows,
    ),
    Kind(
        "disagreements",
        "disagreements",
        "disagreements",
        _disagreement,
        "differences",
        "difference",
        lambda _m, d: d.topic,
        lambda d: [c for side in d.sides for c in side.cite],
        collection="disagreements",
        rows=_disagreement_rows,
    ),
    Kind(
        "sources",
        "sources",
        "sources",
        _source,
        "sources",
        "source",
        lambda _m, s: s.label,
        lambda s: s.publisher_cite + s.date_cite,
        own_page=True,
        collection="sources",
        rows=_source_rows,
    ),
    Kind(
        "updates",
        "updates",
        "updates",
        _update,
        "updates",
        order=_newest_first,
        collection="updates",
        rows=_update_rows,
        data_order=_oldest_first,
    ),
)
"""Every kind, in the order their citations are listed on a source's page."""

BY_NAME: Mapping[str, Kind] = {kind.name: kind for kind in KINDS}

COLLECTIONS: tuple[str, ...] = tuple(dict.fromkeys(kind.collection for kind in KINDS if kind.collection))
"""The open data collections (``data/<lang>/<collection>.json`` and ``.csv``), in the order of :data:`KINDS`;
their fields are described in :data:`~explainer.datapackage.FIELDS`."""


def kinds_of(file: str) -> tuple[Kind, ...]:
    """The kinds whose items are in ``content/<file>.yaml``."""
    return tuple(kind for kind in KINDS if kind.file == file)


def citing(model: Model) -> Iterator[tuple[Kind, Any, Iterable[Citation]]]:
    """Every item of a kind whose items cite, with its kind and its citations, in the order of :data:`KINDS`."""
    for kind in KINDS:
        if kind.cites is None or kind.title is None:
            continue
        cites = kind.cites
        yield from ((kind, item, cites(item)) for item in getattr(model, kind.name))


def cited_facts(model: Model) -> Iterator[tuple[FactRef, Citation]]:
    """Every (fact, citation) pair on the site, in the order of :data:`KINDS`."""
    for kind, item, cites in citing(model):
        assert kind.title is not None
        ref = FactRef(kind.fact, item.id, kind.page, kind.title(model, item))
        yield from ((ref, c) for c in cites)
