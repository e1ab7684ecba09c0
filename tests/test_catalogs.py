"""UI catalogs: the build reads the compiled ``messages.mo``; ``tools/catalogs.py`` makes it from ``messages.po``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import REPO, edit, run_forked

from explainer.catalogs import compile_po, mo_path, po_path
from explainer.project import Project

TOOL = [sys.executable, str(REPO / "tools/catalogs.py")]


def test_the_compiled_catalogs_are_what_their_sources_compile_to() -> None:
    project = Project(REPO)
    for code, locale in (("ar", "ar_IQ"), ("en", "en_GB")):
        compiled, _ids, problems = compile_po(po_path(project, code).read_bytes(), code, locale)
        assert not problems and compiled == mo_path(project, code).read_bytes(), f"run: python3 tools/catalogs.py ({code} is stale)"
    result = subprocess.run([*TOOL, "--check"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_build_reads_the_compiled_catalog_and_check_says_when_it_is_stale(project: Path) -> None:
    po = project / "locales/ar/LC_MESSAGES/messages.po"
    edit(po, lambda s: s.replace('msgstr "انتقل إلى المحتوى"', 'msgstr "إلى النص"'))
    assert run_forked(project, "build").returncode == 0
    assert "انتقل إلى المحتوى" in (project / "_site/ar/index.html").read_text("utf-8")  # the .mo, not the edited .po
    checked = run_forked(project, "check")
    assert checked.returncode == 1 and "locales/ar/LC_MESSAGES/messages.po:1:1: the compiled catalog" in checked.stderr
    assert "run: python3 tools/catalogs.py" in checked.stderr
    tool = subprocess.run([*TOOL, "--check"], cwd=project, capture_output=True, text=True)
    assert tool.returncode == 1 and "not compiled from its .po: locales/ar/LC_MESSAGES/messages.mo" in tool.stdout
    assert subprocess.run([*TOOL], cwd=project, capture_output=True).returncode == 0
    assert run_forked(project, "build").returncode == 0 and run_forked(project, "check").returncode == 0
    assert "إلى النص" in (project / "_site/ar/index.html").read_text("utf-8")
