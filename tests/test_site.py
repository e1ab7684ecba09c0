"""Stages 3–5 and the CLI: pages in both languages, bilingual markup, safe Markdown, atomic writes."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import edit, make_project, run_forked, snapshot

from explainer.errors import BuildError
from explainer.plan import Page, _check_collisions, plan
from explainer.validate import Project, load_model


class Links(HTMLParser):
    """Collects ids, hrefs and <link> tags of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.links: list[dict[str, str]] = []
        self.html_attrs: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
        if tag == "link":
            self.links.append(a)
        if tag == "html":
            self.html_attrs = a


def parse(path: Path) -> Links:
    p = Links()
    p.feed(path.read_text("utf-8"))
    return p


def test_every_page_exists_in_both_languages_with_the_same_slug(project: Path) -> None:
    pages = plan(load_model(Project(project)))
    by_key: dict[str, dict[str | None, Page]] = {}
    for page in pages:
        by_key.setdefault(page.key, {})[page.lang] = page
    for key, langs in by_key.items():
        if None in langs:  # the bilingual landing and 404 pages
            assert set(langs) == {None}, key
            continue
        assert set(langs) == {"ar", "en"}, key
        assert re.sub(r"(^|/)ar/", r"\1*/", langs["ar"].path) == re.sub(r"(^|/)en/", r"\1*/", langs["en"].path)  # ar/x/, embed/ar/x/
        assert langs["ar"].alternates == langs["en"].alternates == {"ar": langs["ar"].path, "en": langs["en"].path}


def test_url_collision_is_an_error() -> None:
    a = Page("x", "ar", "ar/x/", "t.html", {})
    with pytest.raises(BuildError) as info:
        _check_collisions([a, Page("y", "ar", "ar/x/", "t.html", {})])
    assert "two pages would be written to ar/x/index.html" in info.value.problems[0].message


def test_html_lang_dir_and_alternates(built_mini: Path) -> None:
    for code, direction in (("ar", "rtl"), ("en", "ltr")):
        page = parse(built_mini / code / "timeline" / "index.html")
        assert page.html_attrs == {"lang": code, "dir": direction}
        alternates = {link["hreflang"]: link["href"] for link in page.links if link.get("rel") == "alternate" and "hreflang" in link}
        assert alternates == {
            "ar": "https://example.org/sub/ar/timeline/",
            "en": "https://example.org/sub/en/timeline/",
            "x-default": "https://example.org/sub/",
        }
        canonical = [link["href"] for link in page.links if link.get("rel") == "canonical"]
        assert canonical == [f"https://example.org/sub/{code}/timeline/"]


def test_switcher_lands_on_the_counterpart_page(built_mini: Path) -> None:
    html = (built_mini / "ar/sources/joint/index.html").read_text("utf-8")
    assert '<a href="../../../en/sources/joint/" hreflang="en" lang="en" dir="ltr" rel="alternate">English</a>' in html
    html = (built_mini / "en/plan/index.html").read_text("utf-8")
    assert '<a href="../../ar/plan/" hreflang="ar" lang="ar" dir="rtl" rel="alternate">العربية</a>' in html


def test_root_is_a_bilingual_landing_page(built_mini: Path) -> None:
    html = (built_mini / "index.html").read_text("utf-8")
    assert '<section class="landing-card" lang="ar" dir="rtl">' in html
    assert '<section class="landing-card" lang="en" dir="ltr">' in html
    assert 'href="ar/"' in html and 'href="en/"' in html


def test_dates_use_iraqi_months_and_precision(built_mini: Path) -> None:
    ar = (built_mini / "ar/timeline/index.html").read_text("utf-8")
    en = (built_mini / "en/timeline/index.html").read_text("utf-8")
    nb = "\u00a0"  # a date is never broken across lines
    assert f'<time datetime="2025-09">بحلول أيلول{nb}2025</time>' in ar
    assert f'<time datetime="2024-01-27">27{nb}كانون{nb}الثاني{nb}2024</time>' in ar
    assert f'<time datetime="2003-03">آذار{nb}2003</time>' in ar
    assert "سبتمبر 2025</time>" not in ar and f"سبتمبر{nb}2025</time>" not in ar
    assert f'<time datetime="2025-09">by September{nb}2025</time>' in en
    assert f'<time datetime="2024-01-27">27{nb}January{nb}2024</time>' in en


