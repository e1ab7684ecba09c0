"""In real Chromium: pages built from the hostile corpus run no script and load nothing from elsewhere.

Every free-text field holds all the XSS filter-evasion vectors of ``fixtures/hostile/xss.yaml``.
Each page is loaded twice: as published (with its Content-Security-Policy) and with the policy
removed, so that the escaping is proven on its own and not only the policy. A control page with a
real ``<script>`` proves that the harness sees a script that runs.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import serve_folder
from test_hostile import VECTORS, hostile_build

pytestmark = pytest.mark.browser

CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="[^"]*">')

# What the browser itself parsed: handlers, script-bearing URLs and elements that content must never yield.
DOM_AUDIT = """() => {
  const found = [];
  for (const el of document.querySelectorAll('*')) {
    for (const a of el.attributes) {
      if (a.name.startsWith('on')) found.push(`${el.tagName} ${a.name}`);
      if (['href', 'src', 'action', 'formaction', 'xlink:href', 'data', 'background', 'poster'].includes(a.name)
          && /^\\s*(javascript|vbscript|data|livescript):/i.test(a.value.replace(/[\\u0000-\\u0020]/g, ''))) {
        found.push(`${el.tagName} ${a.name}=${a.value.slice(0, 40)}`);
      }
    }
  }
  for (const el of document.querySelectorAll('iframe, frame, object, embed, base, form, input, button, img, style, math, template')) {
    found.push(`<${el.tagName.toLowerCase()}>`);
  }
  for (const s of document.scripts) {
    if (s.type !== 'application/ld+json') found.push(`<script type=${s.type}>`);
  }
  for (const m of document.querySelectorAll('meta[http-equiv]')) {
    if (m.httpEquiv.toLowerCase() !== 'content-security-policy') found.push(`<meta http-equiv=${m.httpEquiv}>`);
  }
  return found;
}"""

# Runs before any of the page's own code: every way a vector reports itself is recorded.
SENTINEL = """
window.__ran = [];
for (const name of ['alert', 'confirm', 'prompt', 'print']) {
  window[name] = function (...args) { window.__ran.push(name + '(' + args.join(',') + ')'); };
}
"""


@pytest.fixture(scope="module")
def sites(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    """The hostile site as built, and a copy of it without its Content-Security-Policy."""
    top = tmp_path_factory.mktemp("xss")
    everything = " ".join(['"><svg onload=alert(1)>', *VECTORS])
    out = hostile_build(top / "site", lambda _n, _f, _p, old: f"{old} {everything}")
    bare = top / "bare"
    shutil.copytree(out, bare)
    for page in bare.rglob("*.html"):
        html = page.read_text("utf-8")
        assert CSP_META.search(html), page
        page.write_text(CSP_META.sub("", html), "utf-8")
    (bare / "control.html").write_text("<!doctype html><title>control</title><p>x</p><script>alert('control')</script>\n", "utf-8")
    yield out, bare


def _pages(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.html") if p.name != "control.html")


OWN = {"search": ["<form>", "<input>", "<button>", "<script type=module>"], "embed": ["<base>"]}
"""What the site's own pages have that content never may: the search page's form, button and script, an embed's <base target>."""


def _own(path: str) -> list[str]:
    return OWN["search"] if path.endswith("/search/index.html") else OWN["embed"] if path.startswith("embed/") else []


GRACE_MS = 150
"""Time each page is given after its load to misbehave: onload, onerror, ontoggle, autofocus and timers fire in it."""
TABS = 4
"""Tabs that take turns: a page's grace time passes while the other tabs load theirs."""


class _Tab:
    """A tab, and what the browser reports of its page: dialogs, requests to elsewhere, script errors."""

    def __init__(self, context: Any, base: str) -> None:
        self.page = context.new_page()
        self.events: list[str] = []
        self.path: str | None = None
        self.loaded = 0.0
        self.page.on("dialog", lambda d: (self.events.append(f"dialog {d.type}: {d.message}"), d.dismiss()))
        self.page.on("request", lambda r: None if r.url.startswith(base) else self.events.append(f"request {r.url}"))
        self.page.on("pageerror", lambda e: self.events.append(f"page error {e}"))

    def load(self, url: str, path: str) -> None:
        self.events.clear()
        self.page.goto(url, wait_until="load")
        self.path, self.loaded = path, time.monotonic()

    def audit(self) -> list[str]:
        """Once its grace time is over: what ran, what loaded, and what is live in the page."""
        self.page.wait_for_timeout(max(0.0, GRACE_MS - (time.monotonic() - self.loaded) * 1000))
        found = list(self.events) + [f"ran {r}" for r in self.page.evaluate("window.__ran")] + self.page.evaluate(DOM_AUDIT)
        for own in _own(self.path or ""):  # each once, exactly where the site puts it
            if own in found:
                found.remove(own)
        return found


def _visit(browser: Any, base: str, paths: list[str]) -> dict[str, list[str]]:
    """Load each page, give it time to misbehave, and report what ran, what loaded, and what is live."""
    context = browser.new_context(java_script_enabled=True)
    context.add_init_script(SENTINEL)
    report: dict[str, list[str]] = {}
    try:
        tabs = [_Tab(context, base) for _ in range(min(TABS, len(paths)))]
        for i, path in enumerate([*paths, *[None] * len(tabs)]):  # then one more turn, to audit the last pages
            tab = tabs[i % len(tabs)]
            if tab.path is not None and (found := tab.audit()):
                report[tab.path] = found
            tab.path = None
            if path is not None:
                tab.load(base + path, path)
    finally:
        context.close()
    return report


def test_the_harness_sees_a_script_that_runs(sites: tuple[Path, Path], browser: Any) -> None:
    _, bare = sites
    with serve_folder(bare) as base:
        report = _visit(browser, base, ["control.html"])
    assert "ran alert(control)" in report["control.html"]
    assert "<script type=>" in report["control.html"]


def test_hostile_pages_run_no_script_with_their_policy(sites: tuple[Path, Path], browser: Any) -> None:
    out, _ = sites
    paths = _pages(out)
    assert len(paths) >= 20
    with serve_folder(out) as base:
        assert _visit(browser, base, paths) == {}


def test_hostile_pages_run_no_script_even_without_a_policy(sites: tuple[Path, Path], browser: Any) -> None:
    _, bare = sites
    with serve_folder(bare) as base:
        report = _visit(browser, base, _pages(bare))
    assert report == {}
    # and the vectors are on the page, as text
    with serve_folder(bare) as base:
        page = browser.new_page()
        try:
            page.goto(base + "en/timeline/")
            text = page.evaluate("document.body.innerText")
        finally:
            page.close()
    assert "<svg/onload=alert('XSS')>" in text and "</script><script>alert('XSS');</script>" in text


def test_search_results_show_hostile_text_as_text(sites: tuple[Path, Path], browser: Any) -> None:
    """The search index holds every hostile vector; its results are set as text, and nothing runs."""
    out, _ = sites
    with serve_folder(out) as base:
        context = browser.new_context()
        context.add_init_script(SENTINEL)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        try:
            page.goto(base + "en/search/?q=onload")
            page.wait_for_selector(".search-results li", timeout=10_000)
            page.wait_for_timeout(GRACE_MS)
            assert page.evaluate("window.__ran") == [] and errors == []
            assert page.evaluate(DOM_AUDIT) == OWN["search"]
            assert "onload" in page.inner_text(".search-results")
        finally:
            context.close()
