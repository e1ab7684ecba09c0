"""Stage 2 — validate the loaded YAML into the frozen :mod:`model`.

Every file is checked against its JSON Schema in ``schemas/``; then each item is checked on its own
(its dates, texts and quotes, see :mod:`~explainer.checks`) and built by its kind
(:mod:`~explainer.kinds`); then what holds across items: unique ids, references, links, the
timeline's order, sources that are cited and pinned. All problems are collected and raised
together as one :class:`~explainer.errors.BuildError`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, partial
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from .checks import MAX_SOURCES, Checked, Context, check_item, check_texts, read_seeds
from .errors import MAX_SHOWN_PER_FILE, BuildError, Collector, Hints, Problem, closest
from .kinds import BY_NAME, KINDS, Kind, kinds_of
from .load import MAX_TEXT_LENGTH, Document, JsonPath, load_bytes, without_items
from .model import Draft, Event, Language, Licence, Model, Prose, Site, Text, TranslationNote
from .plan import EXTRA_PAGES, SECTIONS
from .project import InputError, Project, universal_newlines
from .schemacheck import quick_valid
from .style import FileText, rules
from .translations import coverage as language_coverage
from .translations import english_name

if TYPE_CHECKING:
    from .incremental import Memo

PROSE_ID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
SLUG_HINT = "use lowercase letters, digits and hyphens, such as 'about' or 'corrections-policy' (it is part of a page's address)"
"""A prose page's id: the last part of its address."""

LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:[_-][A-Za-z0-9]{2,8})*")
"""A language code (a BCP 47 tag such as ``fr``, ``ckb`` or ``pt-BR``): the first part of each page's address."""
LANGUAGE_HINT = (
    "write a language code such as 'fr', 'ckb' or 'pt-BR': 2 or 3 lowercase letters, then parts of 2 to 8 letters or digits after '-'"
)

RESERVED = frozenset({key for key, _ in EXTRA_PAGES} | {"embed", "data", "static", "feed.xml", "__preview"})
"""Names the site uses below a language's folder or beside it: no prose page may take them."""

CONTENT_FILES: tuple[str, ...] = ("site", *dict.fromkeys(kind.file for kind in KINDS), "pages", "style")
"""The content files, each validated by ``schemas/<name>.schema.json``."""


def load_model(
    project: Project, *, translation: bool = True, drafts: bool = False, memo: Memo | None = None, coverage: bool = True
) -> Model:
    """Load and validate all content of ``project``; raise :class:`BuildError` on any problem.

    ``translation=False`` leaves ``model.translation`` empty (a published build does not show it), and so does
    ``coverage=False`` with ``model.coverage`` (what ``check`` reports of each language).
    ``drafts``: the model holds the items marked ``draft: true`` (the live preview); else they are
    left out, and a published item that needs one is an error.
    ``memo``: what the live preview kept from its previous build (the same model, made from what changed).
    """
    content = read_content(project, memo)
    ctx = context(project, content, notes=translation)
    check = memo.checks(content) if memo is not None else check_item
    checked = {kind.name: [check(ctx, kind, raw) for raw in items_of(kind, content.docs.get(kind.file))] for kind in KINDS}
    return assemble(ctx, content, checked, translation=translation, drafts=drafts, memo=memo, coverage=coverage)


# --- reading the files ------------------------------------------------------------------------------


@dataclass
class Content:
    """The content files as read: each that loaded and passed its schema (maybe without some items)."""

    docs: dict[str, Document] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    dropped: dict[str, set[str]] = field(default_factory=dict)
    """By kind: the ids of items left out because they fail the schema (known ids all the same)."""
    schemas: Mapping[str, bytes] = field(default_factory=dict)
    """The bytes of each schema by its file name, as read for this build (none if one of them has a problem)."""


def read_content(project: Project, memo: Memo | None = None) -> Content:
    content = Content()
    schemas, broken_schemas = read_schemas(project)
    content.schemas = schemas
    if memo is not None:
        memo.use_schemas(schemas)
    content.problems += broken_schemas
    for name in CONTENT_FILES:
        read_file(project, name, content, schemas_ok=not broken_schemas, memo=memo)
    if project.content.is_dir():
        for extra in sorted(project.content.glob("*.y*ml")):
            if extra.stem not in CONTENT_FILES or extra.suffix != ".yaml":
                close = closest(extra.stem, CONTENT_FILES)
                hint = f"did you mean {close}.yaml?" if close else f"the content files are: {', '.join(CONTENT_FILES)}"
                content.problems.append(Problem(project.show(extra), 1, 1, "unknown content file", hint))
    return content


def read_file(
    project: Project, name: str, content: Content, *, schemas_ok: bool = True, doc: Document | None = None, memo: Memo | None = None
) -> None:
    """Read ``content/<name>.yaml`` (or take ``doc``, already loaded) into ``content``: a file that parsed is
    checked against its schema even when it has other problems (a refused character, say) and is used if
    it passes; one whose schema check fails in some of its list items is used without them."""
    file = project.content / f"{name}.yaml"
    shown = project.show(file)
    if doc is None:
        read = partial(_content_bytes, project, file, ("content file is missing", f"create {shown} (see docs/content-format.md)"))
        doc, problems = memo.load(file, shown, read) if memo is not None else _load_content(read(), shown)
        content.problems += problems
    if doc is None or not schemas_ok:
        return
    codes = frozenset(lang.code for lang in _site_languages(content)) if name != "site" else frozenset()
    unproven = memo.unproven(name, doc, codes) if memo is not None else doc  # without the items that passed before
    if unproven is None:  # the file as it was when it passed
        content.docs[name] = doc
        return
    found = _schema_problems(project, name, unproven, content)
    long = _lengths(unproven, content) if not found else []
    if unproven is not doc and (found or long):  # located in the whole file
        found = _schema_problems(project, name, doc, content)
        long = _lengths(doc, content) if not found else []
    if not found:
        content.problems += long
        content.docs[name] = doc
        if memo is not None and not long:
            memo.proven(name, doc, codes)
        return
    content.problems += found
    pruned = _without_failing_items(content.schemas, name, doc)
    if pruned is not None:
        content.docs[name], dropped = pruned
        for kind, ids in dropped.items():
            content.dropped.setdefault(kind, set()).update(ids)


