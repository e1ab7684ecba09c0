"""Quotes are found in their seeds and placed in the paragraph (line) the source page shows."""

from __future__ import annotations

import random

from conftest import REPO

from explainer.quotes import QuoteIndex


def _placed_by_counting(text: str, start: int, end: int) -> tuple[int, int, int] | None:
    """The plain way: count the line breaks before the match, strip the line as it is published."""
    if "\n" in text[start:end]:
        return None
    line = text.count("\n", 0, start) + 1
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", line_start)
    raw_line = text[line_start : line_end if line_end >= 0 else len(text)]
    lead = len(raw_line) - len(raw_line.lstrip())
    return line, start - line_start - lead, end - line_start - lead


def test_a_quote_is_placed_in_its_line_as_published() -> None:
    rng = random.Random(4)
    seeds = sorted((REPO / "seeds").iterdir())
    assert seeds
    for seed in seeds:
        text = seed.read_text("utf-8")
        index = QuoteIndex(text)
        for _ in range(300):
            a = rng.randrange(len(text))
            quote = text[a : a + rng.randint(1, 80)]
            found = index.find(quote)
            if found is None:  # only white space, or quotation marks and diacritics that normalising drops
                continue
            assert index.place(found) == _placed_by_counting(text, found.start, found.end), (seed.name, quote)
    index = QuoteIndex("  first line\n\n\t  second  line \nthird")
    assert index.place(index.find("second")) == (3, 0, 6)  # type: ignore[arg-type]
    assert index.place(index.find("line third")) is None  # type: ignore[arg-type]
    assert index.place(index.find("third")) == (4, 0, 5)  # type: ignore[arg-type]


def test_a_quote_keeps_the_vowel_marks_of_its_last_letter() -> None:
    """An editor's quote without the final tanween still publishes the source's whole word («حديثاً», not «حديثا»)."""
    index = QuoteIndex("قال إن الاتفاق أُبرم حديثاً، وإن القوات ستغادر.")
    for quote in ("أبرم حديثا", "أُبرم حديثاً"):
        found = index.find(quote)
        assert found is not None and index.text[found.start : found.end] == "أُبرم حديثاً", quote
    found = index.find("الاتفاق")
    assert found is not None and index.text[found.end] == " "  # nothing more than the marks
