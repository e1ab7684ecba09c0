"""Hostile data (review s2): no input in content/, seeds/, static/, locales/ or schemas/ may hang a
command, take unbounded memory, or end in a traceback instead of a located error.

Each test reproduces one attack of the review on a small project; a test of something that used to
hang runs the command in a process of its own (forked) with a time-out and asserts that it finished.
"""

from __future__ import annotations

import json
import shutil
import signal
import struct
from pathlib import Path

import pytest
from conftest import edit, line_col, make_project, run_forked

EVENT_TITLE = "title: {ar: الغزو الأمريكي للعراق, en: The US invades Iraq}"


def _no_traceback(result: object) -> None:
    stderr = getattr(result, "stderr", "")
    assert "Traceback" not in stderr, stderr
    assert getattr(result, "returncode", None) == 1, stderr


# --- content/style.yaml (attacks 23, 24) ------------------------------------------------------------


def test_a_style_rule_that_would_backtrack_for_ever_is_refused_at_the_rule(project: Path) -> None:
    rules = 'en: ["^(?:a|aa)+$", "' + "(?:a|aa)?" * 7 + '"]'
    edit(project / "content/style.yaml", lambda s: s.replace('en: ["\\\\bnext year\\\\b"]', rules))
    edit(project / "content/events.yaml", lambda s: s.replace(EVENT_TITLE, "title: {ar: الغزو الأمريكي للعراق, en: " + "a" * 60 + "!}"))
    result = run_forked(project, "check", timeout=60)  # before: catastrophic backtracking, ~fib(60) steps
    _no_traceback(result)
    style = project / "content/style.yaml"
    nested, optional = line_col(style, '"^(?:a|aa)+$'), line_col(style, '"(?:a|aa)?')
    assert f"content/style.yaml:{nested}: a repeat without a small upper bound" in result.stderr, result.stderr
    assert f"content/style.yaml:{optional}: the rule has more than 1,000 ways to match" in result.stderr
    assert "2 errors found" in result.stderr


WIDE_RULE = "[a-z]{0,99}[a-z]{0,9}(?=(?:(?:[a-z]{100}){100}){100}q)"
"""Review s4, attack 64: 1,000 ways to match, but a look-ahead that reads a million characters from each place."""


def _wide_rule(project: Path) -> None:
    edit(project / "content/style.yaml", lambda s: s.replace('en: ["\\\\bnext year\\\\b"]', f'en: ["\\\\bnext year\\\\b", "{WIDE_RULE}"]'))
    edit(project / "content/events.yaml", lambda s: s.replace(EVENT_TITLE, "title: {ar: الغزو الأمريكي للعراق, en: " + "a" * 4000 + "}"))


def test_rules_that_together_read_too_far_from_each_place_are_refused_from_the_first_past_the_budget(project: Path) -> None:
    # review s6, attacks 90-92: each rule within its bound, but a hundred of them took minutes on one long text
    from explainer import style

    rules = ", ".join(f'"[a-z]{{0,60}}{word}"' for word in ("qqx", "qqy", "qqz"))
    edit(project / "content/style.yaml", lambda s: s.replace('en: ["\\\\bnext year\\\\b"]', f'en: ["\\\\bnext year\\\\b", {rules}]'))
    result = run_forked(project, "check", timeout=30)
    _no_traceback(result)
    at = line_col(project / "content/style.yaml", '"[a-z]{0,60}qqz"')
    message = f"the rules of 'en' together may look at more than {style.MAX_STYLE_WORK:,} characters from one place of a text"
    assert f"content/style.yaml:{at}: {message}" in result.stderr, result.stderr
    first = line_col(project / "content/style.yaml", '"[a-z]{0,60}qqy"')
    assert f"content/style.yaml:{first}:" not in result.stderr and "keep fewer or narrower rules" in result.stderr


