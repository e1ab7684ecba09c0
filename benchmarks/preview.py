"""Save-to-paint latency of the live preview, in real Chromium: ours on the real site and on the
synthetic site, and ``hugo server`` on the same synthetic site.

    python3 benchmarks/preview.py [--events 1000] [--edits 12]

For each site a preview server runs on 127.0.0.1 and headless Chromium (Debian's, through
Playwright) shows one page. Each edit changes the title of the event that page shows, in its
content file, to a new marker; the latency of an edit runs from just before the file is written
to the first animation frame after the new title is in the page (a ``MutationObserver`` in the
page watches for it, so full reloads and in-place updates are measured the same way; both
clocks are the machine's wall clock). Every site is a copy in a temporary folder: the
repository's content is never touched. Prints each edit, the medians and the slowest edits, and as its
last line one JSON object: {"real_ms": …, "real_max_ms": …, "ours_ms": …, "ours_max_ms": …, "hugo_ms": …,
"hugo_max_ms": …, "events": N, "edits": E} (``_ms`` the median save, ``_max_ms`` the slowest).

The new text of the file is made before the clock starts (an editor has it in memory): at 10,000
events the events file is 38 MB, and reading it and finding the title took 1-3.5 s on a loaded
2-core machine (2026-12-05), which the figures before that date include for ours and not for Hugo
(one small Markdown file per event). Writing the 38 MB is timed: it is the save (0.9-2.6 s there).

Figures (10,000 events, 2026-12-05, this clock, same run as hugo server): before a failed build waited
for the rest of a save, ours median 3,059 ms, slowest 3,223 ms (hugo server 1,185 / 1,297; real site
136 / 158 ms); after, ours 510 / 570 ms (hugo server 1,017 / 1,276; real site 134 / 148 ms). With the list file split
reusing the last save's parts and the site's texts checked once per change (2026-12-05, later): ours 475 /
555 ms, hugo server 1,326 / 1,883 (ours/hugo 0.36); real site 145 / 167 ms.

2026-12-06: until then the page was asked for its stamp every 5 ms, which loaded the 2-core machine it measured
(Hugo's server, on both cores, most): asked every 50 ms, the same code gave real site 99 / 135 ms, ours 503 /
638 ms, hugo server 962 / 1,142 (0.52). With a save reusing the catalogs, static files and compiled templates,
the overlay and livereload's script from the browser's cache, no cyclic GC until the open page is back, and
fewer passes over 10,000 items before it is shown: real site 87 / 105 ms, ours 353 / 393 ms, hugo server
976 / 1,213 (0.36); another run, real site 98 / 141 ms, ours 365 / 406 ms, hugo server 1,278 / 1,879 (0.29).
Later the same day, with the host busier, then quieter: real site 110 / 161, 117 / 155 and 89 / 114 ms; ours 336 /
468, 337 / 479 and 278 / 363 ms against hugo server 1,151 / 1,438, 1,007 / 1,293 and 989 / 1,254 (0.29, 0.33, 0.28).
Later still, with content files and schemas that did not change not checked again, and the other inputs'
fingerprints taken once the open page is shown: real site 75 / 96 ms, ours 300 / 364 ms, hugo server 965 / 1,216 (0.31).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import REPO, hugo_binary, write_both

sys.path.insert(0, str(REPO / "tests"))
from browser import chromium  # Debian's Chromium with the project's flags

WATCH = """
(() => {
  const want = sessionStorage.getItem('bench-want');
  if (!want) return;
  let seen = false;
  const check = () => {
    if (seen || !document.body || !document.body.textContent.includes(want)) return;
    seen = true;
    const stamp = () => sessionStorage.setItem('bench-painted', String(performance.timeOrigin + performance.now()));
    requestAnimationFrame(() => setTimeout(stamp, 0));
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true, characterData: true});
  document.addEventListener('DOMContentLoaded', check);
})();
"""
"""Runs at the start of every document: stamps the first frame that shows the expected text."""


OURS_DONE = r"^rebuilt \d+ pages"
HUGO_DONE = r"^Total in \d+ ms"
"""The log line each server prints when a rebuild has finished."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(cmd: list[str], cwd: Path, url: str, timeout: float = 120) -> Iterator[subprocess.Popen[bytes]]:
    """Start a preview server and wait until ``url`` answers."""
    log = open(cwd / "server.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{' '.join(cmd)} did not serve {url}:\n" + (cwd / "server.log").read_text("utf-8", "replace")[-3000:])
            time.sleep(0.1)
        yield proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def settle(log: Path, done: str, rebuilds: int, quiet: float = 0.5) -> None:
    """Wait until the server's log reports ``rebuilds`` finished rebuilds (lines matching ``done``)
    and has then been quiet for ``quiet`` seconds: the next edit never waits for the last one."""
    size, since, deadline = -1, time.monotonic(), time.monotonic() + 60
    while time.monotonic() < deadline:
        text = log.read_text("utf-8", "replace")
        if len(text) != size:
            size, since = len(text), time.monotonic()
        elif len(re.findall(done, text, re.MULTILINE)) >= rebuilds and time.monotonic() - since >= quiet:
            return
        time.sleep(0.05)


