"""What editors change without Python: prose pages from pages.yaml (and, below, drafts, aliases, languages)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from conftest import edit, run_forked
from test_quality import html_files, one_page_per_kind
from test_site import parse

PROSE = """
  corrections-policy:
    menu: nav
    title: {ar: سياسة التصحيح, en: Corrections policy}
    body:
      ar: "نصحح **الأخطاء** علناً. انظر [الخطة](plan)."
      en: "We correct **mistakes** in the open. See [the plan](plan)."
  colophon-note:
    menu: footer
    title: {ar: عن الموقع, en: About the site}
    body: {ar: "نص عن الموقع.", en: "A text about the site."}
"""


def add_prose(project: Path, extra: str = PROSE) -> None:
    edit(project / "content/pages.yaml", lambda text: text.rstrip("\n") + "\n" + extra)


def test_a_prose_page_is_built_in_every_language_and_linked_from_its_menu(project: Path) -> None:
    add_prose(project)
    # a Markdown link may name a prose page by its id, like any page of the site
    edit(
        project / "content/pages.yaml",
        lambda text: text.replace("intro: {ar: مقدمة, en: Intro}", "intro: {ar: مقدمة, en: '[Policy](corrections-policy)'}", 1),
    )
    result = run_forked(project, "build")
    assert result.returncode == 0, result.stderr
    site = project / "_site"
    for code, direction, title in (("ar", "rtl", "سياسة التصحيح"), ("en", "ltr", "Corrections policy")):
        page = site / code / "corrections-policy/index.html"
        html = page.read_text("utf-8")
        links = parse(page)
        assert links.html_attrs == {"lang": code, "dir": direction}
        assert f"<h1>{title}</h1>" in html
        assert "<strong>" in html and 'href="../plan/"' in html  # the body's Markdown and its link to a page
        assert {link["hreflang"]: link["href"] for link in links.links if link.get("rel") == "alternate" and "hreflang" in link} == {
            "ar": "https://example.org/sub/ar/corrections-policy/",
            "en": "https://example.org/sub/en/corrections-policy/",
            "x-default": "https://example.org/sub/",
        }
        # linked from the navigation of every page of that language (marked as the current page on itself)
        for other in (site / code / "index.html", site / code / "timeline/index.html"):
            nav = re.search(r'<nav class="sections".*?</nav>', other.read_text("utf-8"), re.S)
            assert nav is not None and f">{title}</a>" in nav.group(0), other
        assert re.search(r'<a href="\./?"[^>]* aria-current="page">' + title, html) or 'aria-current="page">' + title in html
        # the footer page is linked from every page's footer, not from the navigation
        footer = re.search(r'<footer class="colophon">.*?</footer>', html, re.S)
        assert footer is not None and 'href="../colophon-note/"' in footer.group(0)
        assert "colophon-note" not in re.search(r'<nav class="sections".*?</nav>', html, re.S).group(0)  # type: ignore[union-attr]
        assert (site / code / "colophon-note/index.html").is_file()
    assert '<a href="corrections-policy/">Policy</a>' in (site / "en/index.html").read_text("utf-8")  # the home intro's link
    sitemap = (site / "sitemap.xml").read_text("utf-8")
    assert "https://example.org/sub/ar/corrections-policy/" in sitemap and "https://example.org/sub/en/colophon-note/" in sitemap


def test_a_prose_page_must_have_a_free_address_a_body_and_a_menu(project: Path) -> None:
    pages = (project / "content/pages.yaml").read_text("utf-8")
    add_prose(project, "  search:\n    menu: footer\n    title: {ar: بحث, en: Search}\n    body: {ar: نص, en: Text}\n")
    result = run_forked(project, "check")
    assert result.returncode == 1
    lines = (project / "content/pages.yaml").read_text("utf-8").split("\n")
    search = next(i for i, line in enumerate(lines, 1) if line == "  search:")
    assert f"content/pages.yaml:{search}:3: page id 'search' is taken by the site" in result.stderr
    (project / "content/pages.yaml").write_text(pages, "utf-8")
    add_prose(project, "  no-body:\n    menu: nav\n    title: {ar: عنوان, en: Title}\n")
    result = run_forked(project, "check")
    assert result.returncode == 1
    lines = (project / "content/pages.yaml").read_text("utf-8").split("\n")
    no_body = next(i for i, line in enumerate(lines, 1) if line == "  no-body:")
    assert re.search(rf"content/pages.yaml:{no_body + 1}:5: pages.no-body: required field 'body' is missing", result.stderr), result.stderr


def test_the_real_prose_pages_are_built_in_both_languages_and_go_through_nu_and_axe(built_real: Path) -> None:
    checked = {p.relative_to(built_real).as_posix() for p in one_page_per_kind(built_real)}  # what the axe test visits
    every = {p.relative_to(built_real).as_posix() for p in html_files(built_real)}  # what the Nu checker reads
    for key in ("about", "methodology", "privacy", "licence"):
        for code in ("ar", "en"):
            rel = f"{code}/{key}/index.html"
            assert rel in checked and rel in every, rel
            footer = re.search(r'<ul class="footer-pages">.*?</ul>', (built_real / code / "index.html").read_text("utf-8"), re.S)
            assert footer is not None and f'href="{key}/"' in footer.group(0)


# --- drafts -------------------------------------------------------------------------------------------


def draft(project: Path, file: str, ident: str) -> None:
    """Mark the item ``ident`` of ``content/<file>.yaml`` as a draft (the line after its id)."""
    edit(project / f"content/{file}.yaml", lambda text: re.sub(rf"(\n(\s*)- id: {ident}\n)", r"\1\2  draft: true\n", text, count=1))


def test_a_draft_is_left_out_of_the_build_listed_by_check_and_shown_marked_in_the_preview(project: Path) -> None:
    import json
    import zlib

    from explainer.serve import STATUS, rebuild
    from explainer.validate import Project

    draft(project, "events", "invasion")
    draft(project, "updates", "first-release")
    add_prose(project, "  plans:\n    draft: true\n    menu: footer\n    title: {ar: خطط, en: Plans}\n    body: {ar: نص, en: Text}\n")
    result = run_forked(project, "build")
    assert result.returncode == 0, result.stderr
    site = project / "_site"
    for code in ("ar", "en"):
        assert not (site / code / "timeline/invasion").exists() and not (site / code / "plans").exists()
        assert (site / code / "timeline/first-round/index.html").is_file()
        assert 'id="invasion"' not in (site / code / "timeline/index.html").read_text("utf-8")
        assert 'id="first-round"' in (site / code / "timeline/index.html").read_text("utf-8")
        assert "plans/" not in (site / code / "index.html").read_text("utf-8")  # not in the footer
        feed = (site / code / "feed.xml").read_text("utf-8")
        assert "#first-release" not in feed and "#fix-date" in feed
        assert "first-release" not in (site / code / "updates/index.html").read_text("utf-8")
        events = [record["id"] for record in json.loads((site / f"data/{code}/events.json").read_text("utf-8"))]
        assert "invasion" not in events and "first-round" in events
        assert "first-release" not in (site / f"data/{code}/updates.json").read_text("utf-8")
    sitemap = (site / "sitemap.xml").read_text("utf-8")
    assert "timeline/invasion/" not in sitemap and "/plans/" not in sitemap and "timeline/first-round/" in sitemap
    fragments = [zlib.decompress(f.read_bytes(), 16 + zlib.MAX_WBITS) for f in (site / "pagefind/fragment").iterdir()]
    assert fragments and not any(b"invasion" in f or b"/plans/" in f for f in fragments)
    assert any(b"first-round" in f for f in fragments)

    result = run_forked(project, "check")
    assert result.returncode == 0, result.stderr
    lines = (project / "content/events.yaml").read_text("utf-8").split("\n")
    line = next(i for i, text in enumerate(lines, 1) if text == "  - id: invasion")
    assert "drafts (left out of the published site, shown marked in the preview): 3" in result.stdout
    assert f"content/events.yaml:{line}:9: events 'invasion'" in result.stdout
    assert re.search(r"content/pages.yaml:\d+:3: pages 'plans'", result.stdout) and "updates 'first-release'" in result.stdout

    preview = project / ".preview"
    ok, message = rebuild(Project(project), preview)
    assert ok, message
    for code in ("ar", "en"):
        assert (preview / code / "timeline/invasion/index.html").is_file() and (preview / code / "plans/index.html").is_file()
        assert 'id="invasion"' in (preview / code / "timeline/index.html").read_text("utf-8")
    marks = [m for m in json.loads((preview / STATUS).read_text("utf-8"))["marks"] if m["kind"] == "draft"]
    assert {(tuple(m["paths"]), m["id"]) for m in marks} == {
        (("ar/timeline/", "en/timeline/"), "invasion"),
        (("ar/timeline/invasion/", "en/timeline/invasion/"), ""),
        (("ar/updates/", "en/updates/"), "first-release"),
        (("ar/plans/", "en/plans/"), ""),
    }
    assert all(m["where"].startswith("content/") for m in marks)


def test_a_published_item_that_needs_a_draft_is_a_located_error(project: Path) -> None:
    draft(project, "places", "baghdad")
    result = run_forked(project, "build")
    assert result.returncode == 1
    lines = (project / "content/events.yaml").read_text("utf-8").split("\n")
    line = next(i for i, text in enumerate(lines, 1) if text == "    places: [baghdad]")
    assert f"content/events.yaml:{line}:14: place 'baghdad' is a draft, left out of the published site" in result.stderr
    assert "content/plan.yaml:" in result.stderr  # the phase that names it too
    assert not (project / "_site").exists()


# --- aliases ------------------------------------------------------------------------------------------


def aliases(names: str) -> Callable[[Path], None]:
    """Give the event 'first-round' the aliases ``names``."""

    def change(project: Path) -> None:
        edit(
            project / "content/events.yaml",
            lambda text: text.replace("  - id: first-round\n", f"  - id: first-round\n    aliases: [{names}]\n"),
        )

    return change


def test_an_alias_writes_a_redirect_page_to_the_new_address(project: Path) -> None:
    aliases("round-one, dialogue")(project)
    add_prose(
        project, "  about:\n    aliases: [about-us]\n    menu: footer\n    title: {ar: عن, en: About}\n    body: {ar: نص, en: Text}\n"
    )
    result = run_forked(project, "build")
    assert result.returncode == 0, result.stderr
    site = project / "_site"
    for code, direction in (("ar", "rtl"), ("en", "ltr")):
        moved = (("timeline/round-one", "timeline/first-round"), ("timeline/dialogue", "timeline/first-round"), ("about-us", "about"))
        for old, new in moved:
            page = site / code / old / "index.html"
            html = page.read_text("utf-8")
            assert f'<html lang="{code}" dir="{direction}">' in html
            assert f'<link rel="canonical" href="https://example.org/sub/{code}/{new}/">' in html
            target = re.search(r'<meta http-equiv="refresh" content="0; url=([^"]+)">', html)
            assert target is not None and f'<a href="{target.group(1)}">' in html
            assert (page.parent / target.group(1) / "index.html").resolve() == (site / code / new / "index.html").resolve()
            assert '<meta name="robots" content="noindex">' in html
    assert "round-one" not in (site / "sitemap.xml").read_text("utf-8")


def test_an_alias_that_is_an_address_in_use_is_a_located_error(project: Path) -> None:
    aliases("invasion")(project)
    result = run_forked(project, "check")
    assert result.returncode == 1
    lines = (project / "content/events.yaml").read_text("utf-8").split("\n")
    line = next(i for i, text in enumerate(lines, 1) if text == "    aliases: [invasion]")
    assert f"content/events.yaml:{line}:15: alias 'invasion' is the address of a page of the site" in result.stderr


# --- any number of languages ----------------------------------------------------------------------------

CKB = "  - {code: ckb, locale: ckb_IQ, dir: rtl, digits: arab, name: کوردی}\n"
FR = "  - {code: fr, locale: fr_FR, dir: ltr, digits: latn, name: Français}\n"


def add_languages(project: Path, *entries: str) -> None:
    english = "  - {code: en, locale: en_GB, dir: ltr, digits: latn, name: English}\n"
    edit(project / "content/site.yaml", lambda text: text.replace(english, english + "".join(entries)))


def main_of(page: Path) -> str:
    html = page.read_text("utf-8")
    return html[html.index("<main") : html.index("</main>")]


def test_a_language_added_to_site_yaml_alone_builds_with_marked_fallbacks(project: Path) -> None:
    add_languages(project, FR)
    result = run_forked(project, "build")
    assert result.returncode == 0, result.stderr
    site = project / "_site"
    page = site / "fr/timeline/index.html"
    assert parse(page).html_attrs == {"lang": "fr", "dir": "ltr"}
    main = main_of(page)
    # every text is the source language's, marked with its language and direction, under a visible notice
    assert '<h1><span class="untranslated" lang="ar" dir="rtl">عنوان <bdi dir="ltr">timeline</bdi></span></h1>' in main
    assert '<div class="untranslated" lang="ar" dir="rtl"><p>مقدمة</p>' in main
    assert main.count('class="untranslated-notice"') == 1 and "Français" in main
    # no UI catalog of its own: the source language's UI strings
    assert "انتقل إلى المحتوى" in page.read_text("utf-8")
    # a quote not yet translated is shown alone (no stand-in translation)
    assert '<p class="translation">' not in main_of(site / "fr/timeline/first-round/index.html")
    for code in ("ar", "en"):
        other = site / code / "timeline/index.html"
        assert "untranslated" not in main_of(other)
        assert 'hreflang="fr" href="https://example.org/sub/fr/timeline/"' in other.read_text("utf-8")
    assert "https://example.org/sub/fr/timeline/first-round/" in (site / "sitemap.xml").read_text("utf-8")
    assert '"title": null' in (site / "data/fr/events.json").read_text("utf-8")  # open data: missing, not the source text


def test_four_languages_partly_translated(project: Path) -> None:
    add_languages(project, CKB, FR)
    edit(
        project / "content/events.yaml",
        lambda text: text.replace(
            "title: {ar: الجولة الأولى للحوار الثنائي, en: First round of bilateral dialogue}",
            "title: {ar: الجولة الأولى للحوار الثنائي, en: First round of bilateral dialogue, ckb: خولی یەکەمی دیالۆگی دوولایەنە}",
        ).replace(
            'en: "on 27 January, to an agreement to form a joint military committee"}',
            'en: "on 27 January, to an agreement to form a joint military committee", fr: "le 27 janvier, à un accord"}',
        ),
    )
    edit(project / "content/pages.yaml", lambda text: text.replace("en: Title timeline}", "en: Title timeline, fr: Chronologie}"))
    result = run_forked(project, "build")
    assert result.returncode == 0, result.stderr
    site = project / "_site"
    ckb = site / "ckb/timeline/first-round/index.html"
    assert parse(ckb).html_attrs == {"lang": "ckb", "dir": "rtl"}
    assert "<h1>خولی یەکەمی دیالۆگی دوولایەنە</h1>" in main_of(ckb)  # its own translation: not marked
    assert '<time datetime="2024-01-27">٢٧' in main_of(ckb)  # its digits
    assert 'class="untranslated" lang="ar" dir="rtl"' in main_of(ckb)  # the body is not translated yet
    fr = main_of(site / "fr/timeline/index.html")
    assert "<h1>Chronologie</h1>" in fr and '<div class="untranslated" lang="ar" dir="rtl"><p>مقدمة</p>' in fr
    assert "“le 27 janvier, à un accord”" in main_of(site / "fr/timeline/first-round/index.html")
    assert "untranslated" not in main_of(site / "en/timeline/first-round/index.html")

    result = run_forked(project, "check")
    assert result.returncode == 0, result.stderr
    coverage = dict(re.findall(r"^  (ar|en|ckb|fr): (.*)$", result.stdout, re.M))
    total = int(re.match(r"\d+ of (\d+)", coverage["ar"]).group(1))  # type: ignore[union-attr]
    assert coverage["ar"] == coverage["en"] == f"{total} of {total} texts (100%); UI catalog"
    assert coverage["ckb"].startswith(f"1 of {total} texts") and coverage["ckb"].endswith(
        "no UI catalog: its pages use the UI strings of ar"
    )
    assert coverage["fr"].startswith(f"2 of {total} texts")


def test_the_engine_names_no_language() -> None:
    from conftest import REPO

    found = [
        f"{path.relative_to(REPO)}:{n}: {line.strip()}"
        for path in sorted((REPO / "explainer").rglob("*"))
        if path.suffix in (".py", ".js")
        for n, line in enumerate(path.read_text("utf-8").split("\n"), 1)
        if re.search(r"""["'](ar|en)["']""", line)
    ]
    assert found == []
