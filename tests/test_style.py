"""The house style (content/style.yaml) holds in the site's own words, and only there."""

from __future__ import annotations

from pathlib import Path

from conftest import edit, line_col, run_forked

BODY = 'body: {ar: "اتفاق على **لجنة عسكرية مشتركة**", en: "Agreement on a **joint military committee**"}'


def test_relative_time_in_the_sites_own_words_is_refused_at_its_place(project: Path) -> None:
    body = "body:\n      ar: >-\n        اتفاق على لجنة عسكرية تجتمع\n        العام المقبل.\n      en: The committee meets next year."
    edit(project / "content/events.yaml", lambda s: s.replace(BODY, body))
    result = run_forked(project, "check")
    assert result.returncode == 1
    events = project / "content/events.yaml"
    assert f"content/events.yaml:{line_col(events, 'العام المقبل')}: 'العام المقبل' dates the text" in result.stderr, result.stderr
    assert f"content/events.yaml:{line_col(events, 'next year')}: 'next year' dates the text" in result.stderr
    assert "write the date itself" in result.stderr
    assert "content/plan.yaml" not in result.stderr  # a quote («…من العام المقبل») and its translation keep their words


def test_a_phrase_inside_quotation_marks_keeps_its_words(project: Path) -> None:
    body = 'body: {ar: "قال إن اللجنة «تجتمع العام المقبل»", en: "He said the committee “meets next year”"}'
    edit(project / "content/events.yaml", lambda s: s.replace(BODY, body))
    result = run_forked(project, "check")
    assert result.returncode == 0, result.stderr


def test_a_house_spelling_is_enforced_with_the_preferred_word(project: Path) -> None:
    edit(
        project / "content/events.yaml",
        lambda s: s.replace(
            "title: {ar: الغزو الأمريكي للعراق, en: The US invades Iraq}",
            "title: {ar: الغزو الأميركي للعراق, en: The US invades Iraq to fight Daesh}",
        ),
    )
    result = run_forked(project, "check")
    assert result.returncode == 1
    events = project / "content/events.yaml"
    assert f"content/events.yaml:{line_col(events, 'أميركي')}: house style: 'الأمريكي', not 'الأميركي'" in result.stderr, result.stderr
    assert "(house spelling of American)" in result.stderr
    assert f"content/events.yaml:{line_col(events, 'Daesh')}: house style: 'ISIS', not 'Daesh'" in result.stderr
    assert "2 errors found" in result.stderr


def test_a_broken_rule_is_located_in_the_style_file(project: Path) -> None:
    edit(project / "content/style.yaml", lambda s: s.replace('en: ["\\\\bnext year\\\\b"]', 'en: ["(next year"]\n  fr: ["l\'an prochain"]'))
    result = run_forked(project, "check")
    assert result.returncode == 1
    style = project / "content/style.yaml"
    bad = line_col(style, '"(next year')
    assert f"content/style.yaml:{bad}: not a valid regular expression" in result.stderr, result.stderr
    assert f"content/style.yaml:{line_col(style, 'fr:')}: 'fr' is not a language of the site" in result.stderr


def test_a_rule_that_matches_every_letter_of_a_long_text_lists_ten_breaks_and_counts_the_rest(project: Path) -> None:
    """Review s4, attack 65: each break was a message quoting the whole 10,000-letter word, located by reading the
    file again (11 s and 355 MB for this one text, 2 minutes and 2.45 GB for eight)."""
    every_a = '      prefer: "ISIS"\n    - avoid: "a"\n      prefer: "b"'
    edit(project / "content/style.yaml", lambda s: s.replace('      prefer: "ISIS"', every_a))
    figures = project / "content/figures.yaml"
    edit(figures, lambda s: s.replace("en: US troops in Iraq}", "en: " + "a" * 9_999 + "}", 1))
    result = run_forked(project, "check", timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    listed = [line for line in result.stderr.splitlines() if line.startswith("content/figures.yaml:") and "aaa" in line]
    assert len(listed) == 10, listed  # MAX_BREAKS of the rule in this text
    line, col = map(int, line_col(figures, "a" * 9_999).split(":"))
    assert listed[0].startswith(f"content/figures.yaml:{line}:{col}: house style: 'b{'a' * 30}…', not '{'a' * 31}…'"), listed[0]
    assert listed[9].startswith(f"content/figures.yaml:{line}:{col + 9}: house style: '{'a' * 9}b")
    assert listed[9].endswith("…'; and 9,989 more breaks of this rule in this text"), listed[9]
    assert "a" * 100 not in result.stderr  # the word is quoted by its first letters around the break


def test_an_item_with_more_breaks_than_a_report_shows_is_not_checked_further() -> None:
    import re

    from explainer.checks import Context, Item
    from explainer.errors import MAX_SHOWN_PER_FILE
    from explainer.model import Language
    from explainer.style import MAX_BREAKS, Rule

    rule = Rule("en", "swap", re.compile("a", re.IGNORECASE), "b", "", ("swap", "en", 0, "avoid"))
    ctx = Context(None, (Language("en", "en_GB", "ltr", "latn", "English"),), rules={"en": [rule]})  # type: ignore[arg-type]
    item = Item(ctx, {})
    texts = 3 * MAX_SHOWN_PER_FILE // MAX_BREAKS
    item.own_words({"id": "x", "notes": [{"en": "a" * 2 * MAX_BREAKS} for _ in range(texts)]})
    assert len(item.found.placed) == MAX_SHOWN_PER_FILE
    assert item.found.placed[MAX_BREAKS - 1].message.endswith(f"; and {MAX_BREAKS} more breaks of this rule in this text")
    [note] = item.found.problems
    assert note.path == () and f"{texts - MAX_SHOWN_PER_FILE // MAX_BREAKS} more texts were not checked" in note.message