_SPLIT_IT = "split the content or remove what was pasted in by mistake"


def _content_bytes(project: Project, file: Path, missing: tuple[str, str]) -> tuple[bytes | None, list[Problem]]:
    """The bytes of a content file read by the project's rules (one descriptor, opened without waiting, of a regular
    file inside the input folders), or the problem of one that is missing, unreadable, or a link out of the project."""
    from .load import MAX_FILE_BYTES  # (read when called: tests lower it)

    try:
        return project.read_bytes(file, missing=missing, limit=MAX_FILE_BYTES, too_large=_SPLIT_IT), []
    except InputError as exc:
        return None, [exc.problem]


def _load_content(read: tuple[bytes | None, list[Problem]], shown: str) -> tuple[Document | None, list[Problem]]:
    raw, problems = read
    return load_bytes(raw, shown) if raw is not None else (None, problems)


def _without_failing_items(schemas: Mapping[str, bytes], name: str, doc: Document) -> tuple[Document, dict[str, set[str]]] | None:
    """``doc`` without its list items that fail the schema (and their ids, by kind), if the rest passes."""
    validator = _validators(schemas).get(name)
    kinds = {kind.key: kind.name for kind in kinds_of(name)}
    bad: dict[str, set[int]] = {}
    try:
        for n, err in enumerate(validator.iter_errors(doc.data) if validator is not None else ()):
            path = tuple(err.absolute_path)
            if n >= MAX_SCHEMA_ERRORS or len(path) < 2 or path[0] not in kinds or not isinstance(path[1], int):
                return None  # (so many wrong items: the file is left out, not searched to its end)
            bad.setdefault(str(path[0]), set()).add(path[1])
        pruned = without_items(doc, bad)
        if not bad or validator is None or any(True for _ in validator.iter_errors(pruned.data)):
            return None
    except Exception:  # a schema that cannot be applied: reported by _schema_problems, at the schema
        return None
    ids = {
        kinds[key]: {item["id"] for i in indices if isinstance(item := doc.data[key][i], dict) and isinstance(item.get("id"), str)}
        for key, indices in bad.items()
    }
    return pruned, ids


def _validators(schemas: Mapping[str, bytes]) -> Mapping[str, Any]:
    """jsonschema's validator of each schema of ``schemas`` (file name → bytes), kept while they are the same."""
    return _validators_of(tuple(sorted(schemas.items())))


@lru_cache(maxsize=8)
def _validators_of(files: tuple[tuple[str, bytes], ...]) -> Mapping[str, Any]:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    schemas = {name: json.loads(data) for name, data in files}
    resources = ((name, Resource.from_contents(body, default_specification=DRAFT202012)) for name, body in schemas.items())
    registry: Registry[Any] = Registry().with_resources(resources)  # (a schema without "$schema" is read as the validator's draft)
    return {name.removesuffix(".schema.json"): Draft202012Validator(body, registry=registry) for name, body in schemas.items()}


def _schema_problems(project: Project, name: str, doc: Document, content: Content) -> list[Problem]:
    if quick_valid(content.schemas, name, doc.data):  # the usual case; jsonschema below explains errors
        return []
    validator = _validators(content.schemas).get(name)
    if validator is None:
        return [Problem(doc.path, 1, 1, f"no schema for this file (schemas/{name}.schema.json)", "restore the schema file")]
    problems: list[Problem] = []
    try:
        for err in validator.iter_errors(doc.data):
            for leaf in _leaves(err):
                if len(problems) >= MAX_SCHEMA_ERRORS - 1:  # the report shows the first hundred: the rest is not searched for
                    message = f"more than {MAX_SCHEMA_ERRORS - 1} errors: the rest of the file was not checked"
                    return [*problems, Problem(doc.path, 1, 1, message, "fix these, then check again")]
                path: JsonPath = tuple(leaf.absolute_path)
                message, hint, at_key = _explain(leaf, _site_languages(content))
                line, col = doc.where(path + ((at_key,) if at_key else ()), key=bool(at_key))
                problems.append(Problem(doc.path, line, col, message, hint))
    except Exception as exc:  # a schema that cannot be applied (a $ref to itself or to the web): located at the schema
        what = "it refers to itself without end" if isinstance(exc, RecursionError) else f"{type(exc).__name__}: {str(exc)[:200]}"
        shown = project.show(project.schemas / f"{name}.schema.json")
        return [*problems, Problem(shown, 1, 1, f"schema cannot be applied: {what}", "restore the schema from the repository")]
    return problems


MAX_SCHEMA_ERRORS = MAX_SHOWN_PER_FILE
"""A file's schema errors are collected up to this many (the report shows as many), then the check stops."""


