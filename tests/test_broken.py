"""Broken input, case by case: every mistake is a located error with a hint, never a traceback,
all of them in one run, and a failed build leaves the previous output byte-identical. The sources of
the UI catalogs (``.po``) are read by ``check`` only: a build reads the compiled catalogs.

One project is built once (the baseline); each case edits it, runs ``build`` and ``check``
in-process, compares the output folder with the baseline, and puts the files back. A few cases
also go through the command line (its ``main``, in a forked process) to prove the exit code, the
printed report and that no traceback is printed.

Where a case expects an error, it names the file and a *needle*: the text the error must point
at, looked up in the edited file, so the expected line and column follow the fixture.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import make_project, run_forked, snapshot

from explainer import load
from explainer.errors import BuildError, Problem
from explainer.site import build, check
from explainer.validate import Project

EDITABLE = ("content", "templates", "locales", "seeds")
Edit = Callable[[Path], None]


# --- edits --------------------------------------------------------------------------


def replace(file: str, old: str, new: str) -> Edit:
    """Replace the first ``old`` in ``file``; the fixture must contain it."""

    def edit(root: Path) -> None:
        path = root / file
        text = path.read_text("utf-8")
        assert old in text, f"{old!r} is not in {file}: the fixture changed, update this case"
        path.write_text(text.replace(old, new, 1), "utf-8")

    return edit


def write(file: str, data: str | bytes) -> Edit:
    def edit(root: Path) -> None:
        path = root / file
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, "utf-8")

    return edit


def append(file: str, text: str) -> Edit:
    def edit(root: Path) -> None:
        with open(root / file, "a", encoding="utf-8") as fh:
            fh.write(text)

    return edit


def replace_bytes(file: str, old: bytes, new: bytes) -> Edit:
    def edit(root: Path) -> None:
        path = root / file
        data = path.read_bytes()
        assert old in data, f"{old!r} is not in {file}: the fixture changed, update this case"
        path.write_bytes(data.replace(old, new, 1))

    return edit


def transcode(file: str, encoding: str) -> Edit:
    def edit(root: Path) -> None:
        path = root / file
        path.write_bytes(path.read_text("utf-8").encode(encoding))

    return edit


def clear_msgstr(file: str, msgid: str) -> Edit:
    """Empty the translation of ``msgid``."""

    def edit(root: Path) -> None:
        path = root / file
        text, n = re.subn(rf'(msgid "{msgid}"\nmsgstr )"[^"\n]*"', r'\1""', path.read_text("utf-8"))
        assert n == 1, f"no single msgid {msgid!r} in {file}"
        path.write_text(text, "utf-8")

    return edit


def remove(file: str) -> Edit:
    return lambda root: (root / file).unlink()


def make_folder(file: str) -> Edit:
    def edit(root: Path) -> None:
        (root / file).unlink()
        (root / file).mkdir()
        (root / file / "x.yaml").write_text("a: 1\n", "utf-8")

    return edit


# --- expectations -------------------------------------------------------------------


@dataclass(frozen=True)
class At:
    """An expected error: in ``file``, at ``needle`` (line 1, column 1 when None), saying ``says``.

    The needle is the first one in the file (after ``after``, if given); ``{out}`` as the file
    stands for the resolved output folder.
    """

    file: str
    needle: str | None
    says: str
    shift: int = 0  # columns after the start of the needle
    col: bool = True  # False: check the line only
    after: str = ""

    def place(self, root: Path) -> tuple[int, int]:
        if self.needle is None:
            return 1, 1
        text = (root / self.file).read_text("utf-8", errors="replace")
        at = text.find(self.needle, text.find(self.after) + len(self.after) if self.after else 0)
        assert at >= 0 and (not self.after or self.after in text), f"{self.needle!r} not in {self.file}"
        line = text.count("\n", 0, at) + 1
        return line, at - (text.rfind("\n", 0, at) + 1) + 1 + self.shift


@dataclass(frozen=True)
class Case:
    id: str
    edits: tuple[Edit, ...]
    expect: tuple[At, ...]
    out: str = "_site"
    extra: dict[str, object] = field(default_factory=dict)


def case(id: str, edits: Edit | tuple[Edit, ...], *expect: At, out: str = "_site", **extra: object) -> Case:
    return Case(id, edits if isinstance(edits, tuple) else (edits,), expect, out, extra)


EV = "content/events.yaml"
FIG = "content/figures.yaml"
SRC = "content/sources.yaml"
SITE = "content/site.yaml"
PO_EN = "locales/en/LC_MESSAGES/messages.po"
PO_AR = "locales/ar/LC_MESSAGES/messages.po"
HOME = "templates/home.html"
MAIN = "{% block main %}"

CASES: list[Case] = [
    # --- YAML and files
    case(
        "yaml-syntax",
        replace(EV, "places: [baghdad]", "places: [baghdad"),
        At(EV, "    actors:", "(in the list [ ] that starts at line", shift=10),
    ),
    case(
        "tab-indentation",
        replace(EV, "    status: occurred\n    title: {ar: الغزو", "\tstatus: occurred\n    title: {ar: الغزو"),
        At(EV, "\tstatus", "a tab character is used for indentation", col=False),
    ),
    case(
        "duplicate-key",
        replace(EV, "    status: scheduled\n", "    status: scheduled\n    status: expected\n"),
        At(EV, "status: expected", "duplicate key 'status'"),
    ),
    case("empty-file", write(FIG, b""), At(FIG, None, "file is empty")),
    case("comments-only", write(FIG, "# nothing yet\n---\n"), At(FIG, None, "file is empty")),
    case("not-utf8", write(FIG, "figures:\n  - id: caf\xe9\n".encode("latin-1")), At(FIG, "\ufffd", "file is not valid UTF-8 (byte 0xe9)")),
    case("utf16-with-bom", transcode(SITE, "utf-16"), At(SITE, None, "file is encoded as UTF-16, not UTF-8")),
    case("utf16-without-bom", transcode(SITE, "utf-16-le"), At(SITE, None, "file is encoded as UTF-16, not UTF-8")),
    case("top-level-list", write(FIG, "- id: troops\n  value: 1\n"), At(FIG, None, "the file must be a mapping of keys, found a list")),
    case("top-level-text", write(FIG, "just some words\n"), At(FIG, None, "the file must be a mapping of keys, found text")),
    case("two-documents", append(FIG, "---\nfigures: []\n"), At(FIG, "---", "a second document starts here")),
    case(
        "python-tag",
        replace(FIG, "value: 2500", "value: !!python/object/apply:os.system ['touch PWNED']"),
        At(FIG, "!!python", "YAML tag '!!python/object/apply:os.system' is not supported"),
    ),
    case(
        "custom-tag",
        replace(FIG, "US troops in Iraq", "!include secrets.yaml"),
        At(FIG, "!include", "YAML tag '!include' is not supported"),
    ),
    case(
        "anchor-and-alias",
        (replace(FIG, "label: {ar:", "label: &l {ar:"), append(FIG, "    note: *l\n")),
        At(FIG, "&l", "anchor '&l' is not supported"),
        At(FIG, "*l", "alias '*l' is not supported"),
    ),
    case(
        "merge-key",
        replace(FIG, "    approximate: true\n", "    <<: {approximate: true}\n"),
        At(FIG, "<<", "merge key '<<' is not supported"),
    ),
    case(
        "runaway-nesting",
        replace(FIG, "value: 2500", "value: " + "[" * 5000 + "]" * 5000),
        At(FIG, "[" * (load.MAX_DEPTH + 1), "nested too deeply", shift=load.MAX_DEPTH - 3),
    ),
    case("complex-key", append(FIG, "    ? [a, b]\n    : c\n"), At(FIG, "[a, b]", "a key must be a plain name")),
    case("bidi-override", replace(FIG, "US troops in Iraq", "US troops in \u202eqarI"), At(FIG, "\u202e", "U+202E RIGHT-TO-LEFT OVERRIDE")),
    case(
        "bidi-isolate-escape",
        replace(FIG, "en: US troops in Iraq", 'en: "US troops \\u2067in Iraq"'),
        At(FIG, '"US troops', "U+2067 RIGHT-TO-LEFT ISOLATE"),
    ),
    case("nul-escape", replace(FIG, "en: US troops in Iraq", 'en: "US troops\\0 in Iraq"'), At(FIG, '"US troops', "U+0000 NUL")),
    case("raw-control-character", replace(FIG, "US troops in Iraq", "US troops\x1b[31m in Iraq"), At(FIG, "\x1b", "U+001B ESCAPE")),
    case("not-a-number", replace(FIG, "value: 2500", "value: .nan"), At(FIG, ".nan", "'.nan' is not a number that can be published")),
    case("huge-number", replace(FIG, "value: 2500", "value: " + "9" * 5000), At(FIG, "9999", "is not a number that can be published")),
    case("file-is-a-folder", make_folder(FIG), At(FIG, None, "cannot read file: it is a folder")),
    case("file-too-large", (), At(EV, None, "file is too large"), max_bytes=512),
    case("content-file-missing", remove(FIG), At(FIG, None, "content file is missing")),
    case("unknown-content-file", write("content/event.yaml", "events: []\n"), At("content/event.yaml", None, "did you mean events.yaml?")),
    # --- the schema: types, keys, required fields, languages, text
    case("wrong-type", replace(FIG, "value: 2500", "value: many"), At(FIG, "many", "figures[1].value: expected a number, found text")),
    case(
        "unknown-key",
        replace(EV, "    status: scheduled\n", "    status: scheduled\n    tilte: x\n"),
        At(EV, "tilte", "unknown key 'tilte'"),
        At(EV, "tilte", "did you mean 'title'?"),
    ),
    case(
        "missing-field", replace(EV, "    status: scheduled\n", ""), At(EV, "id: phase-one-deadline", "required field 'status' is missing")
    ),
    case(  # a missing translation is not an error (the page shows the source text, marked); a language the site lacks is
        "unknown-language",
        replace(EV, "{ar: نهاية المرحلة الأولى, en: End of phase one}", "{ar: نهاية المرحلة الأولى, eng: End of phase one}"),
        At(EV, "eng:", "unknown language 'eng'"),
    ),
    case(
        "missing-arabic",
        replace(FIG, "{ar: جندي أمريكي في العراق, en: US troops in Iraq}", "{en: US troops in Iraq}"),
        At(FIG, "{en: US troops", "the Arabic text ('ar') is missing"),
    ),
    case("empty-text", replace(FIG, "en: US troops in Iraq", 'en: ""'), At(FIG, '""', "figures[1].label.en: text is empty")),
    case("blank-text", replace(FIG, "en: US troops in Iraq", 'en: "   "'), At(FIG, '"   "', "text is empty")),
    case(
        "no-value",
        replace(EV, "title: {ar: نهاية المرحلة الأولى, en: End of phase one}", "title:"),
        At(EV, "title:\n", "expected a mapping (key: value lines), found nothing", shift=6),
    ),
    case("bad-enum", replace(EV, "status: scheduled", "status: schedueld"), At(EV, "schedueld", "did you mean 'scheduled'?")),
    case("id-not-a-slug", replace(EV, "id: invasion", "id: '\"><svg onload=alert(1)>'"), At(EV, "'\"><svg", "is not in the expected form")),
    case(
        "text-too-long",
        replace(FIG, "en: US troops in Iraq", "en: " + "x" * 10_001),
        At(FIG, "xxxx", "figures[1].label.en: too long (10,001 characters; a text may have at most 10,000)"),
    ),
    case(
        "id-too-long", replace(EV, "id: invasion", "id: " + "a" * 65), At(EV, "aaaa", "too long (65 characters; an id may have at most 64)")
    ),
    # --- dates
    case("impossible-month", replace(EV, '"2025-09"', '"2025-13"'), At(EV, '"2025-13"', "impossible date '2025-13': there is no month 13")),
    case("impossible-day", replace(EV, '"2024-01-27"', '"2023-02-29"'), At(EV, '"2023-02-29"', "that month has no day 29")),
    case("month-zero", replace(EV, '"2024-01-27"', '"2024-00-05"'), At(EV, '"2024-00-05"', "there is no month 0")),
    case("unknown-precision", replace(EV, '"2024-01-27"', '"2024-01-27T10:00"'), At(EV, '"2024-01-27T10', "is not in the expected form")),
    case("negative-year", replace(EV, 'date: "2024-01-27"', "date: -2024"), At(EV, "-2024", "'-2024' is not a date")),
    case("implausible-year", replace(EV, '"2003-03"', '"1066-10"'), At(EV, '"1066-10"', "implausible year '1066'")),
    case("unknown-qualifier", replace(EV, "qualifier: by", "qualifier: bye"), At(EV, "bye", "'bye' is not allowed here")),
    # --- references, ids, quotes, seeds
    case("unknown-place", replace(EV, "places: [baghdad]", "places: [bagdad]"), At(EV, "bagdad", "unknown place 'bagdad'")),
    case("unknown-source", replace(FIG, "source: joint", "source: jiont"), At(FIG, "jiont", "did you mean 'joint'?")),
    case(
        "duplicate-id",
        replace(EV, "id: phase-one-deadline", "id: invasion"),
        At(EV, 'invasion\n    date: "2025', "duplicate id 'invasion'"),
    ),
    case(
        "quote-not-found",
        replace(FIG, "يناهز عددها 2500 جندي", "يناهز عددها 3500 جندي"),
        At(FIG, '"التي يناهز', "quote not found in source 'joint'"),
    ),
    case(
        "seed-missing",
        replace(SRC, "003_d62c7aa82ec35e7c.txt", "003_missing.txt"),
        At(SRC, "003_missing", "seeds/003_missing.txt does not exist"),
    ),
    case("chrome-line-wrong", replace(SRC, "text: About Post Author", "text: About the Author"), At(SRC, "About the", "not this text")),
    # --- templates and UI catalogs
    case(
        "template-syntax",
        replace(HOME, MAIN, MAIN + "\n{% if x %}{% endfor %}"),
        At(HOME, "{% if x %}", "template syntax error", col=False),
    ),
    case(
        "unused-template-syntax",
        write("templates/zz_unused.html", "<p>\n  {{ oops( }}\n</p>\n"),
        At("templates/zz_unused.html", "{{ oops", "template syntax error", col=False),
    ),
    case(
        "template-undefined",
        replace(HOME, MAIN, MAIN + "\n{{ no_such_name }}"),
        At(HOME, "{{ no_such_name", "'no_such_name' is undefined", col=False),
    ),
    case("template-runtime-error", replace(HOME, MAIN, MAIN + "\n{{ 1 // 0 }}"), At(HOME, "{{ 1 // 0 }}", "ZeroDivisionError", col=False)),
    case(
        "template-not-utf8",
        write("templates/zz_latin1.html", b"<p>\n  caf\xe9\n</p>\n"),
        At("templates/zz_latin1.html", "\ufffd", "template is not valid UTF-8 (byte 0xe9)"),
    ),
    case(
        "template-untranslated",
        replace(HOME, MAIN, MAIN + "\n{{ _('A brand new phrase') }}"),
        At(HOME, "A brand new phrase", "has no translation in locales/ar/LC_MESSAGES/messages.po", col=False),
        check_only=True,
    ),
    case(
        "po-unquoted",
        replace(PO_EN, 'msgstr "Timeline"', "msgstr Timeline"),
        At(PO_EN, "msgstr Timeline", "must be in double quotes", shift=7),
        check_only=True,
    ),
    case(
        "po-unterminated",
        replace(PO_AR, 'msgid "Timeline"', 'msgid "Timeline'),
        At(PO_AR, 'msgid "Timeline', "must be in double quotes", shift=6),
        check_only=True,
    ),
    case(
        "po-stray-line",
        replace(PO_EN, 'msgstr "Timeline"', 'msgstr "Timeline"\nTimeline'),
        At(PO_EN, "Timeline", "unexpected text «Timeline»", after='msgstr "Timeline"\n'),
        check_only=True,
    ),
    case(
        "po-missing-translation",
        clear_msgstr(PO_AR, "Timeline"),
        At(PO_AR, 'msgstr ""', "missing translation for 'Timeline'", after='msgid "Timeline"\n'),
        check_only=True,
    ),
    case(
        "po-duplicate",
        append(PO_EN, '\nmsgid "Timeline"\nmsgstr "Chronology"\n'),
        At(PO_EN, 'msgid "Timeline"\nmsgstr "Chronology"', "duplicate msgid"),
        check_only=True,
    ),
    case(
        "po-not-utf8",
        replace_bytes(PO_EN, b'msgstr "Timeline"', b'msgstr "Timeline \xe9"'),
        At(PO_EN, "\ufffd", "catalog is not valid UTF-8"),
        check_only=True,
    ),
    # --- the output folder
    case("output-is-a-file", write("not-a-folder", "x"), At("{out}", None, "output folder cannot be written"), out="not-a-folder"),
    case("output-below-a-file", write("not-a-folder", "x"), At("{out}", None, "output folder cannot be written"), out="not-a-folder/site"),
    # --- several mistakes in several files and stages: all of them, in one run
    case(
        "all-at-once",
        (
            replace("content/plan.yaml", "places: [baghdad]", "places: [baghdad"),
            replace(FIG, "value: 2500", "value: many"),
            replace(EV, '"2025-09"', '"2025-13"'),
            replace(EV, "places: [baghdad]", "places: [bagdad]"),
            replace("content/questions.yaml", "Will all troops leave?", "Will all \u202etroops leave?"),
            replace(SRC, "003_d62c7aa82ec35e7c.txt", "003_missing.txt"),
        ),
        At("content/plan.yaml", "    cite:", "YAML syntax error", col=False),
        At(FIG, "many", "expected a number"),
        At(EV, '"2025-13"', "impossible date"),
        At(EV, "bagdad", "unknown place"),
        At("content/questions.yaml", "\u202e", "U+202E"),
        At(SRC, "003_missing", "does not exist"),
        exact=True,
    ),
]


# --- the baseline and the runner -------------------------------------------------------


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict[str, bytes], Path]]:
    """One built project, its output snapshot, and a pristine copy of its editable folders."""
    top = tmp_path_factory.mktemp("broken")
    root = make_project(top / "site")
    build(Project(root), root / "_site")
    pristine = top / "pristine"
    for part in EDITABLE:
        shutil.copytree(root / part, pristine / part)
    yield root, snapshot(root / "_site"), pristine


@pytest.fixture
def broken(baseline: tuple[Path, dict[str, bytes], Path], request: pytest.FixtureRequest) -> Iterator[tuple[Path, Case]]:
    """The baseline project with one case's edits applied; put back afterwards."""
    root, _, pristine = baseline
    c: Case = request.param
    try:
        for edit in c.edits:
            edit(root)
        yield root, c
    finally:
        for part in EDITABLE:
            shutil.rmtree(root / part)
            shutil.copytree(pristine / part, root / part)
        for extra in ("not-a-folder", "PWNED"):
            target = root / extra
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()


