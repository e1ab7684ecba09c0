"""UI catalogs are data (review s5, attacks 1 to 3): a translation is text, holds only its msgid's markup
and placeholders, and a compiled catalog's plural rule works; each mistake is an error at the catalog."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import edit, run_forked

EN_PO = "locales/en/LC_MESSAGES/messages.po"
SKIP = 'msgid "Skip to content"\nmsgstr "Skip to content"'
LINK = 'Skip to <a href=\\"#main\\" class=\\"skip\\">the text</a>'
"""A UI string whose source carries markup (as it is written in a .po file)."""


def _compile(project: Path, code: str) -> None:
    """Compile a language's .po into its .mo as Babel does (what a repository may ship, whatever ``check`` says)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    po = project / f"locales/{code}/LC_MESSAGES/messages.po"
    catalog = read_po(io.BytesIO(po.read_bytes()), locale=code)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    po.with_suffix(".mo").write_bytes(buf.getvalue())


def _translate(project: Path, old: str, new: str) -> int:
    """Replace ``old`` by ``new`` in the English catalog and compile it; the line of ``new``'s msgstr."""
    edit(project / EN_PO, lambda s: s.replace(old, new, 1))
    _compile(project, "en")
    lines = (project / EN_PO).read_text("utf-8").split("\n")
    start = lines.index(new.split("\n")[0])
    return next(n for n in range(start, len(lines)) if lines[n].startswith("msgstr")) + 1


def _with_markup_msgid(project: Path) -> None:
    """The skip link's text as a UI string that carries markup, translated in both catalogs with the same markup."""
    edit(project / "templates/_base.html", lambda s: s.replace('{{ _("Skip to content") }}', "{{ _('" + LINK.replace("\\", "") + "') }}"))
    for code, text in (("en", LINK), ("ar", 'انتقل إلى <a class=\\"skip\\" href=\\"#main\\">النص</a>')):
        edit(project / f"locales/{code}/LC_MESSAGES/messages.po", lambda s, text=text: s + f'\nmsgid "{LINK}"\nmsgstr "{text}"\n')
        _compile(project, code)


def _refused(project: Path, line: int, expected: str) -> None:
    for command in ("check", "build"):
        result = run_forked(project, command)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
        assert f"{EN_PO}:{line}:1: {expected}" in result.stderr, (command, result.stderr)
        assert "hint:" in result.stderr
    assert not (project / "_site").exists()


@pytest.mark.parametrize(
    "translation",
    [
        "Skip</a><script>document.title=`PWNED`</script><a>",
        "Skip<meta http-equiv=refresh content=30;url=https://evil.example/>",
    ],
)
def test_a_translation_with_markup_its_msgid_lacks_is_refused_at_its_po_line(project: Path, translation: str) -> None:
    # before: check passed and every English page carried the script or the redirect (Markup(translation))
    line = _translate(project, SKIP, f'msgid "Skip to content"\nmsgstr "{translation}"')
    _refused(project, line, "the translation of 'Skip to content' holds markup its msgid does not have: <")


@pytest.mark.parametrize(
    "translation",
    [
        'Skip to <a href=\\"#main\\" class=\\"skip\\" onclick=\\"steal()\\">the text</a>',
        'Skip to <a href=\\"https://evil.example/\\" class=\\"skip\\">the text</a>',
    ],
)
def test_a_translation_that_changes_its_msgids_markup_is_refused(project: Path, translation: str) -> None:
    _with_markup_msgid(project)
    line = _translate(project, f'msgid "{LINK}"\nmsgstr "{LINK}"', f'msgid "{LINK}"\nmsgstr "{translation}"')
    _refused(project, line, "the translation of 'Skip to <a href=")


def test_a_translation_with_its_msgids_own_markup_builds(project: Path) -> None:
    _with_markup_msgid(project)
    assert run_forked(project, "check").returncode == 0
    result = run_forked(project, "build")
    assert result.returncode == 0, result.stderr
    page = (project / "_site/ar/index.html").read_text("utf-8")
    assert 'انتقل إلى <a class="skip" href="#main">النص</a>' in page


def test_a_translation_is_text_where_its_msgid_has_no_markup(project: Path) -> None:
    # an ampersand is text, shown as one, not read as the start of an entity
    _translate(project, SKIP, 'msgid "Skip to content"\nmsgstr "Skip to text & tables"')
    result = run_forked(project, "build")
    assert result.returncode == 0, result.stderr
    assert "Skip to text &amp; tables</a>" in (project / "_site/en/index.html").read_text("utf-8")