def test_a_text_refused_for_its_length_is_not_read_by_the_house_rules(project: Path) -> None:
    # review s6, attack 92: a text over the limit was scanned by every rule before it was refused (37.8 s for one error)
    long_title = "next year " * 1_100  # 11,000 characters, each tenth a break of the mini site's rule
    edit(
        project / "content/events.yaml",
        lambda s: s.replace(EVENT_TITLE, "title: {ar: الغزو الأمريكي للعراق, en: " + long_title.strip() + "}"),
    )
    result = run_forked(project, "check", timeout=30)
    _no_traceback(result)
    assert "too long (10,999 characters; a text may have at most 10,000)" in result.stderr, result.stderr
    assert "dates the text from when it is read" not in result.stderr and "1 error found" in result.stderr


def test_a_style_rule_that_reads_too_far_from_each_place_is_refused_at_the_rule(project: Path) -> None:
    _wide_rule(project)
    result = run_forked(project, "check", timeout=30)  # before: cubic backtracking, 60 s and more on this one text
    _no_traceback(result)
    at = line_col(project / "content/style.yaml", f'"{WIDE_RULE}')
    message = "the rule may look at more than 5,000 characters from one place (1,000 ways to match, each reading up to 1,000,109"
    assert f"content/style.yaml:{at}: {message}" in result.stderr, result.stderr
    assert "a few words wide and with few choices" in result.stderr and "1 error found" in result.stderr


def test_the_rules_of_the_house_style_read_little_from_each_place() -> None:
    from conftest import REPO

    from explainer.load import load_text
    from explainer.style import rules, too_costly

    doc, problems = load_text((REPO / "content/style.yaml").read_text("utf-8"), "content/style.yaml")
    assert doc is not None and not problems
    found, problems = rules(doc, ("ar", "en"))
    assert len(found) > 30 and not problems  # the bound leaves the real rules alone
    assert too_costly("(?:a|a){0,8}(?=[a-z]{10}q)") is not None  # 511 ways × 19 characters
    assert too_costly("(?<!\\w)(?:" + "|".join(f"w{i:02d}" for i in range(99)) + ")(?!\\w)") is None  # 99 ways × 5


def test_a_prefer_that_names_a_missing_group_is_located(project: Path) -> None:
    edit(project / "content/style.yaml", lambda s: s.replace('prefer: "ISIS"', 'prefer: "\\\\9"'))
    edit(project / "content/events.yaml", lambda s: s.replace(EVENT_TITLE, "title: {ar: الغزو الأمريكي للعراق, en: Daesh}"))
    result = run_forked(project, "check")
    _no_traceback(result)
    style = project / "content/style.yaml"
    at = line_col(style, '"\\\\9"')
    message = "'prefer' is not a valid replacement for this rule: invalid group reference 9"
    assert f"content/style.yaml:{at}: {message}" in result.stderr, result.stderr


# --- the report itself (attack 43) ------------------------------------------------------------------


def test_a_newline_in_a_schema_description_cannot_spoof_a_line_of_the_report(project: Path) -> None:
    schema = project / "schemas/figures.schema.json"
    fake = "built 555 files (80 pages) into _site in 1.21 s"
    body = json.loads(schema.read_text("utf-8"))
    body["properties"]["figures"]["items"]["properties"]["reviewed"]["description"] = f"use 8 hex digits\n\n{fake}"
    schema.write_text(json.dumps(body), "utf-8")
    edit(project / "content/figures.yaml", lambda s: s.replace("    value: 2500\n", '    value: 2500\n    reviewed: "zz"\n', 1))
    result = run_forked(project, "build")
    _no_traceback(result)
    assert fake in result.stderr, result.stderr
    assert not any(line.startswith("built") for line in result.stderr.splitlines() + result.stdout.splitlines()), result.stderr


# --- content/geo.json (attacks 29, 30) --------------------------------------------------------------


