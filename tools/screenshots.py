#!/usr/bin/env python3
"""Screenshot built pages in headless Chromium, desktop and 390 px, light and dark.

    python3 tools/screenshots.py [--site _site] [--out /tmp/shots] [--dark] [PATH ...]

PATH is a site path such as ar/ or en/timeline/ (default: both home pages).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from browser import chromium, serve_folder


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--site", default="_site")
    parser.add_argument("--out", default="/tmp/shots")
    parser.add_argument("--dark", action="store_true")
    parser.add_argument("--full", action="store_true", help="whole page, not just the first screen")
    parser.add_argument("paths", nargs="*", default=["ar/", "en/"])
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with serve_folder(Path(args.site)) as base, chromium() as browser:
        for width, height, label in ((1280, 900, "desktop"), (390, 844, "mobile")):
            page = browser.new_page(viewport={"width": width, "height": height}, color_scheme="dark" if args.dark else "light")
            for path in args.paths:
                page.goto(base + path)
                name = path.strip("/").replace("/", "_") or "root"
                target = out / f"{name}-{label}{'-dark' if args.dark else ''}.png"
                page.screenshot(path=str(target), full_page=args.full)
                print(target)
            page.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
