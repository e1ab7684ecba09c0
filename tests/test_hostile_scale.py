"""Hostile data at scale (review s5, attacks 4–9): inputs small enough for the file limits whose
cost grew faster than their size — quote proofs, "did you mean" hints, the timeline graphic, YAML
lists, seed paragraphs and the preview's watcher. Each test builds a small hostile project and
asserts that the command finishes fast with located errors (or none), never a traceback.
"""

from __future__ import annotations

import time
from pathlib import Path

from conftest import edit, line_col, run_forked

PAD = "x" * 50


def _no_traceback(result: object, code: int = 1) -> None:
    stderr = getattr(result, "stderr", "")
    assert "Traceback" not in stderr, stderr
    assert getattr(result, "returncode", None) == code, stderr


# --- attack 5: "did you mean" over thousands of ids ----------------------------------------------------


def test_hints_for_unknown_sources_stay_fast_with_thousands_of_sources(project: Path) -> None:
    sources = [f"  - {{id: s{i:06d}-{PAD}, file: none.txt, label: {{ar: نص}}}}" for i in range(2000)]
    with open(project / "content/sources.yaml", "a", encoding="utf-8") as f:
        f.write("\n".join(sources) + "\n")
    quote = "وفي عام 2014، أدى صعود تنظيم داعش، وسيطرته السريعة على مساحة واسعة من العراق وسوريا"
    event = ["  - id: unknown-sources", '    date: "2025"', "    status: occurred", "    title: {ar: عنوان}", "    cite:"]
    event += [f'      - {{source: q{i:06d}-{PAD}y, quote: "{quote}"}}' for i in range(90)]
    with open(project / "content/events.yaml", "a", encoding="utf-8") as f:
        f.write("\n".join(event) + "\n")
    started = time.monotonic()
    result = run_forked(project, "check", timeout=60)  # before: 43 s for 90 (difflib over 2,000 ids for each citation)
    _no_traceback(result)
    assert time.monotonic() - started < 25
    events = project / "content/events.yaml"
    first, last = line_col(events, f"q000000-{PAD}y"), line_col(events, f"q000089-{PAD}y")
    assert f"content/events.yaml:{first}: unknown source 'q000000-{PAD}y'" in result.stderr, result.stderr[-3000:]
    assert f"content/events.yaml:{last}: unknown source 'q000089-{PAD}y'" in result.stderr  # every one located
    assert f"did you mean 's000000-{PAD}'?" in result.stderr


def test_a_hint_compares_a_bounded_number_of_names() -> None:
    from explainer.errors import HINT_CANDIDATES, MAX_HINTS, Hints, closest

    assert 10 <= HINT_CANDIDATES <= 200 and 5 <= MAX_HINTS <= 100
    names = [f"s{i:06d}-{PAD}" for i in range(20_000)]
    started = time.monotonic()
    assert closest(f"s000123-{PAD}y", names) is not None
    assert closest("timline", ["events", "timeline", "plan"]) == "timeline"  # a typo still gets its hint
    hints = Hints(names)
    for i in range(1000):
        hints.closest(f"q{i:06d}-{PAD}")
    assert time.monotonic() - started < 5  # before: about 6 s for each unknown id


# --- attack 4: quote proofs cost (citations) × (seed size) ---------------------------------------------

FILLER = ("كككككككككك " * 20).strip() + "\n"
"""A near-periodic seed line: the slowest text for a plain search (review s5, attack 4)."""


def test_many_citations_of_a_large_seed_are_verified_in_linear_time() -> None:
    from explainer.quotes import QuoteIndex

    quote = "كككككككككك كككككككككك كككككككككم"
    names = [f"اسم{i}" for i in range(3000)]
    text = FILLER * 8000 + quote + "\n" + "\n".join(f"قال {name} في بيان رسمي" for name in names) + "\n"  # 1.8 MB
    index = QuoteIndex(text)
    started = time.monotonic()
    for _ in range(20_000):  # before: a whole-text search each, 3 ms: a minute
        found = index.find(quote)
        assert found is not None and index.words(found) == quote
    for name in names:  # distinct quotes, each with a rare word: confirmed where that word is
        found = index.find(f"قال {name} في بيان")
        assert found is not None and index.words(found) == f"قال {name} في بيان"
    assert index.find("كككككككككك اسم1 كككككككككم") is None
    assert time.monotonic() - started < 5


