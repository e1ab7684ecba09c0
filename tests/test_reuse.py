"""Readers find, share and reuse the site (issue 18): search, share cards, embeds, feeds, JSON-LD,
sitemap dates, open data and the hosts' headers, on the real site built once (``built_real``)."""

from __future__ import annotations

import csv
import functools
import http.server
import io
import json
import re
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import urlparse

import pytest
from conftest import REPO
from test_quality import BASE, html_files, local_file, parse

from explainer.search import normalise

sys.path.insert(0, str(REPO / "tools"))

SITE_ROOT = urlparse(BASE).path  # /iraq-coalition/


def _ld(path: Path) -> dict[str, Any] | None:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', path.read_text("utf-8"), re.S)
    return json.loads(found.group(1)) if found else None


def _kind(site: Path, path: Path) -> str:
    rel = path.relative_to(site).as_posix()
    parts = rel.split("/")
    if rel == "index.html":
        return "landing"
    if rel == "404.html":
        return "404"
    if parts[0] == "embed":
        return "embed"
    section = parts[1] if len(parts) > 2 else "home"
    if section == "search":
        return "search"
    if section == "sources" and len(parts) == 4:
        return "source"
    if section in ("timeline", "people", "sources", "updates") and len(parts) == 3:
        return "collection"
    return "article"


# --- search: the Arabic normaliser ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "indexed"),
    [
        ("الأنسحاب", "الانسحاب"),  # alef with hamza above
        ("إنهاء", "انهاء"),  # below
        ("آذار", "اذار"),  # madda
        ("ٱلتحالف", "التحالف"),  # wasla
        ("مستشفى", "مستشفي"),  # alef maqsura
        ("المرحلة", "المرحله"),  # ta marbuta
        ("الْعِرَاقُ", "العراق"),  # harakat
        ("العـــراق", "العراق"),  # tatweel
        ("٢٠٢٥", "2025"),  # Arabic-Indic digits
        ("۲۰۲۶", "2026"),  # Persian digits
        ("کردستان", "كردستان"),  # Persian kaf
        ("ﻻ", "لا"),  # a presentation form
        ("Erbil", "erbil"),
    ],
)
def test_the_normaliser_folds_what_readers_type(typed: str, indexed: str) -> None:
    assert normalise(typed) == indexed


def test_the_index_holds_normalised_text_and_shows_the_words_as_published(built_real: Path) -> None:
    entry = json.loads((built_real / "pagefind/pagefind-entry.json").read_text("utf-8"))
    assert set(entry["languages"]) == {"ar", "en"} and entry["languages"]["ar"]["page_count"] > 100
    assert not list((built_real / "pagefind").glob("pagefind-*ui*")), "Pagefind's own interfaces are not published"


# --- search in Chromium ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def search_pages(served: str, browser: Any) -> Iterator[dict[str, Any]]:
    """The search page of each language, opened once (Pagefind loads once per page)."""
    context = browser.new_context(bypass_csp=True)  # the page's policy allows its script; wait_for_function needs eval
    pages = {}
    for lang in ("ar", "en"):
        page = context.new_page()
        page.errors = []
        page.on("pageerror", lambda e, page=page: page.errors.append(str(e)))
        page.goto(f"{served}{lang}/search/")
        pages[lang] = page
    yield pages
    context.close()


def _search(page: Any, query: str) -> list[dict[str, str]]:
    """Type ``query`` into a search page and return its results (link, title, text, marked words)."""
    page.fill("#search-q", query)
    page.wait_for_function(
        "q => new URL(location.href).searchParams.get('q') === q && !document.querySelector('.search-status').textContent.endsWith('…')",
        arg=query,
    )
    return page.evaluate(
        "() => [...document.querySelectorAll('.search-results li')].map(li => ({"
        " href: li.querySelector('a').getAttribute('href'), title: li.querySelector('a').textContent,"
        " text: li.textContent, marked: [...li.querySelectorAll('mark')].map(m => m.textContent)}))"
    )


