"""The output folder: a build deletes nothing it did not write, and the folder always holds a whole site.

A previous build is recognised by the manifest that only a build writes (``.explainer-build.json``,
every file it wrote), never by a file name that other tools use (``sitemap.xml``, ``__preview/``). A
rebuild removes only what the manifest lists; anything else in the folder is kept. The new site is
made beside the folder and exchanged with it in one step, so at every instant the folder holds the
old site or the new one; what an interrupted build leaves beside it is removed by the next build.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import BUILD, make_project, run_forked, snapshot

from explainer.errors import BuildError
from explainer.project import Project
from explainer.site import build
from explainer.write import MANIFEST, write_into


def manifest(out: Path) -> set[str]:
    return set(json.loads((out / MANIFEST).read_text("utf-8"))["files"])


def site_files(out: Path) -> set[str]:
    return {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() or p.is_symlink()} - {MANIFEST}


@pytest.mark.parametrize("marker", ["sitemap.xml", "__preview/"])
def test_a_folder_with_a_file_name_a_build_uses_is_not_a_previous_build(tmp_path: Path, marker: str) -> None:
    """``mkdir d; touch d/sitemap.xml; echo x > d/thesis.docx; build --out d`` deleted the thesis."""
    root = make_project(tmp_path / "site")
    folder = tmp_path / "d"
    folder.mkdir()
    if marker.endswith("/"):
        (folder / marker).mkdir()
    else:
        (folder / marker).touch()
    (folder / "thesis.docx").write_text("x", "utf-8")
    before = snapshot(folder)
    result = run_forked(root, "build", "--out", str(folder))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "is not empty and holds no previous build" in result.stderr
    assert snapshot(folder) == before and (folder / marker).exists()


def test_a_build_writes_its_manifest_and_a_rebuild_removes_only_what_it_wrote(tmp_path: Path) -> None:
    root = make_project(tmp_path / "site")
    out = root / "_site"
    build(Project(root), out)
    assert manifest(out) == site_files(out) and "index.html" in manifest(out)
    # the editor's own files in the output folder: kept by every rebuild, never published by the build itself
    (out / "CNAME").write_text("example.org\n", "utf-8")
    (out / ".git").mkdir()
    (out / ".git/HEAD").write_text("ref: refs/heads/gh-pages\n", "utf-8")
    (out / "en/notes.txt").write_text("mine", "utf-8")
    # a page the next build no longer makes: removed, because the previous build wrote it
    (root / "templates/updates.html").unlink()
    site = root / "content/site.yaml"
    kinds = "landing, 404, home, timeline, plan, people, questions, differences, sources, source, event"
    site.write_text(site.read_text("utf-8") + f"page_kinds: [{kinds}]\n", "utf-8")
    build(Project(root), out)
    assert (out / "CNAME").read_text("utf-8") == "example.org\n"
    assert (out / ".git/HEAD").is_file() and (out / "en/notes.txt").read_text("utf-8") == "mine"
    assert not (out / "en/updates").exists() and not (out / "ar/updates").exists()
    assert "CNAME" not in manifest(out) and manifest(out) == site_files(out) - {"CNAME", ".git/HEAD", "en/notes.txt"}
    assert [p.name for p in root.iterdir() if p.name.startswith(".")] == []  # nothing left beside it


def test_a_file_of_the_editor_where_the_build_would_write_is_refused_and_kept(tmp_path: Path) -> None:
    root = make_project(tmp_path / "site")
    out = root / "_site"
    build(Project(root), out)
    site = root / "content/site.yaml"
    kinds = "landing, home, timeline, plan, people, questions, differences, sources, updates, source, event"
    site.write_text(site.read_text("utf-8") + f"page_kinds: [{kinds}]\n", "utf-8")
    build(Project(root), out)  # without the 404 page
    (out / "404.html").write_text("my own 404 page", "utf-8")
    site.write_text(site.read_text("utf-8").replace("page_kinds: [landing,", "page_kinds: [404, landing,"), "utf-8")
    before = snapshot(out)
    with pytest.raises(BuildError) as info:
        build(Project(root), out)
    assert "404.html" in info.value.report() and "did not write" in info.value.report()
    assert snapshot(out) == before
    assert [p.name for p in root.iterdir() if p.name.startswith(".")] == []


def test_a_forged_manifest_cannot_lead_a_build_to_delete_through_a_link(tmp_path: Path) -> None:
    """A repository can ship an output folder with a manifest listing files behind a link it also ships."""
    root = make_project(tmp_path / "site")
    victim = tmp_path / "documents"
    victim.mkdir()
    (victim / "letter.txt").write_text("keep me", "utf-8")
    out = root / "_site"
    out.mkdir()
    (out / "docs").symlink_to(victim)
    for files in (["docs/letter.txt"], ["../documents/letter.txt"]):
        (out / MANIFEST).write_text(json.dumps({"generator": "explainer", "files": files}), "utf-8")
        with contextlib.suppress(BuildError):  # a manifest with a path out of the folder is no manifest
            build(Project(root), out)
        assert (victim / "letter.txt").read_text("utf-8") == "keep me"


def test_the_output_folder_may_not_be_a_symbolic_link(tmp_path: Path) -> None:
    root = make_project(tmp_path / "site")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (root / "_site").symlink_to(elsewhere)
    result = run_forked(root, "build")
    assert result.returncode == 1 and "symbolic link" in result.stderr, result.stderr
    assert list(elsewhere.iterdir()) == []


def test_an_output_path_too_long_for_the_system_is_a_clear_error(tmp_path: Path) -> None:
    root = make_project(tmp_path / "site")
    result = run_forked(root, "build", "--out", "o" * 300)
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "File name too long" in result.stderr and "--out" in result.stderr


def test_the_success_message_shows_the_output_folder_escaped(tmp_path: Path) -> None:
    root = make_project(tmp_path / "site")
    result = run_forked(root, "build", "--out", "out\x1b[31mred")
    assert result.returncode == 0, result.stderr
    assert "\x1b" not in result.stdout and "out\\u001b[31mred" in result.stdout


def _whole(out: Path, reference: dict[str, bytes]) -> None:
    """``out`` holds exactly one whole site: the manifest lists every file, and every file is the reference's
    (besides the editor's CNAME)."""
    files = {k: v for k, v in snapshot(out).items() if k != "CNAME"}
    assert set(files) - {MANIFEST} == manifest(out)
    assert {k: v for k, v in files.items() if k != MANIFEST} == reference


def test_killed_builds_leave_a_whole_site_and_their_leftovers_go_with_the_next_build(tmp_path: Path) -> None:
    root = make_project(tmp_path / "site")
    out = root / "_site"
    build(Project(root), tmp_path / "reference")
    reference = {k: v for k, v in snapshot(tmp_path / "reference").items() if k != MANIFEST}
    rng = random.Random(15)
    started = time.monotonic()
    result = run_forked(root, "build")
    assert result.returncode == 0
    duration = time.monotonic() - started
    (out / "CNAME").write_text("example.org\n", "utf-8")  # the editor's: no kill may lose it
    for _ in range(5):  # kills at random moments of a build, each over the last whole site
        proc = subprocess.Popen([*BUILD, "build"], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.1, duration))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        _whole(out, reference)
    assert run_forked(root, "build").returncode == 0
    _whole(out, reference)
    assert (out / "CNAME").read_text("utf-8") == "example.org\n"
    assert [p.name for p in root.iterdir() if p.name.startswith(".")] == []


