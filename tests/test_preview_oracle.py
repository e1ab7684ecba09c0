"""The live preview is a full build, whatever it keeps between saves: after each of a random series of
edits (content, templates, UI catalogs, static files, schemas), the preview's folder, rebuilt in this process as
the server rebuilds it (with its memo: only what changed is made again, and two open pages first, see
explainer/incremental.py),
holds exactly the bytes a fresh process builds from scratch (Lektor's oracle). Each fresh build is a
fork of a process that has imported the generator and never built anything itself."""

from __future__ import annotations

import json
import os
import random
import re
import select
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from conftest import REPO, edit, examples, snapshot
from hypothesis import given, settings
from hypothesis import strategies as st

from explainer.catalogs import compile_po, mo_path, po_path
from explainer.incremental import _ITEM, Memo, _parts
from explainer.project import Project
from explainer.serve import rebuild

FRESH = """
import os, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from explainer.project import Project
from explainer.serve import rebuild

for line in sys.stdin:  # an output folder a line, each built from scratch by a fork of this process (which builds nothing)
    pid = os.fork()
    if pid == 0:
        os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # this process's standard output answers the test
        ok, _message = rebuild(Project(Path.cwd()), Path(line.rstrip("\\n")))
        os._exit(0 if ok else 1)
    print(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), flush=True)
"""