def read_schemas(project: Project) -> tuple[dict[str, bytes], list[Problem]]:
    """The bytes of each schema by its file name, and their problems (then no schema: no file can be checked)."""
    files, problems = project.schema_files()
    problems = problems or [p for name, data in files.items() for p in _schema_invalid(project.show(project.schemas / name), data)]
    return ({} if problems else files), problems


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


MAX_KEY_EVENTS = 30
"""At most this many events may be marked ``key: true``: the timeline graphic labels a handful (six in
this site), and choosing which fit in every language lays it out once per extra key event —
400 of them took over 60 s."""
MAX_ID_LENGTH = 64
"""Ids become URL fragments and folder names: keep them short."""
MAX_QUOTE_LENGTH = 1_000
"""A quote points at the evidence: one clause to two sentences."""


def _too_long(what: str, ident: str) -> str:
    return f"{what} '{_short(ident)}' is too long for an address ({len(ident):,} characters; an id may have at most {MAX_ID_LENGTH})"


def _lengths(doc: Document, content: Content) -> list[Problem]:
    """Runaway text (a paste gone wrong, or a hostile file), with its size and place."""
    site = content.docs.get("site")
    codes = {lang.get("code") for lang in site.data.get("languages", [])} if site is not None and doc is not site else set()
    problems: list[Problem] = []
    stack: list[tuple[Any, JsonPath, str]] = [(doc.data, (), "")]
    while stack:
        value, path, key = stack.pop()
        if isinstance(value, dict):
            stack += [(v, (*path, k), key if k in codes else k) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [(v, (*path, i), key) for i, v in enumerate(value)]
        elif isinstance(value, str) and len(value) > MAX_ID_LENGTH:
            limit, what = {"id": (MAX_ID_LENGTH, "an id"), "quote": (MAX_QUOTE_LENGTH, "a quote")}.get(key, (MAX_TEXT_LENGTH, "a text"))
            if len(value) > limit:
                line, col = doc.where(path)
                message = f"{_where_name(path)}: too long ({len(value):,} characters; {what} may have at most {limit:,})"
                more = " (quote one clause to two sentences; use several citations for more)" if key == "quote" else ""
                problems.append(Problem(doc.path, line, col, message, "shorten it" + more))
    return problems


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


def _site_languages(content: Content) -> tuple[Language, ...]:
    site = content.docs.get("site")
    return _languages(site.data) if site is not None else ()


def _explain(err: Any, languages: tuple[Language, ...] = ()) -> tuple[str, str, str | None]:
    """A user-facing message, a hint, and the key to point at (if any)."""
    field = _where_name(err.absolute_path)
    kind = err.validator
    schema = err.schema if isinstance(err.schema, dict) else {}
    if kind == "required":
        missing = str(err.message).split("'")[1] if "'" in str(err.message) else "?"
        lang = next((lang for lang in languages if lang.code == missing), None)
        if lang is not None:
            name = english_name(lang)
            return (
                f"{field}: the {name} text ('{missing}') is missing",
                f"add '{missing}:' with the {name} text beside the other language",
                None,
            )
        return (f"{field}: required field '{missing}' is missing", f"add '{missing}:' to this entry (see docs/content-format.md)", None)
    if kind == "additionalProperties":
        allowed = sorted(schema.get("properties", {}))
        extras = [k for k in err.instance if k not in allowed] if isinstance(err.instance, dict) else []
        key = extras[0] if extras else None
        close = closest(key or "", allowed)
        hint = f"did you mean '{close}'?" if close else f"allowed keys here: {', '.join(allowed)}"
        return (f"{field}: unknown key '{_short(key)}'", hint, key)
    if kind == "type":
        return _wrong_type(err, field, schema)
    if kind == "enum":
        options = ", ".join(str(o) for o in err.validator_value)
        close = closest(_short(err.instance), [str(o) for o in err.validator_value])
        hint = f"did you mean '{close}'? " if close else ""
        return (f"{field}: '{_short(err.instance)}' is not allowed here", f"{hint}use one of: {options}", None)
    if kind in ("minLength", "pattern") and isinstance(err.instance, str) and not err.instance.strip():
        return (f"{field}: text is empty", "write the text, or remove the field if it is optional", None)
    if kind == "pattern":
        desc = schema.get("description", "")
        return (f"{field}: '{_short(err.instance)}' is not in the expected form", desc or f"it must match {err.validator_value}", None)
    return _other(err, field, kind)


def _wrong_type(err: Any, field: str, schema: Mapping[str, Any]) -> tuple[str, str, str | None]:
    want = err.validator_value
    wants = want if isinstance(want, list) else [want]
    names = " or ".join(_TYPE_NAMES.get(w, str(w)) for w in wants)
    got = _FOUND_NAMES.get(type(err.instance).__name__, type(err.instance).__name__)
    hint = "write the value on the same line after the colon, or indented below it"
    if not err.absolute_path:  # the whole file has the wrong shape
        top = ", ".join(f"'{k}:'" for k in schema.get("required", []))
        hint = f"start the file with its top-level key{'s' if ', ' in top else ''} {top} (see docs/content-format.md)"
        return (f"the file must be a mapping of keys, found {got}", hint, None)
    if "object" in wants and isinstance(err.instance, str):
        hint = "give each language on its own line: the language's code, a colon and the text"
    return (f"{field}: expected {names}, found {got}", hint, None)


def _other(err: Any, field: str, kind: str) -> tuple[str, str, str | None]:
    if kind in ("minItems", "minProperties"):
        return (f"{field}: the list is empty", f"give at least {err.validator_value} item(s)", None)
    if kind == "maxItems":
        return (f"{field}: too many items", f"give at most {err.validator_value} item(s)", None)
    if kind == "uniqueItems":
        return (f"{field}: an item is listed twice", "remove the repeated item", None)
    if kind in ("minimum", "maximum"):
        bound = "at least" if kind == "minimum" else "at most"
        return (f"{field}: {err.instance} is out of range", f"the value must be {bound} {err.validator_value}", None)
    return (f"{field}: {err.message}", "see docs/content-format.md for this field", None)


def _short(value: Any, n: int = 40) -> str:
    text = str(value)
    return text if len(text) <= n else text[: n - 1] + "…"


# --- checking each item -----------------------------------------------------------------------------


def context(project: Project, content: Content, *, notes: bool = True) -> Context:
    """What every item's check depends on: the site's languages, the source documents, the house style
    (``notes``: whether translation notes are worked out)."""
    site = content.docs.get("site")
    languages = _languages(site.data) if site is not None else ()
    ctx = Context(project, languages, notes=notes)
    sources = content.docs.get("sources")
    raws = sources.data["sources"] if sources is not None else []
    if sources is not None and len(raws) > MAX_SOURCES:  # (read_seeds reads the first ones)
        line, col = sources.where(("sources",), key=True)
        message = f"more than {MAX_SOURCES} sources ({len(raws):,}); only the first {MAX_SOURCES} are read"
        hint = "an explainer cites a few documents: split the site, or remove sources"
        content.problems.append(Problem(sources.path, line, col, message, hint))
    read_seeds(ctx, raws)
    ctx.source_ids |= content.dropped.get("sources", set())
    style = content.docs.get("style")
    if style is not None and languages:
        found, _problems = rules(style, ctx.codes)
        ctx.rules = {lang.code: [r for r in found if r.lang == lang.code] for lang in languages}
    return ctx


def _languages(data: Mapping[str, Any]) -> tuple[Language, ...]:
    return tuple(
        Language(raw["code"], raw["locale"], raw["dir"], raw["digits"], raw["name"].strip(), raw.get("grouping", True))
        for raw in data["languages"]
    )


def items_of(kind: Kind, doc: Document | None) -> list[dict[str, Any]]:
    return list(doc.data.get(kind.key) or []) if doc is not None else []


_DRAFT_HINT = "publish it (remove its 'draft: true'), make this one a draft too, or remove the reference"


def _is_draft(raw: Any) -> bool:
    return isinstance(raw, dict) and raw.get("draft") is True


def _raw_at(doc: Document, at: JsonPath) -> Any:
    data: Any = doc.data
    for part in at:
        data = data[part]
    return data


def _draft_ids(content: Content) -> dict[str, set[str]]:
    """By kind (and ``pages`` for the prose pages): the ids of the drafts."""
    out = {kind.name: {raw["id"] for raw in items_of(kind, content.docs.get(kind.file)) if _is_draft(raw)} for kind in KINDS}
    pages = content.docs.get("pages")
    out["pages"] = {key for key, raw in pages.data["pages"].items() if _is_draft(raw)} if pages is not None else set()
    return out


# --- across items ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _FirstUse:
    """Where an id was first used, written ``file:line`` (looked up only for a duplicate's message)."""

    doc: Document
    path: JsonPath

    def __str__(self) -> str:
        return f"{self.doc.path}:{self.doc.where(self.path)[0]}"


class _Site:
    """The checks across items, gathering located problems."""

    def __init__(self, ctx: Context, content: Content, checked: Mapping[str, Sequence[Checked]], *, drafts: bool = False) -> None:
        self.ctx, self.content, self.checked = ctx, content, checked
        self.errors = Collector()
        self.errors.problems += content.problems
        self.fact_ids: dict[tuple[str, str], _FirstUse] = {}
        self.publishing = not drafts
        """Drafts are left out (a build), not shown (the preview)."""
        self.drafts = _draft_ids(content)
        self.files: dict[str, FileText] = {}
        """The content files' texts, read once each, to locate words in (see :meth:`place`)."""

    def err(self, doc: Document, path: JsonPath, message: str, hint: str, *, key: bool = False) -> None:
        line, col = doc.where(path, key=key)
        self.errors.add(doc.path, line, col, message, hint)

    def located(self, doc: Document, at: JsonPath, found: Checked) -> None:
        """The problems of one item (at ``at`` in ``doc``), located in the file."""
        for f in found.problems:
            self.err(doc, at + f.path, f.message, f.hint, key=f.key)
        self.errors.problems += found.elsewhere
        for p in found.placed:
            line, col = self.place(doc, at + p.path, p.words, p.nth)
            self.errors.add(doc.path, line, col, p.message, p.hint)

    def place(self, doc: Document, path: JsonPath, words: str, nth: int) -> tuple[int, int]:
        """Where the ``nth`` occurrence of ``words`` lies in the text at ``path`` of ``doc`` (see :meth:`FileText.place`)."""
        text = self.files.get(doc.path)
        if text is None:
            try:
                text = FileText(universal_newlines(self.ctx.project.read_bytes(self.ctx.project.root / doc.path).decode("utf-8-sig")))
            except (InputError, UnicodeDecodeError):
                text = FileText(None)
            self.files[doc.path] = text
        try:
            length = len(str(_raw_at(doc, path)))
        except (KeyError, IndexError, TypeError):
            length = len(words)
        return text.place(doc.where(path), words, nth, length)

    def each(self) -> Iterable[tuple[Kind, Document, int, dict[str, Any], Checked]]:
        for kind in KINDS:
            doc = self.content.docs.get(kind.file)
            if doc is not None:
                for i, (raw, found) in enumerate(zip(items_of(kind, doc), self.checked[kind.name], strict=True)):
                    yield kind, doc, i, raw, found

    def unique(self, kind: Kind, doc: Document, i: int, ident: str) -> None:
        """Ids become anchors: they must be unique among the items shown on one page."""
        first = self.fact_ids.get((kind.page, ident))
        if first is not None:
            message = f"duplicate id '{ident}' (first used at {first})"
            self.err(
                doc, (kind.key, i, "id"), message, f"give each item its own id; ids are unique among the items of the {kind.page} page"
            )
        else:
            self.fact_ids[(kind.page, ident)] = _FirstUse(doc, (kind.key, i, "id"))

    def refs(self) -> None:
        """References to other items: to an id of their kind (or one whose item failed its schema)."""
        known: dict[str, Any] = {}
        for kind in KINDS:
            doc = self.content.docs.get(kind.file)
            known[kind.name] = (
                None if doc is None else {raw["id"] for raw in items_of(kind, doc)} | self.content.dropped.get(kind.name, set())
            )
        hints = {name: Hints(ids) for name, ids in known.items() if ids is not None}
        for kind, doc, i, _raw, found in self.each():
            for path, target, ident, what in found.refs:
                ids = known[target]
                if ids is not None and ident not in ids:  # (a kind whose file failed to load: already reported)
                    close = hints[target].closest(ident)
                    hint = f"did you mean '{close}'?" if close else f"use the id of an entry in content/{BY_NAME[target].file}.yaml"
                    self.err(doc, (kind.key, i, *path), f"unknown {what} '{ident}'", hint)

    def key_events(self) -> None:
        """At most :data:`MAX_KEY_EVENTS` events are marked ``key``; the first past it is located."""
        doc = self.content.docs.get("events")
        if doc is None:
            return
        marked = [i for i, raw in enumerate(items_of(BY_NAME["events"], doc)) if raw.get("key") is True]
        if len(marked) > MAX_KEY_EVENTS:
            message = f"{len(marked)} events are marked 'key: true'; the timeline graphic can name at most {MAX_KEY_EVENTS}"
            hint = f"keep 'key: true' on the {MAX_KEY_EVENTS} most important events (this one is past the limit), remove it from the rest"
            self.err(doc, ("events", marked[MAX_KEY_EVENTS], "key"), message, hint, key=True)

    def sources(self) -> None:
        """Every source is cited (when everything loaded) and its document is the one that was pinned."""
        doc = self.content.docs.get("sources")
        if doc is None:
            return
        cited = {source for *_, found in self.each() for _path, source in found.cited}
        everything = len(self.content.docs) == len(CONTENT_FILES) and not self.content.dropped
        for i, raw in enumerate(items_of(BY_NAME["sources"], doc)):
            if everything and raw["id"] in self.ctx.seeds and raw["id"] not in cited:
                self.err(doc, ("sources", i, "id"), f"source '{raw['id']}' is never cited", "cite it from at least one fact, or remove it")
            seed = self.ctx.seeds.get(raw["id"])
            if seed is not None and raw.get("sha256") not in (None, seed.sha256):
                places = [
                    str(_FirstUse(kdoc, (kind.key, j, *path)))
                    for kind, kdoc, j, _raw, found in self.each()
                    for path, source in found.cited
                    if source == raw["id"]
                ]
                shown = ", ".join(places[:12]) + (f" and {len(places) - 12} more" if len(places) > 12 else "")
                command = f"python build.py review seeds/{raw['file']}"
                message = (
                    f"seeds/{raw['file']} has changed since it was pinned; check its {len(places)} citation(s) again: {shown or 'none'}"
                )
                self.err(doc, ("sources", i, "sha256"), message, f"restore the file, or check every citation listed, then run: {command}")

    def links(self, texts: Iterable[tuple[Document, JsonPath, Checked]]) -> None:
        """Every Markdown link to a page of the site, by its page key (``differences#what-ends``): the page
        must exist, and so must the item it points at on a page that shows items."""
        from .markdown import PAGE_LINK

        pages = self.page_keys
        page_hints = Hints(pages)
        with_items = {kind.page for kind in KINDS}
        hint = "link to a page of the site by its key, such as [the plan](plan#erbil) or [an event](timeline/ID); to the web with https://"
        for doc, at, found in texts:
            for path, target, nth in found.links:
                page = PAGE_LINK.fullmatch(target)
                key, anchor = (page.group("key"), page.group("anchor")) if page else ("", None)
                if page is None:
                    message, fix = f"link '{_short(target)}' is neither a web address nor a page of the site", hint
                elif key not in pages:
                    close = page_hints.closest(key)
                    message, fix = f"link to '{key}': the site has no such page", f"did you mean '{close}'?" if close else hint
                elif anchor and key in with_items and (key, anchor) not in self.fact_ids:
                    message, fix = f"link to '{key}#{anchor}': that page has no item '{anchor}'", "use the id of an item shown there"
                else:
                    continue
                line, col = self.place(doc, at + path, target, nth)
                self.errors.add(doc.path, line, col, message, fix)

    @cached_property
    def page_keys(self) -> frozenset[str]:
        """The key of every page of the site (``plan``, ``timeline/ID``, a prose page's id)."""
        pages = {key for key, _ in SECTIONS + EXTRA_PAGES} | set(self.prose_ids())
        for kind in KINDS:
            if kind.own_page:
                doc = self.content.docs.get(kind.file)
                pages |= {f"{kind.page}/{raw['id']}" for raw in items_of(kind, doc)}
        return frozenset(pages)

    def prose_ids(self) -> list[str]:
        """The ids of the prose pages (the entries of ``pages.yaml`` that are not built-in sections)."""
        doc = self.content.docs.get("pages")
        builtin = {key for key, _ in SECTIONS}
        return [key for key in doc.data["pages"] if key not in builtin] if doc is not None else []

    def prose_pages(self) -> None:
        """A prose page's id is its address (``/<lang>/<id>/``): a short slug, not one the site uses already."""
        doc = self.content.docs.get("pages")
        for key in self.prose_ids():
            assert doc is not None
            if not PROSE_ID.fullmatch(key):
                self.err(doc, ("pages", key), f"page id '{_short(key)}' cannot be an address", SLUG_HINT, key=True)
            elif len(key) > MAX_ID_LENGTH:  # a folder of the site: its name would be too long for a file system (review s5, 12)
                self.err(doc, ("pages", key), _too_long("page id", key), "shorten it (it is part of the page's address)", key=True)
            elif key in RESERVED:
                hint = f"choose another id: {', '.join(sorted(RESERVED))} are the site's own addresses"
                self.err(doc, ("pages", key), f"page id '{key}' is taken by the site", hint, key=True)

    def updated_pages(self) -> None:
        """The pages an entry of ``updates.yaml`` says it changed (``pages:``) must exist, as must their items."""
        from .markdown import PAGE_LINK

        doc = self.content.docs.get("updates")
        pages, with_items = self.page_keys, {kind.page for kind in KINDS}
        page_hints = Hints(pages)
        for i, raw in enumerate(items_of(BY_NAME["updates"], doc)):
            assert doc is not None
            if raw["kind"] == "correction" and not raw.get("pages"):
                hint = "add 'pages:' listing the page keys it changed (home, plan, timeline/ID…): readers are told on each page"
                self.err(doc, ("updates", i, "kind"), "a correction must name the pages it corrects", hint)
            for j, entry in enumerate(raw.get("pages", ())):
                found = PAGE_LINK.fullmatch(entry)
                key, anchor = (found.group("key"), found.group("anchor")) if found else (entry, None)
                if key not in pages:
                    close = page_hints.closest(key)
                    hint = (
                        f"did you mean '{close}'?"
                        if close
                        else "name a page by its key, such as plan, timeline/joint-statement or plan#erbil"
                    )
                    self.err(doc, ("updates", i, "pages", j), f"'{entry}': the site has no such page", hint)
                elif anchor and key in with_items and (key, anchor) not in self.fact_ids:
                    self.err(
                        doc, ("updates", i, "pages", j), f"'{entry}': that page has no item '{anchor}'", "use the id of an item shown there"
                    )

    # --- drafts and aliases ---

    def published(self, kind: Kind) -> tuple[Any, ...]:
        """The items of ``kind`` that the model holds: every one that could be built, less the drafts when publishing."""
        raws = items_of(kind, self.content.docs.get(kind.file))
        pairs = zip(raws, self.checked[kind.name], strict=True)
        return tuple(f.value for raw, f in pairs if f.value is not None and not (self.publishing and _is_draft(raw)))

    def published_refs(self) -> None:
        """A published item may not need a draft: name it, cite it or come after it."""
        if not self.publishing:
            return
        for kind, doc, i, raw, found in self.each():
            if _is_draft(raw):
                continue
            needs = [(path, what, ident) for path, target, ident, what in found.refs if ident in self.drafts[target]]
            needs += [(path, "source", source) for path, source in found.cited if source in self.drafts["sources"]]
            if kind.name == "events" and raw.get("after") in self.drafts["events"]:
                needs.append((("after",), "event", raw["after"]))
            for path, what, ident in needs:
                self.err(doc, (kind.key, i, *path), f"{what} '{ident}' is a draft, left out of the published site", _DRAFT_HINT)

    def published_links(self, texts: Iterable[tuple[Document, JsonPath, Checked]]) -> None:
        """A published text may not link to a draft's page, or to a draft on a page."""
        from .markdown import PAGE_LINK

        if not self.publishing:
            return
        pages, anchors = set(self.drafts["pages"]), set()
        for kind in KINDS:
            anchors |= {(kind.page, ident) for ident in self.drafts[kind.name]}
            pages |= {f"{kind.page}/{ident}" for ident in self.drafts[kind.name]} if kind.own_page else set()
        for doc, at, found in texts:
            if not _is_draft(_raw_at(doc, at)):
                for path, target, nth in found.links:
                    link = PAGE_LINK.fullmatch(target)
                    if link is not None and (link["key"] in pages or (link["key"], link["anchor"]) in anchors):
                        line, col = self.place(doc, at + path, target, nth)
                        self.errors.add(doc.path, line, col, f"link to '{target}': a draft, left out of the published site", _DRAFT_HINT)

    def draft_list(self) -> tuple[Draft, ...]:
        """Every draft, located at its id, with the pages that show it."""
        out = []
        for kind, doc, i, raw, _found in self.each():
            if _is_draft(raw):
                shown = ((kind.page, raw["id"]),) + (((f"{kind.page}/{raw['id']}", ""),) if kind.own_page else ())
                out.append(Draft(doc.path, *doc.where((kind.key, i, "id")), kind.name, raw["id"], shown))
        pages = self.content.docs.get("pages")
        for key in self.drafts["pages"]:
            assert pages is not None
            out.append(Draft(pages.path, *pages.where(("pages", key), key=True), "pages", key, ((key, ""),)))
        return tuple(sorted(out))

    def aliases(self) -> dict[str, str]:
        """Former page keys → the pages they now are: each alias an address no page and no other alias has."""
        taken, out = self.page_keys, dict[str, str]()
        for doc, at, raw, prefix in self._aliased():
            ident = str(raw["id"] if "id" in raw else at[-1])
            if not PROSE_ID.fullmatch(ident):  # the schemas are the project's: an id is an address (a prose page's is reported above)
                if prefix:
                    self.err(doc, (*at, "id"), f"id '{ident}' is not a slug", SLUG_HINT)
                continue
            for j, alias in enumerate(raw.get("aliases", ())):
                old, new = prefix + str(alias), prefix + ident
                if not PROSE_ID.fullmatch(str(alias)):
                    self.err(doc, (*at, "aliases", j), f"alias '{alias}' is not a slug", SLUG_HINT)
                elif len(str(alias)) > MAX_ID_LENGTH:
                    self.err(doc, (*at, "aliases", j), _too_long("alias", str(alias)), "shorten it (it is the address of a redirect)")
                elif old in taken or old in out or (not prefix and alias in RESERVED):
                    what = f"another item's former id (it leads to '{out[old]}')" if old in out else "the address of a page of the site"
                    self.err(doc, (*at, "aliases", j), f"alias '{alias}' is {what}", "remove it: an alias is a former id no page uses")
                elif not (self.publishing and _is_draft(raw)):
                    out[old] = new
        return out

    def _aliased(self) -> Iterable[tuple[Document, JsonPath, dict[str, Any], str]]:
        """(document, path, item, prefix of its page key) of everything that has a page of its own and may have aliases."""
        for kind, doc, i, raw, _found in self.each():
            if kind.own_page:
                yield doc, (kind.key, i), raw, f"{kind.page}/"
        pages = self.content.docs.get("pages")
        for key in self.prose_ids():
            assert pages is not None
            yield pages, ("pages", key), pages.data["pages"][key], ""

    def timeline(self, events: Sequence[Event]) -> tuple[Event, ...]:
        """Events by date; an event with ``after`` comes right after that event (and its other followers).

        This orders a year-only date such as ``2024`` among the months of that year without inventing a month.
        """
        doc = self.content.docs["events"]
        by_id = {e.id: e for e in events}
        index = {raw["id"]: i for i, raw in enumerate(items_of(BY_NAME["events"], doc))}
        keys: dict[str, tuple[Any, ...]] = {}

        def key(e: Event, seen: tuple[str, ...]) -> tuple[Any, ...]:
            if e.id not in keys:
                anchor = self._anchor(doc, e, by_id, seen, ("events", index[e.id], "after")) if e.after else None
                own = (e.date.sort_key, index[e.id])
                keys[e.id] = key(anchor, seen + (e.id,)) + own if anchor is not None else own
            return keys[e.id]

        return tuple(sorted(events, key=lambda e: key(e, ())))

    def _anchor(self, doc: Document, e: Event, by_id: Mapping[str, Event], seen: tuple[str, ...], where: JsonPath) -> Event | None:
        """The event ``e`` comes after, or None (with a problem, if its ``after`` is wrong)."""
        anchor = by_id.get(e.after) if e.after else None
        known = (*self.content.dropped.get("events", ()), *self.drafts["events"])  # (a draft it follows: see published_refs)
        if e.after and anchor is None and e.after not in known:
            self.err(doc, where, f"unknown event '{e.after}'", "use the id of another event in content/events.yaml")
        elif anchor is not None and e.after in seen + (e.id,):
            self.err(doc, where, f"'after' makes a loop: {' → '.join(seen + (e.id, anchor.id))}", "remove 'after' from one of these events")
            return None
        elif anchor is not None and e.date.latest < anchor.date.sort_key:
            self.err(
                doc,
                where,
                f"'{e.id}' ({e.date.iso}) cannot follow '{anchor.id}' ({anchor.date.iso})",
                "check both dates, or remove 'after'",
            )
            return None
        return anchor


def assemble(
    ctx: Context,
    content: Content,
    checked: Mapping[str, Sequence[Checked]],
    *,
    translation: bool = True,
    drafts: bool = False,
    memo: Memo | None = None,
    coverage: bool = True,
) -> Model:
    """The model from the checked items, after the checks across them; raises :class:`BuildError` with every problem."""
    site = _Site(ctx, content, checked, drafts=drafts)
    for kind, doc, i, raw, found in site.each():
        site.unique(kind, doc, i, raw["id"])
        site.located(doc, (kind.key, i), found)
    site.refs()
    site.key_events()
    site.sources()
    others = _texts(ctx, content, site, memo.texts(content) if memo is not None else check_texts)
    texts = [(doc, (kind.key, i), found) for kind, doc, i, _raw, found in site.each()] + others
    site.links(texts)
    site.updated_pages()
    site.prose_pages()
    site.published_refs()
    site.published_links(texts)
    aliases = site.aliases()
    style = content.docs.get("style")
    if style is not None and ctx.languages:
        site.errors.problems += rules(style, ctx.codes)[1]
    model_site = _site(ctx, content, site)
    values = {kind.name: site.published(kind) for kind in KINDS}
    if "events" in content.docs:
        values["events"] = site.timeline(values["events"])
    site.errors.raise_if_any()
    if model_site is None or len(content.docs) < len(CONTENT_FILES):
        raise BuildError(site.errors.problems)
    collections = {kind.name: kind.order(values[kind.name]) if kind.order else values[kind.name] for kind in KINDS}
    notes = _notes(content, texts) if translation else ()
    covered = tuple(language_coverage(_all_items(content), ctx.languages, memo)) if translation and coverage else ()
    prose = _prose(ctx, content, site.drafts["pages"] if site.publishing else set())
    drafts_found = site.draft_list()
    return Model(
        model_site, MappingProxyType(collections), MappingProxyType(prose), notes, drafts_found, MappingProxyType(aliases), covered
    )


def _texts(
    ctx: Context, content: Content, site: _Site, check: Callable[[Context, Any, str | None, str], Checked]
) -> list[tuple[Document, JsonPath, Checked]]:
    """The site's and the pages' own words, checked by ``check`` (:func:`~explainer.checks.check_texts`), their problems located."""
    out = []
    for doc, at, raw, ident in _other_texts(content):
        found = check(ctx, raw, ident, doc.path)
        site.located(doc, at, found)
        out.append((doc, at, found))
    return out


def _other_texts(content: Content) -> Iterable[tuple[Document, JsonPath, Any, str | None]]:
    """The texts outside the kinds' lists: the site's title and description, and each page's prose."""
    site, pages = content.docs.get("site"), content.docs.get("pages")
    if site is not None:
        yield site, (), site.data, None
    if pages is not None:
        for key, raw in pages.data["pages"].items():
            yield pages, ("pages", key), raw, key


def _site(ctx: Context, content: Content, site: _Site) -> Site | None:
    doc = content.docs.get("site")
    if doc is None:
        return None
    seen: set[str] = set()
    for i, raw in enumerate(doc.data["languages"]):
        if not LANGUAGE_CODE.fullmatch(raw["code"]):  # the schemas are the project's: a code is part of every address
            message = f"language code '{_short(raw['code'])}' cannot be part of an address"
            site.err(doc, ("languages", i, "code"), message, LANGUAGE_HINT)
        if raw["code"] in seen:
            site.err(doc, ("languages", i, "code"), f"language '{raw['code']}' is listed twice", "list each language once")
        seen.add(raw["code"])
        if not _known_locale(raw["locale"]):
            site.err(doc, ("languages", i, "locale"), f"unknown locale '{raw['locale']}'", "use a Babel/CLDR locale such as ar_IQ or en_GB")
    d = doc.data
    kinds = tuple(str(kind) for kind in d["page_kinds"]) if "page_kinds" in d else None  # 404 unquoted is a number
    source = ctx.source
    licence = d.get("licence")
    return Site(
        _text(d["title"], source),
        _text(d["description"], source),
        d["base_url"],
        ctx.languages,
        kinds,
        Licence(licence["id"], licence["url"], _text(licence["name"], source)) if licence else None,
    )


def _known_locale(locale: str) -> bool:
    from babel import Locale

    try:
        Locale.parse(locale)
    except Exception:
        return False
    return True


def _text(value: Mapping[str, str], source: str) -> Text:
    """A translated text of the site's own (site.yaml, pages.yaml), its languages' texts stripped."""
    return Text({k: v.strip() for k, v in value.items()}, source, lenient=True)


def _prose(ctx: Context, content: Content, left_out: set[str]) -> dict[str, Prose]:
    doc = content.docs.get("pages")
    if doc is None:
        return {}
    pages = doc.data["pages"].items()
    source = ctx.source
    return {
        k: Prose(_text(v["title"], source), _text(v["intro"] if "intro" in v else v["body"], source), v.get("menu"))
        for k, v in pages
        if k not in left_out
    }


def _all_items(content: Content) -> Iterable[Any]:
    """Every item, page prose and the site's own texts (raw), for the languages' coverage."""
    for kind in KINDS:
        yield from items_of(kind, content.docs.get(kind.file))
    for doc, _at, raw, _ident in _other_texts(content):
        yield {key: value for key, value in raw.items() if key != "languages"} if doc.path.endswith("site.yaml") else raw


def _notes(content: Content, texts: Iterable[tuple[Document, JsonPath, Checked]]) -> tuple[TranslationNote, ...]:
    """The translation notes of every item, located (at the text they are about, or at the item's id)."""
    out = []
    for doc, at, found in texts:
        if not found.notes:
            continue
        name = Path(doc.path).stem
        data: Any = doc.data
        for part in at:
            data = data[part]
        ident = data.get("id", at[-1] if at else name) if isinstance(data, dict) else name
        page = next((kind.page for kind in kinds_of(name) if at and at[0] == kind.key), str(ident))
        for path, kind, message in found.notes:
            if path is not None:
                line, col = doc.where(at + path)
            else:
                line, col = doc.where((*at, "id")) if isinstance(data, dict) and "id" in data else doc.where(at, key=True)
            out.append(TranslationNote(doc.path, line, col, name, str(ident), kind, message, page))
    return tuple(sorted(out))