def measure(browser: object, url: str, edit: Edit, edits: int, label: str, log: Path, done: str) -> list[float]:
    """Latencies in ms of ``edits`` edits (after one unmeasured edit that warms the server up)."""
    page = browser.new_page()  # type: ignore[attr-defined]
    page.add_init_script(WATCH)
    page.goto(url)
    page.wait_for_load_state("load")
    out = []
    before = len(re.findall(done, log.read_text("utf-8", "replace"), re.MULTILINE))
    for i in range(edits + 1):
        marker = f"bench{os.getpid()}x{i}x{time.time_ns() % 10**6}"
        page.evaluate("m => { sessionStorage.setItem('bench-want', m); sessionStorage.removeItem('bench-painted'); }", marker)
        page.evaluate(WATCH)  # for pages that update in place without a new document
        settle(log, done, before + i)  # the previous edit's rebuild has finished and the page is connected again
        write = edit(marker)  # the new text is made before the clock starts: an editor has it in memory
        saved = time.time() * 1000
        write()
        painted = None
        deadline = time.monotonic() + 30
        while painted is None and time.monotonic() < deadline:
            with contextlib.suppress(Exception):  # the page is between documents
                painted = page.evaluate("() => sessionStorage.getItem('bench-painted')")
            if painted is None:
                time.sleep(0.05)  # the page stamps its own paint: asking often would only load the machine it measures
        if painted is None:
            raise SystemExit(f"{label}: edit {i} never showed up in {url}")
        latency = float(painted) - saved
        if i > 0:
            out.append(latency)
        print(f"{label} edit {i}{' (warm-up)' if i == 0 else ''}: {latency:.0f} ms", flush=True)
    page.close()
    return out


Edit = Callable[[str], Callable[[], None]]
"""An edit: given the marker, it makes the file's new text and returns what saves it (only the save is timed)."""


def replace_in(file: Path, pattern: str, make: Callable[[str], str]) -> Edit:
    """An edit that rewrites the first match of ``pattern`` (group 1 is kept) in ``file``."""
    regex = re.compile(pattern, re.MULTILINE)

    def edit(marker: str) -> Callable[[], None]:
        text = file.read_text("utf-8")
        new, n = regex.subn(lambda m: m.group(1) + make(marker), text, count=1)
        assert n == 1, pattern
        return lambda: file.write_text(new, "utf-8")

    return edit


def title_edit(file: Path, event: str, plain: bool = False) -> Edit:
    """An edit of the Arabic title of ``event`` in an events.yaml."""
    pattern = rf"^(  - id: {event}\n(?:    .*\n)*?    title:\n      ar: ).*$"
    return replace_in(file, pattern, (lambda m: m) if plain else json.dumps)


def project_copy(dest: Path) -> Path:
    """The real site in a temporary folder, previewed by this checkout's generator."""
    for part in ("templates", "schemas", "locales", "static", "seeds", "content"):
        shutil.copytree(REPO / part, dest / part)
    return dest


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description="Save-to-paint latency of the live preview (ours and hugo server).")
    parser.add_argument("--events", type=int, default=1000, help="events in the synthetic site (default: 1000)")
    parser.add_argument("--edits", type=int, default=12, help="measured edits per site (default: 12)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="explainer-preview-"))
    results: dict[str, float] = {}
    try:
        real = project_copy(work / "real")
        ours, hugo = write_both(work / "synthetic", args.events)
        event = f"e{args.events // 2:06d}"
        with chromium() as browser:

            def run(label: str, cmd: list[str], cwd: Path, url: str, edit: Edit, done: str) -> float:
                """The median latency of the edits (and, in ``results``, the slowest under ``<key>_max_ms``)."""
                with server(cmd, cwd, url, timeout=300):
                    latencies = measure(browser, url, edit, args.edits, label, cwd / "server.log", done)
                slowest[label] = max(latencies)
                return statistics.median(latencies)

            slowest: dict[str, float] = {}

            port = free_port()
            results["real_ms"] = run(
                "ours, real site",
                [sys.executable, str(REPO / "build.py"), "serve", "--port", str(port)],
                real,
                f"http://127.0.0.1:{port}/ar/timeline/first-round-dialogue/",
                title_edit(real / "content/events.yaml", "first-round-dialogue", plain=True),
                OURS_DONE,
            )
            port = free_port()
            results["ours_ms"] = run(
                f"ours, {args.events} events",
                [sys.executable, str(REPO / "build.py"), "serve", "--port", str(port)],
                ours,
                f"http://127.0.0.1:{port}/ar/timeline/{event}/",
                title_edit(ours / "content/events.yaml", event),
                OURS_DONE,
            )
            port = free_port()
            cmd = [
                str(hugo_binary()),
                "server",
                "--source",
                str(hugo),
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--baseURL",
                f"http://127.0.0.1:{port}/",
                "--appendPort=false",
            ]
            results["hugo_ms"] = run(
                f"hugo server, {args.events} events",
                cmd,
                hugo,
                f"http://127.0.0.1:{port}/ar/{event}/",
                replace_in(hugo / f"content/ar/{event}.md", r"^(title: ).*$", json.dumps),
                HUGO_DONE,
            )
        labels = list(slowest)
        for key, label in zip(("real", "ours", "hugo"), labels, strict=True):
            results[f"{key}_max_ms"] = slowest[label]
        print(
            f"slowest save-to-paint: ours real site {results['real_max_ms']:.0f} ms; {args.events} events: "
            f"ours {results['ours_max_ms']:.0f} ms, hugo server {results['hugo_max_ms']:.0f} ms"
        )
        print(
            f"median save-to-paint: ours real site {results['real_ms']:.0f} ms; {args.events} events: ours {results['ours_ms']:.0f} ms, "
            f"hugo server {results['hugo_ms']:.0f} ms (ours/hugo {results['ours_ms'] / results['hugo_ms']:.2f})"
        )
        print(json.dumps({**{k: round(v, 1) for k, v in results.items()}, "events": args.events, "edits": args.edits}))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