def _expected(root: Path, c: Case) -> list[tuple[str, int, int | None, str]]:
    out = []
    for at in c.expect:
        line, col = at.place(root)
        path = str((root / c.out).resolve()) if at.file == "{out}" else at.file
        out.append((path, line, col if at.col else None, at.says))
    return out


def _assert_located(problems: tuple[Problem, ...], root: Path, c: Case) -> None:
    assert problems, "no problem reported"
    for p in problems:
        assert p.hint.strip(), f"no hint: {p.format()}"
        assert p.line >= 1 and p.col >= 1, p.format()
    shown = "\n".join(p.format() for p in problems)
    for path, line, col, says in _expected(root, c):
        hits = [p for p in problems if p.path == path and (says in p.message or says in p.hint)]
        assert hits, f"expected {path}: …{says}… in\n{shown}"
        assert any(p.line == line and (col is None or p.col == col) for p in hits), (
            f"expected {path}:{line}:{col if col else '*'} for {says!r}, got\n{shown}"
        )
    if c.extra.get("exact"):
        assert len(problems) == len(c.expect), shown


def _param(c: Case) -> object:
    if "xfail" in c.extra:  # a known gap outside this suite's files: fails until it is fixed, then must be unmarked
        return pytest.param(c, id=c.id, marks=pytest.mark.xfail(strict=True, raises=UnicodeDecodeError, reason=str(c.extra["xfail"])))
    return pytest.param(c, id=c.id)