def test_whole_seed_searches_have_a_budget(monkeypatch: object) -> None:
    import pytest

    from explainer import quotes

    assert quotes.FULL_SEARCH_CHARS // (4 << 20) >= 200  # even a seed of the 4 MB limit allows hundreds
    index = quotes.QuoteIndex(FILLER * 100)
    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setattr(quotes, "FULL_SEARCH_CHARS", 29 * len(FILLER) * 100)
    for i in range(29):  # each distinct, absent, and with only common inner words: a whole-text search each
        assert index.find(f"كككككككككك كككككككككك ككم{i}") is None
    assert index.find("كككككككككك كككككككككك ككم0") is None  # (looked up before: no new search)
    with pytest.raises(quotes.TooCostly):
        index.find("كككككككككك كككككككككك ككم99")


def test_a_quote_past_the_search_budget_is_a_located_error(project: Path, monkeypatch: object) -> None:
    import pytest

    from explainer import quotes
    from explainer.errors import BuildError
    from explainer.validate import Project, load_model

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    quotes.QuoteIndex.of.cache_clear()  # (quotes found by an earlier test in this process are remembered)
    monkeypatch.setattr(quotes, "CANDIDATES", 0)  # every quote needs a whole-text search …
    monkeypatch.setattr(quotes, "FULL_SEARCH_CHARS", 0)  # … and none is allowed
    with pytest.raises(BuildError) as caught:
        load_model(Project(project))
    quotes.QuoteIndex.of.cache_clear()
    costly = [p for p in caught.value.problems if "quote not verified" in p.message]
    assert costly and all(p.path.startswith("content/") and p.line > 1 for p in costly), caught.value.report()
    assert "passed the limit of 0 characters read" in costly[0].message
    assert "a word that is rare in the document" in costly[0].hint


# --- attack 6: hundreds of key events for the timeline graphic -------------------------------------------


def test_too_many_key_events_are_refused_at_the_first_past_the_limit(project: Path) -> None:
    from explainer.validate import MAX_KEY_EVENTS

    assert 10 <= MAX_KEY_EVENTS <= 60
    with open(project / "content/events.yaml", encoding="utf-8") as f:
        marked = f.read().count("key: true")
    quote = "غزت الولايات المتحدة العراق في مارس/آذار 2003"
    events = []
    for i in range(400):
        events += [f"  - id: ev{i}", f'    date: "{2003 + i % 20}-{1 + i % 12:02d}"', "    status: occurred", "    key: true"]
        events += [f"    title: {{ar: حدث رقم {i} في بغداد, en: Event {i}}}", "    cite:", f'      - {{source: joint, quote: "{quote}"}}']
    with open(project / "content/events.yaml", "a", encoding="utf-8") as f:
        f.write("\n".join(events) + "\n")
    result = run_forked(project, "build", timeout=60)  # before: the render limit (60 s), blamed on a template's loop
    _no_traceback(result)
    first = f"  - id: ev{MAX_KEY_EVENTS - marked}\n"
    text = (project / "content/events.yaml").read_text("utf-8")
    at = text.index("key: true", text.index(first))
    line, col = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
    message = f"{400 + marked} events are marked 'key: true'; the timeline graphic can name at most {MAX_KEY_EVENTS}"
    message = f"content/events.yaml:{line}:{col}: {message}"
    assert message in result.stderr, result.stderr[-2000:]
    assert "1 error found" in result.stderr and "_timeline_graphic" not in result.stderr
    assert not (project / "_site").exists()


