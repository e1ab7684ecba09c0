"""Inputs are read only from inside the project, and every input that cannot be read is a located error.

A repository can hold symbolic links. A link that resolves outside the project (``seeds/x.txt ->
/proc/self/environ``, ``static/leak.txt -> /etc/shadow``, a template linked to ``/etc/passwd`` and
pulled in with ``{% include %}``) would publish whatever file the build can read: each is refused,
at the link, and nothing is written. A file or folder that cannot be read is reported at that input
(never as the output folder, never as a traceback), by ``build`` and ``check`` alike; a missing
input that the site needs (a page kind's template, the map's outlines) is an error, not a thinner site.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import make_project, run_cli, run_forked

from explainer.errors import BuildError
from explainer.project import Project
from explainer.site import build, check

SEED = "seeds/003_d62c7aa82ec35e7c.txt"
"""A seed the mini project cites."""


def link_outside(root: Path, rel: str) -> Path:
    """Move ``rel`` out of the project and leave a symbolic link to it in its place (same bytes, read through the link)."""
    inside = root / rel
    outside = root.parent / "outside" / rel.replace("/", "_")
    outside.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(inside, outside)
    inside.symlink_to(outside)
    return outside


def include(root: Path, name: str) -> None:
    """Make ``templates/home.html`` include ``name``."""
    home = root / "templates/home.html"
    home.write_text(home.read_text("utf-8").replace("{% block main %}", f'{{% block main %}}{{% include "{name}" %}}', 1), "utf-8")


def _template_linked_to_a_system_file(root: Path) -> None:
    (root / "templates/_secret.html").symlink_to("/etc/passwd")
    include(root, "_secret.html")


def _static_file_linked_to_a_system_file(root: Path) -> None:
    (root / "static/leak.txt").symlink_to("/etc/passwd")


def _seed_linked_to_the_environment(root: Path) -> None:
    (root / "seeds/005_leak.txt").symlink_to("/proc/self/environ")
    sources = root / "content/sources.yaml"
    text = sources.read_text("utf-8")
    sources.write_text(text.replace("file: 003_d62c7aa82ec35e7c.txt", "file: 005_leak.txt", 1), "utf-8")


def _templates_subfolder_linked_outside(root: Path) -> None:
    outside = root.parent / "outside-templates"
    outside.mkdir()
    (outside / "part.html").write_text("<p>from outside</p>\n", "utf-8")
    (root / "templates/parts").symlink_to(outside)
    include(root, "parts/part.html")


OUTSIDE: dict[str, tuple[Callable[[Path], object], str]] = {
    "seed": (lambda root: link_outside(root, SEED), SEED),
    "seed-to-proc-environ": (_seed_linked_to_the_environment, "seeds/005_leak.txt"),
    "content-file": (lambda root: link_outside(root, "content/figures.yaml"), "content/figures.yaml"),
    "map-outlines": (lambda root: link_outside(root, "content/geo.json"), "content/geo.json"),
    "stylesheet": (lambda root: link_outside(root, "static/style.css"), "static/style.css"),
    "static-to-etc-passwd": (_static_file_linked_to_a_system_file, "static/leak.txt"),
    "static-folder": (lambda root: link_outside(root, "static"), "static"),
    "template": (lambda root: link_outside(root, "templates/home.html"), "templates/home.html"),
    "included-template-to-etc-passwd": (_template_linked_to_a_system_file, "templates/_secret.html"),
    "included-through-a-linked-folder": (_templates_subfolder_linked_outside, "templates/parts"),
    "catalog": (lambda root: link_outside(root, "locales/en/LC_MESSAGES/messages.mo"), "locales/en/LC_MESSAGES/messages.mo"),
    "schema": (lambda root: link_outside(root, "schemas/events.schema.json"), "schemas/events.schema.json"),
}


@pytest.mark.parametrize("case", list(OUTSIDE))
def test_an_input_that_resolves_outside_the_project_is_refused_where_it_is(tmp_path: Path, case: str) -> None:
    root = make_project(tmp_path / "site")
    setup, where = OUTSIDE[case]
    setup(root)
    runs = [lambda: build(Project(root), root / "_site")]
    if case in ("seed", "template", "static-folder"):  # check reads its inputs as build does: a few suffice
        runs.append(lambda: check(Project(root)))
    for run in runs:
        with pytest.raises(BuildError) as info:
            run()
        hits = [p for p in info.value.problems if p.path == where and "outside the project" in p.message]
        assert hits, info.value.report()
        assert hits[0].hint
    assert not (root / "_site").exists()


def test_links_that_stay_inside_the_project_are_followed(tmp_path: Path) -> None:
    root = make_project(tmp_path / "site")
    (root / "static/alias.css").symlink_to("style.css")
    (root / "templates/_again.html").symlink_to("_head.html")
    build(Project(root), root / "_site")
    alias, style = (next((root / "_site/static").glob(f"{name}.*.css")) for name in ("alias", "style"))  # content-hashed names
    assert alias.read_bytes() == style.read_bytes()


def test_reading_the_inputs_leaves_no_file_open(tmp_path: Path) -> None:
    """The preview reads every input again on each save, in one long-lived process: a descriptor left open for
    each content file (13 a save here) would use up the usual limit of 1,024 in some 75 saves."""
    from explainer.serve import rebuild

    root = make_project(tmp_path / "site")
    assert rebuild(Project(root), root / ".preview")[0]  # what is opened once and kept (fonts, caches) is open now
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(3):
        ok, message = rebuild(Project(root), root / ".preview")
        assert ok, message
        check(Project(root))
    assert len(os.listdir("/proc/self/fd")) == before


def test_nothing_from_outside_reaches_the_site_through_the_cli(tmp_path: Path) -> None:
    root = make_project(tmp_path / "site")
    _static_file_linked_to_a_system_file(root)
    result = run_forked(root, "build")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "static/leak.txt:1:1:" in result.stderr and "outside the project" in result.stderr
    assert not (root / "_site").exists()


# --- inputs that cannot be read -----------------------------------------------------------------------

UNREADABLE: dict[str, tuple[str, ...]] = {
    "files": (
        "templates/home.html",
        "static/style.css",
        "locales/en/LC_MESSAGES/messages.mo",
        "content/geo.json",
        "content/figures.yaml",
        SEED,
    ),
    "schema": ("schemas/events.schema.json",),
    "folders": ("content", "templates", "static", "locales"),
    "seeds-folder": ("seeds",),
}
"""Inputs made unreadable together, in one run each. Some stop others from being read at all (without
its schemas no content file is checked, so no seed is read), and go in runs of their own."""


@pytest.mark.parametrize("case", list(UNREADABLE))
def test_an_input_that_cannot_be_read_is_a_located_error_at_that_input(tmp_path: Path, case: str) -> None:
    root = make_project(tmp_path / "site")
    for rel in UNREADABLE[case]:
        os.chmod(root / rel, 0)
    try:
        for command in ("check", "build"):
            result = run_cli(root, command, unprivileged=True)
            assert result.returncode == 1, (command, result.stdout, result.stderr)
            assert "Traceback" not in result.stderr, result.stderr
            for rel in UNREADABLE[case]:
                what = "folder" if "folder" in case else "file"
                assert f"{rel}:1:1: cannot read {what}: Permission denied" in result.stderr, (rel, result.stderr)
            assert "output folder" not in result.stderr and "--out" not in result.stderr
            assert "UTF-8" not in result.stderr
    finally:
        for rel in UNREADABLE[case]:
            os.chmod(root / rel, 0o755)
    assert not (root / "_site").exists()


def test_a_schema_that_is_not_json_is_located(tmp_path: Path) -> None:
    root = make_project(tmp_path / "site")
    schema = root / "schemas/figures.schema.json"
    schema.write_text(schema.read_text("utf-8").replace('"type": "object"', '"type": "object",,', 1), "utf-8")
    line = schema.read_text("utf-8").split(",,")[0].count("\n") + 1
    result = run_forked(root, "check")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"schemas/figures.schema.json:{line}:" in result.stderr and "not valid JSON" in result.stderr


# --- inputs the site needs ------------------------------------------------------------------------------


def _fifo(root: Path, rel: str) -> None:
    (root / rel).unlink()
    os.mkfifo(root / rel)


def _folder(root: Path, rel: str) -> None:
    (root / rel).unlink()
    (root / rel).mkdir()


MISSING: dict[str, tuple[Callable[[Path], object], str, str]] = {
    "event-template": (lambda root: (root / "templates/event.html").unlink(), "templates/event.html", "template of the event pages"),
    "landing-template": (lambda root: (root / "templates/landing.html").unlink(), "templates/landing.html", "template of the landing page"),
    "templates-folder": (lambda root: shutil.rmtree(root / "templates"), "templates", "folder"),
    "map-outlines": (lambda root: (root / "content/geo.json").unlink(), "content/geo.json", "outlines are missing"),
    "map-outlines-a-folder": (lambda root: _folder(root, "content/geo.json"), "content/geo.json", "it is a folder"),
    "map-outlines-a-fifo": (lambda root: _fifo(root, "content/geo.json"), "content/geo.json", "not a regular file"),
}


@pytest.mark.parametrize("case", list(MISSING))
def test_a_missing_input_the_site_needs_is_an_error_not_a_thinner_site(tmp_path: Path, case: str) -> None:
    root = make_project(tmp_path / "site")
    setup, where, says = MISSING[case]
    setup(root)
    if case.endswith("fifo"):  # through the command, with a deadline: a pipe must not make the build wait for a writer
        result = run_forked(root, "build", timeout=30)
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert any(line.startswith(f"{where}:1:1: ") and says in line for line in result.stderr.splitlines()), result.stderr
    for run in (lambda: build(Project(root), root / "_site"), lambda: check(Project(root))):
        with pytest.raises(BuildError) as info:
            run()
        assert any(p.path == where and p.line == 1 and says in p.message for p in info.value.problems), info.value.report()
    assert not (root / "_site").exists()


def test_a_project_that_declares_its_page_kinds_needs_only_their_templates(tmp_path: Path) -> None:
    root = make_project(tmp_path / "site")
    keep = {"event.html", "timeline.html"}
    for template in (root / "templates").glob("*.html"):
        if template.name not in keep and not template.name.startswith("_"):
            template.unlink()
    (root / "content/geo.json").unlink()  # no page of these kinds draws the map
    site = root / "content/site.yaml"
    site.write_text(site.read_text("utf-8") + "page_kinds: [timeline, event]\n", "utf-8")
    result = run_forked(root, "build")
    assert result.returncode == 0, result.stderr
    pages = sorted(p.relative_to(root / "_site").as_posix() for p in (root / "_site").rglob("index.html"))
    assert pages and all(p.split("/")[1] == "timeline" for p in pages), pages
    (root / "templates/event.html").unlink()
    result = run_forked(root, "build")
    assert result.returncode == 1 and "templates/event.html:1:1: " in result.stderr, result.stderr


def test_an_unknown_page_kind_is_named(tmp_path: Path) -> None:
    root = make_project(tmp_path / "site")
    site = root / "content/site.yaml"
    site.write_text(site.read_text("utf-8") + "page_kinds: [timeline, evnet]\n", "utf-8")
    result = run_forked(root, "check")
    assert result.returncode == 1 and "content/site.yaml:" in result.stderr and "'evnet' is not allowed here" in result.stderr


def test_static_files_and_inputs_have_a_size_limit(tmp_path: Path) -> None:
    """A repository can ship a file of any apparent size (a sparse file takes no disk): refused before it is read."""
    root = make_project(tmp_path / "site")
    with open(root / "static/huge.bin", "wb") as fh:
        fh.truncate(300 * 2**20)
    with open(root / SEED, "r+b") as fh:
        fh.truncate(100 * 2**20)
    with pytest.raises(BuildError) as info:
        build(Project(root), root / "_site")
    found = {p.path: p.message for p in info.value.problems}
    assert "static/ holds more than 256 MB" in found.get("static/huge.bin", ""), info.value.report()
    assert "file is too large (100 MB; at most 4 MB)" in found.get(SEED, ""), info.value.report()  # a seed: 4 MB (validate.MAX_SEED_BYTES)
    assert not (root / "_site").exists()


def test_folders_nested_without_end_are_a_located_error(tmp_path: Path) -> None:
    root = make_project(tmp_path / "site")
    deep = root / "static" / "/".join(["a"] * 40)  # a repository can nest a thousand: the walk stops at the limit
    os.makedirs(deep)
    (deep / "x.css").write_text("p{}", "utf-8")
    with pytest.raises(BuildError) as info:
        build(Project(root), root / "_site")
    assert any(p.path.startswith("static/a/a/") and "nested" in p.message for p in info.value.problems), info.value.report()[:500]


@pytest.mark.parametrize(
    ("link", "to"),
    [("static/g", "../.git"), ("static/cfg.txt", "../.git/config"), ("seeds/005_git.txt", "../.git/config"), ("static/loop", "..")],
)
def test_a_link_to_a_part_of_the_project_that_is_not_an_input_is_refused(tmp_path: Path, link: str, to: str) -> None:
    """Review s2, attack 17: ``static/g -> ../.git`` published the editor's git folder, a token in its config included."""
    root = make_project(tmp_path / "site")
    (root / ".git").mkdir()
    (root / ".git/config").write_text('[remote "origin"]\n\turl = https://x-access-token:SECRET-TOKEN@github.com/o/r.git\n', "utf-8")
    (root / link).symlink_to(to)
    if link.startswith("seeds/"):
        sources = root / "content/sources.yaml"
        sources.write_text(sources.read_text("utf-8").replace("file: 003_d62c7aa82ec35e7c.txt", "file: 005_git.txt", 1), "utf-8")
    result = run_forked(root, "build")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert f"{link}:1:1:" in result.stderr and "outside the project's input folders" in result.stderr, result.stderr
    assert not (root / "_site").exists()
    assert "SECRET-TOKEN" not in result.stderr