def test_leftovers_of_a_killed_build_beside_the_folder_are_removed_but_not_other_folders(tmp_path: Path) -> None:
    root = make_project(tmp_path / "site")
    out = root / "_site"
    build(Project(root), out)
    # what a build killed while writing leaves: a staging folder with the build's mark in it
    staging = root / "._site.new-killed"
    staging.mkdir()
    (staging / ".explainer-staging").touch()
    (staging / "index.html").write_text("half", "utf-8")
    # a folder of the editor's that happens to have a similar name, without the mark: kept
    mine = root / "._site.new-mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine", "utf-8")
    build(Project(root), out)
    assert not staging.exists() and (mine / "notes.txt").read_text("utf-8") == "mine"


def test_an_output_folder_that_is_a_mount_point_is_refused_with_what_to_do(tmp_path: Path) -> None:
    """A build exchanges its folder for a new one, which a mount point cannot be (a bind mount, a container's volume)."""
    root = make_project(tmp_path / "site")
    (tmp_path / "volume").mkdir()
    mounted = tmp_path / "mounted"
    mounted.mkdir()
    if subprocess.run(["mount", "--bind", str(tmp_path / "volume"), str(mounted)], capture_output=True).returncode != 0:
        pytest.skip("cannot make a bind mount here")
    try:
        result = run_forked(root, "build", "--out", str(mounted))
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert "is a mount point" in result.stderr and f"--out {mounted}/" in result.stderr, result.stderr
        assert run_forked(root, "build", "--out", str(mounted / "site")).returncode == 0  # what the hint says works
        assert (tmp_path / "volume/site/index.html").is_file()
    finally:
        subprocess.run(["umount", str(mounted)], capture_output=True)


