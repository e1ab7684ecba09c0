"""Review s7: what a cloned repository can make the preview read, publish from a shipped output folder, or make
a number, a line end or a path too long do; each is the input's located error."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import make_project
from test_serve import Server, _status, wait_until


def _link_to_a_device_or_pipe(project: Path, tmp_path: Path, how: str) -> str:
    """Put into ``project`` an input that reading would never finish (or would read the terminal): its path."""
    if how == "zero":  # a source's file, so the build reads it (an unlisted seed is never read)
        (project / "seeds/005_zero.txt").symlink_to("/dev/zero")
        sources = project / "content/sources.yaml"
        sources.write_text(sources.read_text("utf-8").replace("file: 003_d62c7aa82ec35e7c.txt", "file: 005_zero.txt", 1), "utf-8")
        return "seeds/005_zero.txt"
    if how == "fifo outside":
        os.mkfifo(tmp_path / "fifo")
        (project / "static/pipe.txt").symlink_to(tmp_path / "fifo")
        return "static/pipe.txt"
    if how == "fifo inside":
        os.mkfifo(project / "static/pipe.txt")
        return "static/pipe.txt"
    (project / "static/in.txt").symlink_to("/dev/stdin")
    return "static/in.txt"


@pytest.mark.parametrize("how", ["zero", "fifo outside", "fifo inside", "stdin"])
def test_the_preview_starts_and_shows_the_refusal_of_a_link_to_a_device_or_a_pipe(tmp_path: Path, how: str) -> None:
    # before: serve hashed every input by opening it: /dev/zero was read until memory ran out (here: a MemoryError,
    # not located), and a pipe or the terminal's input blocked it before it listened
    project = make_project(tmp_path / "site")
    where = _link_to_a_device_or_pipe(project, tmp_path, how)
    running = Server(project, stdin=subprocess.PIPE, memory=1_500_000_000)
    try:
        wait_until(running.listening, 30, "the preview to listen")
        assert running.proc.poll() is None, running.stop()
        wait_until(lambda: _status(running) is not None, 30, "the first build's status")
        status = _status(running)
        assert status["ok"] is False and [e["path"] for e in status["errors"]] == [where], status
        assert "outside the project" in status["errors"][0]["message"] or "not a regular file" in status["errors"][0]["message"]
        (project / where).unlink()  # the editor removes it: the preview builds again, and the refusal is gone
        if how == "zero":
            (project / where).write_text("نص\n", "utf-8")
        wait_until(lambda: all(e["path"] != where for e in (_status(running) or {"errors": [{"path": where}]})["errors"]), 30, "a rebuild")
    finally:
        output = running.stop()
    assert "did not expect" not in output and "could not locate" not in output and "Traceback" not in output, output
