"""Stage 2 — validate the loaded YAML into the frozen :mod:`model`.

Every file is checked against its JSON Schema in ``schemas/``; then ids, references,
dates, source files and quotes are checked. All problems are collected and raised
together as one :class:`~explainer.errors.BuildError`.
"""

from __future__ import annotations

import datetime
import hashlib
import html
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .errors import MAX_SHOWN_PER_FILE, Collector, Problem
from .load import Document, JsonPath, load_file, without_items
from .model import (
    Chrome,
    Citation,
    Cites,
    Disagreement,
    Entity,
    Event,
    Figure,
    FuzzyDate,
    Language,
    Licence,
    Model,
    Note,
    Paragraph,
    Phase,
    Place,
    Prose,
    Question,
    Side,
    Site,
    Source,
    Statement,
    Text,
    Update,
)
from .project import InputError, Project, universal_newlines
from .quotes import MIN_QUOTE_LETTERS, MIN_QUOTE_WORDS, QuoteIndex, normalise, too_short
from .schemacheck import quick_valid

CONTENT_FILES = (
    "site",
    "sources",
    "glossary",
    "places",
    "events",
    "plan",
    "statements",
    "figures",
    "questions",
    "disagreements",
    "pages",
    "updates",
    "style",
)
"""The content files, each validated by ``schemas/<name>.schema.json``."""

PAGE_OF_FILE = {
    "events": "timeline",
    "plan": "plan",
    "places": "plan",
    "glossary": "people",
    "statements": "people",
    "questions": "questions",
    "disagreements": "differences",
    "figures": "home",
    "sources": "sources",
    "updates": "updates",
}
"""The page whose anchors each file's ids become (ids must be unique per page)."""


def load_model(
    project: Project,
    load: Callable[[Path, str], tuple[Document | None, list[Problem]]] = load_file,
    *,
    translation: bool = True,
    remember: bool = False,
) -> Model:
    """Load and validate all content of ``project``; raise :class:`BuildError` on any problem.

    ``load`` reads one content file (the live preview passes one that re-parses only what changed).
    ``translation=False`` leaves ``model.translation`` empty (a published build does not show it).
    ``remember``: the schema check remembers the items that passed (see :func:`~explainer.schemacheck.quick_valid`).
    """
    errors = Collector()
    docs: dict[str, Document] = {}
    broken_schemas = project.schema_problems()  # without its schemas no file can be checked
    broken_schemas = broken_schemas or _invalid_schemas(project)
    errors.problems.extend(broken_schemas)
    dropped: dict[str, set[str]] = {}  # by file: the ids of items left out because they fail the schema
    for name in CONTENT_FILES:
        file = project.content / f"{name}.yaml"
        shown = project.show(file)
        refused = project.refusal(file, missing=("content file is missing", f"create {shown} (see docs/content-format.md)"))
        if refused is not None:  # missing, unreadable, or a link out of the project
            errors.problems.append(refused)
            continue
        doc, problems = load(file, shown)
        errors.problems.extend(problems)
        # a file that parsed is checked against its schema even when it has other problems (a refused
        # character, say), and is used further if it passes; a file whose schema check fails in some of
        # its list items is used without them: every mistake is reported in one run
        if doc is not None and not broken_schemas and _schema_ok(project, name, doc, errors, remember):
            if _too_long(doc.data, ""):  # a quick walk finds whether there is anything to locate
                _check_lengths(doc, doc.data, (), errors)
            docs[name] = doc
        elif doc is not None and not broken_schemas:
            docs, dropped = _without_failing_items(project, name, doc, docs, dropped)
    for extra in sorted(project.content.glob("*.y*ml")) if project.content.is_dir() else []:
        if extra.stem not in CONTENT_FILES or extra.suffix != ".yaml":
            close = _closest(extra.stem, CONTENT_FILES)
            hint = f"did you mean {close[0]}.yaml?" if close else f"the content files are: {', '.join(CONTENT_FILES)}"
            errors.add(project.show(extra), 1, 1, "unknown content file", hint)
    builder = _Builder(project, docs, errors, dropped)
    model = builder.build()
    errors.raise_if_any()
    assert model is not None
    if not translation:
        return model
    from .translations import report

    return replace(model, translation=report(docs))


def _without_failing_items(
    project: Project, name: str, doc: Document, docs: dict[str, Document], dropped: dict[str, set[str]]
) -> tuple[dict[str, Document], dict[str, set[str]]]:
    """Add ``doc`` without its list items that fail the schema to ``docs`` (and their ids to
    ``dropped``), if the rest passes; a file with any other schema error is left out."""
    from .translations import ITEM_LISTS

    validator = _validators(str(project.schemas)).get(name)
    lists = ITEM_LISTS.get(name, ())
    bad: dict[str, set[int]] = {}
    try:
        for n, err in enumerate(validator.iter_errors(doc.data) if validator is not None else ()):
            path = tuple(err.absolute_path)
            if n >= MAX_SCHEMA_ERRORS or len(path) < 2 or path[0] not in lists or not isinstance(path[1], int):
                return docs, dropped  # so many wrong items: the file is left out, not searched to its end
            bad.setdefault(str(path[0]), set()).add(path[1])
        pruned = without_items(doc, bad)
        if not bad or validator is None or any(True for _ in validator.iter_errors(pruned.data)):
            return docs, dropped
    except Exception:  # reported by _schema_ok, at the schema
        return docs, dropped
    ids = {item.get("id") for key, indices in bad.items() for i in indices if isinstance(item := doc.data[key][i], dict)}
    return {**docs, name: pruned}, {**dropped, name: {i for i in ids if isinstance(i, str)}}