@pytest.mark.browser
@pytest.mark.parametrize(
    ("lang", "query", "shown"),
    [
        ("ar", "الأنسحاب", "الانسحاب"),  # typed with a hamza the site does not write
        ("ar", "عين الاسد", "عين الأسد"),  # typed without the hamza the site writes
        ("ar", "٢٠٢٥", "2025"),  # Arabic-Indic digits find Latin ones
        ("en", "withdrawal", "withdrawal"),
        ("en", "Erbil", "Erbil"),
    ],
)
def test_search_finds_the_pages_whatever_the_spelling(
    built_real: Path, search_pages: dict[str, Any], lang: str, query: str, shown: str
) -> None:
    results = _search(search_pages[lang], query)
    assert search_pages[lang].errors == [] and len(results) >= 2, (query, results[:2])
    assert any(shown in r["text"] for r in results), (query, [r["text"][:80] for r in results[:3]])
    marked = {normalise(m) for r in results for m in r["marked"]}
    assert all(any(normalise(word) in m for m in marked) for word in shown.split()), (query, marked)  # the matches are marked
    for r in results:  # every result is a page of the site, in the language searched, and its anchor is there
        url = urlparse(r["href"])
        assert url.path.startswith(f"/{lang}/"), r["href"]
        target = local_file(built_real, BASE + url.path.lstrip("/"))
        assert target.exists(), r["href"]
        assert not url.fragment or url.fragment in parse(target).ids, r["href"]


@pytest.mark.browser
@pytest.mark.parametrize(
    ("lang", "query", "item", "when"),
    [
        ("en", "Allawi", "people/#allawi-on-track", "no later than 31 August 2025"),  # a remark the dated report does not date
        ("ar", "علاوي", "people/#allawi-on-track", "في 31 آب 2025 أو قبله"),
        ("en", "Khazali", "people/#khazali-thanks-government", "about 2024"),  # "last week", in an undated report
        ("ar", "الخزعلي", "people/#khazali-thanks-government", "في 2024 تقريباً"),
        ("en", "deadline first phase", "timeline/phase-one-ends/", "by September 2025"),
    ],
)
def test_search_results_date_an_item_as_its_page_does(
    built_real: Path, search_pages: dict[str, Any], lang: str, query: str, item: str, when: str
) -> None:
    """A result's excerpt keeps the date's qualifier ("no later than", "about", "by"), as on the page (review r11, E4)."""
    results = _search(search_pages[lang], query)
    found = [r for r in results if r["href"].endswith(f"/{lang}/{item}")]
    assert found, (query, [r["href"] for r in results])
    assert when in found[0]["text"].replace("\u00a0", " "), found[0]["text"][:120]
    page = local_file(built_real, BASE + f"{lang}/{item}")
    assert when in re.sub(r"<[^>]+>", "", page.read_text("utf-8")).replace("\u00a0", " ")  # the page's own wording


@pytest.mark.browser
def test_the_search_script_normalises_as_the_index_does(served: str, browser: Any) -> None:
    samples = ["الأنسحاب والإنهاء آذار ٱلتحالف", "مستشفى المرحلة الْعِرَاقُ العـــراق", "٢٠٢٥ ۲۰۲۶ کردستان ﻻ Erbil"]
    samples += [p.read_text("utf-8")[:2000] for p in sorted((REPO / "seeds").glob("*.txt"))]
    page = browser.new_page()
    try:
        page.goto(served + "ar/search/")
        found = page.evaluate(
            "async texts => { const src = document.querySelector('script[type=module]').src;"
            " const m = await import(src); return texts.map(m.normalise); }",
            samples,
        )
    finally:
        page.close()
    assert found == [normalise(s) for s in samples]


@pytest.mark.browser
def test_without_javascript_the_search_page_says_it_needs_it(served: str, browser: Any) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(served + "en/search/")
        assert page.is_visible(".no-script") and not page.is_visible("#search-q")
    finally:
        context.close()