def test_a_link_in_the_output_folder_is_never_taken_into_the_new_site(tmp_path: Path) -> None:
    """A deploy tool that follows links would publish what it points to: a repository can ship one in _site/."""
    root = make_project(tmp_path / "site")
    out = root / "_site"
    build(Project(root), out)
    (out / "leak").symlink_to("/etc/passwd")
    (out / "assets").mkdir()
    (out / "assets/key").symlink_to(tmp_path)
    before = snapshot(out)
    with pytest.raises(BuildError) as info:
        build(Project(root), out)
    assert "symbolic link" in info.value.report() and "leak" in info.value.report()
    assert snapshot(out) == before and os.readlink(out / "leak") == "/etc/passwd"  # left where it is
    assert [p.name for p in root.iterdir() if p.name.startswith(".")] == []


def test_a_shipped_leftover_holding_a_link_is_never_put_back(tmp_path: Path) -> None:
    """Review s2, attack 19: a repository shipped ``._site.old-x/`` (a manifest and a link to a folder of the
    editor's); with no ``_site`` the build put it back in place as the last whole site, after its checks."""
    root = make_project(tmp_path / "site")
    victim = tmp_path / "documents"
    victim.mkdir()
    (victim / "letter.txt").write_text("keep me", "utf-8")
    leftover = root / "._site.old-x"
    leftover.mkdir()
    (leftover / "docs").symlink_to(victim)
    (leftover / MANIFEST).write_text(json.dumps({"generator": "explainer", "files": ["docs/letter.txt"]}), "utf-8")
    result = run_forked(root, "build")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert result.stderr.count("not put back") == 1 and "._site.old-x" in result.stderr, result.stderr
    out = root / "_site"
    assert not (out / "docs").exists() and not [p for p in out.rglob("*") if p.is_symlink()]
    assert (victim / "letter.txt").read_text("utf-8") == "keep me" and (leftover / "docs").is_symlink()


def test_an_output_path_through_a_link_in_the_project_is_refused(tmp_path: Path) -> None:
    """Review s2, attack 20: the repository ships ``public -> elsewhere``; ``--out public/site`` wrote the site there."""
    root = make_project(tmp_path / "site")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "notes.txt").write_text("mine", "utf-8")
    (root / "public").symlink_to(elsewhere)
    result = run_forked(root, "build", "--out", "public/site")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "goes through public, a symbolic link" in result.stderr, result.stderr
    assert sorted(p.name for p in elsewhere.iterdir()) == ["notes.txt"]


def test_a_link_anywhere_in_the_output_folder_is_refused_before_anything_is_written(tmp_path: Path) -> None:
    root = make_project(tmp_path / "site")
    out = root / "_site"
    build(Project(root), out)
    (out / "en/docs").symlink_to(tmp_path)
    problems = Project(root).output_problems(out)
    assert problems and "en/docs" in problems[0].message and "symbolic link" in problems[0].message


