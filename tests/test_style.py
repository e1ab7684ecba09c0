"""The house style (content/style.yaml) holds in the site's own words, and only there."""

from __future__ import annotations

from pathlib import Path

from conftest import edit, line_col, run_cli

BODY = 'body: {ar: "اتفاق على **لجنة عسكرية مشتركة**", en: "Agreement on a **joint military committee**"}'


def test_relative_time_in_the_sites_own_words_is_refused_at_its_place(project: Path) -> None:
    body = "body:\n      ar: >-\n        اتفاق على لجنة عسكرية تجتمع\n        العام المقبل.\n      en: The committee meets next year."
    edit(project / "content/events.yaml", lambda s: s.replace(BODY, body))
    result = run_cli(project, "check")
    assert result.returncode == 1
    events = project / "content/events.yaml"
    assert f"content/events.yaml:{line_col(events, 'العام المقبل')}: 'العام المقبل' dates the text" in result.stderr, result.stderr
    assert f"content/events.yaml:{line_col(events, 'next year')}: 'next year' dates the text" in result.stderr
    assert "write the date itself" in result.stderr
    assert "content/plan.yaml" not in result.stderr  # a quote («…من العام المقبل») and its translation keep their words


def test_a_phrase_inside_quotation_marks_keeps_its_words(project: Path) -> None:
    body = 'body: {ar: "قال إن اللجنة «تجتمع العام المقبل»", en: "He said the committee “meets next year”"}'
    edit(project / "content/events.yaml", lambda s: s.replace(BODY, body))
    result = run_cli(project, "check")
    assert result.returncode == 0, result.stderr


def test_a_house_spelling_is_enforced_with_the_preferred_word(project: Path) -> None:
    edit(
        project / "content/events.yaml",
        lambda s: s.replace(
            "title: {ar: الغزو الأمريكي للعراق, en: The US invades Iraq}",
            "title: {ar: الغزو الأميركي للعراق, en: The US invades Iraq to fight Daesh}",
        ),
    )
    result = run_cli(project, "check")
    assert result.returncode == 1
    events = project / "content/events.yaml"
    assert f"content/events.yaml:{line_col(events, 'أميركي')}: house style: 'الأمريكي', not 'الأميركي'" in result.stderr, result.stderr
    assert "(house spelling of American)" in result.stderr
    assert f"content/events.yaml:{line_col(events, 'Daesh')}: house style: 'ISIS', not 'Daesh'" in result.stderr
    assert "2 errors found" in result.stderr


def test_a_broken_rule_is_located_in_the_style_file(project: Path) -> None:
    edit(project / "content/style.yaml", lambda s: s.replace('en: ["\\\\bnext year\\\\b"]', 'en: ["(next year"]\n  fr: ["l\'an prochain"]'))
    result = run_cli(project, "check")
    assert result.returncode == 1
    style = project / "content/style.yaml"
    bad = line_col(style, '"(next year')
    assert f"content/style.yaml:{bad}: not a valid regular expression" in result.stderr, result.stderr
    assert f"content/style.yaml:{line_col(style, 'fr:')}: 'fr' is not a language of the site" in result.stderr