def test_a_map_file_with_many_bad_shapes_is_reported_in_time_with_its_first_problems(project: Path) -> None:
    shapes = ",\n".join(f'{{"id": "c{i}", "name": "n", "rings": [[1, 2]]}}' for i in range(60_000))
    geo = project / "content/geo.json"
    geo.write_text(f'{{"source": "s", "licence": "l",\n"countries": [\n{shapes}\n],\n"regions": []}}\n', "utf-8")
    result = run_forked(project, "check", timeout=60)  # before: each problem scanned the whole file (over 120 s)
    _no_traceback(result)
    assert "content/geo.json:3:1: countries 'c0': a ring is not a list" in result.stderr, result.stderr
    assert "content/geo.json:4:1: countries 'c1': a ring is not a list" in result.stderr
    assert "content/geo.json:1:1: 59,901 more problems in this file are not described (the first 99 are)" in result.stderr
    assert "content/geo.json: " not in result.stderr  # all that was collected is shown


def test_a_map_file_that_is_not_utf8_or_nested_too_deeply_is_located(project: Path) -> None:
    geo = project / "content/geo.json"
    geo.write_bytes(b'{"source": "x\n\xff"}')
    result = run_forked(project, "check")
    _no_traceback(result)
    assert "content/geo.json:2:1: not valid UTF-8 (byte 0xff)" in result.stderr, result.stderr
    geo.write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    result = run_forked(project, "check")
    _no_traceback(result)
    assert "content/geo.json:1:1: nested too deeply to read" in result.stderr, result.stderr


def test_a_map_file_over_the_size_limit_is_refused_unread(project: Path) -> None:
    with (project / "content/geo.json").open("ab") as fh:
        fh.truncate(65 * 2**20)  # a sparse file: 65 MB of NUL bytes after the JSON
    result = run_forked(project, "check")
    _no_traceback(result)
    assert "content/geo.json:1:1: file is too large (65 MB; at most 64 MB)" in result.stderr, result.stderr


# --- UI catalogs (attacks 2, 3, 14, 39) -------------------------------------------------------------

CATALOG = "locales/en/LC_MESSAGES/messages.po"
PLURALS = '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"'
CHARSET = "charset=utf-8"


def _catalog_case(project: Path, old: str, new: str, expected: str) -> str:
    po = project / CATALOG
    edit(po, lambda s: s.replace(old, new, 1))
    result = run_forked(project, "check", timeout=60)  # check compiles the .po, as tools/catalogs.py does
    _no_traceback(result)
    line = po.read_text("utf-8").split("\n").index(new.split("\n")[0]) + 1
    assert f"{CATALOG}:{line}:1: malformed catalog: {expected}" in result.stderr, result.stderr
    return result.stderr


def test_a_huge_number_of_plural_forms_is_refused_before_it_takes_memory(project: Path) -> None:
    # before: Babel made 400 million msgstr slots for the one plural entry (6 GB after 2 minutes)
    _catalog_case(project, PLURALS, PLURALS.replace("nplurals=2", "nplurals=400000000"), "Plural-Forms declares 400,000,000 plural forms")


def test_the_catalog_tool_refuses_a_huge_number_of_plural_forms_before_babel_reads_it(project: Path) -> None:
    import subprocess
    import sys

    from conftest import REPO

    edit(project / CATALOG, lambda s: s.replace(PLURALS, PLURALS.replace("nplurals=2", "nplurals=400000000"), 1))
    tool = subprocess.run([sys.executable, str(REPO / "tools/catalogs.py")], cwd=project, capture_output=True, text=True, timeout=60)
    assert tool.returncode == 1 and "Traceback" not in tool.stderr, tool.stderr
    assert f"{CATALOG}:" in tool.stderr and "Plural-Forms declares 400,000,000 plural forms" in tool.stderr, tool.stderr


def test_a_malformed_plural_expression_is_located(project: Path) -> None:
    _catalog_case(project, PLURALS, PLURALS.replace("(n != 1);", "(n != 1;"), "the plural expression is not valid")
    edit(project / CATALOG, lambda s: s.replace("(n != 1;", "(n != 1);", 1))
    assert run_forked(project, "check").returncode == 0  # put back, the catalog builds again


