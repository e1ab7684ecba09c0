"""The published site, as a newsroom's web team would check it, on the real content in both languages."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlparse

import pytest
from conftest import REPO

VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
BASE = "https://example.org/iraq-coalition/"


class Page(HTMLParser):
    """Everything the checks below need from one HTML file."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.anchors: list[str] = []
        self.resources: list[str] = []
        self.alternates: dict[str, str] = {}
        self.canonical: str | None = None
        self.meta: dict[str, str] = {}
        self.scripts: list[dict[str, str]] = []
        self.inline_handlers: list[str] = []
        self.style_attrs = 0
        self.html: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.html = a
        if "id" in a:
            self.ids.add(a["id"])
        if "style" in a:
            self.style_attrs += 1
        self.inline_handlers += [k for k in a if k.startswith("on")]
        if tag == "a" and "href" in a:
            self.anchors.append(a["href"])
        if tag in ("img", "script", "iframe", "audio", "video", "source") and a.get("src"):
            self.resources.append(a["src"])
        if tag == "script":
            self.scripts.append(a)
        if tag == "link":
            rel = a.get("rel", "")
            if rel in ("stylesheet", "icon", "preload", "manifest"):
                self.resources.append(a["href"])
            if rel == "alternate" and "hreflang" in a:
                self.alternates[a["hreflang"]] = a["href"]
            if rel == "canonical":
                self.canonical = a["href"]
        if tag == "meta":
            key = a.get("property") or a.get("name") or a.get("http-equiv")
            if key:
                self.meta[key] = a.get("content", "")


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text("utf-8"))
    return page


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def one_page_per_kind(site: Path) -> list[Path]:
    """The first page of each kind in each language: pages of one kind share a template, so they
    share its problems (``ar/timeline/<event>/`` are all event pages; ``ar/timeline/`` is the list)."""
    kinds: dict[tuple[str, ...], Path] = {}
    for path in html_files(site):
        parts = path.relative_to(site).parts
        kinds.setdefault((*parts[:2], str(len(parts))), path)
    return list(kinds.values())


def local_file(site: Path, url: str) -> Path:
    """The file an absolute (or root-relative) site URL is served from."""
    if url.startswith("/"):
        url = BASE + url.removeprefix(urlparse(BASE).path)
    assert url.startswith(BASE), url
    rel = url[len(BASE) :].split("#")[0]
    target = site / rel
    return target / "index.html" if rel == "" or rel.endswith("/") else target


def test_every_page_has_both_languages_and_reciprocal_hreflang(built_real: Path) -> None:
    pages = [p for p in html_files(built_real) if p.name == "index.html" and p.parent != built_real]
    assert len(pages) >= 2 * 13
    for path in pages:
        page = parse(path)
        assert set(page.alternates) == {"ar", "en", "x-default"}, path
        assert all(href.startswith(BASE) for href in page.alternates.values()), "hreflang URLs must be absolute"
        assert page.canonical is not None and local_file(built_real, page.canonical) == path
        for code in ("ar", "en"):
            other = local_file(built_real, page.alternates[code])
            assert other.exists(), (path, code)
            assert parse(other).alternates == page.alternates, (path, other)
            assert parse(other).html["lang"] == code


def test_no_broken_internal_link_or_anchor(built_real: Path) -> None:
    cache: dict[Path, Page] = {}

    def parsed(path: Path) -> Page:
        if path not in cache:  # setdefault(path, parse(path)) would parse every time
            cache[path] = parse(path)
        return cache[path]

    checked = 0
    for path in html_files(built_real):
        page = parsed(path)
        for href in page.anchors:
            url = urlparse(href)
            if path.name == "404.html":  # served at any depth, it links with absolute URLs
                assert local_file(built_real, href).exists(), href
                continue
            if url.scheme in ("http", "https", "mailto"):
                assert not href.startswith(BASE), f"{path}: internal links are relative"
                continue
            target = (path.parent / url.path).resolve() if url.path else path
            if target.is_dir():
                target = target / "index.html"
            assert target.exists(), f"{path.relative_to(built_real)}: broken link {href}"
            if url.fragment and target.suffix == ".html":
                ids = parsed(target).ids
                assert url.fragment in ids, f"{path.relative_to(built_real)}: missing anchor {href}"
            checked += 1
    assert checked > 500


SEARCH_SCRIPT = re.compile(r"(\.\./)+static/search\.[0-9a-f]{10}\.js")


