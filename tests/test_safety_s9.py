"""Review s9: what odd input folders, a preview killed while it rebuilds, a temporary folder inside the project and a
tiny render limit do to the preview and the build; each is handled or located, never a traceback."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from conftest import BUILD


def test_the_hint_of_a_page_past_the_render_limit_shows_the_limit_in_force(project: Path) -> None:
    # before: "(the limit: EXPLAINER_RENDER_LIMIT, 60 s)" whatever the limit
    env = {**os.environ, "EXPLAINER_RENDER_LIMIT": "1e-9"}
    done = subprocess.run(BUILD + ["build"], cwd=project, capture_output=True, text=True, timeout=60, env=env)
    assert done.returncode == 1 and "took longer than 1e-09 s" in done.stderr, done.stderr
    assert "(the limit: EXPLAINER_RENDER_LIMIT, 1e-09 s)" in done.stderr and "60 s" not in done.stderr, done.stderr