def test_an_unknown_charset_is_located_and_its_escapes_shown_escaped(project: Path) -> None:
    edit(project / CATALOG, lambda s: s.replace(CHARSET, "charset=bogus-enc", 1))
    result = run_forked(project, "check")
    _no_traceback(result)
    line = line_col(project / CATALOG, "charset=bogus-enc").split(":")[0]
    assert f"{CATALOG}:{line}:1: malformed catalog: the header names the charset «bogus-enc»" in result.stderr, result.stderr
    edit(project / CATALOG, lambda s: s.replace("charset=bogus-enc", "charset=\x1b[2J\x1b[H\x1b[32mbuilt-ok\x1b[8m", 1))
    result = run_forked(project, "check")
    _no_traceback(result)
    assert "\x1b" not in result.stderr + result.stdout
    assert "the header names the charset «\\u001b[2J\\u001b[H\\u001b[32mbuilt-ok\\u001b[8m»" in result.stderr, result.stderr


def _mo(header: str) -> bytes:
    """A compiled catalog (GNU .mo) that holds only ``header``."""
    original, translated = b"", header.encode("utf-8")
    start = 7 * 4 + 2 * 8  # after the file's header and the two tables of one (length, offset) each
    tables = struct.pack("<2I", len(original), start) + struct.pack("<2I", len(translated), start + len(original) + 1)
    return struct.pack("<7I", 0x950412DE, 0, 1, 28, 36, 0, 0) + tables + original + b"\0" + translated + b"\0"


def test_a_compiled_catalog_that_gettext_cannot_read_is_located_at_its_file(project: Path) -> None:
    # the build reads the compiled .mo files: what their header holds is data too (a charset gettext looks up)
    mo = project / CATALOG.replace(".po", ".mo")
    for charset, shown in (("bogus-enc", "bogus-enc"), ("\x1b[2J\x1b[32mbuilt-ok\x1b[8m", "\\u001b[2J\\u001b[32mbuilt-ok\\u001b[8m")):
        mo.write_bytes(_mo(f"Content-Type: text/plain; charset={charset}\nPlural-Forms: nplurals=2; plural=(n != 1);\n"))
        result = run_forked(project, "build")
        _no_traceback(result)
        assert "\x1b" not in result.stderr + result.stdout
        message = f"{CATALOG.replace('.po', '.mo')}:1:1: not a compiled catalog: LookupError: unknown encoding: {shown}"
        assert message in result.stderr, result.stderr


def _mo_sharing(entries: int, size: int) -> bytes:
    """A compiled catalog whose ``entries`` translations all point at one region of ``size`` bytes (review s4, attack 70)."""
    header = b"Content-Type: text/plain; charset=utf-8\nPlural-Forms: nplurals=2; plural=(n != 1);\n"
    keys = [b""] + [b"k%06d" % i for i in range(entries)]
    start = 28 + 16 * len(keys)  # after the file's header and the two tables
    blob, originals = b"", []
    for key in keys:
        originals.append((len(key), start + len(blob)))
        blob += key + b"\0"
    translations = [(len(header), start + len(blob))] + [(size, start + len(blob) + len(header) + 1)] * entries
    blob += header + b"\0" + b"a" * size + b"\0"
    tables = b"".join(struct.pack("<2I", *pair) for pair in originals + translations)
    return struct.pack("<7I", 0x950412DE, 0, len(keys), 28, 28 + 8 * len(keys), 0, 0) + tables + blob


def test_a_compiled_catalog_whose_entries_share_their_text_is_refused_before_gettext_reads_it(project: Path) -> None:
    # before: gettext made a string of the shared region for each entry (a 30 MB region: 717 MB for 20 entries,
    # 1.9 GB for 60, in every worker process too); here 200 entries on 200 KB would take 40 MB
    mo = project / CATALOG.replace(".po", ".mo")
    mo.write_bytes(_mo_sharing(200, 200_000))
    result = run_forked(project, "build")
    _no_traceback(result)
    shared = "its 201 entries point at 40,001,483 bytes of text in a file of 204,930 bytes"
    assert f"{CATALOG.replace('.po', '.mo')}:1:1: not a compiled catalog the build can use: {shared}" in result.stderr, result.stderr
    assert "hint: compile it again from its .po file: python3 tools/catalogs.py" in result.stderr
    assert not (project / "_site").exists()