# --- JSON Schema -----------------------------------------------------------------


@lru_cache(maxsize=8)
def _validators(schema_dir: str) -> Mapping[str, Any]:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    schemas = {p.name: json.loads(p.read_text("utf-8")) for p in sorted(Path(schema_dir).glob("*.schema.json"))}
    registry: Registry[Any] = Registry().with_resources((name, Resource.from_contents(body)) for name, body in schemas.items())
    return {name.removesuffix(".schema.json"): Draft202012Validator(body, registry=registry) for name, body in schemas.items()}


def _schema_ok(project: Project, name: str, doc: Document, errors: Collector, remember: bool = False) -> bool:
    if quick_valid(project.schemas, name, doc.data, remember=remember):  # the usual case; jsonschema below explains errors
        return True
    validator = _validators(str(project.schemas)).get(name)
    if validator is None:
        errors.add(doc.path, 1, 1, f"no schema for this file (schemas/{name}.schema.json)", "restore the schema file")
        return False
    found = 0
    try:
        for err in validator.iter_errors(doc.data):
            for leaf in _leaves(err):
                found += 1
                if found >= MAX_SCHEMA_ERRORS:  # the report shows the first hundred: the rest is not searched for
                    message = f"more than {MAX_SCHEMA_ERRORS - 1} errors: the rest of the file was not checked"
                    errors.add(doc.path, 1, 1, message, "fix these, then check again")
                    return False
                path: JsonPath = tuple(leaf.absolute_path)
                message, hint, at_key = _explain(leaf)
                line, col = doc.where(path + ((at_key,) if at_key else ()), key=bool(at_key))
                errors.add(doc.path, line, col, message, hint)
    except Exception as exc:  # a schema that cannot be applied (a $ref to itself or to the web): located at the schema
        what = "it refers to itself without end" if isinstance(exc, RecursionError) else f"{type(exc).__name__}: {str(exc)[:200]}"
        errors.add(f"schemas/{name}.schema.json", 1, 1, f"schema cannot be applied: {what}", "restore the schema from the repository")
        return False
    return not found


MAX_SCHEMA_ERRORS = MAX_SHOWN_PER_FILE
"""A file's schema errors are collected up to this many (the report shows as many), then the check stops."""


def _invalid_schemas(project: Project) -> list[Problem]:
    """The schemas that are not valid JSON Schema (``{"type": 5}``), each at its file."""
    files = sorted(project.schemas.glob("*.schema.json"))
    return [p for file in files for p in _schema_invalid(project.show(file), file.read_bytes())]


@lru_cache(maxsize=64)
def _schema_invalid(shown: str, data: bytes) -> list[Problem]:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(json.loads(data))
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "the top"
        message = f"not a valid JSON Schema at {where}: {exc.message[:200]}"
        return [Problem(shown, 1, 1, message, "restore the schema from the repository (see https://json-schema.org)")]
    except RecursionError:
        return [Problem(shown, 1, 1, "schema nested too deeply", "restore the schema from the repository")]
    return []


MAX_SEED_BYTES = 4 * 2**20
"""A source document (a seed) is at most this large: an article is a few KB, and each is indexed for quotes."""
MAX_SEEDS_BYTES = 32 * 2**20
"""All seeds together are at most this large (their quote indexes are held at once)."""
MAX_SOURCES = 200
"""At most this many sources (the site has five)."""
MAX_ID_LENGTH = 64
"""Ids become URL fragments and folder names: keep them short."""
MAX_QUOTE_LENGTH = 1_000
"""A quote points at the evidence: one clause to two sentences."""
MAX_TEXT_LENGTH = 10_000
"""Any other text; the longest field of the real content is under a thousand characters."""


def _too_long(value: Any, key: str) -> bool:
    """Whether :func:`_check_lengths` would find a text too long (``key``: the nearest key that is not ar/en).

    Strings are checked in their container's loop, without a call each: this walks every value of a file.
    """
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, str):
                if len(v) > MAX_ID_LENGTH and _over_limit(v, key if k in ("ar", "en") else k):
                    return True
            elif _too_long(v, key if k in ("ar", "en") else k):
                return True
    elif isinstance(value, list):
        for v in value:
            if isinstance(v, str):
                if len(v) > MAX_ID_LENGTH and _over_limit(v, key):
                    return True
            elif _too_long(v, key):
                return True
    elif isinstance(value, str):
        return _over_limit(value, key)
    return False


def _over_limit(text: str, key: str) -> bool:
    return len(text) > (MAX_ID_LENGTH if key == "id" else MAX_QUOTE_LENGTH if key == "quote" else MAX_TEXT_LENGTH)


def _check_lengths(doc: Document, value: Any, path: JsonPath, errors: Collector) -> None:
    """Refuse runaway text (a paste gone wrong, or a hostile file) with its size and place."""
    if isinstance(value, dict):
        for k, v in value.items():
            _check_lengths(doc, v, (*path, k), errors)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _check_lengths(doc, v, (*path, i), errors)
    elif isinstance(value, str):
        key = next((p for p in reversed(path) if isinstance(p, str) and p not in ("ar", "en")), "")
        limit, what = {"id": (MAX_ID_LENGTH, "an id"), "quote": (MAX_QUOTE_LENGTH, "a quote")}.get(key, (MAX_TEXT_LENGTH, "a text"))
        if len(value) > limit:
            line, col = doc.where(path)
            errors.add(
                doc.path,
                line,
                col,
                f"{_where_name(path)}: too long ({len(value):,} characters; {what} may have at most {limit:,})",
                "shorten it" + (" (quote one clause to two sentences; use several citations for more)" if key == "quote" else ""),
            )


