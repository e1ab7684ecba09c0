#!/usr/bin/env bash
# ruff (lint and format) and mypy, as CI's test_lint runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