# --- attack 8: a seed of a million one-letter paragraphs ---------------------------------------------------


def test_a_seed_of_too_many_paragraphs_is_refused_at_its_source(project: Path) -> None:
    import hashlib

    from explainer.checks import MAX_SEED_BYTES, MAX_SEED_PARAGRAPHS, MAX_SEEDS_PARAGRAPHS

    assert 1000 <= MAX_SEED_PARAGRAPHS <= MAX_SEEDS_PARAGRAPHS <= 200_000
    assert MAX_SEED_BYTES // MAX_SEED_PARAGRAPHS >= 100  # a seed of the size limit has paragraphs of a line or more
    seed = project / "seeds/003_d62c7aa82ec35e7c.txt"
    old = hashlib.sha256(seed.read_bytes()).hexdigest()
    seed.write_bytes(seed.read_bytes() + b"a\n" * MAX_SEED_PARAGRAPHS)  # before: all published, 50 us and 100 bytes each
    edit(project / "content/sources.yaml", lambda s: s.replace(old, hashlib.sha256(seed.read_bytes()).hexdigest()))
    result = run_forked(project, "build", timeout=60)
    _no_traceback(result)
    at = line_col(project / "content/sources.yaml", "003_d62c7aa82ec35e7c.txt")
    message = f"content/sources.yaml:{at}: seeds/003_d62c7aa82ec35e7c.txt has 10,0"  # (its own 26 and the 10,000 added)
    assert message in result.stderr and "paragraphs (non-empty lines)" in result.stderr, result.stderr[-2000:]
    assert f"a seed may have at most {MAX_SEED_PARAGRAPHS:,}" in result.stderr and "join lines" in result.stderr
    assert not (project / "_site").exists()


# --- attack 7: a YAML list of millions of tiny items ----------------------------------------------------------