# --- static/ (attack 1) -----------------------------------------------------------------------------


def test_a_stylesheet_that_is_not_utf8_is_located(project: Path) -> None:
    css = project / "static/style.css"
    lines = css.read_bytes().count(b"\n")
    with css.open("ab") as fh:
        fh.write(b"body{}\n/* \xff\xfe bad */\n")
    for command in ("build", "check"):
        result = run_forked(project, command)
        _no_traceback(result)
        assert f"static/style.css:{lines + 2}:4: stylesheet is not valid UTF-8 (byte 0xff)" in result.stderr, result.stderr
        assert "1 error found" in result.stderr  # and no other (pages that name the stylesheet are fine)


# --- schemas/ (attacks 25, 26, 27) and a flood of schema errors (33) -------------------------------


def _set_value_schema(project: Path, value: object) -> None:
    schema = project / "schemas/figures.schema.json"
    body = json.loads(schema.read_text("utf-8"))
    body["properties"]["figures"]["items"]["properties"]["value"] = value
    schema.write_text(json.dumps(body, indent=2), "utf-8")


def test_a_schema_that_refers_to_itself_is_located_at_the_schema(project: Path) -> None:
    _set_value_schema(project, {"$ref": "#/properties/figures/items/properties/value"})
    result = run_forked(project, "check")
    _no_traceback(result)
    assert "schemas/figures.schema.json:1:1: schema cannot be applied: it refers to itself without end" in result.stderr, result.stderr


def test_a_schema_that_refers_to_the_web_is_located_and_nothing_is_fetched(project: Path) -> None:
    _set_value_schema(project, {"$ref": "http://127.0.0.1:9/evil.json"})
    result = run_forked(project, "check")
    _no_traceback(result)
    assert "schemas/figures.schema.json:1:1: schema cannot be applied: " in result.stderr, result.stderr
    assert "Unresolvable: http://127.0.0.1:9/evil.json" in result.stderr


def test_a_schema_keyword_of_the_wrong_type_is_located(project: Path) -> None:
    _set_value_schema(project, {"type": 5})
    result = run_forked(project, "check")
    _no_traceback(result)
    where = "properties/figures/items/properties/value/type"
    assert f"schemas/figures.schema.json:1:1: not a valid JSON Schema at {where}: 5 is not valid" in result.stderr, result.stderr


def test_a_flood_of_wrong_items_stops_being_searched_after_the_shown_errors(project: Path) -> None:
    # before: every item made a jsonschema error and a problem (0.1 ms each: 60 s here, an hour for a 64 MB file)
    (project / "content/figures.yaml").write_text("figures:\n" + "- 1\n" * 200_000, "utf-8")  # (under load.MAX_VALUES)
    result = run_forked(project, "check", timeout=30)  # about 10 s, most of it reading the YAML
    _no_traceback(result)
    assert "content/figures.yaml:2:3: figures[1]: expected a mapping (key: value lines), found a number" in result.stderr, result.stderr
    assert "content/figures.yaml:1:1: more than 99 errors: the rest of the file was not checked" in result.stderr
    assert "more errors in this file are not shown" not in result.stderr


# --- seeds/ (attack 18) -----------------------------------------------------------------------------