def test_every_page_links_to_the_search_page(built_real: Path) -> None:
    for path in html_files(built_real):
        if _kind(built_real, path) == "embed":
            continue
        targets = {(path.parent / h).resolve() if not h.startswith("/") else local_file(built_real, h).parent for h in parse(path).anchors}
        assert {built_real / "ar/search", built_real / "en/search"} & targets, path


# --- share cards -----------------------------------------------------------------------------------


def test_every_shareable_page_has_a_card_of_its_own(built_real: Path) -> None:
    from PIL import Image

    cards = set()
    for path in html_files(built_real):
        meta = parse(path).meta
        if _kind(built_real, path) in ("embed", "404"):
            assert "og:image" not in meta, path
            continue
        assert meta["twitter:card"] == "summary_large_image" and meta["og:image"] == meta["twitter:image"], path
        card = local_file(built_real, meta["og:image"])
        with Image.open(card) as image:
            assert image.format == "PNG" and image.size == (1200, 630), card
        assert meta["og:image:alt"] == meta["og:title"]
        cards.add(card)
    assert len(cards) >= 75


def test_cards_shape_arabic_with_the_sites_own_font() -> None:
    from PIL import Image, ImageDraw

    from explainer import cards

    word = "الانسحاب"
    joined = cards.text_width(word, "bold", 64, rtl=True)
    isolated = sum(cards.text_width(ch, "bold", 64, rtl=True) for ch in word)
    assert abs(joined - isolated) > 5, (joined, isolated)  # contextual forms: initial and medial letters are narrower

    def ink(text: str) -> Image.Image:
        image = Image.new("L", (700, 160), 255)
        ImageDraw.Draw(image).text((680, 20), text, font=cards.font("bold", 64), fill=0, anchor="ra", direction="rtl", language="ar")
        return image

    apart = "\u200c".join(word)  # a zero-width non-joiner between letters keeps each in its isolated form
    assert ink(word).tobytes() != ink(apart).tobytes()
    # right to left: alef, the first letter and the only tall one of «ا ب», stands in the right half
    box = ink("ا ب").crop((0, 0, 700, 60)).point(lambda v: 255 - v).getbbox()
    assert box is not None and box[0] > 350, box


def test_the_cards_font_is_the_sites_font_and_licensed() -> None:
    import fonts  # tools/fonts.py

    for weight in ("regular", "bold"):
        ttf = REPO / "explainer" / "fonts" / f"explainer-naskh-{weight}.ttf"
        woff2 = REPO / "static" / "fonts" / f"explainer-naskh-{weight}.woff2"
        assert ttf.read_bytes() == fonts.card_ttf(woff2), "run .venv/bin/python tools/fonts.py"
    assert (REPO / "explainer/fonts/OFL.txt").read_bytes() == (REPO / "static/fonts/OFL.txt").read_bytes()


# --- embeds ----------------------------------------------------------------------------------------


def test_each_graphic_has_its_embed_and_its_snippet(built_real: Path) -> None:
    for lang in ("ar", "en"):
        for name, shown_on in (("timeline", f"{lang}/timeline/"), ("map", f"{lang}/plan/")):
            embed = built_real / "embed" / lang / name / "index.html"
            text = embed.read_text("utf-8")
            assert "<svg" in text and "<h1>" in text and 'class="embed-source"' in text and 'content="noindex"' in text
            page = (built_real / shown_on / "index.html").read_text("utf-8")
            snippet = re.search(r'<details class="embed-this">.*?<code>(.*?)</code>', page, re.S)
            assert snippet is not None, shown_on
            assert f'&lt;iframe src="{BASE}embed/{lang}/{name}/"' in snippet.group(1)


class _Host(http.server.SimpleHTTPRequestHandler):
    """Serves the built site with the response headers of its ``_headers`` file, as a host that reads it."""

    rules: ClassVar[list[tuple[re.Pattern[str], dict[str, str]]]] = []

    def end_headers(self) -> None:
        path = SITE_ROOT + self.path.split("?")[0].lstrip("/")
        for pattern, headers in self.rules:
            if pattern.fullmatch(path):
                for name, value in headers.items():
                    self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