def test_a_file_of_too_many_values_is_refused_where_the_limit_is_passed(monkeypatch: object) -> None:
    import pytest

    from explainer import load

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setattr(load, "MAX_VALUES", 100_000)  # (the real limit: see the next test)
    limit, weight = load.MAX_VALUES, load.ITEM_WEIGHT
    text = "events: [" + "0," * (limit // weight + 10) + "0]\n"  # before: 250 bytes of memory per byte (8 MB took 2 GB)
    started = time.monotonic()
    doc, problems = load.load_text(text, "content/events.yaml")
    assert doc is None and len(problems) == 1
    col = len("events: [") + 2 * (limit // weight - 1) + 1  # the first item past the limit (the mapping and list count too)
    assert (problems[0].line, problems[0].col) == (1, col), problems[0]
    assert f"the file holds more than {limit:,} values" in problems[0].message and "split" in problems[0].hint
    nested = "events:\n  - [" + "0," * limit + "0]\n"  # values below an item count one each
    doc, problems = load.load_text(nested, "content/events.yaml")
    assert doc is None and problems[0].line == 2 and "more than" in problems[0].message
    assert time.monotonic() - started < 5


def test_the_value_limit_leaves_the_benchmark_corpus_alone(tmp_path: Path) -> None:
    import sys

    from conftest import REPO

    from explainer.load import ITEM_WEIGHT, MAX_VALUES, load_file

    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import corpus
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    root = corpus.write_ours(tmp_path / "ours", corpus.events(1000))
    doc, problems = load_file(root / "content/events.yaml", "content/events.yaml")
    assert doc is not None and not problems
    size = sum(1 for _ in _values(doc.data)) + (ITEM_WEIGHT - 1) * len(doc.data["events"])
    assert size * 10 * 3 < MAX_VALUES  # room for three times the 10,000-event corpus (180,000 values)
    assert MAX_VALUES * 300 < 2**31  # and at most about 300 bytes of memory each: 300 MB at the limit


def _values(value: object) -> object:
    yield value
    if isinstance(value, dict):
        for v in value.values():
            yield from _values(v)
    elif isinstance(value, list):
        for v in value:
            yield from _values(v)


def test_running_out_of_memory_is_one_line(monkeypatch: object, capsys: object) -> None:
    import pytest

    from explainer import cli

    assert isinstance(monkeypatch, pytest.MonkeyPatch) and isinstance(capsys, pytest.CaptureFixture)

    def exhausted(_argv: list[str]) -> int:
        raise MemoryError

    monkeypatch.setattr(cli, "_run", exhausted)
    assert cli.main(["build"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("error: build ran out of memory: the output folder was left as it was; look for a very large file"), err


# --- attack 9: the preview's watcher and links to large or unreadable trees ---------------------------------


def _inotify_watches(pid: int) -> int:
    """How many inotify watches the process holds (one line per watch in its inotify descriptors' fdinfo)."""
    total = 0
    for fd in Path(f"/proc/{pid}/fdinfo").iterdir():
        try:
            total += sum(1 for line in fd.read_text().splitlines() if line.startswith("inotify wd:"))
        except OSError:
            continue
    return total


def test_the_preview_watches_the_project_s_own_folders_not_a_linked_tree(tmp_path: Path) -> None:
    from conftest import make_project
    from test_serve import Server, wait_until

    from explainer.watcher import MAX_WATCHED_FOLDERS, input_folders

    assert 500 <= MAX_WATCHED_FOLDERS <= 8192  # (8,192: the smallest default watch limit of Linux)
    outside = tmp_path / "outside"
    for i in range(400):
        (outside / f"d{i}" / "sub").mkdir(parents=True)
    project = make_project(tmp_path / "site")
    (project / "static/big").symlink_to(outside)
    assert not [f for f in input_folders([project / "static"]) if "outside" in str(f.resolve())]
    running = Server(project)
    try:
        wait_until(running.listening, 60, "the preview to listen")
        assert running.proc.poll() is None, running.stop()
        wait_until(lambda: b"Preview:" in running.output, 60, "the first build")
        assert _inotify_watches(running.proc.pid) < 200  # before: 800 more, one for each folder of the linked tree
        (project / "static/big").unlink()
        edit(project / "content/events.yaml", lambda s: s + "\n# saved\n")
        wait_until(lambda: running.output.count(b"rebuilt") >= 1, 60, "a save to rebuild")
        (project / "static/fresh").mkdir()  # a folder made while the preview runs is watched too
        wait_until(lambda: running.output.count(b"rebuilt") >= 2, 60, "the new folder to rebuild")
        (project / "static/fresh/note.txt").write_text("saved\n", "utf-8")
        wait_until(lambda: running.output.count(b"rebuilt") >= 3, 60, "a save in the new folder to rebuild")
    finally:
        output = running.stop()
    assert "Traceback" not in output and "Exception in thread" not in output, output


def test_a_failing_watch_falls_back_to_polling_then_says_it_stopped(monkeypatch: object, capsys: object) -> None:
    import pytest
    import watchfiles

    from explainer.watcher import watch_saves

    assert isinstance(monkeypatch, pytest.MonkeyPatch) and isinstance(capsys, pytest.CaptureFixture)
    calls: list[dict[str, object]] = []

    def failing(*_folders: object, **options: object) -> object:
        calls.append(options)
        if len(calls) == 1:  # the system's watch: its limit reached
            raise OSError("OS file watch limit reached")
        yield {(watchfiles.Change.modified, "content/events.yaml")}
        raise PermissionError("Permission denied (os error 13)")

    monkeypatch.setattr(watchfiles, "watch", failing)
    saves: list[bool] = []
    watch_saves([], lambda _change, _path: True, lambda: saves.append(True))  # returns once polling fails too
    assert [c["force_polling"] for c in calls] == [False, True] and all(c["recursive"] is False for c in calls)
    assert saves == [True]
    err = capsys.readouterr().err
    assert "preview: the system's file watch failed (OSError: OS file watch limit reached); checking for saves every" in err
    assert "preview: stopped watching for saves (PermissionError" in err and "Traceback" not in err