@pytest.fixture
def fresh_preview(project: Path) -> Iterator[Callable[[Path], dict[str, bytes]]]:
    """The preview built from scratch into a folder, by a process with no memory of any earlier build (no memo, no
    cache): a fork of a new Python that has imported the generator, so that each build does not import it again."""
    server = subprocess.Popen(
        [sys.executable, "-c", FRESH, str(REPO)], cwd=project, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert server.stdin is not None and server.stdout is not None

    def fresh(out: Path) -> dict[str, bytes]:
        server.stdin.write(f"{out}\n")
        server.stdin.flush()
        assert select.select([server.stdout], [], [], 120)[0], "a fresh build took over 120 s"
        assert server.stdout.readline() == "0\n", f"the fresh build into {out} failed"
        return snapshot(out)

    try:
        yield fresh
    finally:
        server.stdin.close()
        server.wait(timeout=30)


def recompile(project: Path, code: str) -> None:
    po = po_path(Project(project), code)
    compiled, _ids, problems = compile_po(po.read_bytes(), str(po), code)
    assert compiled is not None, problems
    mo_path(Project(project), code).write_bytes(compiled)


Edit = Callable[[Path, random.Random, Memo], str]


def event_title(project: Path, rng: random.Random, memo: Memo) -> str:
    word = rng.choice(["مراجعة", "تحديث", "تعديل"])
    edit(
        project / "content/events.yaml",
        lambda s: s.replace("title: {ar: الغزو الأمريكي للعراق", f"title: {{ar: الغزو الأمريكي للعراق {word}", 1),
    )
    return f"the title of an event ({word})"


def new_event(project: Path, rng: random.Random, memo: Memo) -> str:
    ident = f"added-{rng.randrange(10**6)}"
    event = (
        f'  - id: {ident}\n    date: "2024-0{rng.randrange(1, 9)}"\n    status: occurred\n'
        f"    title: {{ar: حدث جديد, en: A new event}}\n"
        '    cite:\n      - {source: joint, quote: "غزت الولايات المتحدة العراق في مارس/آذار 2003", en: "The United States invaded Iraq"}\n'
    )
    edit(project / "content/events.yaml", lambda s: s.rstrip("\n") + "\n" + event)
    return f"an event added ({ident})"


def removed_event(project: Path, rng: random.Random, memo: Memo) -> str:
    text = (project / "content/events.yaml").read_text("utf-8")
    head, _, rest = text.partition("  - id: added-")
    if not rest:
        return new_event(project, rng, memo)
    rest = rest.split("\n  - id: ", 1)
    (project / "content/events.yaml").write_text(head + ("  - id: " + rest[1] if len(rest) > 1 else ""), "utf-8")
    return "an added event removed"


def toggled(project: Path, ident: str, line: str) -> bool:
    """``line`` added to the event ``ident`` of events.yaml (True), or taken out again if it is there (False)."""
    file = project / "content/events.yaml"
    text = file.read_text("utf-8")
    if line in text:
        file.write_text(text.replace(line, ""), "utf-8")
        return False
    file.write_text(text.replace(f"  - id: {ident}\n", f"  - id: {ident}\n{line}", 1), "utf-8")
    return True


def draft_and_back(project: Path, rng: random.Random, memo: Memo) -> str:
    return "an event made a draft" if toggled(project, "invasion", "    draft: true\n") else "a draft published"


def prose_page(project: Path, rng: random.Random, memo: Memo) -> str:
    page = f"  note-{rng.randrange(100)}:\n    menu: footer\n    title: {{ar: ملاحظة, en: A note}}\n    body: {{ar: نص, en: Text}}\n"
    edit(project / "content/pages.yaml", lambda s: s.rstrip("\n") + "\n" + page)
    return "a prose page added"


def template(project: Path, rng: random.Random, memo: Memo) -> str:
    edit(
        project / "templates/timeline.html",
        lambda s: s.replace("{% block main %}", "{% block main %}<!-- " + str(rng.random()) + " -->", 1),
    )
    return "the timeline's template"


def catalog(project: Path, rng: random.Random, memo: Memo) -> str:
    word = rng.choice(["الخط", "التسلسل", "المسار"])
    edit(po_path(Project(project), "ar"), lambda s: s.replace('msgstr "انتقل إلى المحتوى"', f'msgstr "انتقل إلى المحتوى {word}"', 1))
    recompile(project, "ar")
    return f"an Arabic UI string ({word})"


def stylesheet(project: Path, rng: random.Random, memo: Memo) -> str:
    edit(project / "static/style.css", lambda s: s + f"\n/* {rng.random()} */\n")
    return "the stylesheet (a new hashed name)"


def static_file(project: Path, rng: random.Random, memo: Memo) -> str:
    extra = project / "static/extra.txt"
    if extra.exists():
        extra.unlink()
        return "a static file removed"
    extra.write_text(f"{rng.random()}\n", "utf-8")
    return "a static file added"


def broken_then(project: Path, rng: random.Random, memo: Memo) -> str:
    """A save with an error (the preview keeps the last good site), then another edit that mends nothing else."""
    file = project / "content/figures.yaml"
    text = file.read_text("utf-8")
    file.write_text(text.replace("value: 2500", "value: many"), "utf-8")
    ok, _message = rebuild(Project(project), project / ".preview", memo=memo)
    assert not ok
    file.write_text(text, "utf-8")
    return "an error, then mended"


def house_rule_then(project: Path, rng: random.Random, memo: Memo) -> str:
    """A house rule that the site's own description breaks (its texts, checked before, are checked again), then taken out."""
    file = project / "content/style.yaml"
    text = file.read_text("utf-8")
    rule = '    - avoid: "\\\\bshort\\\\b"\n      prefer: "brief"\n'
    file.write_text(text.replace("  en:\n    - avoid:", "  en:\n" + rule + "    - avoid:", 1), "utf-8")
    ok, message = rebuild(Project(project), project / ".preview", memo=memo)
    assert not ok and "content/site.yaml" in message and "brief" in message, message
    file.write_text(text, "utf-8")
    return "a house rule the site's description breaks, then taken out"


def schema_then(project: Path, rng: random.Random, memo: Memo) -> str:
    """A schema that the unchanged site settings fail (they passed before: checked again), then one that is not JSON, then restored."""
    file = project / "schemas/site.schema.json"
    text = file.read_text("utf-8")
    schema = json.loads(text)
    file.write_text(json.dumps(schema | {"required": [*schema["required"], "publisher"]}), "utf-8")
    ok, message = rebuild(Project(project), project / ".preview", memo=memo)
    assert not ok and "content/site.yaml" in message and "publisher" in message, message
    file.write_text("{" + text, "utf-8")
    ok, message = rebuild(Project(project), project / ".preview", memo=memo)
    assert not ok and "schemas/site.schema.json" in message and "not valid JSON" in message, message
    file.write_text(text, "utf-8")
    return "a schema the site settings fail, then one that is not JSON, then restored"


def emptied_then(project: Path, rng: random.Random, memo: Memo) -> str:
    """A long file saved in two steps: emptied (a save the preview sees on its own), then written with an edit."""
    file = project / "content/events.yaml"
    text = file.read_text("utf-8")
    file.write_text("", "utf-8")
    ok, _message = rebuild(Project(project), project / ".preview", memo=memo)
    assert not ok
    file.write_text(text, "utf-8")
    return event_title(project, rng, memo) + ", saved in two steps"


def alias(project: Path, rng: random.Random, memo: Memo) -> str:
    """An event's former id (its redirect page is written, and removed with the alias)."""
    return "an alias added" if toggled(project, "first-round", "    aliases: [first-talks]\n") else "an alias removed"


def number_retyped(project: Path, rng: random.Random, memo: Memo) -> str:
    """A figure written 2500.0: equal to 2500 in Python, printed otherwise."""
    file = project / "content/figures.yaml"
    text = file.read_text("utf-8")
    file.write_text(
        text.replace("value: 2500\n", "value: 2500.0\n") if "value: 2500\n" in text else text.replace("value: 2500.0\n", "value: 2500\n"),
        "utf-8",
    )
    return "a figure's number written another way"


def lone_cr(project: Path, rng: random.Random, memo: Memo) -> str:
    """A comment holding a lone carriage return above a draft: YAML counts it as a line break, so the
    draft's place (shown in the preview's status) is a line further down."""
    file = project / "content/events.yaml"
    text = file.read_text("utf-8")
    mark, draft = "    # note\r    # more\n", "  - id: phase-one-deadline\n    draft: true\n"
    if mark in text:
        file.write_text(text.replace(mark, "").replace(draft, "  - id: phase-one-deadline\n"), "utf-8")
        return "a lone carriage return removed"
    text = text.replace("  - id: phase-one-deadline\n", draft, 1)
    file.write_text(text.replace("  - id: invasion\n", "  - id: invasion\n" + mark, 1), "utf-8")
    return "a lone carriage return in a comment above a draft"


EDITS: tuple[Edit, ...] = (
    alias,
    number_retyped,
    lone_cr,
    event_title,
    new_event,
    removed_event,
    draft_and_back,
    prose_page,
    template,
    catalog,
    stylesheet,
    static_file,
    broken_then,
    house_rule_then,
    schema_then,
    emptied_then,
)


def test_after_every_edit_the_preview_is_a_build_from_scratch(
    project: Path, tmp_path: Path, fresh_preview: Callable[[Path], dict[str, bytes]]
) -> None:
    rng = random.Random(17)
    preview = project / ".preview"
    memo = Memo()
    for _start in range(2):  # the build the preview starts with, and a save that changes nothing
        ok, message = rebuild(Project(project), preview, memo=memo)
        assert ok, message
    done = []
    opened = ["ar/timeline/index.html", "en/index.html"]  # made and shown first, before what else changed is known
    for step in range(len(EDITS) + 2):
        change = EDITS[step] if step < len(EDITS) else rng.choice(EDITS)  # every kind of edit once, then at random
        done.append(change(project, rng, memo))
        shown: list[bool] = []
        ok, message = rebuild(Project(project), preview, first=opened, shown=lambda shown=shown: shown.append(True), memo=memo)
        assert ok, f"after {done}: {message}"
        assert shown, f"after {done}: the open pages were not shown"
        if change in (event_title, emptied_then):  # the incremental path: only the pages that show the event are made again
            assert re.fullmatch(r"rebuilt \d+ pages of \d+ in \d+ ms", message), message
        ours, fresh = snapshot(preview), fresh_preview(tmp_path / f"fresh{step}")
        differ = sorted(path for path in ours.keys() | fresh.keys() if ours.get(path) != fresh.get(path))
        assert differ == [], f"after {', then '.join(done)}: the preview differs from a fresh build in {differ[:10]}"


_PIECES = st.lists(st.sampled_from(["a", "b", "\n", " ", "-", "  - ", "\n  - ", "\n  -"]), max_size=14).map("".join)


@settings(max_examples=examples(400), deadline=None)
@given(_PIECES, _PIECES, st.integers(0, 40), st.integers(0, 40), st.integers(0, 3))
def test_a_list_file_is_split_into_the_same_items_when_its_last_items_are_reused(
    before: str, insert: str, at: int, cut: int, start: int
) -> None:
    """The preview splits a list file into its items reusing the texts of the last split: whatever
    those were and however the file changed, it gets exactly what splitting the whole file gives."""
    old = before.encode()
    raw = old[:at] + insert.encode() + old[at + cut :]
    reused = _parts(raw, start, old[start:].split(_ITEM))
    assert reused == raw[start:].split(_ITEM)


@pytest.mark.parametrize("kind", ["pipe", "link out"])
def test_a_schema_made_a_pipe_or_a_link_out_is_refused_before_the_open_pages_are_shown(project: Path, tmp_path: Path, kind: str) -> None:
    """A save with pages open: the content is checked by its schemas, which are read by the project's rules first
    (a pipe once hung the preview; a link out of the project was read and the page shown)."""
    memo, out = Memo(), project / ".preview"
    assert rebuild(Project(project), out, memo=memo)[0]
    event_title(project, random.Random(3), memo)
    schema = project / "schemas/events.schema.json"
    schema.unlink()
    if kind == "pipe":
        os.mkfifo(schema)
    else:
        (tmp_path / "outside.schema.json").write_text("{}", "utf-8")
        schema.symlink_to(tmp_path / "outside.schema.json")
    shown: list[bool] = []
    result: list[tuple[bool, str]] = []
    build = threading.Thread(
        target=lambda: result.append(rebuild(Project(project), out, first=["en/index.html"], shown=lambda: shown.append(True), memo=memo))
    )
    build.start()
    build.join(60)
    if build.is_alive() and kind == "pipe":  # let it go before failing
        os.close(os.open(schema, os.O_WRONLY | os.O_NONBLOCK))
    assert not build.is_alive(), "the rebuild hung"
    ok, message = result[0]
    assert not ok and "schemas/events.schema.json" in message, message
    assert shown == []


def test_a_schema_rewritten_in_place_with_the_same_size_and_time_is_applied(project: Path) -> None:
    """The preview keeps what it knows of the schemas by their bytes, not by their size and time (a file system
    whose times count whole seconds gives an edit within a second the same time)."""
    memo, out = Memo(), project / ".preview"
    assert rebuild(Project(project), out, memo=memo)[0]
    schema = project / "schemas/site.schema.json"
    before = schema.stat()
    text = schema.read_text("utf-8")
    assert '"title",' in text
    schema.write_text(text.replace('"title",', '"tXtle",', 1), "utf-8")  # required: a field the site settings lack
    os.utime(schema, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert schema.stat().st_size == before.st_size and schema.stat().st_ino == before.st_ino
    ok, message = rebuild(Project(project), out, first=["en/index.html"], shown=lambda: None, memo=memo)
    assert not ok and "content/site.yaml" in message and "tXtle" in message, message


def test_the_content_is_checked_by_the_schemas_read_whatever_the_fingerprints_say(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview keeps what passed the schemas by the bytes of the schemas it read, not by their fingerprint
    (taken by another walk, at another moment: a save may land in between)."""
    import explainer.incremental

    memo, out = Memo(), project / ".preview"
    assert rebuild(Project(project), out, memo=memo)[0]
    monkeypatch.setattr(explainer.incremental, "fingerprints", lambda project: dict(memo.inputs))  # taken before the save
    schema = project / "schemas/site.schema.json"
    data = json.loads(schema.read_text("utf-8"))
    schema.write_text(json.dumps(data | {"required": [*data["required"], "publisher"]}), "utf-8")
    shown: list[bool] = []
    ok, message = rebuild(Project(project), out, first=["en/index.html"], shown=lambda: shown.append(True), memo=memo)
    assert not ok and "content/site.yaml" in message and "publisher" in message, message
    assert shown == []


def test_a_schema_whose_name_the_build_cannot_show_is_an_error_not_read(project: Path) -> None:
    odd = project / "schemas/ev\u00a0.schema.json"
    odd.write_bytes((project / "schemas/events.schema.json").read_bytes())
    ok, message = rebuild(Project(project), project / ".preview", memo=Memo())
    assert not ok and "not printable" in message and "ev\\xa0.schema.json" in message, message