def test_a_stray_percent_sign_in_a_translation_is_refused_at_its_po_line(project: Path) -> None:
    # before: a TypeError blamed on templates/_base.html, and check passed
    line = _translate(project, SKIP, 'msgid "Skip to content"\nmsgstr "Skip to 100% of content"')
    _refused(project, line, "the translation of 'Skip to content' has the placeholders % o; its msgid has none")


def test_a_translation_that_loses_its_placeholder_is_refused_at_its_po_line(project: Path) -> None:
    old = 'msgid "Updated %(date)s"\nmsgstr "Updated %(date)s"'
    line = _translate(project, old, 'msgid "Updated %(date)s"\nmsgstr "Updated %(day)s"')
    _refused(project, line, "the translation of 'Updated %(date)s' has the placeholders %(day)s; its msgid has %(date)s")


def _plural_header(project: Path, rule: str) -> None:
    """The English .mo with the plural rule ``rule`` (its .po left as it was: the build reads only the .mo)."""
    po = project / EN_PO
    text = po.read_text("utf-8")
    po.write_text(text.replace("plural=(n != 1);", rule, 1), "utf-8")
    _compile(project, "en")
    po.write_text(text, "utf-8")


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("plural=n%0;", "its plural rule fails for n = 0: ZeroDivisionError"),
        ("plural=n+1;", "its plural rule picks form 2 for n = 1, but the catalog has 2 plural forms (0 to 1)"),
    ],
)
def test_a_compiled_plural_rule_that_fails_is_an_error_at_the_catalog(project: Path, rule: str, expected: str) -> None:
    # before: "templates/_macros.html:79:1: template error: ZeroDivisionError"
    _plural_header(project, rule)
    result = run_forked(project, "build")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    mo = EN_PO.replace(".po", ".mo")
    assert f"{mo}:1:1: not a compiled catalog the build can use: {expected}" in result.stderr, result.stderr
    assert "template error" not in result.stderr


def test_a_plural_rule_that_fails_is_refused_in_the_po_header(project: Path) -> None:
    edit(project / EN_PO, lambda s: s.replace("plural=(n != 1);", "plural=n%0;", 1))
    result = run_forked(project, "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "malformed catalog: its plural rule fails for n = 0: ZeroDivisionError" in result.stderr, result.stderr


@pytest.mark.parametrize(("char", "name"), [("\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE"), ("\u200b", "U+200B ZERO WIDTH SPACE")])
def test_a_translation_holding_a_character_content_may_not_hold_is_refused_at_its_po_line(project: Path, char: str, name: str) -> None:
    # review s6, attacks 30/31/34: a catalog published direction and invisible characters that content files refuse by name
    line = _translate(
        project, 'msgid "Skip to content"\nmsgstr "Skip to content"', f'msgid "Skip to content"\nmsgstr "Skip to {char}content"'
    )
    _refused(project, line, f"the translation of 'Skip to content' holds {name} (at character 9)")


def test_a_compiled_catalog_in_another_charset_is_refused(project: Path) -> None:
    # review s6, attack 30: a .mo's charset (unicode_escape) turned its plain ASCII '\\x1b' into ESC on the pages
    mo = project / EN_PO.replace(".po", ".mo")
    data = mo.read_bytes()
    assert b"charset=utf-8" in data
    mo.write_bytes(data.replace(b"charset=utf-8", b"charset=latin", 1))  # the same length: the offsets hold
    result = run_forked(project, "build")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert (
        f"{EN_PO.replace('.po', '.mo')}:1:1: not a compiled catalog the build can use: its header names the charset «latin»"
        in result.stderr
    )


def test_a_mistake_only_in_the_compiled_catalog_is_reported_at_the_mo_which_does_not_match_its_po(project: Path) -> None:
    # review s6, attack 31b: the .mo's '<script>' was blamed on the .po's msgstr line, which reads "Correction"
    po = project / EN_PO
    text = po.read_text("utf-8")
    assert 'msgid "Correction"\nmsgstr "Correction"\n' in text
    po.write_text(text.replace('msgstr "Correction"', 'msgstr "Correction<script>"', 1), "utf-8")
    _compile(project, "en")
    po.write_text(text, "utf-8")
    result = run_forked(project, "build")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    mo = EN_PO.replace(".po", ".mo")
    expected = (
        f"{mo}:1:1: the translation of 'Correction' holds markup its msgid does not have: <script>"
        f" (only in this compiled catalog: it does not match {EN_PO})"
    )
    assert expected in result.stderr, result.stderr
    assert "hint: compile it again from its .po: python3 tools/catalogs.py" in result.stderr
    assert f"{EN_PO}:" not in result.stderr.replace(f"match {EN_PO}", "")  # no .po line is blamed
    assert not (project / "_site").exists()
