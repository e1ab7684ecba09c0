"""docs/security.md says what the code does: its names and limits are the code's, and the README points to it."""

from __future__ import annotations

from conftest import REPO

from explainer import cli, project, render, workers, write

DOC = (REPO / "docs/security.md").read_text("utf-8")


def test_the_security_page_covers_what_the_issue_asks() -> None:
    for heading in ("## What is code (trusted)", "## What is data (not trusted)", "## The preview", "## Before you run a repository"):
        assert heading in DOC, heading
    assert "docs/security.md" in (REPO / "README.md").read_text("utf-8")


def test_the_security_page_names_what_the_code_uses() -> None:
    assert write.MANIFEST in DOC and workers.LIMIT_VARIABLE in DOC and f"`{cli.DEBUG_VARIABLE}=1`" in DOC
    assert f"(default {workers.DEFAULT_LIMIT:g})" in DOC
    assert f"{render.PARALLEL_FROM} pages or more" in DOC
    assert f"at most {project.MAX_INPUT_BYTES // 2**20} MB" in DOC and f"{project.MAX_STATIC_BYTES // 2**20} MB" in DOC
    assert f"{project.MAX_STATIC_FILES:,} files" in DOC and f"at most {project.MAX_DEPTH} deep" in DOC
