#!/usr/bin/env bash
# ruff (lint and format) and mypy, as tests/test_lint.py runs them in CI.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
