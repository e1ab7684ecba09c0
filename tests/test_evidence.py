"""Quotes are evidence: a clause at least, in the source's own words; a source's date and
publisher evidence must show what it proves."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import edit, run_forked

from explainer.quotes import QuoteIndex, too_short

FACT = 'quote: "التحالف سينسحب من قواعد في بغداد"'  # content/places.yaml of the mini project


@pytest.mark.parametrize(
    "quote",
    [
        "في",  # one word
        "ا",  # one letter
        "قواعد في بغداد",  # three words, thirteen letters
        "فـــــــــــــــي بـــغـــداد",  # tatweel padding is not a letter
        "«في» «بغداد» «قواعد»",  # quotation marks are not letters
        "قَوَاعِدُ فِي بَغْدَادَ",  # nor are diacritics
    ],
)
def test_a_quote_shorter_than_a_clause_is_refused_where_it_is(project: Path, quote: str) -> None:
    edit(project / "content/places.yaml", lambda s: s.replace(FACT, f'quote: "{quote}"'))
    result = run_forked(project, "check")
    assert result.returncode == 1
    lines = (project / "content/places.yaml").read_text("utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if f'quote: "{quote}"' in text)
    assert f"content/places.yaml:{line}:" in result.stderr and "quote too short to be evidence" in result.stderr, result.stderr


def test_a_fact_may_quote_its_sources_dateline(project: Path) -> None:
    """A relative date ("last January") is dated by the source's own dateline, however short."""
    cite = '      - {source: masalla, quote: "23 يوليو، 2024", en: "23 July 2024"}\n'
    edit(project / "content/events.yaml", lambda s: s.replace("    cite:\n", "    cite:\n" + cite, 2))
    result = run_forked(project, "check")
    assert result.returncode == 0, result.stderr


def test_date_evidence_must_show_the_year_it_proves(project: Path) -> None:
    edit(project / "content/sources.yaml", lambda s: s.replace('value: "2024-07-23"', 'value: "2023-07-23"'))
    result = run_forked(project, "check")
    assert result.returncode == 1
    assert "content/sources.yaml:16:" in result.stderr and "does not contain what it proves (2023)" in result.stderr, result.stderr


def test_the_published_quote_is_the_sources_own_text(project: Path) -> None:
    """Diacritics the editor added are not published, and the source's quotation marks are kept in pairs."""
    edit(project / "content/places.yaml", lambda s: s.replace(FACT, 'quote: "التَّحالُف سينسحب من قواعد في بغداد"'))
    edit(
        project / "content/events.yaml",
        lambda s: s.replace('quote: "«في موعد لا يتجاوز نهاية سبتمبر/أيلول 2025»"', 'quote: "في موعد لا يتجاوز نهاية سبتمبر/أيلول 2025»"'),
    )
    assert run_forked(project, "build").returncode == 0
    plan = (project / "_site/en/plan/index.html").read_text("utf-8")
    assert "<p>التحالف سينسحب من قواعد في بغداد</p>" in plan and "التَّحالُف" not in plan
    event = (project / "_site/en/timeline/phase-one-deadline/index.html").read_text("utf-8")
    assert "<p>«في موعد لا يتجاوز نهاية سبتمبر/أيلول 2025»</p>" in event


def test_quotation_marks_are_balanced_at_the_edges() -> None:
    index = QuoteIndex('قال «إن الحكومة ملتزمة» أمس و"عين الأسد" هنا')
    for quote, published in [
        ("إن الحكومة ملتزمة»", "«إن الحكومة ملتزمة»"),
        ("«إن الحكومة", "«إن الحكومة"),
        ('"عين الأسد', '"عين الأسد"'),
        ("إن الحكومة ملتزمة", "إن الحكومة ملتزمة"),
    ]:
        found = index.find(quote)
        assert found is not None
        assert index.words(index.balanced(found, quote)) == published, quote


def test_the_rule_counts_words_and_letters_of_the_normalised_text() -> None:
    assert too_short("ثلاث كلمات فقط")  # 3 words, 12 letters
    assert not too_short("التحالف سينسحب من بغداد")
    assert too_short("Iraq US")


def test_a_changed_seed_is_an_error_listing_the_citations_to_check_until_pinned_again(project: Path) -> None:
    seed = project / "seeds/003_d62c7aa82ec35e7c.txt"
    seed.write_text(seed.read_text("utf-8") + "\nفقرة أضيفت لاحقاً\n", "utf-8")
    result = run_forked(project, "check")
    assert result.returncode == 1
    pin_line = next(
        n for n, t in enumerate((project / "content/sources.yaml").read_text("utf-8").splitlines(), 1) if "sha256" in t and n > 20
    )
    assert f"content/sources.yaml:{pin_line}:" in result.stderr, result.stderr
    assert "seeds/003_d62c7aa82ec35e7c.txt has changed since it was pinned" in result.stderr
    assert "content/figures.yaml:7" in result.stderr and "content/plan.yaml:" in result.stderr  # citations of that seed
    assert "python build.py review seeds/003_d62c7aa82ec35e7c.txt" in result.stderr
    # after checking them, the editor pins the seed again: only that line of sources.yaml changes
    before = (project / "content/sources.yaml").read_text("utf-8").splitlines()
    assert run_forked(project, "review", "seeds/003_d62c7aa82ec35e7c.txt").returncode == 0
    after = (project / "content/sources.yaml").read_text("utf-8").splitlines()
    assert [n for n, (a, b) in enumerate(zip(before, after, strict=True), 1) if a != b] == [pin_line]
    assert run_forked(project, "check").returncode == 0


def test_an_unpinned_seed_says_how_to_pin_it(project: Path) -> None:
    edit(project / "content/sources.yaml", lambda s: "\n".join(line for line in s.splitlines() if "sha256" not in line) + "\n")
    result = run_forked(project, "check")
    assert result.returncode == 1
    assert "content/sources.yaml:2:5: seeds/001_cde9ca6d7cdba46b.txt is not pinned" in result.stderr, result.stderr
    assert "run: python build.py review seeds/001_cde9ca6d7cdba46b.txt" in result.stderr
    assert run_forked(project, "review", "seeds/001_cde9ca6d7cdba46b.txt", "seeds/003_d62c7aa82ec35e7c.txt").returncode == 0
    assert run_forked(project, "check").returncode == 0


def test_review_refuses_a_seed_sources_yaml_does_not_name(project: Path) -> None:
    result = run_forked(project, "review", "seeds/000_f304fb1cd7d99dcc.txt")
    assert result.returncode == 1 and "not a seed file named in content/sources.yaml" in result.stderr