def test_arabic_indic_digit_policy_applies_to_every_number(project: Path) -> None:
    edit(project / "content/site.yaml", lambda s: s.replace("dir: rtl, digits: latn", "dir: rtl, digits: arab"))
    assert run_forked(project, "build").returncode == 0
    ar = (project / "_site/ar/index.html").read_text("utf-8")
    assert "بحلول أيلول\u00a0٢٠٢٥" in ar and "٢٬٥٠٠" in ar
    body = re.sub(r"<script.*?</script>", "", ar.split("<body>")[1], flags=re.S)  # JSON-LD is machine data
    body = re.sub(r"<code>.*?</code>", "", body, flags=re.S)  # code to copy ("Embed this") is shown as written
    text = re.sub(r"<[^>]+>", " ", body)  # visible text only: attributes keep ASCII ids
    assert not re.search(r"[0-9]", text), re.findall(r".{20}[0-9].{20}", text)[:3]
    en = (project / "_site/en/index.html").read_text("utf-8")
    assert "2,500" in en and "٢" not in re.sub(r"<[^>]+>", "", en).split("Key dates")[1].split("Explore")[0]


def test_latin_inside_arabic_is_isolated(built_mini: Path) -> None:
    ar = (built_mini / "ar/timeline/index.html").read_text("utf-8")
    assert '<h1>عنوان <bdi dir="ltr">timeline</bdi></h1>' in ar


def test_arabic_quotes_on_english_pages_carry_lang_and_dir(built_mini: Path) -> None:
    en = (built_mini / "en/timeline/index.html").read_text("utf-8")
    assert '<blockquote lang="ar" dir="rtl"><p>غزت الولايات المتحدة العراق في مارس/آذار 2003</p></blockquote>' in en
    assert '<p class="translation">“The United States invaded Iraq in March 2003”</p>' in en  # marks from the template (the CSS adds none)
    doc = (built_mini / "en/sources/joint/index.html").read_text("utf-8")
    assert '<div class="document" lang="ar" dir="rtl">' in doc


def test_markdown_is_rendered_and_raw_html_and_bad_links_are_not(project: Path) -> None:
    hostile = "**bold** <script>alert(1)</script> [x](javascript:alert(1)) [y](data:text/html,z) [ok](https://example.org/)"
    edit(project / "content/events.yaml", lambda s: s.replace('en: "Agreement on a **joint military committee**"', f"en: '{hostile}'"))
    assert run_forked(project, "build").returncode == 0
    en = (project / "_site/en/timeline/index.html").read_text("utf-8")
    assert "<strong>bold</strong>" in en
    assert "<script>" not in en and "&lt;script&gt;alert(1)&lt;/script&gt;" in en
    assert 'href="javascript:' not in en and 'href="data:' not in en
    assert '<a href="https://example.org/">ok</a>' in en


def test_every_citation_link_resolves_and_is_highlighted(built_mini: Path) -> None:
    checked = 0
    for page_file in built_mini.rglob("*.html"):
        page = parse(page_file)
        for href in page.hrefs:
            if "/sources/" not in href or "#q" not in href:  # citation links point at #q<line>-<start>-<end>
                continue
            target_path, anchor = href.split("#")
            target = (page_file.parent / target_path / "index.html").resolve()
            assert target.exists(), (page_file, href)
            html = target.read_text("utf-8")
            assert f'id="{anchor}"' in html, (page_file, href)
            # the anchor sits right before the highlighted passage
            assert re.search(rf'<span id="{anchor}" class="anchor"></span>(<span id="[^"]+" class="anchor"></span>)*<mark>', html)
            checked += 1
    assert checked >= 20, f"only {checked} citation links found"


def test_source_page_lists_the_facts_that_cite_it(built_mini: Path) -> None:
    html = (built_mini / "en/sources/masalla/index.html").read_text("utf-8")
    backlinks = html.split('id="cited-h"')[1]
    assert 'href="../../timeline/#first-round"' in backlinks
    assert 'href="../../people/#miller-meeting"' in backlinks
    assert "About Post Author" not in html.split('class="document"')[1].split("</div>")[0]


