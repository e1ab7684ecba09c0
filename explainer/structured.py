"""What machines read about each page: its title, its dates, its JSON-LD, and its corrections.

- Dates come from the content, never the clock: a page was published with the log's first entry
  and last modified by the newest entry of ``updates.yaml`` that names it in ``pages`` (or, without
  one, when it was published). The sitemap's ``<lastmod>`` and JSON-LD's ``dateModified`` use them.
- JSON-LD by kind of page: ``WebSite`` (the bilingual landing page), ``NewsArticle`` (the
  explainer's own articles: the overview, the plan, the questions, where the sources differ, and
  each event's page), ``CollectionPage`` (lists: the timeline, who said what, the sources, the
  log of updates), ``WebPage`` about a ``CreativeWork`` for the copy of a source document (it is
  its publisher's, not the site's article), ``SearchResultsPage`` for search. ``citation`` lists
  only the documents the page itself cites.
- A correction that names a page puts a notice with its date on that page.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from .kinds import citing
from .model import Event, FuzzyDate, Model, Source, Update
from .plan import EMBEDDED_FROM, NAV, Page, page_path

ARTICLES = frozenset({"home", "plan", "questions", "differences"})
"""Section pages that are the explainer's own articles (so are the events' own pages)."""

COLLECTIONS = frozenset({"timeline", "people", "sources", "updates"})
"""Section pages that list items shown or described elsewhere."""

UI_TITLES = {"updates": "Updates and corrections", "search": "Search"}
"""Pages without a title in ``pages.yaml``: their title is this UI string (translated by the catalogs)."""


def kind(page: Page) -> str:
    """``landing``, ``article``, ``collection``, ``source``, ``search``, ``embed`` or ``404``."""
    section, _, item = page.key.partition("/")
    if page.key in ("landing", "404", "search"):
        return page.key
    if section == "embed":
        return "embed"
    if section == "sources" and item:
        return "source"
    if page.key in COLLECTIONS:
        return "collection"
    if page.key in ARTICLES or (section == "timeline" and item) or page.template == "prose.html":
        return "article"
    return "collection"  # a new kind of list page: a collection until it is said otherwise


def page_title(model: Model, page: Page, code: str, gettext: Callable[[str], str]) -> str:
    """The page's own title (plain text, not yet in the page's digits)."""
    prose = model.pages.get(page.key)
    source: Source | None = page.context.get("source")
    event: Event | None = page.context.get("event")
    if prose is not None:
        return prose.title[code]
    if event is not None:
        return event.title[code]
    if source is not None:
        return source.label[code]
    if page.key in UI_TITLES:
        title = gettext(UI_TITLES[page.key])
        return title.unescape() if isinstance(title, Markup) else str(title)  # the templates' gettext escapes: the text again
    return model.site.title[code]


def card_path(page: Page) -> str:
    """Where the page's share card is published: beside the page (``ar/plan/card.png``)."""
    return page.path.rsplit("/", 1)[0] + "/card.png" if page.path.endswith("/") else "card.png"


def has_card(page: Page) -> bool:
    """Every page a reader can share has a card: not the 404 page, not the embeds (made to be framed)."""
    return kind(page) not in ("404", "embed")


# --- dates and corrections -----------------------------------------------------------------------


def _keys_named(update: Update) -> set[str]:
    """The page keys an update changed: what it names, and the timeline for an event's page
    (the timeline shows every event's text too)."""
    keys = set()
    for entry in update.pages:
        key = entry.partition("#")[0]
        keys.add(key)
        if key.startswith("timeline/"):
            keys.add("timeline")
    return keys


@dataclass(frozen=True)
class Dates:
    """When the site was first published, and each page's last change (by page key)."""

    published: FuzzyDate | None
    newest: FuzzyDate | None
    changed: Mapping[str, FuzzyDate]
    corrections: Mapping[str, tuple[Update, ...]]

    def modified(self, page: Page) -> FuzzyDate | None:
        """The page's last change: the newest update or correction that names it, else the first release.
        The landing page and the log of updates change with every entry."""
        if page.key in ("landing", "updates"):
            return self.newest
        key = EMBEDDED_FROM.get(page.key.removeprefix("embed/"), page.key) if page.key.startswith("embed/") else page.key
        return self.changed.get(key, self.published)


def dates(model: Model) -> Dates:
    """The :class:`Dates` of the site, from ``updates.yaml``."""
    ordered = sorted(model.updates, key=lambda u: (u.date.sort_key, u.id))
    changed: dict[str, FuzzyDate] = {}
    corrections: dict[str, list[Update]] = defaultdict(list)
    for update in ordered:  # oldest first: the newest date is the one kept
        for key in sorted(_keys_named(update)):
            changed[key] = update.date
            if update.kind == "correction":
                corrections[key].append(update)
    return Dates(
        published=ordered[0].date if ordered else None,
        newest=ordered[-1].date if ordered else None,
        changed=changed,
        corrections={k: tuple(reversed(v)) for k, v in corrections.items()},  # newest first, as the log lists them
    )