def headers_rules(site: Path) -> list[tuple[re.Pattern[str], dict[str, str]]]:
    rules: ClassVar[list[tuple[re.Pattern[str], dict[str, str]]]] = []
    for line in (site / "_headers").read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line.startswith(" "):
            rules.append((re.compile(re.escape(line.strip()).replace(r"\*", ".*")), {}))
        else:
            name, _, value = line.strip().partition(": ")
            rules[-1][1][name] = value
    return rules


@contextmanager
def _serve(folder: Path, handler: Any) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


def test_no_header_is_set_twice_for_a_page(built_real: Path) -> None:
    """Hosts combine the rules that match a path, or let the last win: so each header has one rule per path."""
    rules = headers_rules(built_real)
    for path in html_files(built_real):
        rel = path.relative_to(built_real).as_posix()
        url = SITE_ROOT + (rel.removesuffix("index.html") if rel.endswith("index.html") else rel)
        names = [n for pattern, headers in rules if pattern.fullmatch(url) for n in headers]
        assert len(names) == len(set(names)) and "Content-Security-Policy" in names, (url, names)
        csp = next(h["Content-Security-Policy"] for p, h in rules if p.fullmatch(url) and "Content-Security-Policy" in h)
        meta = parse(path).meta["Content-Security-Policy"]
        assert csp.startswith(meta + "; frame-ancestors "), url  # the page's own policy, and who may frame it
        assert csp.endswith("frame-ancestors *" if rel.startswith("embed/") else "frame-ancestors 'none'"), url
    static = [h for p, h in rules if p.fullmatch(SITE_ROOT + "static/style.0123456789.css")]
    from explainer.hosting import STATIC_CSP

    # one rule for static/: a year of cache, and a policy under which a file there opened as a page runs nothing
    assert {"Cache-Control": "public, max-age=31536000, immutable", "Content-Security-Policy": STATIC_CSP} in static
    assert sum("Content-Security-Policy" in h for h in static) == 1 and sum("Cache-Control" in h for h in static) == 1


@pytest.mark.browser
def test_a_page_on_another_origin_frames_the_embeds_but_not_the_pages(built_real: Path, browser: Any, tmp_path: Path) -> None:
    _Host.rules = headers_rules(built_real)
    with _serve(built_real, _Host) as site:
        (tmp_path / "index.html").write_text(
            "<!doctype html><title>another newsroom</title>"
            f'<iframe id="embed" src="{site}embed/ar/timeline/" width="720" height="640"></iframe>'
            f'<iframe id="map" src="{site}embed/en/map/" width="720" height="760"></iframe>'
            f'<iframe id="page" src="{site}en/timeline/" width="720" height="400"></iframe>',
            "utf-8",
        )
        with _serve(tmp_path, http.server.SimpleHTTPRequestHandler) as other:
            host = other.replace("127.0.0.1", "localhost")  # another origin: another host and port
            page = browser.new_page()
            try:
                page.goto(host)
                page.wait_for_load_state("load")
                timeline = page.frame_locator("#embed")
                assert timeline.locator("h1").inner_text() and timeline.locator("svg").first.is_visible()
                assert page.frame_locator("#map").locator(".g-key").is_visible()
                frame = page.query_selector("#page").content_frame()  # refused: an error page in its place
                shown = (
                    frame is not None and frame.url == f"{site}en/timeline/" and frame.evaluate("() => !!document.querySelector('main')")
                )
                assert not shown, "a page of the site was framed by another origin"
            finally:
                page.close()


# --- feeds, corrections, JSON-LD, sitemap -------------------------------------------------------