def test_private_no_third_party_resources_and_a_strict_csp(built_real: Path) -> None:
    """No page runs a script, except the search page: its own script and Pagefind's WebAssembly, from the site."""
    searched = 0
    for path in html_files(built_real):
        page = parse(path)
        for res in page.resources:
            assert not urlparse(res).scheme or res.startswith(BASE), f"{path}: loads {res}"
        csp = page.meta.get("Content-Security-Policy", "")
        scripts = [s for s in page.scripts if s.get("type") != "application/ld+json"]
        if path.parent.name == "search":
            searched += 1
            assert "default-src 'none'" in csp and "script-src 'self' 'wasm-unsafe-eval'" in csp, path
            assert len(scripts) == 1 and scripts[0]["type"] == "module" and SEARCH_SCRIPT.fullmatch(scripts[0]["src"]), path
        else:
            assert "default-src 'none'" in csp and "script-src" not in csp, path
            assert scripts == [], f"{path}: has a script"
        assert page.inline_handlers == [] and page.style_attrs == 0, path
    assert searched == 2


def test_every_page_under_100_kb_gzipped_with_what_it_loads(built_real: Path) -> None:
    """Counted as a first visit with an empty cache: the page, what it links (stylesheet, icon,
    preloaded fonts) and what the stylesheet loads (both weights of the Arabic family), each file once."""
    for path in html_files(built_real):
        files: set[Path] = set()
        for res in set(parse(path).resources):
            file = local_file(built_real, res) if res.startswith((BASE, "/")) else (path.parent / res).resolve()
            files.add(file)
            if file.suffix == ".css":
                files |= {(file.parent / url).resolve() for url in re.findall(r'url\("?([^")]+)"?\)', file.read_text("utf-8"))}
        total = len(gzip.compress(path.read_bytes(), 9)) + sum(len(gzip.compress(f.read_bytes(), 9)) for f in files)
        assert total < 100_000, f"{path.relative_to(built_real)}: {total} bytes gzipped"


def test_metadata_for_search_and_sharing(built_real: Path) -> None:
    for code in ("ar", "en"):
        page = parse(built_real / code / "index.html")
        for key in ("description", "og:title", "og:description", "og:url", "og:locale", "og:type", "twitter:card"):
            assert page.meta.get(key), (code, key)
        assert page.meta["og:url"] == BASE + f"{code}/"
        html = (built_real / code / "index.html").read_text("utf-8")
        ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
        assert ld["@type"] == "NewsArticle" and ld["inLanguage"] == code and 1 <= len(ld["citation"]) <= 5
        assert page.meta["twitter:card"] == "summary_large_image" and page.meta["og:image"] == BASE + f"{code}/card.png"
        icon = next(r for r in page.resources if "favicon" in r)
        assert re.fullmatch(r"\.\./static/favicon\.[0-9a-f]{10}\.svg", icon) and (built_real / code / icon).resolve().exists()


def test_sitemap_robots_and_404(built_real: Path) -> None:
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    root = ET.parse(built_real / "sitemap.xml").getroot()
    urls = root.findall("s:url", ns)
    pages = [p for p in html_files(built_real) if p.name == "index.html" and "noindex" not in parse(p).meta.get("robots", "")]
    assert len(urls) == len(pages) and not any("/embed/" in u.find("s:loc", ns).text for u in urls)
    for url in urls:
        loc = url.find("s:loc", ns).text
        assert local_file(built_real, loc).exists(), loc
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", url.find("s:lastmod", ns).text), loc  # from the content (updates.yaml)
        links = {x.get("hreflang"): x.get("href") for x in url.findall("x:link", ns)}
        assert set(links) == {"ar", "en", "x-default"}
    robots = (built_real / "robots.txt").read_text()
    assert f"Sitemap: {BASE}sitemap.xml" in robots
    notfound = (built_real / "404.html").read_text("utf-8")
    assert 'lang="ar" dir="rtl"' in notfound and 'lang="en" dir="ltr"' in notfound
    assert re.search(r'href="/iraq-coalition/static/style\.[0-9a-f]{10}\.css"', notfound)  # root-relative: it is served at any depth


def test_atom_feeds_and_updates_page(built_real: Path) -> None:
    ns = {"a": "http://www.w3.org/2005/Atom"}
    for code in ("ar", "en"):
        feed = ET.parse(built_real / code / "feed.xml").getroot()
        assert feed.tag == "{http://www.w3.org/2005/Atom}feed"
        assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == code
        for field in ("title", "id", "updated"):
            assert feed.find(f"a:{field}", ns) is not None
        entries = feed.findall("a:entry", ns)
        assert entries
        ids = parse(built_real / code / "updates" / "index.html").ids
        for entry in entries:
            for field in ("title", "id", "updated", "content"):
                assert (entry.find(f"a:{field}", ns).text or "").strip(), field
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT00:00:00Z", entry.find("a:updated", ns).text)
            link = entry.find("a:link", ns).get("href")
            assert link.split("#")[1] in ids