@pytest.mark.parametrize("broken", [_param(c) for c in CASES], indirect=True)
def test_broken_input_is_a_located_error_and_the_output_is_untouched(
    broken: tuple[Path, Case], baseline: tuple[Path, dict[str, bytes], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, c = broken
    _, before, _ = baseline
    if "max_bytes" in c.extra:
        monkeypatch.setattr(load, "MAX_FILE_BYTES", c.extra["max_bytes"])
    if c.extra.get("check_only"):  # the sources of the UI catalogs: the build reads only the compiled ones
        with pytest.raises(BuildError) as info:
            check(Project(root))
        _assert_located(info.value.problems, root, c)
        return
    with pytest.raises(BuildError) as info:
        build(Project(root), root / c.out)
    _assert_located(info.value.problems, root, c)
    if c.out == "_site":
        with pytest.raises(BuildError) as checked:
            check(Project(root))
        assert checked.value.problems == info.value.problems
    assert snapshot(root / "_site") == before, "the previous output changed"
    leftovers = [name for name in os.listdir(root) if name.startswith(".")]
    assert not leftovers, leftovers
    assert not (root / "PWNED").exists()


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES)


CLI_CASES = ["yaml-syntax", "bidi-override", "python-tag", "unknown-language", "template-undefined", "po-unquoted", "all-at-once"]


@pytest.mark.parametrize("broken", [c for c in CASES if c.id in CLI_CASES], ids=CLI_CASES, indirect=True)
def test_the_cli_exits_1_with_located_errors_and_no_traceback(
    broken: tuple[Path, Case], baseline: tuple[Path, dict[str, bytes], Path]
) -> None:
    root, c = broken
    _, before, _ = baseline
    for command in ("check",) if c.extra.get("check_only") else ("build", "check"):
        result = run_forked(root, command)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr + result.stdout
        for path, line, col, says in _expected(root, c):
            head = f"{path}:{line}:{col}: " if col else f"{path}:{line}:"
            lines = result.stderr.splitlines()
            at = [i for i, text in enumerate(lines) if text.startswith(head) and says in text]
            assert at, f"{head}…{says} not in\n{result.stderr}"
            assert lines[at[0] + 1].startswith("    hint: "), result.stderr  # the hint follows its error
        assert "nothing was written" in result.stderr
    assert snapshot(root / "_site") == before


def test_messages_show_what_could_drive_the_terminal_escaped(baseline: tuple[Path, dict[str, bytes], Path]) -> None:
    """A key made of escape sequences and bidi controls is quoted in the message, but inert."""
    root, _, pristine = baseline
    try:
        append(SITE, '"\\e[2J\\e[31mred\\u202e": 1\n')(root)
        with pytest.raises(BuildError) as info:
            check(Project(root))
    finally:
        shutil.rmtree(root / "content")
        shutil.copytree(pristine / "content", root / "content")
    report = info.value.report()
    assert "unknown key '\\u001b[2J\\u001b[31mred\\u202e'" in report
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]", report)


