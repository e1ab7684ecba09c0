"""Files other than pages: sitemap, robots.txt, Atom feeds and the open data downloads."""

from __future__ import annotations

import csv
import io
import json
import posixpath
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import partial
from html import escape
from typing import Any, TextIO

from .i18n import format_date
from .kinds import COLLECTIONS, KINDS, Texts
from .markdown import Markdown, resolve_links
from .model import FuzzyDate, Language, Model, Update
from .plan import Page, page_path


def sitemap(model: Model, pages: Iterable[Page]) -> bytes:
    """``sitemap.xml`` with every page, its last change (from the content) and its language alternates (absolute URLs)."""
    from .structured import kind, lastmod

    base = model.site.base_url
    pages = [page for page in pages if kind(page) not in ("404", "embed")]  # embeds are not pages to find (noindex)
    changed = lastmod(model, pages)
    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for page in pages:
        out.append(f"<url><loc>{xml_escape(base + page.path)}</loc>")
        if page.path in changed:
            out.append(f"<lastmod>{changed[page.path]}</lastmod>")
        for code, path in page.alternates.items():
            out.append(f'<xhtml:link rel="alternate" hreflang="{code}" href="{xml_escape(base + path)}"/>')
        out.append(f'<xhtml:link rel="alternate" hreflang="x-default" href="{xml_escape(base)}"/></url>')
    out.append("</urlset>\n")
    return "\n".join(out).encode("utf-8")


def xml_escape(text: str) -> str:
    """Text or an attribute value (in double quotes) for XML: ``& < > " '`` escaped."""
    return escape(text, quote=True)


def robots(model: Model) -> bytes:
    """``robots.txt``: everything may be crawled; where the sitemap is."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {model.site.base_url}sitemap.xml\n".encode()


def atom_feed(model: Model, lang: Language, md: Markdown, title_of: Callable[[str], str]) -> bytes:
    """The Atom feed of the updates log in one language."""
    base = model.site.base_url
    code = lang.code
    page = f"{base}{code}/updates/"
    updated = _stamp(model.updates[0].date) if model.updates else "1970-01-01T00:00:00Z"
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{code}">',
        f"<title>{xml_escape(model.site.title[code])}</title>",
        f"<subtitle>{xml_escape(title_of('Updates and corrections'))}</subtitle>",
        f"<id>{xml_escape(base + code + '/feed.xml')}</id>",
        f'<link rel="self" type="application/atom+xml" href="{xml_escape(base + code + "/feed.xml")}"/>',
        f'<link rel="alternate" type="text/html" href="{xml_escape(page)}"/>',
        f"<updated>{updated}</updated>",
        f"<author><name>{xml_escape(model.site.title[code])}</name></author>",
    ]
    for u in model.updates:
        html_text = resolve_links(md.render(u.text[code], lang), lambda key, anchor: _absolute(base, code, key, anchor))
        when = format_date(u.date, lang).replace("\u00a0", " ")
        title = f"{title_of(u.kind.capitalize())}{title_of(', ')}{when}"  # "Correction, 4 December 2026": short, never cut
        changed = _changed_pages(model, u, code, title_of)  # a correction links to the pages it corrects
        if changed:
            label = title_of("Pages corrected") if u.kind == "correction" else title_of("Pages updated")
            items = "".join(f'<li><a href="{xml_escape(url)}">{xml_escape(name)}</a></li>' for url, name in changed)
            html_text += f"<p>{xml_escape(label)}:</p><ul>{items}</ul>"
        out += [
            "<entry>",
            f"<title>{xml_escape(title)}</title>",
            f"<id>{xml_escape(page + '#' + u.id)}</id>",
            f'<link rel="alternate" type="text/html" href="{xml_escape(page + "#" + u.id)}"/>',
            *(f'<link rel="related" type="text/html" href="{xml_escape(url)}" title="{xml_escape(name)}"/>' for url, name in changed),
            f"<updated>{_stamp(u.date)}</updated>",
            f'<content type="html">{xml_escape(html_text)}</content>',
            "</entry>",
        ]
    out.append("</feed>\n")
    return "\n".join(out).encode("utf-8")


def _changed_pages(model: Model, update: Update, code: str, title_of: Callable[[str], str]) -> list[tuple[str, str]]:
    """The absolute URL and title of each page an update names (its ``pages``)."""
    from .plan import plan
    from .structured import page_title

    if not update.pages:
        return []
    by_key = {p.key: p for p in plan(model) if p.lang == code}
    out = []
    for entry in update.pages:
        key, _, anchor = entry.partition("#")
        url = _absolute(model.site.base_url, code, key, anchor)
        if url is not None and key in by_key:
            out.append((url, page_title(model, by_key[key], code, title_of)))
    return out


def redirects(model: Model, pages: Iterable[Page], gettexts: Mapping[str, Callable[[str], str]]) -> dict[str, bytes]:
    """A small page at each former address of a page (``aliases``) that sends readers on to the page:
    its canonical URL is the page's, it is not indexed, and it links there for browsers that do not follow."""
    from .i18n import digits
    from .structured import page_title

    by_key = {(page.key, page.lang): page for page in pages}
    out = {}
    for old, new in sorted(model.aliases.items()):
        for lang in model.site.languages:
            page = by_key.get((new, lang.code))
            if page is None:  # a kind of page the site does not build
                continue
            path = page_path(lang.code, old)
            target = posixpath.relpath(page.path, path) + "/"
            title = xml_escape(digits(page_title(model, page, lang.code, gettexts[lang.code]), lang.digits))
            out[path + "index.html"] = (
                f'<!doctype html>\n<html lang="{lang.code}" dir="{lang.dir}">\n<head>\n<meta charset="utf-8">\n'
                f"<title>{title}</title>\n"
                f'<link rel="canonical" href="{xml_escape(model.site.base_url + page.path)}">\n'
                '<meta name="robots" content="noindex">\n'
                f'<meta http-equiv="refresh" content="0; url={xml_escape(target)}">\n'
                f'</head>\n<body>\n<p><a href="{xml_escape(target)}">{title}</a></p>\n</body>\n</html>\n'
            ).encode()
    return out


