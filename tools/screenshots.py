#!/usr/bin/env python3
"""Screenshot built pages in headless Chromium: 1280 and 390 px, light and dark, and printed to PDF.

    python3 tools/screenshots.py [--site _site] [--out /tmp/shots] [--dark] [--print] [--full] [--width N ...]
        [--element SELECTOR] [PATH ...]

PATH is a site path such as ar/ or en/timeline/ (default: both home pages). ``--print`` writes each
page as an A4 PDF (print media, as a reader's "Print" makes it) and, when Debian's ``pdftoppm`` is
there, its pages as PNGs beside it (``NAME-print-1.png``, ...) to look at.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from browser import chromium, serve_folder

SIZES = {1280: (900, "desktop"), 390: (844, "mobile")}


def _name(path: str) -> str:
    return path.strip("/").replace("/", "_") or "root"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--site", default="_site")
    parser.add_argument("--out", default="/tmp/shots")
    parser.add_argument("--dark", action="store_true")
    parser.add_argument("--print", action="store_true", help="print each page to PDF (and PNG pages) instead")
    parser.add_argument("--full", action="store_true", help="whole page, not just the first screen")
    parser.add_argument("--element", help="only the first element matching this CSS selector (e.g. figure.graphic)")
    parser.add_argument("--width", type=int, action="append", choices=sorted(SIZES), help="only this width (repeatable)")
    parser.add_argument("paths", nargs="*", default=["ar/", "en/"])
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with serve_folder(Path(args.site)) as base, chromium() as browser:
        if args.print:
            page = browser.new_page()
            page.emulate_media(media="print")
            for path in args.paths:
                page.goto(base + path)
                target = out / f"{_name(path)}-print.pdf"
                page.pdf(path=str(target), format="A4", print_background=True, margin={"top": "15mm", "bottom": "15mm"})
                print(target)
                if shutil.which("pdftoppm"):
                    subprocess.run(["pdftoppm", "-png", "-r", "60", str(target), str(out / f"{_name(path)}-print")], check=True)
            page.close()
            return 0
        for width in args.width or sorted(SIZES, reverse=True):
            height, label = SIZES[width]
            scheme = "dark" if args.dark else "light"
            page = browser.new_page(viewport={"width": width, "height": height}, color_scheme=scheme)
            for path in args.paths:
                page.goto(base + path)
                page.evaluate("document.fonts.ready")
                target = out / f"{_name(path)}-{label}{'-dark' if args.dark else ''}.png"
                if args.element:
                    target = target.with_name(target.stem + "-el.png")
                    page.locator(args.element).first.screenshot(path=str(target))
                else:
                    page.screenshot(path=str(target), full_page=args.full)
                print(target)
            page.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
