"""``review`` edits the editor's files: it changes the one value it writes and keeps every other byte.

A byte-order mark, CRLF line ends, comments and quoting stay as they were; an empty id is not "every
item"; a file outside the project (by its path or through a link) is never written.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import make_project, run_forked

from explainer.errors import BuildError
from explainer.project import Project
from explainer.review import review
from explainer.validate import load_model

EV = "content/events.yaml"


def _without_reviewed(data: bytes) -> bytes:
    return re.sub(rb"[^\r\n]*reviewed:[^\r\n]*\r?\n", b"", data)


def test_a_stale_hash_in_a_file_with_a_byte_order_mark_is_replaced_in_place(project: Path) -> None:
    file = project / EV
    text = file.read_text("utf-8").replace("  - id: invasion\n", '  - id: invasion\n    reviewed: "14c8f575"\n', 1)
    file.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    before = file.read_bytes()
    review(Project(project), [f"{EV}:invasion"])
    after = file.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf")
    (value,) = re.findall(rb'reviewed: ("[0-9a-f]{8}")\n', after)
    assert after == before.replace(b'"14c8f575"', value) and value != b'"14c8f575"'
    notes = [n.kind for n in load_model(Project(project)).translation if n.item == "invasion"]
    assert "stale" not in notes and "unreviewed" not in notes


def test_crlf_line_ends_are_kept(project: Path) -> None:
    file = project / EV
    file.write_bytes(file.read_bytes().replace(b"\n", b"\r\n"))
    before = file.read_bytes()
    review(Project(project), [EV])
    after = file.read_bytes()
    assert after.count(b"\n") == after.count(b"\r\n") > before.count(b"\n")
    assert _without_reviewed(after) == before
    assert not [n for n in load_model(Project(project)).translation if n.file == "events" and n.kind == "unreviewed"]


def test_an_empty_id_is_refused_not_taken_for_every_item(project: Path) -> None:
    before = (project / EV).read_bytes()
    result = run_forked(project, "review", f"{EV}:")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{EV}:" in result.stderr and "no id" in result.stderr
    assert (project / EV).read_bytes() == before


def test_a_file_outside_the_project_is_never_written(tmp_path: Path) -> None:
    project = make_project(tmp_path / "site")
    other = make_project(tmp_path / "other")
    before = (other / EV).read_bytes()
    for target in (str(other / EV), f"../other/{EV}", f"../other/{EV}:invasion"):
        with pytest.raises(BuildError) as info:
            review(Project(project), [target])
        assert "not a content file" in info.value.report()
    assert (other / EV).read_bytes() == before
    # a content file that is a link to a file elsewhere
    shutil.copy(other / EV, tmp_path / "elsewhere.yaml")
    (project / EV).unlink()
    (project / EV).symlink_to(tmp_path / "elsewhere.yaml")
    result = run_forked(project, "review", EV)
    assert result.returncode == 1 and "Traceback" not in result.stderr and "outside the project" in result.stderr, result.stderr
    assert (tmp_path / "elsewhere.yaml").read_bytes() == before


def test_the_file_keeps_its_permissions(project: Path) -> None:
    file = project / EV
    file.chmod(0o640)
    review(Project(project), [EV])
    assert file.stat().st_mode & 0o777 == 0o640


def test_a_link_planted_at_the_name_of_the_new_file_is_never_written_through(tmp_path: Path) -> None:
    """Review s2, attack 7: ``review`` wrote the new file at ``.<name>.<pid>.new`` through a link a repository can ship."""
    project = make_project(tmp_path / "site")
    victim = tmp_path / "secret.txt"
    victim.write_text("keep me", "utf-8")
    planted = project / f"content/.events.yaml.{os.getpid()}.new"
    planted.symlink_to(victim)
    before = (project / EV).read_bytes()
    review(Project(project), [EV])  # in this process: the name it would have used is the planted one
    assert victim.read_text("utf-8") == "keep me"
    assert os.readlink(planted) == str(victim)  # left as it was
    after = (project / EV).read_bytes()
    assert after != before and _without_reviewed(after) == before and not (project / EV).is_symlink()
    assert sorted(p.name for p in (project / "content").iterdir() if p.name.startswith(".")) == [planted.name]
