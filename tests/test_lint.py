"""The code stays readable: ruff (lint, complexity and format) and mypy pass, as CI runs them."""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import REPO


@pytest.mark.parametrize(
    "command",
    [["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy"]],
    ids=["ruff", "ruff-format", "mypy"],
)
def test_the_code_passes(command: list[str]) -> None:
    result = subprocess.run([sys.executable, "-m", *command], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_function_of_the_engine_is_longer_than_80_lines() -> None:
    import ast

    long = [
        f"{path.relative_to(REPO)}:{node.lineno}: {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for path in sorted((REPO / "explainer").glob("*.py"))
        for node in ast.walk(ast.parse(path.read_text("utf-8")))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (node.end_lineno or 0) - node.lineno + 1 > 80
    ]
    assert long == []
