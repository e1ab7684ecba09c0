"""Type, citations and print as a reader meets them: the self-hosted Arabic font covers every
character, Arabic is set large enough, quotes carry one pair of marks, quotes print, every
standalone link or control is at least 24 × 24 px."""

from __future__ import annotations

import html
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO

sys.path.insert(0, str(REPO / "tools"))

FONTS = REPO / "static" / "fonts"


def _cmap(path: Path) -> set[int]:
    from fontTools.ttLib import TTFont

    return set(TTFont(path).getBestCmap())


def _texts(page: str) -> str:
    page = re.sub(r"<(script|style|title)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_the_font_is_fresh_and_licensed() -> None:
    import fonts  # tools/fonts.py

    listed = (FONTS / "SUBSET.txt").read_text("utf-8").rstrip("\n")
    assert listed == fonts.site_characters(), "a character was added or dropped: run .venv/bin/python tools/fonts.py"
    for weight in ("regular", "bold"):
        cmap = _cmap(FONTS / f"explainer-naskh-{weight}.woff2")
        assert {ord(c) for c in listed} <= cmap, weight
    licence = (FONTS / "OFL.txt").read_text("utf-8")
    assert "SIL OPEN FONT LICENSE" in licence.upper() and "Noto Naskh Arabic" in licence


def test_every_character_the_site_shows_is_in_the_arabic_family(built_real: Path) -> None:
    from fonts import IGNORED

    cmap = _cmap(FONTS / "explainer-naskh-regular.woff2") & _cmap(FONTS / "explainer-naskh-bold.woff2")
    missing: dict[str, str] = {}
    for path in sorted(built_real.rglob("*.html")):
        for ch in set(_texts(path.read_text("utf-8"))):
            if ch.isspace() or ch in IGNORED or ord(ch) in cmap:
                continue
            missing.setdefault(ch, path.relative_to(built_real).as_posix())
    assert missing == {}, f"not in the font (run tools/fonts.py): {missing}"


def test_no_quote_carries_two_pairs_of_marks(built_real: Path) -> None:
    doubled = re.compile(r"««|»»|““|””|‘‘|’’")  # («“داعش”» is a quote within a quote, and right)
    bad = [p.relative_to(built_real).as_posix() for p in built_real.rglob("*.html") if doubled.search(_texts(p.read_text("utf-8")))]
    assert bad == []


def _without_code(page: str) -> str:
    return re.sub(r"<(code|pre)\b.*?</\1>", " ", page, flags=re.S)


def test_quotation_marks_follow_one_rule_per_language(built_real: Path) -> None:
    """English translations in “…” with any quotation inside them in ‘…’; printed Arabic quotes in «…»
    with ‹…› inside; no straight quotation mark in Arabic text and no straight apostrophe in English."""
    for path in sorted(built_real.glob("*/**/index.html")):
        rel, page = path.relative_to(built_real).as_posix(), path.read_text("utf-8")
        blocks = re.findall(r'<figure class="quote">.*?</figure>|<div class="cp">.*?</div>', page, re.S)
        for block in blocks:
            for found in re.findall(r'class="translation">(.*?)</(?:p|span)>', block, re.S):
                text = html.unescape(re.sub(r"<[^>]+>", "", found)).strip()
                assert text[0] == "“" and text[-1] == "”" and not re.search('[“”"]', text[1:-1]), (rel, text)
            for found in re.findall(r'<div class="cp">\s*<p lang="ar" dir="rtl">(.*?)</p>', block, re.S):
                text = html.unescape(found).strip()
                assert text[0] == "«" and text[-1] == "»" and not re.search('[«»"]', text[1:-1]), (rel, text)
        shown = _texts(_without_code(page))
        if rel.startswith("ar/"):
            assert '"' not in shown, (rel, re.findall(r'.{20}".{20}', shown)[:3])
        else:
            assert "'" not in re.sub(r'lang="ar".*?</', "", shown), (rel, re.findall(r".{20}'.{20}", shown)[:3])


def test_every_page_says_when_it_was_published_and_updated(built_real: Path) -> None:
    """Near the title: "Published … · Updated …", from the log of updates (the first "published" entry)."""
    for path in sorted(built_real.glob("*/**/index.html")):
        rel, page = path.relative_to(built_real).as_posix(), path.read_text("utf-8")
        line = re.search(r'<p class="dateline">(.*?)</p>', page, re.S)
        assert line is not None, rel
        text = re.sub(r"[ \n]+", " ", _texts(line.group(1)))
        english = rel.removeprefix("embed/").startswith("en/")  # an embed carries its graphic's dateline too
        assert ("Published 24\u00a0November\u00a02026" in text) if english else ("24\u00a0تشرين" in text), (rel, text)
        assert "<time" in line.group(1), (rel, text)  # "Updated …" when the page changed: test_reuse's sitemap test
        h1, at = page.index("<h1"), page.index('class="dateline"')
        assert h1 < at and ("</header>" not in page or at < page.index("</header>", h1)), rel  # under the title


def test_the_updates_page_is_headed_and_titled_as_itself(built_real: Path) -> None:
    for code, name in (("en", "Updates and corrections"), ("ar", "التحديثات والتصحيحات")):
        page = (built_real / code / "updates" / "index.html").read_text("utf-8")
        assert f"<h1>{name}</h1>" in page
        title = re.search(r"<title>(.*?)</title>", page).group(1)  # type: ignore[union-attr]
        assert title.startswith(name) and len(set(title.split(" · "))) == 2, title
        assert '<ul class="updates">' in page and '<ol class="updates">' not in page


def test_source_pages_show_no_file_path_and_plain_titles(built_real: Path) -> None:
    for path in built_real.glob("*/sources/*/index.html"):
        text = path.read_text("utf-8")
        assert "seeds/" not in text, path
        backlinks = re.search(r'<ul class="backlinks">(.*?)</ul>', text, re.S)
        assert backlinks is not None
        titles = [_texts(t).strip() for t in re.findall(r"<a [^>]*>(.*?)</a>", backlinks.group(1), re.S)]
        assert titles and all("*" not in t and "](" not in t for t in titles), path
        assert all(not re.search(r"\w$", t) or len(t) < 119 for t in titles), path  # a cut title ends in "…"


# --- in Chromium ------------------------------------------------------------------------------------------


_TYPE = """() => {
    const p = document.querySelector('main :is(.lede, .event-body, .qa) p');
    const s = getComputedStyle(p);
    return {size: parseFloat(s.fontSize), lh: parseFloat(s.lineHeight), family: s.fontFamily,
            loaded: document.fonts.check('20px "Explainer Naskh"', 'ب')};
}"""


@pytest.mark.browser
@pytest.mark.parametrize(("width", "least"), [(1280, 19.0), (390, 18.0)])
def test_arabic_body_text_is_large_enough_in_its_own_font(served: str, browser: Any, width: int, least: float) -> None:
    page = browser.new_page(viewport={"width": width, "height": 900})
    for path in ("ar/", "ar/timeline/", "ar/questions/", "ar/timeline/joint-statement/"):
        page.goto(served + path)
        page.evaluate("document.fonts.ready")
        found = page.evaluate(_TYPE)
        assert found["size"] >= least, (path, width, found)
        assert found["lh"] / found["size"] >= 1.7, (path, found)  # Naskh needs the room
        assert found["family"].startswith('"Explainer Naskh"') and found["loaded"], (path, found)
    page.close()


_MEASURE = """() => [...document.querySelectorAll('main p')]
    .filter(p => p.checkVisibility() && p.textContent.trim().length > 250).map(p => {
    const r = document.createRange(); r.selectNodeContents(p);
    const lines = new Set([...r.getClientRects()].map(x => Math.round(x.bottom))).size;
    return p.textContent.trim().length / lines;
})"""


@pytest.mark.browser
def test_running_text_is_set_to_a_readable_measure(served: str, browser: Any) -> None:
    """About 60 to 80 characters a line on a desktop: Arabic paragraphs no longer run 100 and more."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    for path in ("ar/questions/", "ar/differences/", "ar/plan/", "en/questions/", "en/differences/"):
        page.goto(served + path)
        page.evaluate("document.fonts.ready")
        per_line = sorted(page.evaluate(_MEASURE))
        assert per_line, path
        assert 55 <= per_line[len(per_line) // 2] <= 80 and per_line[-1] <= 88, (path, per_line)
    page.close()


@pytest.mark.browser
def test_each_element_takes_the_font_of_its_own_language(served: str, browser: Any) -> None:
    page = browser.new_page()
    for path in ("",):  # (the 404 page links its stylesheet from the site's real root, not this server's)
        page.goto(served + path)
        families = page.evaluate(
            "() => [...document.querySelectorAll('section[lang] h1')].map(h => [h.closest('[lang]').lang, getComputedStyle(h).fontFamily])"
        )
        assert {lang for lang, _ in families} == {"ar", "en"}, families
        for lang, family in families:
            assert family.startswith('"Explainer Naskh"') == (lang == "ar"), (path, lang, family)
    page.close()


_TARGETS = """() => [...document.querySelectorAll('a[href], summary')].filter(e => e.checkVisibility() && !e.closest('svg')).map(e => {
    const r = e.getBoundingClientRect();
    const block = e.parentElement.closest('p, li, dd, td, figcaption, h1, h2, h3, div');
    const inSentence = getComputedStyle(e).display === 'inline' && block &&
        block.textContent.replace(/\\s+/g, '').length > e.textContent.replace(/\\s+/g, '').length + 3 &&
        !block.classList.contains('cite-links');
    return {text: e.textContent.trim().slice(0, 40), w: r.width, h: r.height, inSentence};
})"""


@pytest.mark.browser
def test_every_standalone_link_and_control_is_at_least_24_px(built_real: Path, served: str, browser: Any) -> None:
    from test_quality import one_page_per_kind

    small = []
    page = browser.new_page(viewport={"width": 390, "height": 844})
    for path in one_page_per_kind(built_real):
        if path.name == "404.html":
            continue  # its stylesheet is linked from the site's real root, not this server's
        rel = path.relative_to(built_real).as_posix().removesuffix("index.html")
        page.goto(served + rel)
        for t in page.evaluate(_TARGETS):
            if not t["inSentence"] and (t["w"] < 24 or t["h"] < 24):
                small.append((rel, t))
    page.close()
    assert small == [], small[:10]


@pytest.mark.browser
def test_print_shows_every_quote_and_its_translation_and_the_graphics(served: str, browser: Any) -> None:
    page = browser.new_page()
    page.emulate_media(media="print")
    for path in ("en/timeline/joint-statement/", "ar/timeline/joint-statement/", "en/timeline/", "en/plan/"):
        page.goto(served + path)
        quotes = page.evaluate(
            "() => [...document.querySelectorAll('.cites')].map(c => ({"
            "n: c.querySelectorAll('details blockquote').length,"
            "shown: [...c.querySelectorAll('.cites-print > .cp')].filter(p => p.checkVisibility()).length,"
            "tr: [...c.querySelectorAll('.cites-print .translation')].filter(p => p.checkVisibility()).length}))"
        )
        assert quotes and all(q["n"] == q["shown"] > 0 for q in quotes), (path, quotes)
        if path.startswith("en/"):
            assert all(q["tr"] == q["n"] for q in quotes), (path, quotes)
        hidden = page.evaluate("() => [...document.querySelectorAll('.cites details')].filter(d => d.checkVisibility()).length")
        assert hidden == 0
        wide = page.evaluate("() => [...document.querySelectorAll('.g-show-wide svg')].map(s => s.checkVisibility())")
        assert all(wide), path
    page.close()
