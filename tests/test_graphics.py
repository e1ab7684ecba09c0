"""The timeline graphic and the map: drawn as inline SVG at build time, checked on the SVG itself."""

from __future__ import annotations

import itertools
import json
import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, examples, make_project
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape

from explainer import graphics
from explainer.graphics import (
    Box,
    Ring,
    _attrs,
    _char_em,
    _escaped,
    _n,
    _outline,
    _path,
    _place_free,
    _Projection,
    load_geo,
    map_svg,
    text_width,
    timeline_svg,
    wrap,
)
from explainer.model import Model
from explainer.validate import Project, load_model

SVG = "{http://www.w3.org/2000/svg}"
_SVG_RE = re.compile(r'<svg xmlns="http://www.w3.org/2000/svg".*?</svg>', re.S)


# --- helpers -------------------------------------------------------------------------------


def svgs(html: str) -> dict[str, ET.Element]:
    """Every inline SVG of a page, by id (parsed as XML: the markup must be well formed)."""
    out = {}
    for text in _SVG_RE.findall(html):
        root = ET.fromstring(text)
        out[root.get("id", "")] = root
    return out


def page(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text("utf-8")


def boxes(root: ET.Element) -> list[tuple[str, Box]]:
    out = []
    for el in root.iter():
        if el.get("data-box"):
            x0, y0, x1, y1 = (float(v) for v in el.get("data-box", "").split())
            out.append((el.get("data-label", ""), Box(x0, y0, x1, y1)))
    return out


def marks(root: ET.Element, attr: str) -> dict[str, ET.Element]:
    """The drawn marks (in the picture, not the link layer) by their data id."""
    drawing = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "g-drawing")
    return {el.get(attr, ""): el for el in drawing.iter() if el.get(attr)}


def links(root: ET.Element) -> list[ET.Element]:
    return [a for a in root.iter(f"{SVG}a") if "g-hit" in (a.get("class") or "")]


