"""``datapackage.json``: a Frictionless Data package describing every open data file and field.

Every collection of :data:`~explainer.outputs.COLLECTIONS` is published per language as JSON (one
object per record, lists kept as lists) and CSV (lists joined with `` | ``, a UTF-8 byte-order
mark first): each file is a resource with its table schema, described here field by field. The
package carries the licence of the site's own text and data (``site.yaml``'s ``licence``) and says
that the five source documents, and the words quoted from them, belong to their publishers.
No date of the build is written into it: the same content gives the same bytes.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .kinds import COLLECTIONS
from .model import Model

_DATE = {"type": "string", "constraints": {"pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}}
_PRECISION = {"type": "string", "constraints": {"enum": ["year", "month", "day"]}}
_QUALIFIER = {"type": "string", "constraints": {"enum": ["about", "by", "no-later-than"]}}
_QUALIFIER_NOTE = (
    "by: a deadline the sources give; about: an undated report places it in time with words such as 'this month' or "
    "'last week', so it is dated about the year the report appears to date from; no-later-than: the source gives no "
    "indication of when it was said or happened, so it is dated no later than the source's date (or, for an undated "
    "report, the year it appears to date from). How each report is dated is in the sources collection."
)
_CITATIONS = (
    "citations",
    "array",
    "The passages this rests on: each with the source document's id, the paragraph's number as the document's page "
    "shows it, its line in the document's file, the quoted words (quote_<the documents' language>) and, outside that language's files, "
    "the site's translation of them.",
)

FIELDS: dict[str, list[tuple[str, Any, str]]] = {
    "events": [
        ("id", "string", "The event's id; its page is <lang>/timeline/<id>/."),
        ("date", _DATE, "ISO 8601 at the date's precision."),
        ("date_precision", _PRECISION, "How precisely the sources date it."),
        (
            "date_qualifier",
            _QUALIFIER,
            _QUALIFIER_NOTE,
        ),
        ("status", {"type": "string", "constraints": {"enum": ["occurred", "scheduled", "expected"]}}, "What it was when reported."),
        ("title", "string", "The event's title."),
        ("body", "string", "What happened (Markdown)."),
        ("places", "array", "Ids of places (the places collection)."),
        ("actors", "array", "Ids of people and organisations (the people collection)."),
        _CITATIONS,
    ],
    "statements": [
        ("id", "string", "The statement's id."),
        ("speaker", "string", "Who said it: an id of the people collection."),
        ("date", _DATE, "When it was said, at the precision the sources give."),
        ("date_precision", _PRECISION, "How precisely the sources date it."),
        (
            "date_qualifier",
            _QUALIFIER,
            _QUALIFIER_NOTE,
        ),
        ("context", "string", "Where or in what role it was said."),
        (
            "said",
            "string",
            "What was said, in the site's words (reported speech), except where the text puts in quotation marks words that "
            "the source itself quotes, or the report's own words credited to the report; the source's words are in the citations.",
        ),
        _CITATIONS,
    ],
    "people": [
        ("id", "string", "The person's or organisation's id."),
        ("kind", "string", "person, organisation or media."),
        ("side", "string", "The side the site lists them under (iraq-government, us-government, kurdistan, factions, ...)."),
        ("name", "string", "Their name."),
        ("role", "string", "Who they are, as the sources describe them."),
        _CITATIONS,
    ],
    "places": [
        ("id", "string", "The place's id."),
        ("kind", "string", "base, airport, city, region or country."),
        ("name", "string", "Its name."),
        ("lat", "number", "Latitude (approximate reference data, not from the source documents)."),
        ("lon", "number", "Longitude (approximate reference data, not from the source documents)."),
        ("phase", "integer", "The withdrawal phase in which the coalition's mission there was due to end."),
        ("role", "string", "Its role in the plan (Markdown)."),
        _CITATIONS,
    ],
    "phases": [
        ("id", "string", "The phase's id."),
        ("number", "integer", "1 or 2."),
        ("ends", _DATE, "The phase's deadline, ISO 8601 at its precision."),
        ("ends_precision", _PRECISION, "How precisely the sources give the deadline."),
        ("ends_qualifier", _QUALIFIER, "about, by or no-later-than, as the sources put it."),
        ("title", "string", "The phase's title."),
        ("summary", "string", "What it covered (Markdown)."),
        ("places", "array", "Ids of its places (the places collection)."),
        _CITATIONS,
    ],
    "plan-notes": [
        ("id", "string", "The note's id."),
        ("section", {"type": "string", "constraints": {"enum": ["continues", "unknown"]}}, "What was to continue, or what was unknown."),
        ("text", "string", "The note (Markdown)."),
        _CITATIONS,
    ],
    "figures": [
        ("id", "string", "The figure's id."),
        ("value", "number", "The number."),
        ("approximate", "boolean", "Whether the sources give it as approximate."),
        ("label", "string", "What it counts, and when."),
        ("note", "string", "A note on it (Markdown)."),
        _CITATIONS,
    ],
    "questions": [
        ("id", "string", "The question's id."),
        ("question", "string", "The question readers ask."),
        ("answer", "string", "The answer, from the source documents only (Markdown)."),
        _CITATIONS,
    ],
    "disagreements": [
        ("id", "string", "The disagreement's id."),
        ("topic", "string", "What the sources disagree on."),
        ("summary", "string", "How they differ (Markdown)."),
        ("sides", "array", "Each account: its claim and its citations."),
    ],
    "sources": [
        ("id", "string", "The document's id (the citations' source)."),
        ("file", "string", "Its file in the project's seeds/ folder."),
        ("label", "string", "How the site names it."),
        ("headline_{source}", "string", "Its headline, in its own words (in its own language, the site's first)."),
        ("publisher", "string", "Its publisher, where its text shows one."),
        ("date", _DATE, "Its date, where its text shows one."),
        ("date_precision", _PRECISION, "How precisely its text dates it."),
        ("date_qualifier", _QUALIFIER, "A qualifier of the date, if any."),
        ("dating", "string", "For an undated document: what in its text dates it (Markdown)."),
        ("paragraphs", "integer", "How many paragraphs its published text has."),
    ],
    "updates": [
        ("id", "string", "The entry's id; it is shown at <lang>/updates/#<id>."),
        ("date", _DATE, "The day of the change."),
        ("kind", {"type": "string", "constraints": {"enum": ["published", "update", "correction"]}}, "What kind of change."),
        ("text", "string", "What changed (Markdown)."),
        ("pages", "array", "The pages it changed, by page key (plan, timeline/<event id>, plan#<item id>)."),
    ],
}
"""Each collection's fields, in the order of the files' columns: name, type (or a Table Schema field), description."""

DESCRIPTIONS = {
    "events": "The timeline's events.",
    "statements": "What people and organisations said, in the site's words, with the passages that report it.",
    "people": "The people and organisations the source documents name.",
    "places": "The places of the withdrawal.",
    "phases": "The two phases of the withdrawal plan.",
    "plan-notes": "What was to continue after the plan, and what it left unknown.",
    "figures": "Key figures.",
    "questions": "Questions readers ask, with answers.",
    "disagreements": "Where the source documents differ.",
    "sources": "The five source documents: what their text shows about them (the documents themselves belong to their publishers).",
    "updates": "The site's dated log of updates and corrections.",
}

CSV_NOTE = (
    "In CSV, a text cell that begins with =, +, - or @ (and is not a number) starts with an apostrophe, so that a "
    "spreadsheet shows it rather than running it as a formula; the JSON has the text as written."
)

SOURCES_NOTE = (
    "The five source documents (reports in Arabic: two dated, 2024 and 2025, and three undated, one of them an analysis) "
    "and the words quoted from them in the citations belong "
    "to their publishers. They are not covered by this package's licence: the site quotes them for reference."
)


def fields(collection: str, source: str) -> list[tuple[str, Any, str]]:
    """The fields of a collection (a field named after the source language, ``headline_ar``, with its code)."""
    return [(name.format(source=source), spec, description) for name, spec, description in FIELDS[collection]]


def _field(name: str, spec: Any, description: str, tabular: bool) -> dict[str, Any]:
    field = {"name": name, **({"type": spec} if isinstance(spec, str) else spec), "description": description}
    if field["type"] == "array" and tabular:  # a CSV cell holds the list joined with " | "
        field = {"name": name, "type": "string", "description": description + " In CSV: joined with ' | '."}
    return field


def resources(model: Model) -> list[dict[str, Any]]:
    """A resource per collection, language and format."""
    out = []
    source = model.site.languages[0]
    for lang in model.site.languages:
        for name in COLLECTIONS:
            for fmt in ("json", "csv"):
                resource: dict[str, Any] = {
                    "name": f"{name}-{lang.code}-{fmt}",
                    "path": f"data/{lang.code}/{name}.{fmt}",
                    "title": f"{name} ({lang.name}, {fmt.upper()})",
                    "description": DESCRIPTIONS[name] + ("" if lang is source else f" Texts in {lang.name}; quotes stay in {source.name}."),
                    "profile": "tabular-data-resource",
                    "format": fmt,
                    "mediatype": "text/csv" if fmt == "csv" else "application/json",
                    "encoding": "utf-8",
                    "schema": {"fields": [_field(*f, tabular=fmt == "csv") for f in fields(name, source.code)], "primaryKey": ["id"]},
                }
                if fmt == "csv":
                    resource["dialect"] = {"delimiter": ",", "lineTerminator": "\n", "header": True}
                out.append(resource)
    return out


def _slug(base_url: str) -> str:
    """The package's name: the last part of the site's address (``iraq-coalition``), as a Data Package name."""
    last = [part for part in base_url.split("://", 1)[-1].split("/") if part][-1]
    return re.sub(r"[^a-z0-9._-]+", "-", last.lower()).strip("-") or "explainer"


def datapackage(model: Model) -> bytes:
    """The package as JSON bytes."""
    site, base = model.site, model.site.base_url
    from .translations import english_name

    first = site.languages[0].code  # the descriptions are in English: the English texts, if the site has them
    english = next((lang.code for lang in site.languages if english_name(lang) == "English"), first)
    package: dict[str, Any] = {
        "profile": "tabular-data-package",
        "name": _slug(base),
        "title": site.title[english],
        "description": f"{site.description[english]} Every collection of the site, in each language, as JSON and CSV. "
        f"{CSV_NOTE} {SOURCES_NOTE}",
        "homepage": base,
        "sources": [{"title": s.label[english], "path": f"{base}{english}/sources/{s.id}/"} for s in model.sources],
        "resources": resources(model),
    }
    if site.licence is not None:
        package["licenses"] = [{"name": site.licence.id, "path": site.licence.url, "title": site.licence.name[english]}]
    return (json.dumps(package, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
