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

from explainer.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
