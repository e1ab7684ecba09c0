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


def test_the_security_page_names_the_limits_against_hostile_sizes() -> None:
    from explainer import checks, errors, load, quotes, validate, watcher

    assert f"at most {checks.MAX_SEED_PARAGRAPHS:,} paragraphs" in DOC and f"all seeds {checks.MAX_SEEDS_PARAGRAPHS:,}" in DOC
    assert f"at most {load.MAX_VALUES:,} values" in DOC and f"counts {load.ITEM_WEIGHT}," in DOC
    assert f"at most {validate.MAX_KEY_EVENTS} events are marked `key`" in DOC
    assert f"at most {quotes.FULL_SEARCH_CHARS:,} characters" in DOC
    assert f"at most {errors.HINT_CANDIDATES} likely names" in DOC and f"at most {errors.MAX_HINTS} different" in DOC
    assert f"at most {watcher.MAX_WATCHED_FOLDERS:,} of them" in DOC and f"every {watcher.POLL_MS} ms" in DOC


def test_the_security_page_names_the_output_folder_s_depth_limit() -> None:
    assert f"more than {write.MAX_OUT_DEPTH} deep" in DOC