def _leaves(err: Any) -> Iterable[Any]:
    """For combinators (anyOf/oneOf), report the most specific sub-errors."""
    if err.context:
        best = max(err.context, key=lambda e: len(e.absolute_path))
        yield from _leaves(best)
    else:
        yield err


_TYPE_NAMES = {
    "string": "text",
    "integer": "a whole number",
    "number": "a number",
    "object": "a mapping (key: value lines)",
    "array": "a list (lines starting with '- ')",
    "boolean": "true or false",
}
_FOUND_NAMES = {
    "NoneType": "nothing",
    "str": "text",
    "dict": "a mapping",
    "list": "a list",
    "bool": "true/false",
    "int": "a number",
    "float": "a number",
}


def _where_name(path: Iterable[Any]) -> str:
    parts = [str(p) if not isinstance(p, int) else f"[{p + 1}]" for p in path]
    return ".".join(parts).replace(".[", "[") or "the file"


def _explain(err: Any) -> tuple[str, str, str | None]:
    """A user-facing message, a hint, and the key to point at (if any)."""
    field = _where_name(err.absolute_path)
    kind = err.validator
    schema = err.schema if isinstance(err.schema, dict) else {}
    if kind == "required":
        missing = str(err.message).split("'")[1] if "'" in str(err.message) else "?"
        if missing in ("ar", "en"):
            lang = "Arabic" if missing == "ar" else "English"
            return (
                f"{field}: the {lang} text ('{missing}') is missing",
                f"add '{missing}:' with the {lang} text beside the other language",
                None,
            )
        return (f"{field}: required field '{missing}' is missing", f"add '{missing}:' to this entry (see docs/content-format.md)", None)
    if kind == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extras = [k for k in err.instance if k not in allowed] if isinstance(err.instance, dict) else []
        key = extras[0] if extras else None
        close = _closest(key or "", allowed)
        hint = f"did you mean '{close[0]}'?" if close else f"allowed keys here: {', '.join(allowed)}"
        return (f"{field}: unknown key '{_short(key)}'", hint, key)
    if kind == "type":
        want = err.validator_value
        wants = want if isinstance(want, list) else [want]
        names = " or ".join(_TYPE_NAMES.get(w, str(w)) for w in wants)
        got = _FOUND_NAMES.get(type(err.instance).__name__, type(err.instance).__name__)
        hint = "write the value on the same line after the colon, or indented below it"
        if not err.absolute_path:  # the whole file has the wrong shape
            top = ", ".join(f"'{k}:'" for k in schema.get("required", []))
            return (
                f"the file must be a mapping of keys, found {got}",
                f"start the file with its top-level key{'s' if ', ' in top else ''} {top} (see docs/content-format.md)",
                None,
            )
        if "object" in wants and isinstance(err.instance, str):
            hint = "give both languages on their own lines: 'ar: …' and 'en: …'"
        return (f"{field}: expected {names}, found {got}", hint, None)
    if kind == "enum":
        options = ", ".join(str(o) for o in err.validator_value)
        close = _closest(_short(err.instance), [str(o) for o in err.validator_value])
        hint = f"did you mean '{close[0]}'? " if close else ""
        return (f"{field}: '{_short(err.instance)}' is not allowed here", f"{hint}use one of: {options}", None)
    if kind in ("minLength", "pattern") and isinstance(err.instance, str) and not err.instance.strip():
        return (f"{field}: text is empty", "write the text, or remove the field if it is optional", None)
    if kind == "pattern":
        desc = schema.get("description", "")
        return (f"{field}: '{_short(err.instance)}' is not in the expected form", desc or f"it must match {err.validator_value}", None)
    if kind == "minItems":
        return (f"{field}: the list is empty", f"give at least {err.validator_value} item(s)", None)
    if kind == "maxItems":
        return (f"{field}: too many items", f"give at most {err.validator_value} item(s)", None)
    if kind == "uniqueItems":
        return (f"{field}: an item is listed twice", "remove the repeated item", None)
    if kind in ("minimum", "maximum"):
        return (
            f"{field}: {err.instance} is out of range",
            f"the value must be {'at least' if kind == 'minimum' else 'at most'} {err.validator_value}",
            None,
        )
    return (f"{field}: {err.message}", "see docs/content-format.md for this field", None)


def _closest(word: str, options: Iterable[str]) -> list[str]:
    """The option most like ``word``, if one is close (for "did you mean …?" hints).

    ``difflib`` is imported only when a mistake needs a hint, not on every build."""
    import difflib

    return difflib.get_close_matches(word, list(options), 1)


def _is_day(year: int, month: int, day: int) -> bool:
    """Whether the month has that day (asked only for days outside 1–28)."""
    try:  # the calendar repeats every 400 years: the same date 2000 + year % 400 fits any year
        datetime.date(2000 + year % 400, month, day)
    except ValueError:
        return False
    return True


def _short(value: Any, n: int = 40) -> str:
    text = str(value)
    return text if len(text) <= n else text[: n - 1] + "…"


# --- building the model -----------------------------------------------------------


_MD_LINK = re.compile(r"\]\(\s*<?([^()\s<>]+)")
"""The target of a Markdown link (``[text](target)``), as written."""
_SCHEME = re.compile(r"[a-z][a-z0-9+.\-]*:", re.IGNORECASE)
_LATIN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_DATE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?\Z")


