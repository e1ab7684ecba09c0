"""Stage 3 — plan the pages: a pure function from the model to the pages to render."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from types import MappingProxyType
from typing import Any

from .errors import BuildError, Problem
from .kinds import cited_facts
from .model import FactRef, Model, Prose, Source

SECTIONS: tuple[tuple[str, str], ...] = (
    ("home", ""),
    ("timeline", "timeline/"),
    ("plan", "plan/"),
    ("people", "people/"),
    ("questions", "questions/"),
    ("differences", "differences/"),
    ("sources", "sources/"),
)
"""Canonical page key → slug (the same in every language)."""

NAV: tuple[str, ...] = tuple(k for k, _ in SECTIONS)

EXTRA_PAGES: tuple[tuple[str, str], ...] = (("updates", "updates/"), ("search", "search/"))
"""Pages in every language that are linked from the footer or the masthead rather than the navigation."""

EMBEDDED_FROM: Mapping[str, str] = MappingProxyType({"timeline": "timeline", "map": "plan"})
"""Graphics published alone for other sites' ``<iframe>`` (``embed/<lang>/<name>/``, template ``embed.html``),
each with the page whose content it draws: a correction of that page changes the graphic too."""

_SLUGS = dict(SECTIONS + EXTRA_PAGES)


@dataclass(frozen=True)
class Segment:
    """A run of a source paragraph: plain, or inside one or more quoted passages."""

    text: str
    marked: bool
    anchors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Page:
    """One output page: where it goes, how it is drawn, and its counterparts."""

    key: str
    lang: str | None
    path: str
    template: str
    alternates: Mapping[str, str]
    context: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @cached_property  # (asked of every page at every save of the live preview)
    def output(self) -> str:
        """The file to write, relative to the output folder."""
        return self.path + "index.html" if self.path.endswith("/") or not self.path else self.path


def section_path(lang: str, key: str) -> str:
    """The path of a section page (``ar/timeline/``) or of a prose page (``ar/about/``: its id)."""
    return f"{lang}/{_SLUGS.get(key, key + '/')}"


def page_path(lang: str, key: str) -> str:
    """The path of the page with ``key``: a section (``plan``), ``sources/<id>`` or ``timeline/<id>``."""
    kind, _, ident = key.partition("/")
    if kind == "embed":
        return f"embed/{lang}/{ident}/"
    return f"{lang}/{_SLUGS[kind]}{ident}/" if ident else section_path(lang, key)


def menu_pages(model: Model, menu: str | None = None) -> tuple[tuple[str, Prose], ...]:
    """The prose pages (key, prose) in the order of ``pages.yaml``: all, or those of one ``menu``."""
    return tuple((key, p) for key, p in model.pages.items() if p.menu is not None and menu in (None, p.menu))


def plan(model: Model, templates: Collection[str] | None = None, memo: dict[str, Any] | None = None) -> tuple[Page, ...]:
    """Every page of the site in every language, plus the bilingual root landing page.

    A kind of page is planned only when ``templates`` (the names of the project's templates) has
    its template: ``landing.html``, ``404.html``, ``<section>.html``, ``source.html`` (a page per
    source document), ``event.html`` (a page per event) and ``prose.html`` (a page per prose page
    of ``pages.yaml``). ``None`` plans every kind. So a
    project chooses its pages with its templates, as the benchmark's two-template project does.

    ``memo``: the live preview's pages of its last plan, by key: a page whose inputs are the same
    objects is taken as it is (its entry is updated).

    Raises :class:`BuildError` if two pages would be written to the same place.
    """

    def has(template: str) -> bool:
        return templates is None or template in templates

    codes = [lang.code for lang in model.site.languages]
    pages: list[Page] = []

    kept: dict[str, Any] = {}

    def every_language(key: str, template: str, context: Mapping[str, Any] | None = None) -> None:
        """The page ``key`` in each language, each with the others as its alternates."""
        inputs = (template, tuple(codes), *(context or {}).items())
        known = memo.get(key) if memo is not None else None
        if known is not None and _same_inputs(known[0], inputs):
            kept[key] = known
            pages.extend(known[1])
            return
        alternates = MappingProxyType({c: page_path(c, key) for c in codes})
        view = MappingProxyType(dict(context or {}))
        kept[key] = (inputs, tuple(Page(key, code, alternates[code], template, alternates, view) for code in codes))
        pages.extend(kept[key][1])

    every_language_root = MappingProxyType({c: f"{c}/" for c in codes})
    if has("landing.html"):
        pages.append(Page("landing", None, "", "landing.html", every_language_root))
    if has("404.html"):
        pages.append(Page("404", None, "404.html", "404.html", every_language_root))
    for key in [key for key, _slug in SECTIONS + EXTRA_PAGES if has(f"{key}.html")]:
        every_language(key, f"{key}.html")
    for key, _prose in menu_pages(model) if has("prose.html") else ():  # pages as data: every entry of pages.yaml with a menu
        every_language(key, "prose.html")
    for name in EMBEDDED_FROM if has("embed.html") else ():  # each graphic alone, with its title, source line and a link back
        every_language(f"embed/{name}", "embed.html", {"graphic": name})
    if has("source.html"):
        backlinks, spans = _backlinks(model), _spans(model)
        for source in model.sources:
            segments = _segments(source, spans.get(source.id, {}))
            every_language(
                f"sources/{source.id}", "source.html", {"source": source, "segments": segments, "backlinks": backlinks.get(source.id, ())}
            )
    events = model.events if has("event.html") else ()
    for i, event in enumerate(events):
        around = {"previous": events[i - 1] if i > 0 else None, "next": events[i + 1] if i + 1 < len(events) else None}
        every_language(f"timeline/{event.id}", "event.html", {"event": event, **around})
    _check_collisions(pages)
    if memo is not None:
        memo.clear()
        memo.update(kept)
    return tuple(pages)


def _same_inputs(old: tuple[Any, ...], new: tuple[Any, ...]) -> bool:
    """Whether a page's inputs are those it had in the last plan: its template and languages, and the same objects in its context."""
    return len(old) == len(new) and old[:2] == new[:2] and all(a[0] == b[0] and a[1] is b[1] for a, b in zip(old[2:], new[2:], strict=True))


def _check_collisions(pages: list[Page]) -> None:
    if len({page.output for page in pages}) == len(pages):
        return
    seen: dict[str, Page] = {}
    problems = []
    for page in pages:
        other = seen.get(page.output)
        if other is not None:
            problems.append(
                Problem(
                    "content/sources.yaml",
                    1,
                    1,
                    f"two pages would be written to {page.output} ('{other.key}' and '{page.key}')",
                    "give the item a different id",
                )
            )
        seen[page.output] = page
    if problems:
        raise BuildError(problems)


def _backlinks(model: Model) -> dict[str, tuple[FactRef, ...]]:
    out: dict[str, dict[tuple[str, str], FactRef]] = defaultdict(dict)
    for ref, cite in cited_facts(model):
        out[cite.source].setdefault((ref.kind, ref.id), ref)
    return {k: tuple(v.values()) for k, v in out.items()}


Span = tuple[int, int, str]
"""A quoted passage of a paragraph: start, end, anchor."""


def _spans(model: Model) -> dict[str, dict[int, set[Span]]]:
    """The quoted passages of every source document, by source and by paragraph (its line)."""
    spans: dict[str, dict[int, set[Span]]] = defaultdict(lambda: defaultdict(set))
    for _ref, cite in cited_facts(model):
        spans[cite.source][cite.line].add((cite.start, cite.end, cite.anchor))
    return spans


def _segments(source: Source, spans: Mapping[int, set[Span]]) -> Mapping[int, tuple[Segment, ...]]:
    """Split each cited paragraph at the edges of its quoted passages."""
    out: dict[int, tuple[Segment, ...]] = {}
    for para in source.paragraphs:
        marks = spans.get(para.line)
        if not marks:
            continue
        cuts = {0, len(para.text)}
        shifted = sorted(marks)
        for s, e, _ in shifted:
            cuts.update((max(s, 0), min(e, len(para.text))))
        edges = sorted(cuts)
        segs = []
        for a, b in pairwise(edges):
            inside = any(s <= a and b <= e for s, e, _ in shifted)
            anchors = tuple(sorted(x for s, _, x in shifted if s == a))
            segs.append(Segment(para.text[a:b], inside, anchors))
        out[para.line] = tuple(segs)
    return MappingProxyType(out)