def test_feeds_have_plain_titles_absolute_links_and_corrections_link_their_pages(built_real: Path) -> None:
    import feedparser

    for lang in ("ar", "en"):
        feed = feedparser.parse((built_real / lang / "feed.xml").read_bytes())
        assert not feed.bozo and feed.entries
        for entry in feed.entries:
            assert entry.title_detail.type == "text/plain" and not re.search(r"\]\(|\*\*|<", entry.title), entry.title
            assert len(entry.title) <= 40 and entry.title[-4:].isdigit(), entry.title  # "Correction, 4 December 2026": never cut
            hrefs = re.findall(r'href="([^"]+)"', entry.content[0].value) + [link.href for link in entry.links]
            assert hrefs and all(h.startswith(BASE) for h in hrefs), hrefs
        corrections = [e for e in feed.entries if "correction" in e.id]
        assert corrections
        newest: dict[str, tuple[str, str]] = {}  # page → (date, anchor) of the newest correction naming it
        for entry in corrections:
            related = [link.href for link in entry.links if link.rel == "related"]
            assert related, entry.id  # every correction names the pages it corrects
            for href in related:
                newest[href] = max(newest.get(href, ("", "")), (entry.updated[:10], entry.id.split("#")[1]))
        for href, (day, anchor) in newest.items():
            page = local_file(built_real, href).read_text("utf-8")
            notices = re.findall(r'<p class="correction-note">.*?</p>', page, re.S)
            assert len(notices) == 1, href  # one notice per page, however many corrections name it
            assert f'#{anchor}"' in notices[0], href  # it links the newest
            assert f'<time datetime="{day}">' in notices[0], href


def test_json_ld_by_kind_of_page_with_its_own_citations_and_dates(built_real: Path) -> None:
    types = {
        "landing": "WebSite",
        "article": "NewsArticle",
        "collection": "CollectionPage",
        "source": "WebPage",
        "search": "SearchResultsPage",
    }
    sitemap = (built_real / "sitemap.xml").read_text("utf-8")
    lastmod = dict(re.findall(r"<loc>([^<]+)</loc>\s*<lastmod>([^<]+)</lastmod>", sitemap))
    seen = set()
    for path in html_files(built_real):
        kind, ld = _kind(built_real, path), _ld(path)
        if kind in ("404", "embed"):
            assert ld is None, path
            continue
        assert ld is not None and ld["@context"] == "https://schema.org" and ld["@type"] == types[kind], (path, ld and ld["@type"])
        seen.add(kind)
        if kind == "landing":
            assert ld["url"] == BASE and ld["inLanguage"] == ["ar", "en"] and len(ld["potentialAction"]) == 2
            continue
        page = parse(path)
        assert ld["inLanguage"] == page.html["lang"] and ld["url"] == page.canonical, path
        assert ld["publisher"]["@type"] == "Organization" and ld["image"] == [page.meta["og:image"]], path
        assert ld["dateModified"] == lastmod[ld["url"]] and ld["datePublished"] <= ld["dateModified"], path
        html = path.read_text("utf-8")
        cited = set()
        for links in re.findall(r'<div class="cites">(.*?)<div class="cites-print"', html, re.S):
            cited |= set(re.findall(r'<figcaption><a href="[^"]*sources/([a-z0-9-]+)/#', links))
        in_ld = {urlparse(c["url"]).path.rstrip("/").rsplit("/", 1)[1] for c in ld.get("citation", [])}
        if kind == "source":
            assert ld["mainEntity"]["@type"] == "CreativeWork" and ld["mainEntity"]["inLanguage"] == "ar" and not in_ld, path
        else:
            assert in_ld == cited, (path, in_ld ^ cited)  # the documents this page cites, no others
        if kind == "article":
            assert ld["headline"] and ld["author"] == ld["publisher"], path
            same = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\u2011": "-"})
            assert ld["headline"].translate(same) == page.meta["og:title"].translate(same), path  # whole, never cut mid-word
    assert seen == set(types)


