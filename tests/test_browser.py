"""In real Chromium: Arabic lays out right to left, the switcher keeps the page, phones don't scroll sideways."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import serve_folder

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(built_mini: Path) -> Iterator[str]:
    with serve_folder(built_mini) as base:
        yield base


def test_arabic_pages_lay_out_right_to_left(site: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(site + "ar/timeline/")
    assert page.evaluate("getComputedStyle(document.documentElement).direction") == "rtl"
    width = page.evaluate("document.documentElement.clientWidth")
    brand = page.locator(".brand").bounding_box()
    switch = page.locator(".switch a").bounding_box()
    assert brand["x"] > width / 2 > switch["x"], (brand, switch)  # title on the right, switcher on the left
    first, second = (page.locator(".sections li").nth(i).bounding_box() for i in (0, 1))
    assert first["x"] > second["x"]  # navigation reads from the right
    # the timeline's rule is on the right edge of the list (inline-start in RTL)
    assert page.evaluate("getComputedStyle(document.querySelector('.timeline')).borderRightWidth") == "3px"
    page.goto(site + "en/timeline/")
    brand = page.locator(".brand").bounding_box()
    switch = page.locator(".switch a").bounding_box()
    assert brand["x"] < width / 2 < switch["x"]
    page.close()


def test_switcher_lands_on_the_counterpart_page(site: str, browser: Any) -> None:
    page = browser.new_page()
    page.goto(site + "ar/sources/joint/")
    page.locator(".switch a").click()
    page.wait_for_url(site + "en/sources/joint/")
    assert page.evaluate("document.documentElement.lang") == "en"
    page.locator(".switch a").click()
    page.wait_for_url(site + "ar/sources/joint/")
    page.close()


def test_no_horizontal_scroll_at_390px(site: str, browser: Any, built_mini: Path) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
    paths = sorted(str(p.parent.relative_to(built_mini)) for p in built_mini.rglob("index.html"))
    for path in paths:
        page.goto(site + ("" if path == "." else path + "/"))
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (path, overflow)
    page.close()


def test_citation_link_scrolls_to_a_highlighted_passage(site: str, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(site + "en/timeline/")
    page.locator("#first-round .cites summary").first.click()  # "Sources: …" opens on the quoted words
    href = page.locator("#first-round .quote figcaption a").first.get_attribute("href")
    page.locator("#first-round .quote figcaption a").first.click()
    page.wait_for_url("**" + href.split("..")[-1])
    anchor = href.split("#")[1]
    mark = page.locator(f"#{anchor} + mark")
    assert mark.is_visible()
    assert "لجنة عسكرية مشتركة" in mark.inner_text()
    assert mark.evaluate("m => getComputedStyle(m).backgroundColor") != "rgba(0, 0, 0, 0)"
    page.close()
