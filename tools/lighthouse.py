#!/usr/bin/env python3
"""Lighthouse scores of the built home pages and search pages (a script, not a test: it takes a minute).

    python3 tools/lighthouse.py [--site _site]

Installs lighthouse@12 into a cache folder on first use (Lighthouse 13 needs Node 22; this
machine has Node 20), serves the site on 127.0.0.1 and audits /ar/ and /en/ with Debian's
Chromium, and the search pages (the only pages with a script), empty and with a query that
loads Pagefind. Prints one line per page and category, then a JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from browser import CHROMIUM, CHROMIUM_ARGS, serve_folder

CACHE = Path(os.environ.get("LIGHTHOUSE_HOME", Path.home() / ".cache" / "explainer-lighthouse"))
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def lighthouse() -> Path:
    binary = CACHE / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(CACHE), "--no-audit", "--no-fund", "lighthouse@12"], check=True)
    return binary


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--site", default="_site")
    args = parser.parse_args()
    binary = lighthouse()
    scores: dict[str, dict[str, int]] = {}
    with serve_folder(Path(args.site)) as base, tempfile.TemporaryDirectory() as tmp:
        for path in (
            "ar/",
            "en/",
            "ar/search/",
            "en/search/",
            "ar/search/?q=%D8%A7%D9%84%D8%A3%D9%86%D8%B3%D8%AD%D8%A7%D8%A8",
            "en/search/?q=Erbil",
        ):
            report = Path(tmp) / "report.json"
            flags = " ".join(CHROMIUM_ARGS)
            subprocess.run(
                [
                    str(binary),
                    base + path,
                    "--quiet",
                    "--output=json",
                    f"--output-path={report}",
                    f"--chrome-flags={flags}",
                    "--only-categories=" + ",".join(CATEGORIES),
                ],
                check=True,
                env={**os.environ, "CHROME_PATH": CHROMIUM},
            )
            data = json.loads(report.read_text())
            scores[path] = {c: round(data["categories"][c]["score"] * 100) for c in CATEGORIES}
            for c in CATEGORIES:
                print(f"{path[:16]:17} {c:15} {scores[path][c]}")
                if scores[path][c] < 100:
                    for audit in data["categories"][c]["auditRefs"]:
                        result = data["audits"][audit["id"]]
                        if result.get("score") is not None and result["score"] < 1 and audit.get("weight", 0) > 0:
                            print(f"       - {audit['id']}: {result.get('displayValue', '')} {result['title']}")
    print(json.dumps(scores))
    return 0


if __name__ == "__main__":
    sys.exit(main())
