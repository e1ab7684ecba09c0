"""Review s8: what a cloned repository can make Pagefind, ``review``, the kept-files listing, a deep output folder,
the preview's own folder and an odd line break do; each is refused or named, never a traceback."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import BUILD, run_cli


@pytest.mark.parametrize(
    "how", ["pagefind.yml", "pagefind.yaml", "pagefind.toml", "pagefind.json", "PAGEFIND_LOGFILE", "fifo"]
)
def test_a_pagefind_config_in_the_project_or_the_environment_does_not_write_outside_it(
    project: Path, tmp_path: Path, how: str
) -> None:
    # before: build ran Pagefind in the project root, which read pagefind.yml's `logfile:` and truncated the file it named
    # (~/.bashrc, a document); a FIFO there made the build wait for ever
    victim = tmp_path / "victim.txt"
    victim.write_text("ORIGINAL USER DATA\n", "utf-8")
    env = dict(os.environ)
    if how == "fifo":
        os.mkfifo(tmp_path / "fifo")
        (project / "pagefind.yml").write_text(f"logfile: {tmp_path / 'fifo'}\nverbose: true\n", "utf-8")
    elif how == "PAGEFIND_LOGFILE":
        env.update(PAGEFIND_LOGFILE=str(victim), PAGEFIND_VERBOSE="true")
    elif how.endswith(".toml"):
        (project / how).write_text(f'logfile = "{victim}"\nverbose = true\n', "utf-8")
    elif how.endswith(".json"):
        (project / how).write_text(f'{{"logfile": "{victim}", "verbose": true}}', "utf-8")
    else:
        (project / how).write_text(f"logfile: {victim}\nverbose: true\n", "utf-8")
    done = subprocess.run(BUILD + ["build"], cwd=project, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.startswith("built "), done.stdout
    assert victim.read_text("utf-8") == "ORIGINAL USER DATA\n"
    assert (project / "_site/pagefind/pagefind-entry.json").is_file()
    assert not [p for p in project.iterdir() if p.name.startswith(".pagefind") or p.name == "pagefind"]


@pytest.mark.parametrize("how", ["outside", "git", "fifo"])
def test_review_reads_site_yaml_through_the_same_gate_as_build(project: Path, tmp_path: Path, how: str) -> None:
    # before: review read content/site.yaml with a plain load: a link out of the project was followed (its text decided
    # the source language, and its words reached the errors), and a link to .git/ too
    site = project / "content/site.yaml"
    if how == "fifo":
        site.unlink()
        os.mkfifo(site)
        expected = "content/site.yaml:1:1: cannot read file: it is not a regular file"
    else:
        target = tmp_path / "secret.yaml" if how == "outside" else project / ".git/config.yaml"
        target.parent.mkdir(exist_ok=True)
        target.write_bytes(site.read_bytes())  # a valid site.yaml: review would use it without a word
        site.unlink()
        site.symlink_to(target)
        expected = "content/site.yaml:1:1: resolves to " + (f"{target}, outside the project" if how == "outside" else ".git/config.yaml")
    events = (project / "content/events.yaml").read_bytes()
    built = run_cli(project, "build")
    assert built.returncode == 1 and expected in built.stderr, built.stderr
    result = run_cli(project, "review", "content/events.yaml")
    assert result.returncode == 1, result.stdout + result.stderr
    assert expected in result.stderr and "Traceback" not in result.stderr, result.stderr
    assert (project / "content/events.yaml").read_bytes() == events