def test_build_is_deterministic(tmp_path: Path) -> None:
    a = make_project(tmp_path / "a")
    b = make_project(tmp_path / "b")
    assert run_forked(a, "build").returncode == 0
    assert run_forked(b, "build", "--out", "elsewhere").returncode == 0
    assert run_forked(a, "build").returncode == 0  # a rebuild over an existing output
    first = snapshot(a / "_site")
    assert first == snapshot(b / "elsewhere")
    made = {path.rsplit("/", 1)[-1] for path in first}
    assert {"card.png", "pagefind-entry.json", "datapackage.json", "_headers"} <= made  # share cards and the search index too


def test_broken_content_fails_cleanly_and_keeps_the_last_good_output(project: Path) -> None:
    assert run_forked(project, "build").returncode == 0
    before = snapshot(project / "_site")
    edit(project / "content/events.yaml", lambda s: s.replace("status: occurred", "status: ocurred", 1))
    edit(project / "content/glossary.yaml", lambda s: s.replace("    kind: person\n", "\tkind: person\n"))
    result = run_forked(project, "build")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "content/events.yaml:4:13: events[1].status: 'ocurred' is not allowed here" in result.stderr
    assert "did you mean 'occurred'?" in result.stderr
    assert "content/glossary.yaml:3:1: YAML syntax error: a tab character is used for indentation" in result.stderr
    assert "2 errors found" in result.stderr
    assert snapshot(project / "_site") == before
    assert [p.name for p in project.iterdir() if p.name.startswith(".")] == []  # no temporary folders left


def test_check_writes_nothing_and_fails_on_errors(project: Path) -> None:
    result = run_forked(project, "check")
    assert result.returncode == 0, result.stderr
    assert not (project / "_site").exists()
    edit(project / "content/figures.yaml", lambda s: s.replace("label: {ar: جندي أمريكي في العراق, ", "label: {"))
    result = run_forked(project, "check")
    assert result.returncode == 1 and "content/figures.yaml:5:12:" in result.stderr and "Arabic text ('ar') is missing" in result.stderr


def test_template_errors_name_the_template_and_line(project: Path) -> None:
    edit(project / "templates/plan.html", lambda s: s.replace("{{ intro() }}", "{{ intro() }}\n{{ no_such_thing.x }}"))
    edit(project / "templates/questions.html", lambda s: s.replace("{% endfor %}", "{% endfro %}", 1))
    result = run_forked(project, "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "templates/questions.html:" in result.stderr and "template syntax error" in result.stderr
    assert "templates/plan.html:5:1: template error: 'no_such_thing' is undefined" in result.stderr


def test_untranslated_ui_string_is_an_error(project: Path) -> None:
    edit(project / "templates/timeline.html", lambda s: s.replace("{{ intro() }}", "{{ intro() }}\n<p>{{ _('A new label') }}</p>"))
    result = run_forked(project, "check")
    assert result.returncode == 1
    assert "templates/timeline.html:5:1: UI string 'A new label' has no translation in locales/ar/LC_MESSAGES/messages.po" in result.stderr


def test_output_folder_that_cannot_be_written(project: Path) -> None:
    (project / "blocker").write_text("a file, not a folder")
    result = run_forked(project, "build", "--out", "blocker/site")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "output folder cannot be written" in result.stderr


def test_content_template_and_catalog_errors_are_reported_in_one_run(project: Path) -> None:
    edit(project / "content/events.yaml", lambda s: s.replace("status: occurred", "status: ocurred", 1))
    edit(project / "templates/questions.html", lambda s: s.replace("{% endfor %}", "{% endfro %}", 1))
    edit(project / "locales/ar/LC_MESSAGES/messages.po", lambda s: s.replace('msgstr "الخطة"', 'msgstr ""'))
    result = run_forked(project, "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "content/events.yaml:4:13:" in result.stderr
    assert "templates/questions.html:" in result.stderr and "template syntax error" in result.stderr
    assert "locales/ar/LC_MESSAGES/messages.po:" in result.stderr and "missing translation for 'The plan'" in result.stderr


def test_the_project_is_found_from_the_working_directory_or_given_with_root(project: Path, tmp_path: Path) -> None:
    assert not (project / "explainer").exists() and not (project / "build.py").exists()  # the generator is not copied
    inside = run_forked(project / "content", "check", timeout=120)
    assert inside.returncode == 0 and "checked:" in inside.stdout, inside.stderr
    elsewhere = run_forked(tmp_path, "build", "--root", str(project), "--out", "out")
    assert elsewhere.returncode == 0, elsewhere.stderr
    assert (tmp_path / "out/ar/index.html").is_file() and not (project / "out").exists()  # --out is relative to the working directory