# --- JSON-LD -------------------------------------------------------------------------------------


def cited_by_page(model: Model) -> dict[str, list[str]]:
    """The documents each page cites, by page key, in order of first citation (an event's own page
    cites what its entry on the timeline cites)."""
    out: dict[str, dict[str, None]] = defaultdict(dict)
    for kind, item, cites in citing(model):
        if kind.fact == "source":
            continue  # a document's own publisher and date: shown on its copy, which is not an article
        for cite in cites:
            out[kind.page].setdefault(cite.source, None)
            if kind.fact == "event":
                out[f"timeline/{item.id}"].setdefault(cite.source, None)
    return {k: list(v) for k, v in out.items()}


def source_ld(source: Source, code: str, url: str, source_language: str) -> dict[str, Any]:
    """A source document as a schema.org ``CreativeWork``, with only what its text shows; ``url``
    is the site's verbatim copy of it (written in the site's source language)."""
    name = (source.headline or source.label)[code]
    out: dict[str, Any] = {"@type": "CreativeWork", "name": name, "inLanguage": source_language, "url": url}
    if source.publisher is not None:
        out["publisher"] = {"@type": "Organization", "name": source.publisher[code]}
    if source.date is not None:
        out["datePublished"] = source.date.iso
    return out


def _items(model: Model, page: Page, code: str, base: str) -> list[tuple[str, str]]:
    """What a list page lists: (absolute URL, name) of each item."""
    if page.key == "timeline":
        return [(base + page_path(code, f"timeline/{e.id}"), e.title[code]) for e in model.events]
    if page.key == "sources":
        return [(base + page_path(code, f"sources/{s.id}"), s.label[code]) for s in model.sources]
    if page.key == "people":
        return [(base + page_path(code, "people") + f"#{e.id}", e.name[code]) for e in model.entities]
    if page.key == "updates":
        return [(base + page_path(code, "updates") + f"#{u.id}", f"{u.kind} {u.date.iso}") for u in model.updates]
    return []


def jsonld(
    model: Model,
    page: Page,
    code: str,
    *,
    title: str,
    description: str,
    dates: Dates,
    cited: Mapping[str, list[str]],
) -> dict[str, Any] | None:
    """The page's JSON-LD (None for the 404 page and the embeds)."""
    site, base = model.site, model.site.base_url
    what = kind(page)
    if what in ("404", "embed"):
        return None
    url = base + page.path
    organisation = {"@type": "Organization", "name": site.title[code], "url": base}
    website = {"@type": "WebSite", "name": site.title[code], "url": base}
    image = base + card_path(page)
    if what == "landing":
        codes = [lang.code for lang in site.languages]
        return {
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": site.title[codes[0]],
            "alternateName": [site.title[c] for c in codes[1:]],
            "description": site.description[codes[0]],
            "url": base,
            "inLanguage": codes,
            "image": image,
            "publisher": organisation,
            "potentialAction": [
                {
                    "@type": "SearchAction",
                    "target": {"@type": "EntryPoint", "urlTemplate": base + page_path(c, "search") + "?q={search_term_string}"},
                    "query-input": "required name=search_term_string",
                    "inLanguage": c,
                }
                for c in codes
            ],
        }
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": {"article": "NewsArticle", "collection": "CollectionPage", "source": "WebPage", "search": "SearchResultsPage"}[what],
        "inLanguage": code,
        "url": url,
        "image": [image],
        "publisher": organisation,
        "isPartOf": website,
    }
    if what == "article":
        data.update(headline=title, description=description, mainEntityOfPage=url, author=organisation)
    else:
        data.update(name=title, description=description)
    published, modified = dates.published, dates.modified(page)
    if published is not None:
        data["datePublished"] = published.iso
    if modified is not None:
        data["dateModified"] = modified.iso
    sources = {s.id: s for s in model.sources}
    if what == "source":
        source = page.context["source"]
        data["mainEntity"] = source_ld(source, code, url, model.site.languages[0].code)
    elif cited.get(page.key):
        first = model.site.languages[0].code
        data["citation"] = [source_ld(sources[s], code, base + page_path(code, f"sources/{s}"), first) for s in cited[page.key]]
    items = _items(model, page, code, base) if what == "collection" else []
    if items:
        data["mainEntity"] = {
            "@type": "ItemList",
            "numberOfItems": len(items),
            "itemListElement": [{"@type": "ListItem", "position": i, "url": u, "name": n} for i, (u, n) in enumerate(items, 1)],
        }
    return data


def script_text(data: Mapping[str, Any]) -> str:
    """JSON for a ``<script type="application/ld+json">``: compact, sorted, and unable to close the element."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def lastmod(model: Model, pages: Iterable[Page]) -> dict[str, str]:
    """Each page's ``<lastmod>`` for the sitemap (ISO date), by path."""
    when = dates(model)
    out = {}
    for page in pages:
        modified = when.modified(page)
        if modified is not None:
            out[page.path] = modified.iso
    return out


__all__ = ["NAV", "Dates", "card_path", "dates", "jsonld", "kind", "page_title"]