def _text(value: Mapping[str, str]) -> Text:
    return MappingProxyType({k: v.strip() for k, v in value.items()})


@lru_cache(maxsize=64)
def _stem(path: str) -> str:
    return Path(path).stem


@dataclass(frozen=True)
class _FirstUse:
    """Where an id was first used, written ``file:line`` (looked up only for a duplicate's message)."""

    doc: Document
    path: JsonPath

    def __str__(self) -> str:
        return f"{self.doc.path}:{self.doc.where(self.path)[0]}"


class _Builder:
    """Turns schema-valid documents into the model, checking what a schema cannot."""

    def __init__(self, project: Project, docs: dict[str, Document], errors: Collector, dropped: Mapping[str, set[str]] = {}) -> None:
        self.project = project
        self.docs = docs
        self.errors = errors
        self.dropped = dropped  # ids of items left out of their files for schema errors: known, never "unknown"
        self.quote_index: dict[str, QuoteIndex] = {}
        self.chrome_lines: dict[str, set[int]] = {}
        self.source_ids: set[str] = set()
        self.cited_sources: set[str] = set()
        self.datelines: dict[str, set[str]] = {}
        self.paragraph_numbers: dict[str, dict[int, int]] = {}
        self.changed_seeds: dict[str, tuple[Document, JsonPath, str, str]] = {}
        self.cite_places: dict[str, list[_FirstUse]] = {}
        self.fact_ids: dict[tuple[str, str], _FirstUse] = {}

    # helpers

    def _err(self, doc: Document, path: JsonPath, message: str, hint: str, *, key: bool = False) -> None:
        line, col = doc.where(path, key=key)
        self.errors.add(doc.path, line, col, message, hint)

    def _items(self, name: str, key: str) -> list[tuple[JsonPath, dict[str, Any]]]:
        doc = self.docs.get(name)
        if doc is None:
            return []
        return [((key, i), item) for i, item in enumerate(doc.data.get(key) or [])]

    def _unique(self, doc: Document, path: JsonPath, ident: str) -> None:
        """Ids become anchors: they must be unique among the items shown on one page."""
        page = PAGE_OF_FILE.get(_stem(doc.path), doc.path)
        first = self.fact_ids.get((page, ident))
        if first is not None:
            self._err(
                doc,
                path + ("id",),
                f"duplicate id '{ident}' (first used at {first})",
                f"give each item its own id; ids are unique among the items of the {page} page",
            )
        else:
            self.fact_ids[(page, ident)] = _FirstUse(doc, path + ("id",))

    def _date(self, doc: Document, path: JsonPath, raw: Any, qualifier: str | None = None) -> FuzzyDate | None:
        form = _DATE.match(str(raw))
        if form is None:  # e.g. a negative number: the schema checks the form of text only
            self._err(doc, path, f"'{_short(raw)}' is not a date", 'write "2017", "2025-09" or "2024-01-27", in quotes')
            return None
        y, m, d = form.groups()
        year, month, day = int(y), int(m) if m else None, int(d) if d else None
        if month is not None and not 1 <= month <= 12:
            self._err(doc, path, f"impossible date '{raw}': there is no month {month}", "write the month as 01–12")
            return None
        if day is not None and not (1 <= day <= 28 or _is_day(year, month or 1, day)):  # every month has a 28th
            self._err(doc, path, f"impossible date '{raw}': that month has no day {day}", "check the day of the month")
            return None
        if not 1900 <= year <= 2100:
            self._err(doc, path, f"implausible year '{year}'", "write the four-digit year, e.g. 2024")
            return None
        return FuzzyDate(year, month or None, day or None, qualifier)

    def _cites(self, doc: Document, path: JsonPath, raw: list[dict[str, str]], proves: str | None = None) -> Cites:
        """The verified citations of ``raw``. A fact's quote must be at least a clause (see
        :func:`~explainer.quotes.too_short`); a source's date or publisher evidence (``proves``:
        the year, or "" for a publisher's masthead) needs no length, and a date's must contain its year."""
        out: list[Citation] = []
        if "sources" not in self.docs:  # sources.yaml itself is broken: already reported
            return ()
        for i, c in enumerate(raw):
            src = c["source"]
            if src not in self.source_ids:
                close = _closest(src, sorted(self.source_ids))
                hint = f"did you mean '{close[0]}'?" if close else "use the id of a document in content/sources.yaml"
                self._err(doc, (*path, i, "source"), f"unknown source '{src}'", hint)
                continue
            self.cited_sources.add(src)
            self.cite_places.setdefault(src, []).append(_FirstUse(doc, (*path, i, "quote")))
            index = self.quote_index.get(src)
            if index is None:  # its seed is missing: already reported
                continue
            if not self._strong_enough(doc, (*path, i, "quote"), c["quote"], proves, src):
                continue
            found = index.find(c["quote"])
            if found is None:
                self._err(
                    doc,
                    (*path, i, "quote"),
                    f"quote not found in source '{src}': «{_short(c['quote'].strip(), 60)}»",
                    "copy the words exactly from the seed file (spacing, diacritics, alef forms and quotation marks may differ)",
                )
                continue
            found = index.balanced(found, c["quote"])
            placed = index.place(found)
            if placed is None:
                self._err(
                    doc,
                    (*path, i, "quote"),
                    "quote spans more than one paragraph of its source",
                    "split it into two citations, one per paragraph",
                )
                continue
            line, start, end = placed
            if line in self.chrome_lines.get(src, ()):
                self._err(
                    doc,
                    (*path, i, "quote"),
                    f"quote lies in line {line}, which is page chrome left out of the published text",
                    "cite the article text, or remove that line from 'chrome' in sources.yaml",
                )
                continue
            number = self.paragraph_numbers.get(src, {}).get(line, 0)
            out.append(Citation(src, index.words(found), c["en"].strip(), line, start, end, number))
        return tuple(out)

    def _strong_enough(self, doc: Document, path: JsonPath, quote: str, proves: str | None, source: str) -> bool:
        """Whether ``quote`` can serve as evidence; reports it otherwise. A fact may quote its
        source's dateline (the evidence of the source's date) to date what the source says."""
        if proves is None and too_short(quote) and normalise(quote) not in self.datelines.get(source, ()):
            self._err(
                doc,
                path,
                f"quote too short to be evidence: «{_short(quote.strip(), 60)}» "
                f"(at least {MIN_QUOTE_WORDS} words and {MIN_QUOTE_LETTERS} letters)",
                "quote the whole clause that supports the fact, as the source writes it",
            )
            return False
        if proves and normalise(proves) not in normalise(quote.translate(_LATIN_DIGITS)):
            self._err(
                doc,
                path,
                f"this quote does not contain what it proves ({proves})",
                "quote the words of the document that show it, such as its dateline or byline",
            )
            return False
        return True

    def _refs(self, doc: Document, path: JsonPath, ids: Iterable[str], known: Mapping[str, Any], what: str, file: str) -> tuple[str, ...]:
        out = []
        for i, ident in enumerate(ids):
            if ident not in known:
                close = _closest(ident, sorted(known))
                hint = f"did you mean '{close[0]}'?" if close else f"use the id of an entry in content/{file}"
                self._err(doc, path + (i,), f"unknown {what} '{ident}'", hint)
            else:
                out.append(ident)
        return tuple(out)

    # the files

    def build(self) -> Model | None:
        site = self._site()
        sources = self._sources()
        entities = self._list("glossary", "entities", self._entity)
        places = self._list("places", "places", self._place)
        entity_ids = {e.id: e for e in entities} | dict.fromkeys(self.dropped.get("glossary", ()))
        place_ids = {p.id: p for p in places} | dict.fromkeys(self.dropped.get("places", ()))
        if "glossary" not in self.docs:
            entity_ids = _Anything()
        if "places" not in self.docs:
            place_ids = _Anything()
        events = self._list("events", "events", lambda d, p, r: self._event(d, p, r, place_ids, entity_ids))
        phases = self._list("plan", "phases", lambda d, p, r: self._phase(d, p, r, place_ids))
        continues = self._list("plan", "continues", self._note)
        unknowns = self._list("plan", "unknowns", self._note)
        statements = self._list("statements", "statements", lambda d, p, r: self._statement(d, p, r, entity_ids))
        figures = self._list("figures", "figures", self._figure)
        questions = self._list("questions", "questions", self._question)
        disagreements = self._list("disagreements", "disagreements", self._disagreement)
        pages = self._pages()
        updates = self._list("updates", "updates", self._update)
        if "sources" in self.docs:
            doc = self.docs["sources"]
            for path, raw in self._items("sources", "sources"):
                if (
                    raw["id"] in self.source_ids
                    and raw["id"] not in self.cited_sources
                    and len(self.docs) == len(CONTENT_FILES)
                    and not self.dropped
                ):
                    self._err(doc, path + ("id",), f"source '{raw['id']}' is never cited", "cite it from at least one fact, or remove it")
        self._report_changed_seeds()
        if site is not None:
            self._links(frozenset(lang.code for lang in site.languages), events)
        if site is not None and "style" in self.docs:
            self._house_style(frozenset(lang.code for lang in site.languages))
        if self.errors.problems or site is None:
            return None
        return Model(
            site=site,
            sources=sources,
            entities=entities,
            places=places,
            events=self._timeline(events),
            phases=tuple(sorted(phases, key=lambda p: p.number)),
            continues=continues,
            unknowns=unknowns,
            statements=statements,
            figures=figures,
            questions=questions,
            disagreements=disagreements,
            updates=tuple(sorted(updates, key=lambda u: (u.date.sort_key, u.id), reverse=True)),
            pages=MappingProxyType(pages),
        )

    def _list(self, file: str, key: str, make: Callable[[Document, JsonPath, dict[str, Any]], Any]) -> tuple[Any, ...]:
        doc = self.docs.get(file)
        out = []
        for path, raw in self._items(file, key):
            assert doc is not None
            self._unique(doc, path, raw["id"])
            item = make(doc, path, raw)
            if item is not None:
                out.append(item)
        return tuple(out)

    def _site(self) -> Site | None:
        doc = self.docs.get("site")
        if doc is None:
            return None
        d = doc.data
        langs = []
        seen: set[str] = set()
        for i, raw in enumerate(d["languages"]):
            if raw["code"] in seen:
                self._err(doc, ("languages", i, "code"), f"language '{raw['code']}' is listed twice", "list each language once")
            seen.add(raw["code"])
            try:
                from babel import Locale

                Locale.parse(raw["locale"])
            except Exception:
                self._err(
                    doc, ("languages", i, "locale"), f"unknown locale '{raw['locale']}'", "use a Babel/CLDR locale such as ar_IQ or en_GB"
                )
            langs.append(Language(raw["code"], raw["locale"], raw["dir"], raw["digits"], raw["name"].strip(), raw.get("grouping", True)))
        if seen != {"ar", "en"}:
            self._err(
                doc,
                ("languages",),
                "the site's languages must be 'ar' and 'en'",
                "every text field has 'ar' and 'en'; list exactly those two languages",
            )
        kinds = tuple(str(kind) for kind in d["page_kinds"]) if "page_kinds" in d else None  # 404 unquoted is a number
        licence = d.get("licence")
        return Site(
            _text(d["title"]),
            _text(d["description"]),
            d["base_url"],
            tuple(langs),
            kinds,
            Licence(licence["id"], licence["url"], _text(licence["name"])) if licence else None,
        )

    def _sources(self) -> tuple[Source, ...]:
        doc = self.docs.get("sources")
        if doc is None:
            return ()
        raws = self._items("sources", "sources")
        for path, raw in raws:
            self._unique(doc, path, raw["id"])
            self.source_ids.add(raw["id"])
        self.source_ids |= self.dropped.get("sources", set())
        out = []
        if len(raws) > MAX_SOURCES:
            message = f"more than {MAX_SOURCES} sources ({len(raws):,}); only the first {MAX_SOURCES} are read"
            self._err(doc, ("sources",), message, "an explainer cites a few documents: split the site, or remove sources", key=True)
            raws = raws[:MAX_SOURCES]
        total = 0
        for path, raw in raws:
            seed = self.project.seeds / raw["file"]
            try:
                data = self.project.read_bytes(seed, limit=MAX_SEED_BYTES)
                total += len(data)
                if total > MAX_SEEDS_BYTES:
                    message = f"the seeds read so far hold more than {MAX_SEEDS_BYTES // 2**20} MB together; this one is not read"
                    self._err(doc, path + ("file",), message, "cite fewer or shorter documents (the quotes are proved against them)")
                    continue
                text = universal_newlines(data.decode("utf-8"))
            except InputError as exc:
                if not exc.missing:  # unreadable, or a link out of the project: located at the seed
                    self.errors.problems.append(exc.problem)
                    continue
                self._err(
                    doc,
                    path + ("file",),
                    f"source file seeds/{raw['file']} does not exist",
                    "copy the document into seeds/ or correct the file name",
                )
                continue
            except UnicodeDecodeError:
                self._err(doc, path + ("file",), f"seeds/{raw['file']} cannot be read as UTF-8 text", "save the document as UTF-8")
                continue
            self._check_pin(doc, path, raw, data)
            self.quote_index[raw["id"]] = QuoteIndex.of(text)
            lines = text.split("\n")
            chrome = []
            for j, ch in enumerate(raw.get("chrome") or []):
                n = ch["line"]
                actual = lines[n - 1].strip() if n <= len(lines) else None
                if actual != ch["text"].strip():
                    shown = "past the end of the file" if actual is None else f"«{_short(actual, 50)}»"
                    self._err(
                        doc,
                        path + ("chrome", j, "text"),
                        f"line {n} of seeds/{raw['file']} is {shown}, not this text",
                        "give the exact line number and text of the left-out line",
                    )
                    continue
                chrome.append(Chrome(n, actual, _text(ch["what"])))
            self.chrome_lines[raw["id"]] = {c.line for c in chrome}
            published = [(n, line.strip()) for n, line in enumerate(lines, 1) if line.strip() and n not in self.chrome_lines[raw["id"]]]
            paragraphs = tuple(Paragraph(n, text, k) for k, (n, text) in enumerate(published, 1))
            self.paragraph_numbers[raw["id"]] = {p.line: p.number for p in paragraphs}
            headline = raw.get("headline")
            if headline and self.quote_index[raw["id"]].find(headline["ar"]) is None:
                self._err(
                    doc, path + ("headline", "ar"), "headline not found in the document", "copy the headline exactly from the seed file"
                )
            pub, date = raw.get("publisher"), raw.get("date")
            if date:
                self.datelines[raw["id"]] = {normalise(c["quote"]) for c in date["cite"]}
            when = self._date(doc, path + ("date", "value"), date["value"]) if date else None
            if not date and not raw.get("dating"):
                self._err(
                    doc, path + ("id",), "an undated document needs 'dating'", "add 'dating:' saying what in the text dates it", key=True
                )
            out.append(
                Source(
                    id=raw["id"],
                    file=raw["file"],
                    label=_text(raw["label"]),
                    headline=_text(headline) if headline else None,
                    publisher=_text(pub["name"]) if pub else None,
                    publisher_cite=(),
                    date=when,
                    date_cite=(),
                    dating=_text(raw["dating"]) if raw.get("dating") else None,
                    about=_text(raw["about"]) if raw.get("about") else None,
                    paragraphs=paragraphs,
                    chrome=tuple(chrome),
                )
            )
        # publisher and date evidence can be checked only once every seed is indexed
        final = []
        by_id = {path[1]: raw for path, raw in raws}
        for src in out:
            i = next(i for i, raw in by_id.items() if raw["id"] == src.id)
            raw = by_id[i]
            pub, date = raw.get("publisher"), raw.get("date")
            pub_c = self._cites(doc, ("sources", i, "publisher", "cite"), pub["cite"], "") if pub else ()  # a masthead can be one word
            year = str(src.date.year) if src.date is not None else None
            date_c = self._cites(doc, ("sources", i, "date", "cite"), date["cite"], year) if date and year else ()
            final.append(Source(**{**src.__dict__, "publisher_cite": pub_c, "date_cite": date_c}))
        return tuple(final)

    def _links(self, languages: frozenset[str], events: Iterable[Event]) -> None:
        """Every Markdown link in the site's own words: to the web or mail, or to a page of the site
        by its page key (``differences#what-ends``), which must exist, as must its anchor."""
        from .markdown import PAGE_LINK
        from .plan import EXTRA_PAGES, SECTIONS
        from .style import own_words, place_in_file

        pages = {key for key, _ in SECTIONS + EXTRA_PAGES} | {f"timeline/{e.id}" for e in events}
        pages |= {f"sources/{ident}" for ident in self.source_ids}
        hint = "link to a page of the site by its key, such as [the plan](plan#erbil) or [an event](timeline/ID); to the web with https://"
        for doc in self.docs.values():
            for path, _lang, text in own_words(doc.data, languages):
                targets = _MD_LINK.findall(text)
                for i, target in enumerate(targets):
                    page = PAGE_LINK.fullmatch(target)
                    key, anchor = (page.group("key"), page.group("anchor")) if page else ("", None)
                    if page is None and _SCHEME.match(re.sub(r"[\x00-\x20\x7f]", "", html.unescape(target))):
                        continue  # the web or mail; any other scheme is shown as text (see markdown.safe_link)
                    if page is None:
                        message, fix = f"link '{_short(target)}' is neither a web address nor a page of the site", hint
                    elif key not in pages:
                        close = _closest(key, sorted(pages))
                        message, fix = f"link to '{key}': the site has no such page", f"did you mean '{close[0]}'?" if close else hint
                    elif anchor and key in {*PAGE_OF_FILE.values(), "home"} and (key, anchor) not in self.fact_ids:
                        message, fix = f"link to '{key}#{anchor}': that page has no item '{anchor}'", "use the id of an item shown there"
                    else:
                        continue
                    line, col = place_in_file(self.project.root / doc.path, doc.where(path), target, targets[:i].count(target))
                    self.errors.add(doc.path, line, col, message, fix)
        self._updated_pages(pages)

    def _updated_pages(self, pages: set[str]) -> None:
        """The pages an entry of ``updates.yaml`` says it changed (``pages:``) must exist, as must their items."""
        from .markdown import PAGE_LINK

        for path, raw in self._items("updates", "updates"):
            if raw["kind"] == "correction" and not raw.get("pages"):
                hint = "add 'pages:' listing the page keys it changed (home, plan, timeline/ID…): readers are told on each page"
                self._err(self.docs["updates"], path + ("kind",), "a correction must name the pages it corrects", hint)
            for i, entry in enumerate(raw.get("pages", ())):
                found = PAGE_LINK.fullmatch(entry)
                key, anchor = (found.group("key"), found.group("anchor")) if found else (entry, None)
                if key not in pages:
                    close = _closest(key, sorted(pages))
                    hint = (
                        f"did you mean '{close[0]}'?"
                        if close
                        else "name a page by its key, such as plan, timeline/joint-statement or plan#erbil"
                    )
                    self._err(self.docs["updates"], path + ("pages", i), f"'{entry}': the site has no such page", hint)
                elif anchor and key in {*PAGE_OF_FILE.values(), "home"} and (key, anchor) not in self.fact_ids:
                    self._err(
                        self.docs["updates"],
                        path + ("pages", i),
                        f"'{entry}': that page has no item '{anchor}'",
                        "use the id of an item shown there",
                    )

    def _house_style(self, languages: frozenset[str]) -> None:
        """The site's own words against content/style.yaml (see :mod:`~explainer.style`)."""
        from . import style

        rules, problems = style.rules(self.docs["style"], languages)
        self.errors.problems.extend(problems)
        self.errors.problems.extend(style.check(self.docs, rules, self.project.root, languages))

    def _check_pin(self, doc: Document, path: JsonPath, raw: dict[str, Any], data: bytes) -> None:
        """A seed must be the one its citations were checked against: its SHA-256 is pinned in sources.yaml."""
        digest = hashlib.sha256(data).hexdigest()
        pinned = raw.get("sha256")
        command = f"python build.py review seeds/{raw['file']}"
        if pinned is None:
            self._err(doc, path + ("id",), f"seeds/{raw['file']} is not pinned", f"after checking its citations, run: {command}", key=True)
        elif pinned != digest:
            self.changed_seeds[raw["id"]] = (doc, path + ("sha256",), raw["file"], command)

    def _report_changed_seeds(self) -> None:
        """A changed seed: one problem naming the file and every citation of it to check again."""
        for source, (doc, path, file, command) in self.changed_seeds.items():
            places = [str(place) for place in self.cite_places.get(source, [])]
            shown = ", ".join(places[:12]) + (f" and {len(places) - 12} more" if len(places) > 12 else "")
            self._err(
                doc,
                path,
                f"seeds/{file} has changed since it was pinned; check its {len(places)} citation(s) again: {shown or 'none'}",
                f"restore the file, or check every citation listed, then run: {command}",
            )

    def _entity(self, doc: Document, path: JsonPath, raw: dict[str, Any]) -> Entity:
        return Entity(
            raw["id"], raw["kind"], raw["side"], _text(raw["name"]), _text(raw["role"]), self._cites(doc, path + ("cite",), raw["cite"])
        )

    def _place(self, doc: Document, path: JsonPath, raw: dict[str, Any]) -> Place:
        return Place(
            raw["id"],
            raw["kind"],
            _text(raw["name"]),
            float(raw["lat"]),
            float(raw["lon"]),
            raw.get("phase"),
            _text(raw["role"]),
            self._cites(doc, path + ("cite",), raw["cite"]),
        )

    def _event(
        self, doc: Document, path: JsonPath, raw: dict[str, Any], places: Mapping[str, Any], entities: Mapping[str, Any]
    ) -> Event | None:
        date = self._date(doc, path + ("date",), raw["date"], raw.get("qualifier"))
        ev = Event(
            raw["id"],
            date or FuzzyDate(1900),
            raw["status"],
            _text(raw["title"]),
            _text(raw["body"]) if raw.get("body") else None,
            self._refs(doc, path + ("places",), raw.get("places", []), places, "place", "places.yaml"),
            self._refs(doc, path + ("actors",), raw.get("actors", []), entities, "person or organisation", "glossary.yaml"),
            self._cites(doc, path + ("cite",), raw["cite"]),
            raw.get("after"),
            bool(raw.get("key", False)),
        )
        return ev if date else None

    def _timeline(self, events: tuple[Event, ...]) -> tuple[Event, ...]:
        """Events by date; an event with ``after`` comes right after that event (and its other followers).

        This orders a year-only date such as ``2024`` among the months of that year
        without inventing a month.
        """
        doc = self.docs["events"]
        by_id = {e.id: e for e in events}
        index = {e.id: i for i, e in enumerate(events)}
        keys: dict[str, tuple[Any, ...]] = {}

        def key(e: Event, seen: tuple[str, ...]) -> tuple[Any, ...]:
            if e.id in keys:
                return keys[e.id]
            own = (e.date.sort_key, index[e.id])
            anchor = by_id.get(e.after) if e.after else None
            where = ("events", index[e.id], "after")
            if e.after and anchor is None and e.after not in self.dropped.get("events", ()):
                self._err(doc, where, f"unknown event '{e.after}'", "use the id of another event in content/events.yaml")
            elif anchor is not None and e.after in seen + (e.id,):
                self._err(
                    doc, where, f"'after' makes a loop: {' → '.join(seen + (e.id, e.after))}", "remove 'after' from one of these events"
                )
                anchor = None
            elif anchor is not None and e.date.latest < anchor.date.sort_key:
                self._err(
                    doc,
                    where,
                    f"'{e.id}' ({e.date.iso}) cannot follow '{anchor.id}' ({anchor.date.iso})",
                    "check both dates, or remove 'after'",
                )
                anchor = None
            keys[e.id] = key(anchor, seen + (e.id,)) + own if anchor is not None else own
            return keys[e.id]

        return tuple(sorted(events, key=lambda e: key(e, ())))

    def _phase(self, doc: Document, path: JsonPath, raw: dict[str, Any], places: Mapping[str, Any]) -> Phase | None:
        ends = self._date(doc, path + ("ends", "date"), raw["ends"]["date"], raw["ends"].get("qualifier"))
        if ends is None:
            return None
        return Phase(
            raw["id"],
            raw["number"],
            ends,
            _text(raw["title"]),
            _text(raw["summary"]),
            self._refs(doc, path + ("places",), raw.get("places", []), places, "place", "places.yaml"),
            self._cites(doc, path + ("cite",), raw["cite"]),
        )

    def _note(self, doc: Document, path: JsonPath, raw: dict[str, Any]) -> Note:
        return Note(raw["id"], _text(raw["text"]), self._cites(doc, path + ("cite",), raw["cite"]))

    def _statement(self, doc: Document, path: JsonPath, raw: dict[str, Any], entities: Mapping[str, Any]) -> Statement:
        self._refs(doc, path + ("speaker",), [raw["speaker"]], entities, "person or organisation", "glossary.yaml")
        date = self._date(doc, path + ("date",), raw["date"], raw.get("qualifier")) if "date" in raw else None
        return Statement(
            raw["id"],
            raw["speaker"],
            date,
            _text(raw["context"]) if raw.get("context") else None,
            _text(raw["said"]),
            self._cites(doc, path + ("cite",), raw["cite"]),
        )

    def _figure(self, doc: Document, path: JsonPath, raw: dict[str, Any]) -> Figure:
        return Figure(
            raw["id"],
            raw["value"],
            bool(raw.get("approximate", False)),
            _text(raw["label"]),
            _text(raw["note"]) if raw.get("note") else None,
            self._cites(doc, path + ("cite",), raw["cite"]),
        )

    def _question(self, doc: Document, path: JsonPath, raw: dict[str, Any]) -> Question:
        return Question(raw["id"], _text(raw["question"]), _text(raw["answer"]), self._cites(doc, path + ("cite",), raw["cite"]))

    def _disagreement(self, doc: Document, path: JsonPath, raw: dict[str, Any]) -> Disagreement:
        sides = tuple(Side(_text(s["claim"]), self._cites(doc, path + ("sides", i, "cite"), s["cite"])) for i, s in enumerate(raw["sides"]))
        return Disagreement(raw["id"], _text(raw["topic"]), _text(raw["summary"]), sides)

    def _update(self, doc: Document, path: JsonPath, raw: dict[str, Any]) -> Update | None:
        date = self._date(doc, path + ("date",), raw["date"])
        return Update(raw["id"], date, raw["kind"], _text(raw["text"]), tuple(raw.get("pages", ()))) if date else None

    def _pages(self) -> dict[str, Prose]:
        doc = self.docs.get("pages")
        if doc is None:
            return {}
        return {k: Prose(_text(v["title"]), _text(v["intro"])) for k, v in doc.data["pages"].items()}


class _Anything(dict):  # type: ignore[type-arg]
    """Stands in for an id table whose file failed to load, so no false 'unknown id' errors follow."""

    def __contains__(self, key: object) -> bool:
        return True