def test_lastmod_comes_from_the_content(built_real: Path) -> None:
    sitemap = (built_real / "sitemap.xml").read_text("utf-8")
    dates = dict(re.findall(r"<loc>([^<]+)</loc>\s*<lastmod>([^<]+)</lastmod>", sitemap))
    assert dates[BASE + "en/plan/"] == "2026-12-05"  # named by the corrections of 4 and 5 December: the newer
    assert dates[BASE + "en/search/"] == "2026-12-05"  # named only by the correction of 5 December (its footer)
    import yaml

    updates = yaml.safe_load((REPO / "content/updates.yaml").read_text("utf-8"))["updates"]
    first = min(u["date"] for u in updates)
    for lang in ("ar", "en"):
        for url, lastmod in dates.items():
            if not url.startswith(f"{BASE}{lang}/"):
                continue
            key = url.removeprefix(f"{BASE}{lang}/").strip("/") or "home"
            named = [u["date"] for u in updates if key == "updates" or key in {p.split("#")[0] for p in u.get("pages", ())}]
            assert lastmod == max([first, *named]), url  # the latest update that names the page
            page = local_file(built_real, url).read_text("utf-8")
            line = re.search(r'<p class="dateline">(.*?)</p>', page, re.S)
            if line is not None:  # the page's "Updated …" is the sitemap's date (none if only published)
                assert re.findall(r'<time datetime="([^"]+)"', line.group(1))[-1] == lastmod, url
    for lang, graphic, drawn_from in (("ar", "map", "plan"), ("en", "timeline", "timeline")):
        embed = (built_real / "embed" / lang / graphic / "index.html").read_text("utf-8")
        line = re.search(r'<p class="dateline">(.*?)</p>', embed, re.S)
        assert line is not None and dates[f"{BASE}{lang}/{drawn_from}/"] in line.group(1), graphic  # changes with its page


# --- open data --------------------------------------------------------------------------------------


def test_open_data_has_every_collection_csv_with_a_bom_and_a_valid_data_package(built_real: Path) -> None:
    import frictionless

    from explainer.outputs import BOM, COLLECTIONS

    assert {"phases", "plan-notes", "updates"} <= set(COLLECTIONS)
    for lang in ("ar", "en"):
        for name in COLLECTIONS:
            raw = (built_real / "data" / lang / f"{name}.csv").read_bytes()
            assert raw.startswith(BOM) and not raw.startswith(BOM * 2), name
            rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
            assert rows and "id" in rows[0], name
    package = json.loads((built_real / "datapackage.json").read_text("utf-8"))
    assert package["licenses"][0]["name"] == "CC-BY-4.0" and "belong to their publishers" in package["description"]
    files = {f"data/{lang}/{n}.{f}" for lang in ("ar", "en") for n in COLLECTIONS for f in ("json", "csv")}
    assert {r["path"] for r in package["resources"]} == files
    report = frictionless.validate(built_real / "datapackage.json")
    assert report.valid, [(t.name, e.message) for t in report.tasks for e in t.errors][:5]


def test_the_datapackage_describes_every_field_of_every_file() -> None:
    from conftest import REPO as root

    from explainer import outputs
    from explainer.datapackage import fields
    from explainer.validate import Project, load_model

    model = load_model(Project(root), translation=False)
    english = next(lang for lang in model.site.languages if lang.code != model.site.languages[0].code)
    for name in outputs.COLLECTIONS:
        assert [f[0] for f in fields(name, model.site.languages[0].code)] == list(outputs.records(model, english, name)[0]), name


def test_the_datapackage_describes_the_statements_and_their_dates_as_the_data_has_them(built_real: Path) -> None:
    """Some statements give, in quotation marks, words the source itself quotes, and "no-later-than" dates remarks
    the dated reports carry too, not only an undated report's: the field descriptions say so (review r11, E1)."""
    package = json.loads((built_real / "datapackage.json").read_text("utf-8"))
    resource = next(r for r in package["resources"] if r["name"] == "statements-en-json")
    described = {f["name"]: f["description"] for f in resource["schema"]["fields"]}
    statements = json.loads((built_real / "data/en/statements.json").read_text("utf-8"))
    dated = {s["id"] for s in json.loads((built_real / "data/en/sources.json").read_text("utf-8")) if s["date"]}
    quoting = [s["id"] for s in statements if "“" in s["said"]]
    from_dated = [s["id"] for s in statements if s["date_qualifier"] == "no-later-than" and {c["source"] for c in s["citations"]} <= dated]
    assert quoting and from_dated, "the cases the descriptions must cover"
    assert "except where the text puts in quotation marks words that the source itself quotes" in described["said"]
    assert "undated report's time words" not in described["date_qualifier"]
    assert "no later than the source's date" in described["date_qualifier"]