def test_open_data_in_json_and_csv_per_language(built_real: Path) -> None:
    import csv

    for code in ("ar", "en"):
        sources_page = (built_real / code / "sources" / "index.html").read_text("utf-8")
        for name in ("events", "statements", "people", "places", "figures", "questions", "disagreements", "sources"):
            data = json.loads((built_real / "data" / code / f"{name}.json").read_text("utf-8"))
            rows = list(csv.DictReader((built_real / "data" / code / f"{name}.csv").open(encoding="utf-8")))
            assert data and len(rows) == len(data), name
            assert f"data/{code}/{name}.json" in sources_page and f"data/{code}/{name}.csv" in sources_page
        events = json.loads((built_real / "data" / code / "events.json").read_text("utf-8"))
        assert all(e["citations"] and e["citations"][0]["quote_ar"] for e in events)


@pytest.mark.skipif(shutil.which("java") is None or not VNU.exists(), reason="needs java and npm's vnu-jar (bash .ci/run installs it)")
def test_nu_html_checker_finds_no_errors(built_real: Path) -> None:
    files = [str(p) for p in html_files(built_real)]
    result = subprocess.run(
        [
            "java",
            "-Xss4m",
            "-jar",
            str(VNU),
            "--errors-only",
            "--format",
            "json",
            "--also-check-css",
            *files,
            *(str(css) for css in built_real.glob("static/style.*.css")),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    errors = [
        f"{m.get('url', '').rsplit('/_site/', 1)[-1]}:{m.get('lastLine')}: {m['message']}" for m in messages if m.get("type") == "error"
    ]
    assert errors == [], "\n".join(errors[:20])


AXE_RULES = {
    "light": "{type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}",
    "dark": "{type: 'rule', values: ['color-contrast', 'link-in-text-block']}",  # what a colour scheme can change
}


@pytest.mark.browser
@pytest.mark.skipif(not AXE.exists(), reason="needs npm's axe-core (bash .ci/run installs it)")
def test_axe_finds_no_wcag_a_or_aa_violations(built_real: Path, served: str, browser: Any) -> None:
    """Each page is loaded once and checked in the light scheme, then in the dark one (once any transition the
    switch started has ended, the page is drawn as it would be had it been loaded dark)."""
    axe = AXE.read_text("utf-8")
    context = browser.new_context(color_scheme="light", bypass_csp=True)
    page = context.new_page()
    problems = []
    pages = one_page_per_kind(built_real)
    assert len(pages) >= 2 * 10 + 2, pages  # every template in both languages, the landing page and 404
    for path in pages:
        rel = path.relative_to(built_real).as_posix()
        page.emulate_media(color_scheme="light")
        page.goto(served + rel.removesuffix("index.html"))
        page.evaluate(axe)
        for scheme, rules in AXE_RULES.items():
            page.emulate_media(color_scheme=scheme)
            assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")
            page.evaluate("Promise.all(document.getAnimations().map(a => a.finished))")
            result = page.evaluate(f"axe.run(document, {{runOnly: {rules}, resultTypes: ['violations']}})")
            for v in result["violations"]:
                problems.append(f"{rel} ({scheme}): {v['id']}: {v['help']} ({len(v['nodes'])}×, e.g. {v['nodes'][0]['target']})")
    context.close()
    assert problems == [], "\n".join(problems[:30])


@pytest.mark.browser
def test_in_chromium_no_request_leaves_the_site_and_csp_holds(built_real: Path, served: str, browser: Any) -> None:
    context = browser.new_context()
    page = context.new_page()
    outside: list[str] = []
    violations: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(served) else None)
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    for path in html_files(built_real):
        page.goto(urljoin(served, path.relative_to(built_real).as_posix().removesuffix("index.html")))
    context.close()
    assert outside == [] and violations == []


@pytest.mark.browser
def test_visible_focus_and_a_working_skip_link(served: str, browser: Any) -> None:
    page = browser.new_page()
    page.goto(served + "ar/")
    page.keyboard.press("Tab")
    skip = page.locator(".skip")
    assert skip.evaluate("e => e === document.activeElement")
    box = skip.bounding_box()
    assert box["y"] >= 0  # it comes into view when focused
    assert skip.evaluate("e => getComputedStyle(e).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
    page.close()


def test_csv_cells_cannot_run_as_spreadsheet_formulas() -> None:
    from explainer.outputs import _cell

    assert [_cell(v) for v in ("=HYPERLINK(x)", "+A1", "-cmd", "@SUM(A1)", "-12.5", "ok", "")] == [
        "'=HYPERLINK(x)",
        "'+A1",
        "'-cmd",
        "'@SUM(A1)",
        "-12.5",
        "ok",
        "",
    ]
