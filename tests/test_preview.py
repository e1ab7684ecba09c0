"""The live preview in real Chromium: edits appear by themselves, errors show an overlay, fixes clear it."""

from __future__ import annotations

import json
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import BUILD, edit, make_project, run_cli

pytestmark = pytest.mark.browser


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def preview(tmp_path: Path) -> Iterator[tuple[Path, str, subprocess.Popen[str]]]:
    project = make_project(tmp_path / "site")
    port = free_port()
    proc = subprocess.Popen(
        [*BUILD, "serve", "--port", str(port)], cwd=project, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )

    def listening() -> bool:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            return proc.poll() is not None  # stop waiting for a server that has exited

    try:
        wait_until(listening, 20, "the preview server to listen")
        assert proc.poll() is None, f"the preview server exited: {proc.communicate()[0]}"
    except BaseException:
        proc.kill()
        raise
    yield project, f"http://127.0.0.1:{port}/", proc
    proc.terminate()
    proc.wait(timeout=10)


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    """Poll ``condition`` until it holds; fail the test, saying what it waited for, if it never does."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"waited {seconds} s for {what}")
        time.sleep(0.05)


def test_listens_on_loopback_only(preview: tuple[Path, str, Any]) -> None:
    _project, base, _proc = preview
    port = int(base.rsplit(":", 1)[1].strip("/"))
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            local, state = row.split()[1], row.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                listening.append(address)
    assert listening == ["0100007F"], listening  # 127.0.0.1 only, in /proc's byte order


def test_edit_error_and_fix_in_an_open_page(preview: tuple[Path, str, Any], browser: Any) -> None:
    project, base, proc = preview
    page = browser.new_page(bypass_csp=True)  # older Playwright evaluates wait_for_function strings with eval
    page.goto(base + "en/timeline/")
    title = page.locator("#invasion .event-title")
    assert title.inner_text() == "The US invades Iraq"
    page.wait_for_function("() => window.LiveReload !== undefined", timeout=30_000)

    edit(project / "content/events.yaml", lambda s: s.replace("en: The US invades Iraq", "en: The United States invades Iraq"))
    page.wait_for_function(
        "() => document.querySelector('#invasion .event-title').textContent === 'The United States invades Iraq'", timeout=30_000
    )

    edit(project / "content/events.yaml", lambda s: s.replace("status: occurred", "status: ocurred", 1))
    overlay = page.locator("#preview-overlay")
    overlay.wait_for(timeout=30_000)
    text = overlay.inner_text()
    assert "content/events.yaml:4:13" in text and "'ocurred' is not allowed here" in text
    assert "did you mean 'occurred'?" in text
    assert page.locator("#preview-overlay .po-hit").inner_text().strip().startswith("4")  # the offending line, marked
    assert proc.poll() is None  # the server keeps running
    assert page.locator("#invasion .event-title").inner_text() == "The United States invades Iraq"  # last good page

    edit(
        project / "content/events.yaml",
        lambda s: s.replace("status: ocurred", "status: occurred", 1).replace(
            "The United States invades Iraq", "The US invades Iraq again"
        ),
    )
    page.wait_for_function(
        "() => document.querySelector('#invasion .event-title').textContent === 'The US invades Iraq again'", timeout=30_000
    )
    page.wait_for_selector("html[data-preview-checked]", timeout=30_000)  # the reloaded page has read the new status
    assert page.locator("#preview-overlay").count() == 0
    page.close()


def test_overlay_speaks_arabic_on_arabic_pages(preview: tuple[Path, str, Any], browser: Any) -> None:
    project, base, _proc = preview
    page = browser.new_page(bypass_csp=True)  # older Playwright evaluates wait_for_function strings with eval
    page.goto(base + "ar/timeline/")
    page.wait_for_function("() => window.LiveReload !== undefined", timeout=30_000)
    edit(project / "content/glossary.yaml", lambda s: s.replace("kind: person", "kind: persn"))
    overlay = page.locator("#preview-overlay")
    overlay.wait_for(timeout=30_000)
    assert overlay.get_attribute("dir") == "rtl" and "فشل البناء" in overlay.inner_text()
    assert "content/glossary.yaml:3:11" in overlay.inner_text()
    page.close()


def test_stale_translations_are_marked_in_the_preview_only(preview: tuple[Path, str, Any], browser: Any) -> None:
    project, base, _proc = preview
    assert run_cli(project, "review").returncode == 0  # everything reviewed: nothing marked

    def no_marks() -> bool:  # the server rebuilds after review rewrites the files
        try:
            with urllib.request.urlopen(base + "__preview/status.json") as response:
                return bool(json.load(response)["marks"] == [])
        except urllib.error.HTTPError:  # between the swap of a rebuilt site and its new status
            return False

    wait_until(no_marks, 30, "the preview's status to list no translation marks after review")
    page = browser.new_page(bypass_csp=True)  # older Playwright evaluates wait_for_function strings with eval
    page.goto(base + "en/timeline/")
    page.wait_for_function("() => window.LiveReload !== undefined", timeout=30_000)
    page.wait_for_selector("html[data-preview-checked]", timeout=30_000)
    assert page.locator(".preview-stale").count() == 0
    edit(project / "content/events.yaml", lambda s: s.replace("ar: الغزو الأمريكي للعراق", "ar: غزو العراق"))
    page.wait_for_selector("#invasion.preview-stale", timeout=30_000)
    assert "Translation needs review" in page.locator("#invasion").get_attribute("data-stale")
    assert page.locator(".preview-stale").count() == 1
    page.close()
    published = run_cli(project, "build", "--out", "published")
    assert published.returncode == 0
    assert not (project / "published" / "__preview").exists()
    assert "__preview" not in (project / "published/en/timeline/index.html").read_text("utf-8")