def ids_in(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


def model_of(site: Path) -> Model:
    root = site.parent if (site.parent / "content").is_dir() and site.name == "_site" else REPO
    return load_model(Project(root))


SITES = ["mini", "real"]


@pytest.fixture(params=SITES)
def built(request: pytest.FixtureRequest) -> Iterator[tuple[Path, Model]]:
    site: Path = request.getfixturevalue(f"built_{request.param}")
    yield site, model_of(site)


# --- the map data ----------------------------------------------------------------------------


def test_geo_file_names_its_source_and_licence_and_stays_small() -> None:
    path = REPO / "content" / "geo.json"
    geo, problems = load_geo(path, "content/geo.json")
    assert problems == [] and geo is not None
    assert "Natural Earth" in geo.source and "world-atlas" in geo.source
    assert "public domain" in geo.licence.lower()
    assert {"IRQ", "SYR", "JOR", "IRN"} <= {c.id for c in geo.countries}
    assert [r.id for r in geo.regions] == ["kurdistan-region"]
    assert path.stat().st_size < 30_000
    data = json.loads(path.read_text("utf-8"))
    for shape in data["countries"] + data["regions"]:
        for ring in shape["rings"]:
            for lon, lat in ring:
                assert round(lon, 2) == lon and round(lat, 2) == lat  # rounded to 0.01°


def test_geo_errors_are_located(tmp_path: Path) -> None:
    bad = tmp_path / "geo.json"
    bad.write_text(
        '{\n"source": "x",\n"licence": "y",\n"countries": [\n{"id":"IRQ","name":"Iraq","rings":[[[1,2],[3]]]}\n],\n"regions": []\n}\n'
    )
    geo, problems = load_geo(bad, "content/geo.json")
    assert geo is None
    assert [(p.path, p.line) for p in problems] == [("content/geo.json", 5)]
    assert "ring" in problems[0].message
    bad.write_text('{\n"source": "x",\n  "licence": }\n')
    geo, problems = load_geo(bad, "content/geo.json")
    assert geo is None and problems[0].line == 3 and "JSON" in problems[0].message
    assert load_geo(tmp_path / "absent.json", "content/absent.json") == (None, [])


# --- text measurement and layout helpers ------------------------------------------------------


def test_text_width_is_conservative_and_wrap_keeps_logical_order() -> None:
    assert text_width("Baghdad", 10) > text_width("Erbil", 10) > 0
    assert text_width("بغداد", 12, bold=True) > text_width("بغداد", 12)
    title = "وزير الدفاع العراقي يعلن جدول الانسحاب ويكشف رفض عام ثالث"
    lines = wrap(title, 13, 120)
    assert len(lines) > 1 and " ".join(lines) == title  # only split at spaces, never reordered
    assert all(text_width(line, 13) <= 120 for line in lines if " " in line)
    assert Box(0, 0, 10, 10).overlaps(Box(9, 9, 20, 20)) and not Box(0, 0, 10, 10).overlaps(Box(10, 0, 20, 10))


def test_graphics_are_deterministic_and_escape_text(tmp_path: Path) -> None:
    model = load_model(Project(make_project(tmp_path / "site")))
    lang = model.site.languages[1]
    labels = dict.fromkeys(
        [
            "timeline_title",
            "timeline_desc",
            "map_title",
            "map_desc",
            "map_other",
            "map_city",
            "map_base",
            "map_region",
            "map_region_approx",
        ],
        'a <b> & "c"',
    )

    def link(key: str, anchor: str = "") -> str:
        return f"../{key}/?x=<1>&y#{anchor}"

    one = timeline_svg(model, lang, link, labels=labels, phase_labels={}, layout="wide")
    two = timeline_svg(model, lang, link, labels=labels, phase_labels={}, layout="wide")
    assert one == two
    assert "<b>" not in one and "a &lt;b&gt; &amp; &#34;c&#34;" in one and "?x=&lt;1&gt;&amp;y#" in one
    ET.fromstring(str(one))  # well-formed
    geo, _ = load_geo(REPO / "content" / "geo.json", "geo.json")
    m1 = map_svg(model, geo, lang, link, labels=labels, phase_labels={}, width=800)
    assert m1 == map_svg(model, geo, lang, link, labels=labels, phase_labels={}, width=800)
    ET.fromstring(str(m1))


# --- the fast paths write what the plain code wrote ------------------------------------------------

coords = st.floats(min_value=-1e7, max_value=1e7, allow_nan=False)


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.lists(st.tuples(coords, coords), min_size=1, max_size=6).map(tuple), max_size=3), st.floats(10, 5000))
def test_path_writes_each_projected_point_as_n_does(rings: list[Ring], width: float) -> None:
    proj = _Projection.fit(width)
    plain = "".join("M" + "L".join(f"{_n(x)} {_n(y)}" for x, y in (proj(lon, lat) for lon, lat in ring)) + "Z" for ring in rings)
    assert _path(rings, proj) == plain


def _plain_attrs(**kw: Any) -> str:
    """How attributes were written before the fast paths (kept here as the reference)."""
    parts = []
    for k, v in kw.items():
        if v is None:
            continue
        name = k.rstrip("_").replace("_", "-")
        if isinstance(v, float):
            s = f"{v:.1f}"
            text = s[:-2] if s.endswith(".0") else s
        elif type(v) is int:
            text = str(v)
        else:
            text = str(escape(v if isinstance(v, str) else str(v)))
        parts.append(f' {name}="{text}"')
    return "".join(parts)


values = st.one_of(
    st.none(), st.floats(), st.integers(), st.booleans(), st.text(), st.sampled_from(["g-dot", "a&b", "<", '"', "'"]), st.text().map(Markup)
)


@settings(max_examples=examples(500), deadline=None)
@given(values, values, values)
def test_attributes_and_texts_are_written_as_before(a: Any, b: Any, c: Any) -> None:
    assert _attrs(class_=a, data_box=b, x=c) == _plain_attrs(class_=a, data_box=b, x=c)
    for v in (a, b, c):
        if isinstance(v, float):
            assert _n(v) == _plain_attrs(x=v)[4:-1]
        if v is not None:
            assert _escaped(v) == str(escape(v))