def test_a_link_from_one_input_folder_into_another_is_followed(tmp_path: Path) -> None:
    root = make_project(tmp_path / "site")
    (root / "static/site-data.yaml").symlink_to("../content/site.yaml")
    build(Project(root), root / "_site")
    (copied,) = (root / "_site/static").glob("site-data*.yaml")
    assert copied.read_bytes() == (root / "content/site.yaml").read_bytes()


def test_a_file_name_that_is_not_utf8_is_a_located_error_not_a_traceback(tmp_path: Path) -> None:
    """Review s3, attack 50b: a folder in static/ named with bytes that are not UTF-8."""
    root = make_project(tmp_path / "site")
    odd = os.path.join(os.fsencode(root / "static"), b"\xff\xfe")
    os.mkdir(odd)
    with open(os.path.join(odd, b"x.txt"), "wb") as fh:
        fh.write(b"x")
    result = run_forked(root, "build", "--out", str(tmp_path / "out"))
    assert result.returncode == 1 and "static:1:1: a file name that is not printable UTF-8" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


@pytest.mark.parametrize("rel", ["content/glossary.yaml", "schemas/events.schema.json"])
def test_a_link_put_in_a_checked_file_s_place_before_it_is_opened_is_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rel: str
) -> None:
    """A file is resolved, checked to be inside the project, then opened: a link swapped in between (a second
    process racing the build) is not followed. The race is played here by a resolution that misses the link."""
    import explainer.project

    root = make_project(tmp_path / "site")
    outside = link_outside(root, rel)
    real_path = os.path.realpath
    monkeypatch.setattr(explainer.project.os.path, "realpath", lambda p, **kw: str(p) if str(p).endswith(rel) else real_path(p, **kw))
    with pytest.raises(BuildError) as raised:
        build(Project(root), root / "_site")
    assert rel in raised.value.report() and "became a symbolic link" in raised.value.report()
    assert not (root / "_site").exists()
    assert outside.exists()


