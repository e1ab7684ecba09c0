"""Links between the site's pages are written by page key and work wherever the text appears."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from conftest import edit, line_col, run_forked

BODY = 'body: {ar: "اتفاق على **لجنة عسكرية مشتركة**", en: "Agreement on a **joint military committee**"}'


def _hrefs(html: str, text: str) -> list[str]:
    return re.findall(rf'<a href="([^"]*)">{re.escape(text)}</a>', html)


def test_a_page_key_link_works_on_every_page_and_in_the_feed(project: Path) -> None:
    body = 'body: {ar: "انظر [بغداد](plan#baghdad).", en: "See [Baghdad](plan#baghdad) and [the question](questions#all-leave)."}'
    edit(project / "content/events.yaml", lambda s: s.replace(BODY, body))
    edit(project / "content/updates.yaml", lambda s: s.replace("en: The explainer was published.", 'en: "See [the plan](plan#baghdad)."'))
    result = run_forked(project, "build")
    assert result.returncode == 0, result.stderr
    site = project / "_site"
    assert set(_hrefs((site / "en/timeline/index.html").read_text("utf-8"), "Baghdad")) == {"../plan/#baghdad"}  # the text and the tag
    assert set(_hrefs((site / "en/timeline/first-round/index.html").read_text("utf-8"), "Baghdad")) == {"../../plan/#baghdad"}
    assert set(_hrefs((site / "ar/timeline/first-round/index.html").read_text("utf-8"), "بغداد")) == {"../../plan/#baghdad"}
    assert _hrefs((site / "en/timeline/index.html").read_text("utf-8"), "the question") == ["../questions/#all-leave"]
    feed = ET.parse(site / "en/feed.xml").getroot()
    contents = " ".join(e.text or "" for e in feed.iter("{http://www.w3.org/2005/Atom}content"))
    assert 'href="https://example.org/sub/en/plan/#baghdad"' in contents, contents


def test_a_link_that_leads_nowhere_is_refused_where_it_is(project: Path) -> None:
    body = 'body: {ar: "انظر [بغداد](../plan/#baghdad).", en: "See [a](plann#baghdad), [b](plan#bagdad) and [c](javascript:x)."}'
    edit(project / "content/events.yaml", lambda s: s.replace(BODY, body))
    result = run_forked(project, "check")
    assert result.returncode == 1
    text = (project / "content/events.yaml").read_text("utf-8")
    line = text[: text.index("../plan")].count("\n") + 1

    def col(needle: str) -> int:
        at = text.index(needle)
        return at - text.rfind("\n", 0, at)

    assert f"content/events.yaml:{line}:{col('../plan')}: link '../plan/#baghdad' is neither a web address nor a page" in result.stderr
    assert f":{col('plann#')}: link to 'plann': the site has no such page" in result.stderr and "did you mean 'plan'?" in result.stderr
    assert f":{col('plan#bagdad')}: link to 'plan#bagdad': that page has no item 'bagdad'" in result.stderr
    assert "javascript:x" not in result.stderr  # shown as its text, not as a link (see test_markdown)


def test_a_scheme_hiding_a_character_reference_is_refused_as_the_broken_link_it_becomes(project: Path) -> None:
    # review s6, attack 40b: the parser makes 'jav&#x09;ascript:' the relative address 'jav%09ascript:', a broken link
    # published unreported (the check had read it as a 'javascript:' link, which is shown as text)
    body = 'body: {ar: "انظر [ب](jav&#10;ascript:x)", en: "See [b](jav&#x09;ascript:alert(2))."}'
    edit(project / "content/events.yaml", lambda s: s.replace(BODY, body))
    result = run_forked(project, "build")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    for target in ("jav&#10;ascript:x", "jav&#x09;ascript:alert(2)"):
        where = f"content/events.yaml:{line_col(project / 'content/events.yaml', target)}"
        assert f"{where}: link '{target}' is neither a web address nor a page of the site" in result.stderr, result.stderr
    assert not (project / "_site").exists()


def test_a_link_by_reference_is_checked_as_a_link_written_in_place(project: Path) -> None:
    # [text][label] with its address on a line "[label]: address" was published unchecked: a broken link, unreported
    body = 'body: {ar: "انظر [ب][r].\\n\\n[r]: plan#baghdad", en: "See [b][r] and [c][].\\n\\n[r]: plann\\n> [c]: jav&#x09;ascript:x"}'
    edit(project / "content/events.yaml", lambda s: s.replace(BODY, body))
    result = run_forked(project, "build")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    text = (project / "content/events.yaml").read_text("utf-8")
    line = text[: text.index("[r]: plann")].count("\n") + 1
    assert f"content/events.yaml:{line}:" in result.stderr and "link to 'plann': the site has no such page" in result.stderr
    assert "link 'jav&#x09;ascript:x' is neither a web address nor a page of the site" in result.stderr, result.stderr
    assert result.stderr.count("hint:") == 2, result.stderr  # the Arabic text's link leads to a page