def _add_sources(project: Path, count: int, size: int) -> None:
    """``count`` more sources, each with a seed of ``size`` bytes of plain text."""
    entries = []
    for i in range(count):
        name = f"9{i:03d}_extra.txt"
        if size:
            (project / "seeds" / name).write_bytes((b"word " * (size // 5 + 1))[:size])
        entries.append(f"  - id: extra{i}\n    file: {name}\n    label: {{ar: مصدر, en: Source}}\n")
    edit(project / "content/sources.yaml", lambda s: s.replace("sources:\n", "sources:\n" + "".join(entries), 1))


def test_a_seed_over_its_size_limit_is_refused_before_it_is_indexed(project: Path) -> None:
    # before: 60 MB seeds were indexed at ~45 bytes a character (three took 9.6 GB) before their pins failed
    _add_sources(project, 1, 5 * 2**20)
    result = run_forked(project, "check")
    _no_traceback(result)
    assert "seeds/9000_extra.txt:1:1: file is too large (5 MB; at most 4 MB)" in result.stderr, result.stderr


def test_seeds_are_bounded_in_number_and_in_total_size(project: Path) -> None:
    _add_sources(project, 9, 4 * 2**20 - 100)
    result = run_forked(project, "check", timeout=120)
    _no_traceback(result)
    sources = project / "content/sources.yaml"
    assert f"content/sources.yaml:{line_col(sources, '9008_extra.txt')}: the seeds read so far hold more than 32 MB" in result.stderr, (
        result.stderr
    )
    project_two = project.parent / "many"
    shutil.copytree(project, project_two, ignore=shutil.ignore_patterns("9*_extra.txt"))
    edit(project_two / "content/sources.yaml", lambda s: s.replace("file: 9", "file: x9"))
    _add_sources(project_two, 200, 0)
    result = run_forked(project_two, "check")
    _no_traceback(result)
    assert "content/sources.yaml:1:1: more than 200 sources (" in result.stderr, result.stderr


def test_the_quote_index_takes_a_few_bytes_a_character() -> None:
    import tracemalloc

    from explainer.quotes import QuoteIndex

    text = "قالت الحكومة العراقية إن مهمة التحالف تنتهي في أيلول 2025.\n" * 20_000  # 1.2 million characters
    tracemalloc.start()
    index = QuoteIndex(text)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 16 * len(text), peak / len(text)  # before: ~45 bytes a character (a list of ints and one of characters)
    assert index.find("مهمة التحالف تنتهي") is not None


def test_the_preview_reports_a_backtracking_rule_and_stays_stoppable(tmp_path: Path) -> None:
    """Before, the rebuild thread held the interpreter inside the regex engine: the server stopped
    answering, and neither Ctrl+C nor SIGTERM ended the process."""
    from test_serve import Server, _status, wait_until

    project = make_project(tmp_path / "site")
    running = Server(project)
    try:
        wait_until(running.listening, 30, "the preview to listen")
        wait_until(lambda: running.request("/")[0] == 200, 30, "the first build to be served")
        edit(project / "content/events.yaml", lambda s: s.replace(EVENT_TITLE, "title: {ar: الغزو الأمريكي للعراق, en: " + "a" * 60 + "!}"))
        edit(project / "content/style.yaml", lambda s: s.replace('en: ["\\\\bnext year\\\\b"]', 'en: ["^(?:a|aa)+$"]'))
        wait_until(lambda: not (_status(running) or {"ok": True})["ok"], 30, "the status to report the rule")
        messages = [e["message"] for e in _status(running)["errors"]]
        assert any("a repeat without a small upper bound" in m for m in messages), messages
        running.proc.send_signal(signal.SIGTERM)
        assert running.proc.wait(timeout=20) == 143  # before: SIGTERM raised inside a server callback was logged, and ignored
    finally:
        output = running.stop()
    assert "Traceback" not in output and "stopped by SIGTERM" in output, output


def test_the_preview_starts_with_a_rule_that_reads_too_far_refused_not_run(tmp_path: Path) -> None:
    """Review s4, attack 64s: with such a rule in the project, the first build never ended, so the preview never
    listened and a saved fix was never picked up; the rule is refused now, so it never runs."""
    from test_serve import Server, _status, wait_until

    project = make_project(tmp_path / "site")
    _wide_rule(project)
    running = Server(project)
    try:
        wait_until(running.listening, 30, "the preview to listen")
        status = _status(running)
        assert status is not None and not status["ok"], status
        assert any("may look at more than 5,000 characters" in e["message"] for e in status["errors"]), status
    finally:
        output = running.stop()
    assert "Traceback" not in output, output


def test_the_security_page_names_the_limits_on_data() -> None:
    from conftest import REPO

    from explainer import catalogs, checks, style

    doc = (REPO / "docs/security.md").read_text("utf-8")
    assert f"a seed at most\n  {checks.MAX_SEED_BYTES // 2**20} MB" in doc or f"a seed at most {checks.MAX_SEED_BYTES // 2**20} MB" in doc
    assert f"all seeds together {checks.MAX_SEEDS_BYTES // 2**20} MB" in doc and f"at most {checks.MAX_SOURCES} sources" in doc
    assert f"1 to {catalogs.MAX_PLURALS} plural forms" in doc and f"at most {catalogs.MAX_PLURAL_EXPRESSION}\n  characters" in doc
    assert f"{{n,m}}` up to {style.MAX_REPEAT}" in doc and f"at most {style.MAX_RULE_PATHS:,} ways" in doc
    assert f"at most {style.MAX_RULE_WORK:,} characters read from one place" in doc
    assert f"the rules of one language at most {style.MAX_STYLE_WORK:,} such characters together" in doc
    assert f"in one text are listed up to {style.MAX_BREAKS} (each quoting at most {style.MAX_AROUND} letters" in doc
    assert "`schemas/`" in doc.split("## What is code (trusted)")[0].split("is code:")[0]  # schemas are code, said in the summary


# --- language codes and errors nobody expected (review s4, attack 60) --------------------------------


def test_a_language_code_that_climbs_out_is_a_located_error_even_with_a_loosened_schema(project: Path) -> None:
    """The schemas are the project's: with the code's pattern dropped, '../locales/en' reached the hosting
    rules and ended the build in a traceback (ValueError: pages under ../locales/* need different policies)."""
    import re

    schema = project / "schemas/site.schema.json"
    body = json.loads(schema.read_text("utf-8"))
    del body["properties"]["languages"]["items"]["properties"]["code"]["pattern"]
    schema.write_text(json.dumps(body), "utf-8")
    for yaml_file in (project / "content").glob("*.yaml"):
        edit(yaml_file, lambda s: re.sub(r"(?<![\w-])en:", '"../locales/en":', s))
    edit(project / "content/site.yaml", lambda s: s.replace("code: en,", 'code: "../locales/en",'))
    result = run_forked(project, "build")
    _no_traceback(result)
    at = line_col(project / "content/site.yaml", '"../locales/en", locale')
    assert f"content/site.yaml:{at}: language code '../locales/en' cannot be part of an address" in result.stderr, result.stderr
    assert "hint: write a language code such as 'fr', 'ckb' or 'pt-BR'" in result.stderr
    assert not (project / "_site").exists()


def test_an_error_the_generator_did_not_expect_ends_the_command_in_one_line(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from explainer import cli, site

    def broken(*_args: object, **_kwargs: object) -> None:
        raise ValueError("pages under ../* need\ndifferent policies\x1b[2J")

    monkeypatch.chdir(project)
    monkeypatch.setattr(site, "check", broken)
    monkeypatch.delenv(cli.DEBUG_VARIABLE, raising=False)
    assert cli.main(["check"]) == 1
    [line] = capsys.readouterr().err.splitlines()
    assert line == (
        "error: check stopped on an error it did not expect (ValueError: pages under ../* need\\ndifferent policies\\u001b[2J);"
        " this is a bug, please report it (run it again with EXPLAINER_DEBUG=1 to see where it happened)"
    )
    monkeypatch.setenv(cli.DEBUG_VARIABLE, "1")
    with pytest.raises(ValueError, match="need"):  # for developers: the traceback
        cli.main(["check"])