def test_writing_one_file_into_an_output_folder_never_goes_through_a_link(tmp_path: Path) -> None:
    """Review s2, attack 5: the preview's status file was written through ``.preview/__preview -> elsewhere``."""
    victim = tmp_path / "documents"
    victim.mkdir()
    (victim / "status.json").write_text("USER DATA", "utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "__preview").symlink_to(victim)
    (out / "index.html").write_text("hi", "utf-8")
    (out / MANIFEST).write_text(json.dumps({"generator": "explainer", "files": ["__preview/status.json", "index.html"]}), "utf-8")
    with pytest.raises(BuildError) as info:
        write_into(out, "__preview/status.json", b"{}")
    assert "symbolic link" in info.value.report()
    assert sorted(p.name for p in victim.iterdir()) == ["status.json"]
    assert (victim / "status.json").read_text("utf-8") == "USER DATA"
    write_into(out, "en/new.txt", b"new")  # a folder of its own, made as it goes
    assert (out / "en/new.txt").read_bytes() == b"new" and "en/new.txt" in manifest(out)


def test_an_id_or_alias_that_climbs_out_is_a_located_error_even_with_a_loosened_schema(tmp_path: Path) -> None:
    """Review s3, attacks 58 and 59: the schemas are the project's own, so a checkout could loosen the id
    pattern; an id or alias such as '../../victim' must still never become an address above the output folder."""
    import json

    from conftest import run_forked

    root = make_project(tmp_path / "site")
    victim = tmp_path / "victim"
    common = json.loads((root / "schemas/common.schema.json").read_text("utf-8"))
    common["$defs"]["id"]["pattern"] = "^.*$"
    (root / "schemas/common.schema.json").write_text(json.dumps(common), "utf-8")
    events = (root / "schemas/events.schema.json").read_text("utf-8")
    (root / "schemas/events.schema.json").write_text(events.replace('"pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"', '"pattern": "^.*$"'), "utf-8")
    climb = "../" * 12 + str(victim).lstrip("/")
    events_yaml = root / "content/events.yaml"
    aliased = f"  - id: invasion\n    aliases: ['{climb}']\n"
    events_yaml.write_text(events_yaml.read_text("utf-8").replace("  - id: invasion\n", aliased, 1), "utf-8")
    result = run_forked(root, "build", "--out", str(root / "out"))
    assert result.returncode == 1 and "alias" in result.stderr and "not a slug" in result.stderr, result.stderr
    assert "content/events.yaml:" in result.stderr and "Traceback" not in result.stderr
    renamed = events_yaml.read_text("utf-8").replace(aliased, "  - id: invasion\n").replace("id: first-round", f"id: '{climb}'")
    events_yaml.write_text(renamed, "utf-8")
    result = run_forked(root, "build", "--out", str(root / "out"))
    assert result.returncode == 1 and "not a slug" in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert not victim.exists() and not (root / "out").exists()


def test_the_writer_refuses_any_path_that_is_not_below_its_folder(tmp_path: Path) -> None:
    from explainer.write import write_files

    folder = tmp_path / "out"
    folder.mkdir()
    for rel in ("../escaped.html", "a/../../escaped.html", "/tmp/escaped.html", "a//b.html", "./a.html"):
        with pytest.raises(OSError):
            write_files({rel: b"x"}, folder)
    assert not (tmp_path / "escaped.html").exists() and list(folder.iterdir()) == []


@pytest.mark.parametrize("mine", ["folder", "link"])
def test_a_folder_or_link_of_the_editors_where_the_last_build_wrote_a_file_is_refused_and_kept(tmp_path: Path, mine: str) -> None:
    """Review s4, attack 69: ``rm out/sitemap.xml; mkdir out/sitemap.xml`` with a file of the editor's in it; the
    next build took the manifest's word that sitemap.xml was its own, and the folder ended up, without a word, in
    a hidden leftover beside the output folder (a link there was deleted)."""
    from explainer.write import staging

    out = tmp_path / "out"
    with staging(out) as new:
        (new / "sitemap.xml").write_text("<urlset/>", "utf-8")
    (out / "sitemap.xml").unlink()
    if mine == "folder":
        (out / "sitemap.xml").mkdir()
        (out / "sitemap.xml/keep.txt").write_text("precious", "utf-8")
    else:
        (tmp_path / "mine.xml").write_text("precious", "utf-8")
        (out / "sitemap.xml").symlink_to(tmp_path / "mine.xml")
    before = snapshot(out)
    with pytest.raises(BuildError) as info, staging(out) as new:
        (new / "sitemap.xml").write_text("<urlset/>", "utf-8")
    shown = "sitemap.xml/, which the build did not write" if mine == "folder" else "sitemap.xml, a symbolic link"
    assert f"{out}:1:1: the output folder holds {shown}" in info.value.report(), info.value.report()
    assert snapshot(out) == before and (mine == "folder" or (out / "sitemap.xml").is_symlink())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["out"] + (["mine.xml"] if mine == "link" else []))