def test_a_file_swapped_for_a_link_once_it_is_open_is_read_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A content file is read from the descriptor its check opened: swapping it for a link afterwards changes nothing."""
    import explainer.project

    root = make_project(tmp_path / "site")
    rel = "content/glossary.yaml"
    secret = tmp_path / "secret.yaml"
    secret.write_bytes((root / rel).read_bytes().replace(b"Matthew Miller}", b"Matthew Miller SECRETLEAK}", 1))
    assert b"SECRETLEAK" in secret.read_bytes()
    opened = explainer.project.Project._open

    def racing(self: Project, path: Path, **kw: object) -> int:
        fd = opened(self, path, **kw)  # type: ignore[arg-type]
        if str(path).endswith(rel) and not os.path.islink(path):
            os.replace(path, tmp_path / "original.yaml")
            os.symlink(secret, path)
        return fd

    monkeypatch.setattr(explainer.project.Project, "_open", racing)
    build(Project(root), root / "_site")
    pages = list((root / "_site").rglob("*.html"))
    assert pages and not [p for p in pages if b"SECRETLEAK" in p.read_bytes()]


def test_a_folder_on_the_way_that_became_a_link_out_is_refused_after_opening(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The descriptor opened must lead inside the input folders: a folder swapped for a link out of the project between
    the check and the opening is caught there. The race is played by a resolution that misses the link."""
    import explainer.project

    root = make_project(tmp_path / "site")
    outside = tmp_path / "elsewhere"
    shutil.copytree(root / "content", outside)
    shutil.rmtree(root / "content")
    (root / "content").symlink_to(outside)
    real_path = os.path.realpath
    content = str(root / "content")
    monkeypatch.setattr(explainer.project.os.path, "realpath", lambda p, **kw: str(p) if str(p).startswith(content) else real_path(p, **kw))
    with pytest.raises(BuildError) as raised:
        build(Project(root), root / "_site")
    assert "content/" in raised.value.report() and "outside the project" in raised.value.report()
    assert not (root / "_site").exists()


