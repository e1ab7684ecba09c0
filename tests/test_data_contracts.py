"""What editors change without Python: prose pages from pages.yaml (and, below, drafts, aliases, languages)."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import edit, run_cli
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
    result = run_cli(project, "build")
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
    result = run_cli(project, "check")
    assert result.returncode == 1
    lines = (project / "content/pages.yaml").read_text("utf-8").split("\n")
    search = next(i for i, line in enumerate(lines, 1) if line == "  search:")
    assert f"content/pages.yaml:{search}:3: page id 'search' is taken by the site" in result.stderr
    (project / "content/pages.yaml").write_text(pages, "utf-8")
    add_prose(project, "  no-body:\n    menu: nav\n    title: {ar: عنوان, en: Title}\n")
    result = run_cli(project, "check")
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