@settings(max_examples=examples(300), deadline=None)
@given(st.text(), st.floats(1, 100), st.booleans())
def test_text_width_adds_the_characters_as_a_loop_does(text: str, size: float, bold: bool) -> None:
    em = 0.0
    for ch in text:  # the same additions, in the same order
        em += _char_em(ch)
    assert text_width(text, size, bold=bold) == em * size * (1.08 if bold else 1.0)


boxes_st = st.tuples(*[st.floats(-50, 50)] * 4).map(lambda t: Box(min(t[0], t[2]), min(t[1], t[3]), max(t[0], t[2]), max(t[1], t[3])))


@settings(max_examples=examples(300), deadline=None)
@given(boxes_st, st.lists(boxes_st, max_size=8), boxes_st, st.sampled_from([0, 2, 5, 2.5, 14]))
def test_place_free_is_inside_and_overlapping_nothing(box: Box, placed: list[Box], frame: Box, pad: float) -> None:
    assert _place_free(box, placed, frame, pad) == (box.inside(frame) and not any(box.overlaps(b, pad) for b in placed))


def test_outlines_are_projected_once_per_geo_and_width() -> None:
    geo, _ = load_geo(REPO / "content" / "geo.json", "geo.json")
    assert geo is not None
    shape, proj = geo.countries[0], _Projection.fit(800)
    d = _outline(geo, shape, proj)
    assert d == _path(shape.rings, proj) and _outline(geo, shape, proj) is d
    assert _outline(geo, shape, _Projection.fit(400)) == _path(shape.rings, _Projection.fit(400))
    again, _ = load_geo(REPO / "content" / "geo.json", "geo.json")
    assert again is not None and _outline(again, again.countries[0], proj) == d
    assert graphics._outlines is not None and graphics._outlines[0] is again  # the older Geo's paths are let go


# --- the built pages: the SVG as the reader gets it ---------------------------------------------

GRAPHICS = {
    # page → {svg id: kind}
    "timeline": {"tl-f-w": "timeline", "tl-f-n": "timeline"},
    "plan": {"map-f-w": "map", "map-f-n": "map"},
    "": {"tl-c-w": "timeline", "tl-c-n": "timeline", "map-c-w": "map", "map-c-n": "map"},
}


def _all(site: Path, model: Model) -> Iterator[tuple[str, str, str, ET.Element]]:
    for lang in model.site.languages:
        for key, wanted in GRAPHICS.items():
            path = f"{lang.code}/{key}".rstrip("/")
            found = svgs(page(site, path))
            for uid in wanted:
                assert uid in found, (path, uid)
                yield lang.code, path, wanted[uid], found[uid]


def test_timeline_runs_with_the_reading_direction(built: tuple[Path, Model]) -> None:
    site, model = built
    ordered = sorted(model.events, key=lambda e: e.date.sort_key)
    first, last = ordered[0], ordered[-1]
    for code in ("ar", "en"):
        for uid in ("tl-f-w", "tl-c-w", "tl-c-n"):
            root = svgs(page(site, code + ("/timeline" if uid.startswith("tl-f") else "")))[uid]
            drawn = marks(root, "data-event")
            x_first = float(next(drawn[first.id].iter(f"{SVG}circle")).get("cx", "0"))
            x_last = float(next(drawn[last.id].iter(f"{SVG}circle")).get("cx", "0"))
            if code == "ar":
                assert x_first > x_last, (uid, "Arabic: time runs right to left")
            else:
                assert x_first < x_last, (uid, "English: time runs left to right")
            assert root.get("direction") == ("rtl" if code == "ar" else "ltr") and root.get("lang") == code