def test_a_folder_named_like_a_schema_is_an_error_at_that_name(tmp_path: Path) -> None:
    root = make_project(tmp_path / "site")
    schema = root / "schemas/events.schema.json"
    schema.unlink()
    schema.mkdir()
    with pytest.raises(BuildError) as raised:
        check(Project(root))
    assert "schemas/events.schema.json:1:1: cannot read file: it is a folder" in raised.value.report()


@pytest.mark.parametrize(("error", "builds"), [(FileNotFoundError, True), (OSError(36, "File name too long"), False)])
def test_an_opened_file_the_system_cannot_name_is_refused_unless_it_names_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: object, builds: bool
) -> None:
    """Where there is no /proc the path resolved before opening is all there is; a file /proc cannot name (a path
    over 4,096 bytes, where a folder on the way may have led) is refused."""
    import explainer.project

    root = make_project(tmp_path / "site")

    def readlink(path: str) -> str:
        raise error  # type: ignore[misc]

    monkeypatch.setattr(explainer.project.os, "readlink", readlink)
    if builds:
        build(Project(root), root / "_site")
        assert (root / "_site/en/index.html").is_file()
    else:
        with pytest.raises(BuildError) as raised:
            build(Project(root), root / "_site")
        assert "outside the project" in raised.value.report()


def test_a_link_that_loops_says_so(tmp_path: Path) -> None:
    root = make_project(tmp_path / "site")
    (root / "static/loop.css").symlink_to("loop.css")
    with pytest.raises(BuildError) as raised:
        check(Project(root))
    assert "static/loop.css" in raised.value.report() and "go round in a loop" in raised.value.report()