def test_a_flood_of_errors_is_counted_not_all_printed(baseline: tuple[Path, dict[str, bytes], Path]) -> None:
    root, _, pristine = baseline
    try:
        write(FIG, "figures: []\n" + "".join(f"figures: {i}\n" for i in range(500)))(root)
        with pytest.raises(BuildError) as info:
            check(Project(root))
    finally:
        shutil.rmtree(root / "content")
        shutil.copytree(pristine / "content", root / "content")
    assert len(info.value.problems) >= 500
    report = info.value.report().splitlines()
    assert len(report) < 260
    assert report[-2].startswith(f"{FIG}: ") and report[-2].endswith("more errors in this file are not shown")


def test_output_folders_that_would_destroy_something_are_named(tmp_path: Path) -> None:
    root = make_project(tmp_path / "site")
    project = Project(root)
    (tmp_path / "documents").mkdir()
    (tmp_path / "documents" / "letter.txt").write_text("keep me", "utf-8")
    refused = {
        root: "would replace the project itself",
        tmp_path: "would replace the project itself",
        root / "content": "would replace the project's content/",
        root / "seeds" / "site": "would replace the project's seeds/",
        root / "templates": "would replace the project's templates/",
        tmp_path / "documents": "is not empty and holds no previous build",
    }
    for out, says in refused.items():
        (problem,) = project.output_problems(out)
        assert problem.path == str(out.resolve()) and says in problem.message and problem.hint
    build(project, root / "_site")
    for fine in (root / "_site", root / "new", tmp_path / "elsewhere"):  # a previous build, or nothing yet
        assert project.output_problems(fine) == []


def test_a_build_into_the_project_itself_is_refused_and_nothing_is_lost(tmp_path: Path) -> None:
    root = make_project(tmp_path / "site")
    before = snapshot(root / "content")
    with pytest.raises(BuildError) as info:
        build(Project(root), root)
    assert "would replace the project itself" in info.value.report()
    assert snapshot(root / "content") == before