def test_every_event_and_every_place_is_drawn_and_linked(built: tuple[Path, Model]) -> None:
    site, model = built
    events = {e.id for e in model.events}
    places = {p.id for p in model.places}
    for _code, path, kind, root in _all(site, model):
        if kind == "timeline":
            assert set(marks(root, "data-event")) == events, (path, root.get("id"))
            assert {a.get("data-event") for a in links(root) if a.get("data-event")} == events
        else:
            assert set(marks(root, "data-place")) >= places, (path, root.get("id"), places - set(marks(root, "data-place")))
            assert {a.get("data-place") for a in links(root) if a.get("data-place")} >= places
        drawing = next(g for g in root.iter(f"{SVG}g") if g.get("class") == "g-drawing")
        assert drawing.get("role") == "img"
        labelled = (drawing.get("aria-labelledby") or "").split()
        titles = {el.get("id"): (el.text or "") for el in root if el.tag in (f"{SVG}title", f"{SVG}desc")}
        assert len(labelled) == 2 and all(titles.get(i, "").strip() for i in labelled)
        assert not list(drawing.iter(f"{SVG}a")), "the picture holds no links; they are in the layer above"


def test_event_labels_are_the_titles_in_logical_order(built: tuple[Path, Model]) -> None:
    site, model = built
    for lang in model.site.languages:
        root = svgs(page(site, f"{lang.code}/timeline"))["tl-f-w"]
        drawn = marks(root, "data-event")
        for e in model.events:
            text = " ".join(" ".join(t.itertext()) for t in drawn[e.id].iter(f"{SVG}text"))
            assert " ".join(text.split()) == " ".join(e.title[lang.code].split())


def test_labels_never_overlap_and_stay_inside(built: tuple[Path, Model]) -> None:
    site, model = built
    for _code, path, _kind, root in _all(site, model):
        _, _, w, h = (float(v) for v in root.get("viewBox", "").split())
        found = boxes(root)
        assert found, (path, root.get("id"))
        for (ka, a), (kb, b) in itertools.combinations(found, 2):
            assert not a.overlaps(b), (path, root.get("id"), ka, a, kb, b)
        for kind, b in found:
            assert b.x0 >= -0.5 and b.y0 >= -0.5 and b.x1 <= w + 0.5 and b.y1 <= h + 0.5, (path, root.get("id"), kind, b)


def test_every_mark_link_resolves(built: tuple[Path, Model]) -> None:
    site, model = built
    cache: dict[str, set[str]] = {}
    for _code, path, _kind, root in _all(site, model):
        for a in links(root):
            href = a.get("href", "")
            assert not re.match(r"^[a-z]+:|^/", href), href  # relative, same site
            target, _, anchor = href.partition("#")
            resolved = posixpath.normpath(posixpath.join(path + "/", target or "."))
            file = site / resolved / "index.html"
            assert file.is_file(), (path, href)
            if resolved not in cache:
                cache[resolved] = ids_in(file.read_text("utf-8"))
            assert anchor and anchor in cache[resolved], (path, href)
            assert (a.get("aria-label") or "").strip(), (path, href)


def test_graphics_keep_pages_light(built_real: Path) -> None:
    for path in ("ar", "en/timeline", "ar/plan"):
        for root in svgs(page(built_real, path)).values():
            assert len(ET.tostring(root)) < 60_000, (path, root.get("id"))


# --- in Chromium: real text boxes fit the estimated ones -----------------------------------------


@pytest.mark.browser
def test_rendered_labels_fit_their_boxes(built_real: Path) -> None:
    from browser import chromium, serve_folder

    script = """() => [...document.querySelectorAll('svg.g [data-box]')].filter(g => g.getClientRects().length).map(g => {
        const b = g.getBBox(); const d = g.dataset.box.split(' ').map(Number);
        return {svg: g.closest('svg').id, text: g.textContent, x0: b.x, x1: b.x + b.width, d};
    })"""
    bad: list[Any] = []
    with serve_folder(built_real) as base, chromium() as browser:
        for width in (1280, 390):
            tab = browser.new_page(viewport={"width": width, "height": 900})
            for path in ("ar/timeline/", "en/timeline/", "ar/plan/", "en/plan/", "ar/", "en/"):
                tab.goto(base + path)
                found = tab.evaluate(script)
                assert found, path
                bad += [(path, width, f) for f in found if f["x0"] < f["d"][0] - 1 or f["x1"] > f["d"][2] + 1]
                overflow = tab.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
                assert overflow <= 0, (path, width, overflow)
            tab.close()
    assert bad == [], bad[:5]