# --- static files under hashed names --------------------------------------------------------------


def test_static_files_are_published_under_hashed_names(built_real: Path) -> None:
    import hashlib

    for file in (built_real / "static").rglob("*"):
        if file.is_file() and file.suffix in (".css", ".js", ".woff2", ".svg"):
            _own_name, digest = file.stem.rsplit(".", 1)
            assert digest == hashlib.sha256(file.read_bytes()).hexdigest()[:10], file
    css = next((built_real / "static").glob("style.*.css")).read_text("utf-8")
    fonts = re.findall(r'url\("?([^")]+)"?\)', css)
    assert fonts and all(re.fullmatch(r"fonts/explainer-naskh-(regular|bold)\.[0-9a-f]{10}\.woff2", f) for f in fonts)
    assert all((built_real / "static" / f).exists() for f in fonts)


def test_the_deploy_guide_gives_the_policies_the_build_writes() -> None:
    from explainer import hosting
    from explainer.plan import Page

    guide = (REPO / "docs" / "deploy.md").read_text("utf-8")
    for key, path in (("home", "ar/"), ("search", "ar/search/"), ("embed/map", "embed/ar/map/")):
        assert hosting.header_csp(Page(key, "ar", path, "x.html", {})) in guide, key
    assert hosting.LONG_CACHE in guide and hosting.SHORT_CACHE in guide and hosting.STATIC_CSP in guide


def test_a_document_in_static_runs_no_script_where_the_hosts_headers_apply(built_real: Path) -> None:
    """Review s6, attack 41: static/ is data; an HTML or SVG file there was published with no policy."""
    from explainer import hosting

    rules = (built_real / "_headers").read_text("utf-8").split("\n\n")
    static = next(rule for rule in rules if rule.startswith("/iraq-coalition/static/*"))
    policy = next(line for line in static.splitlines() if "Content-Security-Policy" in line)
    assert "script-src" not in policy and "default-src 'none'" in policy and "sandbox" in policy
    assert policy.endswith(hosting.STATIC_CSP)


@pytest.mark.browser
def test_axe_finds_nothing_on_the_search_results(search_pages: dict[str, Any]) -> None:
    from test_quality import AXE

    problems = []
    for lang, query in (("ar", "الانسحاب"), ("en", "Erbil")):
        page = search_pages[lang]
        _search(page, query)
        page.evaluate(AXE.read_text("utf-8"))
        result = page.evaluate("axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})")
        problems += [f"{lang}: {v['id']}" for v in result["violations"]]
    assert problems == []


def test_an_update_naming_a_page_or_item_that_does_not_exist_is_refused_where_it_is(project: Path) -> None:
    from conftest import edit, run_forked

    edit(
        project / "content/updates.yaml",
        lambda s: s.replace("    pages: [timeline#first-round]\n", "    pages: [plan, plam, plan#nowhere]\n"),
    )
    result = run_forked(project, "check")
    assert result.returncode == 1
    assert (
        "content/updates.yaml:9:" in result.stderr
        and "'plam': the site has no such page" in result.stderr
        and "did you mean 'plan'" in result.stderr
    )
    assert "'plan#nowhere': that page has no item 'nowhere'" in result.stderr
    edit(project / "content/updates.yaml", lambda s: s.replace("[plan, plam, plan#nowhere]", "[plan#baghdad]"))
    assert run_forked(project, "build").returncode == 0
    plan = (project / "_site/en/plan/index.html").read_text("utf-8")
    assert 'class="correction-note"' in plan and 'href="../updates/#fix-date"' in plan
    assert 'class="correction-note"' not in (project / "_site/en/timeline/index.html").read_text("utf-8")
