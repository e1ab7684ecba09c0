"""The date the site's facts hold ("as of"), computed from the sources, and deadlines that have passed."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import edit, run_forked


def _as_of_lines(site: Path) -> dict[str, str]:
    out = {}
    for page in sorted(site.glob("*/**/index.html")):
        found = re.search(r'<p class="as-of">(.*?)</p>', page.read_text("utf-8"), re.S)
        out[page.relative_to(site).as_posix()] = re.sub(r"<[^>]+>", "", found.group(1)) if found else ""
    return out


def test_every_page_says_what_the_sources_say_as_of_the_newest_source(built_mini: Path) -> None:
    lines = _as_of_lines(built_mini)
    assert len(lines) >= 20
    for path, line in lines.items():
        arabic = path.removeprefix("embed/").startswith("ar/")
        expected = "23\u00a0تموز\u00a02024" if arabic else "as of 23\u00a0July\u00a02024"  # a date is never broken
        assert expected in line, (path, line)


def test_a_newer_source_moves_the_date_by_itself(project: Path) -> None:
    newer = """  - id: report
    file: 000_f304fb1cd7d99dcc.txt
    sha256: "de54aa66379fcd90a650b9b72dcc06af06b0d1c6b600bbdd6cfcf4627e417257"
    label: {ar: تقرير, en: Report}
    date:
      value: "2025-08-31"
      cite:
        - {source: report, quote: "31 أغسطس 2025", en: "31 August 2025"}
"""
    edit(project / "content/sources.yaml", lambda s: s + newer)
    cite = '      - {source: report, quote: "عدد القوات الأميركية المتبقية في العراق يبلغ نحو 2500 جندي", en: "about 2,500 US troops"}\n'
    edit(project / "content/figures.yaml", lambda s: s.replace("    cite:\n", "    cite:\n" + cite, 1))
    result = run_forked(project, "build")
    assert result.returncode == 0, result.stderr
    lines = _as_of_lines(project / "_site")
    assert all("31\u00a0August\u00a02025" in line for path, line in lines.items() if path.startswith("en/")), lines
    home = (project / "_site/en/index.html").read_text("utf-8")
    assert 'Known up to <time datetime="2025-08-31">31\u00a0August\u00a02025</time> only.' in home


def _badge(site: Path, lang: str, event: str) -> str:
    html = (site / lang / "timeline" / event / "index.html").read_text("utf-8")
    found = re.search(r'<span class="status status-(\w+)">(.*?)</span>', html)
    return f"{found.group(1)}: {found.group(2)}" if found else ""


def test_a_deadline_before_the_last_update_is_shown_as_passed(built_mini: Path) -> None:
    assert _badge(built_mini, "en", "phase-one-deadline") == "passed: Date passed; the sources do not report the outcome"
    assert _badge(built_mini, "ar", "phase-one-deadline").startswith("passed: انقضى الموعد")
    assert _badge(built_mini, "en", "invasion") == ""  # what happened needs no badge


def test_a_deadline_after_the_last_update_is_still_scheduled(project: Path) -> None:
    edit(project / "content/updates.yaml", lambda s: s.replace('"2026-11-20"', '"2025-01-20"').replace('"2026-11-22"', '"2025-01-22"'))
    assert run_forked(project, "build").returncode == 0
    assert _badge(project / "_site", "en", "phase-one-deadline") == "scheduled: Scheduled"
