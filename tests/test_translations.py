"""Translation status: stale and unreviewed English, number/month parity, and the review command."""

from __future__ import annotations

from pathlib import Path

from conftest import edit, run_forked

from explainer.model import Language
from explainer.review import mark
from explainer.translations import parity, source_hash
from explainer.validate import Project, load_model


def notes(project: Path) -> list[tuple[str, str, str]]:
    return [(n.kind, n.file, n.item) for n in load_model(Project(project)).translation]


AR = Language("ar", "ar_IQ", "rtl", "latn", "العربية")
EN = Language("en", "en_GB", "ltr", "latn", "English")


def arabic_hash(item: object) -> str:
    return source_hash(item, "ar")


def test_hash_covers_texts_and_quotes_but_not_layout() -> None:
    item = {"id": "x", "title": {"ar": "نص  عربي", "en": "Arabic"}, "cite": [{"source": "s", "quote": "اقتباس", "en": "quote"}]}
    same_words = {"id": "x", "title": {"ar": "نص عربي\n", "en": "Other English"}, "cite": [{"source": "s", "quote": "اقتباس", "en": "q"}]}
    assert arabic_hash(item) == arabic_hash(same_words)  # whitespace and English don't count
    changed_quote = {**item, "cite": [{"source": "s", "quote": "اقتباس آخر", "en": "quote"}]}
    assert arabic_hash(item) != arabic_hash(changed_quote)
    assert arabic_hash({**item, "reviewed": "abcdef12"}) == arabic_hash(item)


def test_parity_finds_numbers_and_months_that_differ() -> None:
    assert parity("نحو 2500 جندي في سبتمبر/أيلول 2025", "about 2,500 troops in September 2025", AR, EN) == []
    assert parity("نحو ٢٥٠٠ جندي", "about 2500 troops", AR, EN) == []
    assert parity("نحو 2500 جندي", "about 2,000 troops", AR, EN) == ["numbers differ (only in Arabic: 2500; only in English: 2000)"]
    assert parity("في تموز 2024", "in June 2024", AR, EN) == ["months differ (Arabic: تموز; English: June)"]
    assert parity("قد تبقى", "some may stay", AR, EN) == []  # "may" the verb is not May


def test_unreviewed_then_reviewed_then_stale(project: Path) -> None:
    assert ("unreviewed", "events", "invasion") in notes(project)
    result = run_forked(project, "review", "content/events.yaml:invasion")
    assert result.returncode == 0 and "content/events.yaml: invasion marked as reviewed" in result.stdout
    assert ("unreviewed", "events", "invasion") not in notes(project)
    text = (project / "content/events.yaml").read_text("utf-8")
    assert text.startswith('events:\n  - id: invasion\n    reviewed: "') and text.count("reviewed:") == 1
    # the English is unchanged, the Arabic changes: the English is now stale
    edit(project / "content/events.yaml", lambda s: s.replace("ar: الغزو الأمريكي للعراق", "ar: الغزو الأمريكي للعراق عام 2003"))
    found = [n for n in load_model(Project(project)).translation if n.item == "invasion"]
    assert [n.kind for n in found] == ["stale", "parity"]
    assert found[0].format().startswith("content/events.yaml:2:9: stale: the Arabic of 'invasion' changed")
    assert "only in Arabic: 2003" in found[1].message
    check = run_forked(project, "check")
    assert check.returncode == 0 and "translation status: 1 stale" in check.stdout
    # marking it reviewed again replaces the hash in place
    assert run_forked(project, "review", "content/events.yaml:invasion").returncode == 0
    assert (project / "content/events.yaml").read_text("utf-8").count("reviewed:") == 1
    assert [n.kind for n in load_model(Project(project)).translation if n.item == "invasion"] == ["parity"]


def test_review_whole_file_keeps_every_other_line(project: Path) -> None:
    before = (project / "content/pages.yaml").read_text("utf-8")
    assert run_forked(project, "review", "content/pages.yaml", "content/figures.yaml").returncode == 0
    after = (project / "content/pages.yaml").read_text("utf-8")
    assert [line for line in after.splitlines() if "reviewed:" not in line] == before.splitlines()
    kinds = {(n.kind, n.file) for n in load_model(Project(project)).translation}
    assert ("unreviewed", "pages") not in kinds and ("unreviewed", "figures") not in kinds


def test_review_flow_style_items_and_bad_targets() -> None:
    text, done = mark("places:\n  - {id: a, name: {ar: أ, en: A}}\n", "content/places.yaml", None, "ar")
    assert done == ["a"] and text.startswith('places:\n  - {reviewed: "')


def test_review_refuses_unknown_targets(project: Path) -> None:
    result = run_forked(project, "review", "content/nope.yaml", "content/events.yaml:no-such-id")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "content/nope.yaml:1:1: not a content file with items" in result.stderr
