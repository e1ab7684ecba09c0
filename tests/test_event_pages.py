"""Every event has its own page in both languages (its permalink), linked from the timeline."""

from __future__ import annotations

from pathlib import Path


def test_each_event_has_a_page_in_both_languages(built_mini: Path) -> None:
    for code, other in (("ar", "en"), ("en", "ar")):
        html = (built_mini / code / "timeline" / "first-round" / "index.html").read_text("utf-8")
        assert f'<link rel="alternate" hreflang="{other}" href="https://example.org/sub/{other}/timeline/first-round/">' in html
        assert f'<link rel="canonical" href="https://example.org/sub/{code}/timeline/first-round/">' in html
        assert '<time datetime="2024-01-27">' in html and "<strong>" in html  # date and Markdown body
        assert 'href="../../sources/masalla/#q' in html  # its citations link to the quoted words
        assert 'rel="prev" href="../invasion/"' in html and 'rel="next" href="../phase-one-deadline/"' in html
        timeline = (built_mini / code / "timeline" / "index.html").read_text("utf-8")
        assert '<h2 class="event-title"><a href="first-round/">' in timeline
    first = (built_mini / "en/timeline/invasion/index.html").read_text("utf-8")
    assert 'rel="prev"' not in first and "<title>The US invades Iraq ·" in first