def _absolute(base: str, code: str, key: str, anchor: str) -> str | None:
    """The absolute URL of the page ``key`` in ``code`` (None: no such kind of page)."""
    try:
        return base + page_path(code, key) + (f"#{anchor}" if anchor else "")
    except KeyError:
        return None


def _stamp(date: FuzzyDate) -> str:
    return f"{date.year:04d}-{date.month or 1:02d}-{date.day or 1:02d}T00:00:00Z"


BOM = b"\xef\xbb\xbf"
"""CSV files start with UTF-8's byte-order mark: without it, Excel reads them in the system's code page and garbles Arabic."""

_JSON = json.JSONEncoder(ensure_ascii=False, sort_keys=False)
"""One record as compact JSON."""


def open_data(model: Model, lang: Language) -> dict[str, bytes]:
    """Every collection as ``data/<lang>/<name>.json`` and ``.csv``."""
    return dict(open_data_files(model, lang))


def open_data_files(model: Model, lang: Language) -> Iterator[tuple[str, bytes]]:
    """:func:`open_data` one file at a time (a large site's events are tens of megabytes each).

    Each file is encoded as it is written, into one buffer: ``json.dumps`` would first keep every
    little piece of the text in a list, then the text, then its bytes (300 MB at 10,000 events).
    A JSON file is an array with one record per line.
    """
    for name in COLLECTIONS:
        items = records(model, lang, name)
        yield f"data/{lang.code}/{name}.json", _json_records(items)
        yield f"data/{lang.code}/{name}.csv", BOM + _encoded(partial(_write_csv, items))


def records(model: Model, lang: Language, collection: str) -> list[dict[str, Any]]:
    """The records of one open data collection in ``lang`` (a translation it lacks is null)."""
    texts = Texts(lang.code, model.site.languages[0].code)
    out = []
    for kind in KINDS:
        if kind.collection == collection and kind.rows is not None:
            items = getattr(model, kind.name)
            out += [kind.rows(item, texts) for item in (kind.data_order(items) if kind.data_order else items)]
    return out


def _json_records(items: list[dict[str, Any]]) -> bytes:
    """``[``, one record per line, ``]``: valid JSON that reads (and diffs) record by record."""
    raw = io.BytesIO()
    raw.write(b"[\n")
    for i, item in enumerate(items, 1):
        raw.write(_JSON.encode(item).encode("utf-8"))
        raw.write(b",\n" if i < len(items) else b"\n")
    raw.write(b"]\n")
    return raw.getvalue()


def _write_csv(items: list[dict[str, Any]], out: TextIO) -> None:
    fields = list(items[0]) if items else ["id"]
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for item in items:
        writer.writerow({k: _cell(_flat(v)) for k, v in item.items()})


def _cell(text: str) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (OWASP's CSV injection advice)."""
    if text[:1] not in ("=", "+", "-", "@", "\t", "\r"):
        return text
    try:
        float(text)  # a negative number is data, not a formula
    except ValueError:
        return "'" + text
    return text


def _encoded(write: Callable[[TextIO], None]) -> bytes:
    raw = io.BytesIO()
    text = io.TextIOWrapper(raw, encoding="utf-8", newline="")  # newline="": "\n" is written as it is
    write(text)
    text.flush()
    data = raw.getvalue()
    text.detach()
    return data


def _flat(value: Any) -> str:
    if isinstance(value, list):
        return " | ".join(_flat(v) for v in value)
    if isinstance(value, dict):
        return " ".join(f"{k}: {_flat(v)}" for k, v in value.items())
    return "" if value is None else str(value)
