#!/usr/bin/env python3
"""The explainer's command line: build, check, serve.

python build.py build [--out DIR]   write the site (default: _site/)
python build.py check               validate everything, write nothing
python build.py serve [--port N]    live preview on http://127.0.0.1:N/

Each command works on the project of the working directory (the nearest folder holding content/,
from there up), or on the one given with --root DIR.
"""

from __future__ import annotations

import sys

if __name__ == "__main__":
    try:  # Ctrl+C while the generator is still being imported: the same one line as later on, no traceback
        from explainer.cli import main

        code = main(sys.argv[1:])
    except KeyboardInterrupt:
        left = ": the output folder was left as it was" if sys.argv[1:2] == ["build"] else ""
        print(f"interrupted{left}", file=sys.stderr)
        code = 130
    sys.exit(code)
