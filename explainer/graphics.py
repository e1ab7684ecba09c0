"""Graphics drawn at build time as inline SVG: the timeline and the map of the withdrawal.

Pure functions from the model (and the map outlines in ``content/geo.json``) to SVG markup.
Text stays in logical order: the SVG carries ``lang`` and ``direction`` and the browser shapes
it; only the geometry mirrors for right-to-left pages (time runs right to left in Arabic).

Every label's box is estimated conservatively and laid out so that no two boxes overlap; each
label group carries its box as ``data-box`` ("x0 y0 x1 y1") so tests can compare them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache, reduce
from itertools import pairwise
from operator import add
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from .errors import Problem
from .i18n import digits, format_date
from .model import Event, FuzzyDate, Language, Model, Place

Link = Callable[..., str]
"""``link(page_key, anchor)`` → a relative URL (the render view's ``url``)."""

# --- map data --------------------------------------------------------------------------

Ring = tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Shape:
    """A country or region outline: rings of (lon, lat)."""

    id: str
    name: str
    rings: tuple[Ring, ...]


@dataclass(frozen=True)
class Geo:
    """The outlines behind the map, with where they come from."""

    source: str
    licence: str
    countries: tuple[Shape, ...]
    regions: tuple[Shape, ...]


def load_geo(path: Path, shown: str) -> tuple[Geo | None, list[Problem]]:
    """Read the map outlines; a missing file is allowed (the map is drawn without them)."""
    if not path.is_file():
        return None, []
    text = path.read_text("utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [
            Problem(shown, exc.lineno, exc.colno, f"not valid JSON: {exc.msg}", "regenerate the file, or fix the JSON syntax here")
        ]
    problems: list[Problem] = []

    def line_of(needle: str) -> int:
        at = text.find(needle)
        return text.count("\n", 0, at) + 1 if at >= 0 else 1

    if not isinstance(data, dict):
        return None, [Problem(shown, 1, 1, "expected a JSON object", "the file holds source, licence, countries and regions")]
    for key in ("source", "licence"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(
                Problem(
                    shown, line_of(f'"{key}"'), 1, f"'{key}' is missing or empty", "name where the outlines come from and their licence"
                )
            )

    def shapes(key: str) -> tuple[Shape, ...]:
        out = []
        raw = data.get(key, [])
        if not isinstance(raw, list):
            problems.append(Problem(shown, line_of(f'"{key}"'), 1, f"'{key}' must be a list", "a list of {id, name, rings}"))
            return ()
        for i, item in enumerate(raw):
            ident = item.get("id") if isinstance(item, dict) else None
            where = line_of(f'"id":"{ident}"') if ident else line_of(f'"{key}"')
            if not isinstance(ident, str) or not isinstance(item.get("name"), str) or not isinstance(item.get("rings"), list):
                problems.append(
                    Problem(
                        shown,
                        where,
                        1,
                        f"{key}[{i + 1}]: needs 'id', 'name' and 'rings'",
                        'each shape is {"id": ..., "name": ..., "rings": [[[lon, lat], ...]]}',
                    )
                )
                continue
            rings = []
            for ring in item["rings"]:
                ok = (
                    isinstance(ring, list)
                    and len(ring) >= 3
                    and all(
                        isinstance(p, list)
                        and len(p) == 2
                        and all(isinstance(v, (int, float)) for v in p)
                        and -180 <= p[0] <= 180
                        and -90 <= p[1] <= 90
                        for p in ring
                    )
                )
                if not ok:
                    problems.append(
                        Problem(
                            shown,
                            where,
                            1,
                            f"{key} '{ident}': a ring is not a list of at least 3 [lon, lat] points",
                            "longitude -180..180, latitude -90..90",
                        )
                    )
                    break
                rings.append(tuple((float(p[0]), float(p[1])) for p in ring))
            out.append(Shape(ident, item["name"], tuple(rings)))
        return tuple(out)

    countries, regions = shapes("countries"), shapes("regions")
    if problems:
        return None, problems
    return Geo(data["source"], data["licence"], countries, regions), []


# --- text and boxes ----------------------------------------------------------------------


def _is_arabic(ch: str) -> bool:
    o = ord(ch)
    return 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0x08A0 <= o <= 0x08FF or 0xFB50 <= o <= 0xFEFF


def _char_em(ch: str) -> float:
    """The advance of one character, in em (conservative)."""
    if ch == " ":
        return 0.3
    if _is_arabic(ch) or ch.isdigit() or ch in "٠١٢٣٤٥٦٧٨٩":
        return 0.6
    if ch in "ilIjtf.,:;'’|!()[]·":
        return 0.34
    if ch in "mwMWœ—":
        return 0.92
    if ch.isupper():
        return 0.72
    return 0.58


class _CharEms(dict[str, float]):
    """Each character's :func:`_char_em`, worked out the first time the character is met (the texts
    hold a few hundred distinct characters at most)."""

    def __missing__(self, ch: str) -> float:
        em = self[ch] = _char_em(ch)
        return em


_CHAR_EMS = _CharEms()


@lru_cache(maxsize=8192)
def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """A conservative estimate of the advance width of ``text`` at ``size`` (in the same units).

    Remembered: word wrapping measures the same labels again for every drawing of every page."""
    # The characters' ems looked up in a table and added in C: reduce adds them one by one from
    # 0.0, in order, so the float sum is exactly the loop's (sum() may compensate rounding on 3.12+).
    em = reduce(add, map(_CHAR_EMS.__getitem__, text), 0.0)
    return em * size * (1.08 if bold else 1.0)


def wrap(text: str, size: float, max_width: float, *, bold: bool = False) -> list[str]:
    """Greedy word wrap (logical order kept; only spaces break).

    A single word wider than ``max_width`` (a long URL, say) is cut short with an ellipsis, so
    that every line fits and the label can be placed; the full text is in the list beside the graphic.
    """
    lines: list[str] = []
    for word in text.split():
        if text_width(word, size, bold=bold) > max_width:
            while len(word) > 1 and text_width(word + "…", size, bold=bold) > max_width:
                word = word[:-1]
            word += "…"
        if lines and text_width(lines[-1] + " " + word, size, bold=bold) <= max_width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in SVG user units."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box, pad: float = 0.0) -> bool:
        return not (self.x1 + pad <= other.x0 or other.x1 + pad <= self.x0 or self.y1 + pad <= other.y0 or other.y1 + pad <= self.y0)

    def inside(self, other: Box) -> bool:
        return self.x0 >= other.x0 and self.x1 <= other.x1 and self.y0 >= other.y0 and self.y1 <= other.y1

    def attr(self) -> str:
        return f"{self.x0:.1f} {self.y0:.1f} {self.x1:.1f} {self.y1:.1f}"


def _n(v: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros (deterministic)."""
    return f"{v:.1f}".removesuffix(".0")


def _escaped(v: Any) -> str:
    """``str(escape(v))``, returning a plain string that has nothing to escape as it is.

    Most texts and attribute values have nothing to escape; five ``in`` tests cost a fifth of
    building the Markup. (Only exact ``str``: a Markup, already safe, goes to ``escape`` as before.)"""
    if type(v) is str and not ("&" in v or "<" in v or ">" in v or '"' in v or "'" in v):
        return v
    return str(escape(v))


_ATTR_NAMES: dict[str, str] = {}
"""Keyword → attribute name (``class_`` → ``class``, ``data_box`` → ``data-box``), worked out once
each: the keywords are this module's own, a few dozen."""


def _attr_text(kw: Mapping[str, Any]) -> str:
    """The attributes for the keywords ``kw`` (the None ones left out), values escaped.

    Takes the callers' dict of keywords as it is (no repacking into ``**kw``), and tests the
    commonest value types first, by exact type: a float (a coordinate), then a string."""
    parts = []
    for k, v in kw.items():
        if v is None:
            continue
        name = _ATTR_NAMES.get(k)
        if name is None:
            name = _ATTR_NAMES[k] = k.rstrip("_").replace("_", "-")
        t = type(v)
        if t is float:
            text = f"{v:.1f}".removesuffix(".0")  # _n, inlined
        elif t is str:
            text = _escaped(v)
        elif t is int:  # numbers need no escaping
            text = str(v)
        elif isinstance(v, float):
            text = _n(v)
        else:
            text = str(escape(v if isinstance(v, str) else str(v)))
        parts.append(f' {name}="{text}"')
    return "".join(parts)


def _attrs(**kw: Any) -> str:
    return _attr_text(kw)


class _Svg:
    """A tiny writer: escapes every text node and attribute.

    The drawing is a picture (``role="img"``), so it holds no links: an ``<a>`` opened while
    drawing becomes a ``<g>`` there, and a transparent link over the same shapes is added to a
    separate layer on top (keyboard- and screen-reader-reachable, named by the mark's title).
    """

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.hits: list[str] = []
        self._anchor: dict[str, Any] | None = None

    def open(self, tag: str, **kw: Any) -> None:
        if tag == "a":
            href = kw.pop("href")
            data = {k: v for k, v in kw.items() if k in ("data_event", "data_place")}
            self._anchor = {"href": href, "data": data, "cls": kw.get("class_", ""), "shapes": [], "name": ""}
            self.parts.append(f"<g{_attr_text(kw)}>")
            if "data_box" in kw:
                x0, y0, x1, y1 = (float(v) for v in str(kw["data_box"]).split())
                self._anchor["shapes"].append(f"<rect{_attrs(x=x0, y=y0, width=x1 - x0, height=y1 - y0)}/>")
            return
        if self._anchor is not None and tag == "g" and "data_box" in kw:
            x0, y0, x1, y1 = (float(v) for v in str(kw["data_box"]).split())
            self._anchor["shapes"].append(f"<rect{_attrs(x=x0, y=y0, width=x1 - x0, height=y1 - y0)}/>")
        self.parts.append(f"<{tag}{_attr_text(kw)}>")

    def close(self, tag: str) -> None:
        if tag == "a" and self._anchor is not None:
            a, self._anchor = self._anchor, None
            self.parts.append("</g>")
            name = a["name"]
            self.hits.append(
                f"<a{_attrs(href=a['href'], class_='g-hit', aria_label=name or None, **a['data'])}>"
                + (f"<title>{_escaped(name)}</title>" if name else "")
                + "".join(a["shapes"])
                + "</a>"
            )
            return
        self.parts.append(f"</{tag}>")

    def leaf(self, tag: str, **kw: Any) -> None:
        if self._anchor is not None:
            shapes = self._anchor["shapes"]
            if tag == "circle":
                shapes.append(f"<circle{_attrs(cx=kw['cx'], cy=kw['cy'], r=float(kw['r']) + 4)}/>")
            elif tag == "rect":
                x, y, w, h = (float(kw[k]) for k in ("x", "y", "width", "height"))
                shapes.append(f"<rect{_attrs(x=x - 3, y=y - 3, width=w + 6, height=h + 6)}/>")
            elif tag in ("path", "ellipse"):
                shapes.append(f"<{tag}{_attr_text({k: v for k, v in kw.items() if k in ('d', 'cx', 'cy', 'rx', 'ry')})}/>")
        self.parts.append(f"<{tag}{_attr_text(kw)}/>")

    def text(self, tag: str, content: str, **kw: Any) -> None:
        if tag == "title" and self._anchor is not None:
            self._anchor["name"] = content
        self.parts.append(f"<{tag}{_attr_text(kw)}>{_escaped(content)}</{tag}>")

    def finish(self) -> None:
        """Close the drawing, add the layer of links on top, close the SVG."""
        self.parts.append("</g>")
        if self.hits:
            self.parts.append('<g class="g-hits">' + "".join(self.hits) + "</g>")
        self.parts.append("</svg>")

    def markup(self) -> Markup:
        return Markup("".join(self.parts))


def _anchor(side: str, lang: Language) -> str:
    """SVG ``text-anchor`` for a geometric side: ``left`` means x is the left edge of the text."""
    if side == "middle":
        return "middle"
    rtl = lang.dir == "rtl"
    return ("end" if rtl else "start") if side == "left" else ("start" if rtl else "end")


def _label(
    svg: _Svg, lang: Language, x: float, y: float, lines: Sequence[str], size: float, side: str, cls: str, lh: float | None = None
) -> None:
    """Lines of text, the first baseline at ``y``; ``side`` says which edge of the box ``x`` is."""
    lh = lh or size * 1.25
    if len(lines) == 1:
        svg.text("text", lines[0], x=x, y=y, class_=cls, text_anchor=_anchor(side, lang), font_size=size)
        return
    svg.open("text", x=x, y=y, class_=cls, text_anchor=_anchor(side, lang), font_size=size)
    for i, line in enumerate(lines):
        svg.text("tspan", line, x=x, y=y + i * lh)
    svg.close("text")


def _svg_open(svg: _Svg, lang: Language, uid: str, w: float, h: float, cls: str, title: str, desc: str) -> None:
    svg.open(
        "svg",
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {_n(w)} {_n(h)}",
        width=_n(w),
        height=_n(h),
        class_=f"g {cls}",
        role="group",
        aria_labelledby=f"{uid}-t",
        lang=lang.code,
        direction=lang.dir,
        paint_order="stroke",
        id=uid,
    )
    svg.text("title", title, id=f"{uid}-t")
    svg.text("desc", desc, id=f"{uid}-d")
    svg.open("g", class_="g-drawing", role="img", aria_labelledby=f"{uid}-t {uid}-d")


def _place_free(box: Box, placed: Iterable[Box], frame: Box, pad: float) -> bool:
    """``box.inside(frame) and not any(box.overlaps(b, pad) for b in placed)``.

    With :meth:`Box.overlaps` inlined into a plain loop (the same comparisons, the box's own sums
    done once): layout tries thousands of boxes per build, and this saves a call and a generator step for each."""
    if not box.inside(frame):
        return False
    x0, y0, x1, y1 = box.x0, box.y0, box.x1 + pad, box.y1 + pad
    for b in placed:  # noqa: SIM110 (a loop: a quarter faster than all() over a generator)
        if not (x1 <= b.x0 or b.x1 + pad <= x0 or y1 <= b.y0 or b.y1 + pad <= y0):
            return False
    return True


# --- timeline -------------------------------------------------------------------------------


def _year_value(d: FuzzyDate) -> float:
    """A date as a fractional year, at the middle of its precision (``2024`` → 2024.5)."""
    if d.precision == "year":
        return d.year + 0.5
    if d.precision == "month":
        return d.year + ((d.month or 1) - 0.5) / 12
    return d.year + ((d.month or 1) - 1) / 12 + ((d.day or 1) - 0.5) / 365.25


@dataclass(frozen=True)
class _Scale:
    """Fractional year → position along the axis, in two linear segments when there is a break."""

    start: float
    brk: float | None
    end: float
    a: float  # position of start
    b: float  # position of end
    split: float  # share of the length given to the years before the break
    gap: float

    def __call__(self, year: float) -> float:
        length = self.b - self.a
        if self.brk is None:
            return self.a + (year - self.start) / (self.end - self.start) * length
        first = (length - self.gap) * self.split
        if year < self.brk:
            return self.a + (year - self.start) / (self.brk - self.start) * first
        return self.a + first + self.gap + (year - self.brk) / (self.end - self.brk) * (length - self.gap - first)


def _time_domain(model: Model) -> tuple[int, int | None, int]:
    """First year, the year the detailed part starts (or None), the year after the last."""
    years = [e.date.year for e in model.events] + [p.ends.year for p in model.phases]
    start = min([2003, *years])
    end = max([2026, *years]) + 1
    deadlines = [p.ends.year for p in model.phases]
    brk = min(deadlines) - 1 if deadlines else None
    if brk is not None and (brk - start < 4 or not any(e.date.year < brk for e in model.events)):
        brk = None
    return start, brk, end


def _phase_spans(model: Model) -> list[tuple[Any, float, float]]:
    """Each phase with the fractional years it spans (the first fades in over the year before)."""
    spans = []
    prev: float | None = None
    for p in sorted(model.phases, key=lambda p: p.number):
        end = _year_value(FuzzyDate(p.ends.year, p.ends.month or 12, None)) + (0.5 / 12 if p.ends.month else 0)
        begin = prev if prev is not None else end - 1.0
        spans.append((p, begin, end))
        prev = end
    return spans


def _ticks(scale: _Scale, start: int, brk: int | None, end: int) -> list[tuple[int, float]]:
    return [(y, scale(y)) for y in range(start, end + 1) if brk is None or y >= brk or y == start or y % 5 == 0]


def _tick_priority(start: int, brk: int | None, end: int) -> list[int]:
    """Years to label, most wanted first: the ends, the detailed years, then every fifth year."""
    first = [start] + ([brk] if brk else []) + list(range((brk or start) + 1, end))
    rest = [y for y in range(start, end) if y % 5 == 0 and y not in first]
    others = [] if brk else [y for y in range(start, end) if y not in first and y not in rest]
    return first + rest + others


def timeline_svg(
    model: Model,
    lang: Language,
    link: Link,
    *,
    labels: Mapping[str, str],
    phase_labels: Mapping[str, str],
    layout: str = "wide",
    compact: bool = False,
    uid: str = "tl",
) -> Markup:
    """The timeline: ``wide`` runs along x (mirrored for RTL), ``tall`` runs down the page."""
    if layout == "tall":
        return _timeline_tall(model, lang, link, labels, phase_labels, compact, uid)
    return _timeline_wide(model, lang, link, labels, phase_labels, compact, uid, 960.0 if layout == "wide" else 360.0)


def _span(d: FuzzyDate) -> tuple[float, float]:
    """The stretch of fractional years a date covers (a day covers its middle only)."""
    if d.precision == "year":
        return d.year, d.year + 1
    if d.precision == "month":
        return d.year + ((d.month or 1) - 1) / 12, d.year + (d.month or 1) / 12
    return _year_value(d), _year_value(d)


def _event_times(model: Model) -> dict[str, float]:
    """Where each event lies on the axis, as a fractional year.

    A date sits at the middle of its precision (``2024`` → 2024.5), except that an event the
    content orders ``after`` another sits just after it, still within its own year or month:
    the graphic then reads in the same order as the timeline below it.
    """
    times: dict[str, float] = {}
    for e in model.events:  # already in timeline order: an event comes after the one it follows
        t = _year_value(e.date)
        if e.after in times:
            low, high = _span(e.date)
            t = min(max(times[e.after] + 0.01, low), high)
        times[e.id] = t
    return times


def _event_order(model: Model) -> list[Event]:
    """Events in the order they lie along the axis; ties keep the timeline's order."""
    times = _event_times(model)
    index = {e.id: i for i, e in enumerate(model.events)}
    return sorted(model.events, key=lambda e: (times[e.id], index[e.id]))


def _event_mark(svg: _Svg, e: Event, x: float, y: float, r: float, lang: Language, link: Link) -> None:
    svg.open("a", href=link("timeline", e.id), class_=f"g-mark g-status-{e.status}", data_event=e.id)
    svg.text("title", f"{format_date(e.date, lang)}: {e.title[lang.code]}")
    svg.leaf("circle", cx=x, cy=y, r=r)


def _timeline_wide(
    model: Model,
    lang: Language,
    link: Link,
    labels: Mapping[str, str],
    phase_labels: Mapping[str, str],
    compact: bool,
    uid: str,
    width: float,
) -> Markup:
    rtl = lang.dir == "rtl"
    narrow = width < 600
    size = 12.0 if narrow else 13.0
    small = 11.0 if narrow else 12.0
    margin = 14.0
    start, brk, end = _time_domain(model)
    a, b = (width - margin, margin) if rtl else (margin, width - margin)
    scale = _Scale(start, brk, end, a, b, 0.3 if brk else 1.0, 14.0 * (1 if a < b else -1))
    fwd = 1 if a < b else -1  # +1 when later dates lie to the right

    svg = _Svg()
    placed: list[Box] = []

    # phase labels: rows above the axis, each anchored at its deadline, reaching back in time
    phase_rows: list[tuple[Any, float, float, Box, int]] = []
    row_h = small * 1.5
    for p, p0, p1 in _phase_spans(model):
        text = str(phase_labels.get(p.id, p.title[lang.code]))
        w = text_width(text, small, bold=True)
        xe = scale(p1)
        x0, x1 = (xe - w - 4, xe - 4) if fwd > 0 else (xe + 4, xe + w + 4)
        if x0 < 2:
            x0, x1 = 2, 2 + w
        if x1 > width - 2:
            x0, x1 = width - 2 - w, width - 2
        row = 0
        while any(r == row and Box(x0, 0, x1, 1).overlaps(bx, 6) for _p, _a, _b, bx, r in phase_rows):
            row += 1
        phase_rows.append((p, p0, p1, Box(x0, 0, x1, 1), row))
    rows = 1 + max((r for *_x, r in phase_rows), default=-1)
    top = 6.0 + rows * row_h
    tick_y = top + small + 2  # baseline of the year labels
    axis_y = tick_y + 8
    lane_top = axis_y + (14 if compact else 18)

    # events: dot + label, each placed at the lowest free position below the axis
    items = []
    lh = size * 1.25
    max_w = 150.0 if narrow else 270.0
    frame = Box(0, lane_top - 4, width, 10_000)
    times = _event_times(model)
    for e in _event_order(model):
        x = scale(times[e.id])
        r = 4.5
        if compact:
            lines: list[str] = []
            w = 0.0
            box = Box(x - r - 1, 0, x + r + 1, 2 * r + 2)
        else:
            lines = wrap(e.title[lang.code], size, max_w)
            w = max(text_width(line, size) for line in lines)
            gap = 7.0
            forward_ok = (x + fwd * (r + gap + w)) if fwd > 0 else (x - r - gap - w)
            go = fwd if (margin <= forward_ok <= width - margin) else -fwd
            if go > 0:
                box = Box(x - r - 1, 0, x + r + gap + w + 1, max(2 * r, len(lines) * lh) + 2)
            else:
                box = Box(x - r - gap - w - 1, 0, x + r + 1, max(2 * r, len(lines) * lh) + 2)
        y = lane_top
        pad = 2 if compact else 5
        while True:
            cand = Box(box.x0, y, box.x1, y + (box.y1 - box.y0))
            if _place_free(cand, placed, frame, pad):
                break
            # the nearest lower edge (plus pad) of a placed box across the way: listed once, not tested by any() then again by min()
            below = [b2.y1 + pad for b2 in placed if b2.y1 + pad > y and b2.x0 < cand.x1 + 5 and cand.x0 < b2.x1 + 5]
            y = min(below) if below else y + 1
        placed.append(cand)
        items.append((e, x, cand, lines, r))
    bottom = max((bx.y1 for *_z, bx, _l, _r in items), default=lane_top) + 10
    height = math.ceil(bottom)

    title = labels["timeline_title"]
    _svg_open(svg, lang, uid, width, height, "g-timeline" + (" g-compact" if compact else ""), title, labels["timeline_desc"])

    # phase bands and deadlines
    svg.open("g", class_="g-phases")
    for p, p0, p1, bx, row in phase_rows:
        xa, xb = sorted((scale(p0), scale(p1)))
        first = p.number == min(q.number for q in model.phases)
        if first:
            gid = f"{uid}-fade{p.number}"
            svg.open("linearGradient", id=gid, x1="1" if fwd < 0 else "0", x2="0" if fwd < 0 else "1", y1="0", y2="0")
            svg.leaf("stop", offset="0", class_=f"g-stop-{p.number}", stop_opacity="0")
            svg.leaf("stop", offset="0.6", class_=f"g-stop-{p.number}", stop_opacity="1")
            svg.close("linearGradient")
            svg.leaf(
                "rect",
                x=xa,
                y=top - 2,
                width=xb - xa,
                height=height - top + 2,
                fill=f"url(#{gid})",
                class_=f"g-band g-band-fade g-band-{p.number}",
            )
        else:
            svg.leaf("rect", x=xa, y=top - 2, width=xb - xa, height=height - top + 2, class_=f"g-band g-band-{p.number}")
        xe = scale(p1)
        svg.leaf("line", x1=xe, x2=xe, y1=6 + row * row_h, y2=height, class_=f"g-deadline g-deadline-{p.number}")
        text = str(phase_labels.get(p.id, p.title[lang.code]))
        ty = 6 + row * row_h + small
        svg.open(
            "a",
            href=link("plan", p.id),
            class_="g-phase-link",
            data_box=Box(bx.x0, ty - small, bx.x1, ty + small * 0.3).attr(),
            data_label="phase",
        )
        svg.text("title", text)
        _label(
            svg,
            lang,
            bx.x1 if fwd > 0 else bx.x0,
            ty,
            [text],
            small,
            "right" if fwd > 0 else "left",
            f"g-phase-label g-phase-label-{p.number}",
        )
        svg.close("a")
    svg.close("g")

    # axis, ticks, year labels
    svg.open("g", class_="g-axis")
    if brk is None:
        svg.leaf("line", x1=scale(start), x2=scale(end), y1=axis_y, y2=axis_y, class_="g-axis-line")
    else:
        svg.leaf("line", x1=scale(start), x2=scale(brk - 1e-9), y1=axis_y, y2=axis_y, class_="g-axis-line")
        svg.leaf("line", x1=scale(brk), x2=scale(end), y1=axis_y, y2=axis_y, class_="g-axis-line")
        xb0, xb1 = scale(brk - 1e-9), scale(brk)
        for xx in (xb0 + (xb1 - xb0) * 0.3, xb0 + (xb1 - xb0) * 0.7):
            svg.leaf("line", x1=xx - 3, x2=xx + 3, y1=axis_y + 5, y2=axis_y - 5, class_="g-break")
    tick_boxes: list[Box] = []
    shown: dict[int, float] = {}
    for year in _tick_priority(start, brk, end):
        txt = digits(str(year), lang.digits)
        w = text_width(txt, small)
        cx = min(max(scale(year), w / 2 + 1), width - w / 2 - 1)
        bx = Box(cx - w / 2, tick_y - small, cx + w / 2, tick_y + 2)
        if any(bx.overlaps(o, 6) for o in tick_boxes):
            continue
        tick_boxes.append(bx)
        shown[year] = cx
    for year, x in _ticks(scale, start, brk, end):
        svg.leaf("line", x1=x, x2=x, y1=axis_y, y2=height - 4, class_="g-grid" + (" g-grid-major" if year in shown else ""))
        svg.leaf("line", x1=x, x2=x, y1=axis_y - 3, y2=axis_y + 3, class_="g-tick")
    for year, cx in sorted(shown.items()):
        txt = digits(str(year), lang.digits)
        w = text_width(txt, small)
        svg.open("g", data_box=Box(cx - w / 2, tick_y - small, cx + w / 2, tick_y + 2).attr(), data_label="year")
        svg.text("text", txt, x=cx, y=tick_y, text_anchor="middle", font_size=small, class_="g-year")
        svg.close("g")
    svg.close("g")

    # events
    svg.open("g", class_="g-events")
    for e, x, bx, lines, r in items:
        cy = bx.y0 + r + 1
        svg.leaf("line", x1=x, x2=x, y1=axis_y + 3, y2=cy - r, class_="g-stem")
        _event_mark(svg, e, x, cy, r, lang, link)
        if lines:
            left = bx.x0 + 1 if bx.x0 + 1 < x - r else None
            if left is not None:  # label before the dot
                svg.open("g", data_box=Box(bx.x0, bx.y0, x - r - 5, bx.y1).attr(), data_label="event")
                _label(svg, lang, x - r - 7, cy + size * 0.36, lines, size, "right", "g-event-label", lh)
            else:
                svg.open("g", data_box=Box(x + r + 5, bx.y0, bx.x1, bx.y1).attr(), data_label="event")
                _label(svg, lang, x + r + 7, cy + size * 0.36, lines, size, "left", "g-event-label", lh)
            svg.close("g")
        svg.close("a")
    svg.close("g")
    svg.finish()
    return svg.markup()


def _timeline_tall(
    model: Model,
    lang: Language,
    link: Link,
    labels: Mapping[str, str],
    phase_labels: Mapping[str, str],
    compact: bool,
    uid: str,
) -> Markup:
    """Time runs down the page; the axis sits at the inline start (the right edge in Arabic)."""
    rtl = lang.dir == "rtl"
    width = 360.0
    size, small = 13.0, 12.0
    lh = size * 1.3
    start, brk, end = _time_domain(model)

    def x(v: float) -> float:  # mirror horizontal geometry for RTL
        return width - v if rtl else v

    svg = _Svg()
    # legend: one row per phase
    legend_y = 4.0
    legend = []
    for p, _p0, _p1 in _phase_spans(model):
        text = str(phase_labels.get(p.id, p.title[lang.code]))
        lines = wrap(text, small, width - 40, bold=True)
        legend.append((p, legend_y, lines))
        legend_y += len(lines) * small * 1.3 + 6
    top = legend_y + 16
    axis_x = 46.0
    label_x = axis_x + 16
    max_w = width - label_x - 6
    per_year_detail = 150.0 if not compact else 60.0
    first_len = 120.0 if brk else 0.0
    detail_years = end - (brk or start)
    scale = _Scale(
        start,
        brk,
        end,
        top,
        top + first_len + 16 + detail_years * per_year_detail,
        first_len / (first_len + detail_years * per_year_detail) if brk else 1.0,
        16.0,
    )

    # every event gets room for its label: where labels would collide, the axis is stretched
    # (monotonically) rather than the labels pushed away from their dates
    items = []
    anchors: list[tuple[float, float]] = [(float(start), scale(start))]
    shift = 0.0
    prev_bottom = top - 6
    times = _event_times(model)
    for e in _event_order(model):
        t = times[e.id]
        lines = [] if compact else wrap(e.title[lang.code], size, max_w)
        h = max(len(lines) * lh, 12.0)
        y = scale(t) + shift
        if y - size * 0.9 < prev_bottom + 6:
            shift += prev_bottom + 6 - (y - size * 0.9)
            y = scale(t) + shift
        anchors.append((t, y))
        items.append((e, y, y - size * 0.9, lines, h))
        prev_bottom = y - size * 0.9 + h
    anchors.append((float(end), scale(end) + shift))

    def warp(t: float) -> float:
        """Fractional year → y on the stretched axis (piecewise linear between events)."""
        for (t0, y0), (t1, y1) in pairwise(anchors):
            if t0 <= t <= t1:
                return y0 if t1 == t0 else y0 + (t - t0) / (t1 - t0) * (y1 - y0)
        return anchors[-1][1]

    height = math.ceil(max([warp(end) + 8] + [ly + h + 10 for _e, _y, ly, _l, h in items]))

    _svg_open(
        svg,
        lang,
        uid,
        width,
        height,
        "g-timeline g-tall" + (" g-compact" if compact else ""),
        labels["timeline_title"],
        labels["timeline_desc"],
    )
    svg.open("g", class_="g-phases")
    for p, p0, p1 in _phase_spans(model):
        ya, yb = warp(p0), warp(p1)
        first = p.number == min(q.number for q in model.phases)
        xa = min(x(axis_x - 6), x(axis_x - 6 + 12))
        if first:
            gid = f"{uid}-fade{p.number}"
            svg.open("linearGradient", id=gid, x1="0", x2="0", y1="0", y2="1")
            svg.leaf("stop", offset="0", class_=f"g-stop-{p.number}", stop_opacity="0")
            svg.leaf("stop", offset="0.6", class_=f"g-stop-{p.number}", stop_opacity="1")
            svg.close("linearGradient")
            svg.leaf("rect", x=0, y=ya, width=width, height=yb - ya, fill=f"url(#{gid})", class_=f"g-band g-band-fade g-band-{p.number}")
        else:
            svg.leaf("rect", x=0, y=ya, width=width, height=yb - ya, class_=f"g-band g-band-{p.number}")
        svg.leaf(
            "rect",
            x=xa,
            y=ya,
            width=12,
            height=yb - ya,
            class_=f"g-strip g-strip-{p.number}",
            fill=f"url(#{uid}-fade{p.number})" if first else None,
        )
        svg.leaf("line", x1=0, x2=width, y1=yb, y2=yb, class_=f"g-deadline g-deadline-{p.number}")
    for p, ly, lines in legend:
        svg.open("a", href=link("plan", p.id), class_="g-phase-link")
        svg.text("title", " ".join(lines))
        sw = x(6) if not rtl else x(6) - 14
        svg.leaf("rect", x=sw, y=ly + 2, width=14, height=small, rx=2, class_=f"g-swatch g-swatch-{p.number}")
        w = max(text_width(t, small, bold=True) for t in lines)
        svg.open(
            "g",
            data_box=Box(min(x(28), x(28 + w)), ly, max(x(28), x(28 + w)), ly + len(lines) * small * 1.3 + 2).attr(),
            data_label="phase",
        )
        _label(
            svg, lang, x(28), ly + small, lines, small, "right" if rtl else "left", f"g-phase-label g-phase-label-{p.number}", small * 1.3
        )
        svg.close("g")
        svg.close("a")
    svg.close("g")

    svg.open("g", class_="g-axis")
    svg.leaf("line", x1=x(axis_x), x2=x(axis_x), y1=warp(start), y2=warp(end), class_="g-axis-line")
    tick_boxes: list[Box] = []
    for year in _tick_priority(start, brk, end):
        if brk is not None and start < year < brk and year % 5:
            continue
        txt = digits(str(year), lang.digits)
        w = text_width(txt, small)
        yy = warp(year)
        bx = Box(min(x(axis_x - 8), x(axis_x - 8 - w)), yy - small * 0.5, max(x(axis_x - 8), x(axis_x - 8 - w)), yy + small * 0.6)
        if any(bx.overlaps(o, 8) for o in tick_boxes):
            continue
        tick_boxes.append(bx)
        svg.leaf("line", x1=x(axis_x - 4), x2=x(axis_x + 4), y1=yy, y2=yy, class_="g-tick")
        svg.open("g", data_box=bx.attr(), data_label="year")
        _label(svg, lang, x(axis_x - 8), yy + small * 0.35, [txt], small, "left" if rtl else "right", "g-year")
        svg.close("g")
    svg.close("g")

    svg.open("g", class_="g-events")
    for e, y, ly, lines, h in items:
        if lines:
            svg.leaf(
                "polyline",
                points=f"{_n(x(axis_x))},{_n(y)} {_n(x(axis_x + 8))},{_n(y)} {_n(x(label_x - 3))},{_n(ly + size * 0.6)}",
                class_="g-stem",
            )
        _event_mark(svg, e, x(axis_x), y, 4.5, lang, link)
        if lines:
            w = max(text_width(t, size) for t in lines)
            svg.open(
                "g",
                data_box=Box(min(x(label_x - 2), x(label_x + w + 2)), ly, max(x(label_x - 2), x(label_x + w + 2)), ly + h).attr(),
                data_label="event",
            )
            _label(svg, lang, x(label_x), ly + size, lines, size, "right" if rtl else "left", "g-event-label", lh)
            svg.close("g")
        svg.close("a")
    svg.close("g")
    svg.finish()
    return svg.markup()


# --- map --------------------------------------------------------------------------------------

VIEW = (34.2, 28.6, 49.8, 38.4)
"""The map's frame: lon_min, lat_min, lon_max, lat_max."""


@dataclass(frozen=True)
class _Projection:
    """Equirectangular, x scaled by cos(middle latitude); north up."""

    lon0: float
    lat1: float
    k: float
    kx: float

    @classmethod
    def fit(cls, width: float) -> _Projection:
        lon0, lat0, lon1, lat1 = VIEW
        kx = math.cos(math.radians((lat0 + lat1) / 2))
        k = width / ((lon1 - lon0) * kx)
        return cls(lon0, lat1, k, kx)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.lon0) * self.kx * self.k, (self.lat1 - lat) * self.k

    @property
    def height(self) -> float:
        return (VIEW[3] - VIEW[1]) * self.k


def _path(rings: Iterable[Ring], proj: _Projection) -> str:
    """The rings as a path's ``d``, each point projected and written as :func:`_n` writes it."""
    lon0, lat1, k, kx = proj.lon0, proj.lat1, proj.k, proj.kx
    # Projected inline, with the same arithmetic as ``proj(lon, lat)``; and since every number is
    # written with exactly one decimal, ".0" can only be a zero decimal, so one replace over the
    # whole string drops them all as _n does, instead of a call of _n per number.
    return "".join(
        "M" + "L".join([f"{(lon - lon0) * kx * k:.1f} {(lat1 - lat) * k:.1f}" for lon, lat in ring]) + "Z" for ring in rings
    ).replace(".0", "")


_outlines: tuple[Geo, dict[tuple[_Projection, int], str]] | None = None
"""The outlines' paths already drawn from one :class:`Geo` (the latest one given to :func:`_outline`)."""


def _outline(geo: Geo, shape: Shape, proj: _Projection) -> str:
    """``_path(shape.rings, proj)``, computed once per shape and projection of ``geo``.

    Every language draws the same outlines at the same widths (and the compact and full maps share
    them), so a build projects each only once. Only the latest Geo's paths are kept: each build (and
    each rebuild of the live preview) loads a new one, which replaces them. The key holds ``id(shape)``,
    which stays valid because the Geo, and so the shape, is held here with its paths."""
    global _outlines
    memo = _outlines
    if memo is None or memo[0] is not geo:
        memo = _outlines = (geo, {})
    key = (proj, id(shape))
    d = memo[1].get(key)
    if d is None:
        d = memo[1][key] = _path(shape.rings, proj)
    return d


def _ring_centroid(ring: Ring) -> tuple[float, float]:
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        c = x0 * y1 - x1 * y0
        a += c
        cx += (x0 + x1) * c
        cy += (y0 + y1) * c
    if abs(a) < 1e-12:
        return ring[0]
    return cx / (3 * a), cy / (3 * a)


_KIND_ORDER = {"city": 0, "airport": 1, "base": 1, "region": 2, "country": 3}


def map_svg(
    model: Model,
    geo: Geo | None,
    lang: Language,
    link: Link,
    *,
    labels: Mapping[str, str],
    phase_labels: Mapping[str, str],
    width: float = 800.0,
    compact: bool = False,
    uid: str = "map",
) -> Markup:
    """Iraq and its neighbours with every place of the content, coloured by phase."""
    rtl = lang.dir == "rtl"
    narrow = width < 600
    proj = _Projection.fit(width)
    map_h = proj.height
    size = 13.0 if narrow else 14.0
    csize = 12.0 if narrow else 13.0
    frame = Box(3, 3, width - 3, map_h - 3)
    svg = _Svg()
    body = _Svg()

    # base map
    body.open("g", class_="g-base")
    body.leaf("rect", x=0, y=0, width=width, height=map_h, class_="g-water")
    if geo is not None:
        for c in geo.countries:
            body.leaf("path", d=_outline(geo, c, proj), class_="g-land" + (" g-iraq" if c.id == "IRQ" else ""), data_country=c.id)
    body.close("g")

    places = sorted(model.places, key=lambda p: (_KIND_ORDER.get(p.kind, 9), p.phase or 9, p.id))
    region_shapes = {r.id: r for r in geo.regions} if geo is not None else {}
    lon0, lat0, lon1, lat1 = VIEW

    def in_view(p: Place) -> bool:
        return lon0 <= p.lon <= lon1 and lat0 <= p.lat <= lat1

    # regions: the outline when the data has it, otherwise a soft approximate ellipse
    obstacles: list[Box] = []
    for p in places:
        if p.kind != "region":
            continue
        shape = region_shapes.get(p.id)
        body.open("a", href=link("plan", p.id), class_=f"g-region{f' g-phase-{p.phase}' if p.phase else ''}", data_place=p.id)
        body.text("title", p.name[lang.code])
        if shape is not None and geo is not None:  # (a shape comes from geo: the second test is for mypy)
            body.leaf("path", d=_outline(geo, shape, proj), class_="g-region-shape")
        else:
            cx, cy = proj(p.lon, p.lat)
            body.leaf("ellipse", cx=cx, cy=cy, rx=proj.k * 1.0, ry=proj.k * 0.6, class_="g-region-shape g-approx")
        body.close("a")

    # dots first, so labels avoid every dot
    dots = []
    for p in places:
        if p.kind in ("country", "region") or not in_view(p):
            continue
        x, y = proj(p.lon, p.lat)
        r = 5.5 if p.kind == "city" else 5.0
        dots.append((p, x, y, r))
        obstacles.append(Box(x - r, y - r, x + r, y + r))

    label_boxes: list[Box] = []
    out_labels: list[tuple[Place, float, float, list[str], float, str, Box, tuple[float, float] | None, str]] = []

    def try_place(p: Place, ax: float, ay: float, lines: list[str], fs: float, r: float, cls: str, leader_ok: bool) -> bool:
        w = max(text_width(t, fs, bold=cls.startswith("g-place")) for t in lines)
        h = len(lines) * fs * 1.2
        gap = r + 4
        cands = [
            (ax + gap, ay - h / 2),
            (ax - gap - w, ay - h / 2),
            (ax - w / 2, ay - gap - h),
            (ax - w / 2, ay + gap),
            (ax + gap * 0.7, ay - gap * 0.7 - h),
            (ax - gap * 0.7 - w, ay - gap * 0.7 - h),
            (ax + gap * 0.7, ay + gap * 0.7),
            (ax - gap * 0.7 - w, ay + gap * 0.7),
        ]
        if rtl:  # the reader's first choice is the inline start of the dot: its left in Arabic
            cands[0], cands[1] = cands[1], cands[0]
        if leader_ok:
            for dist in (26.0, 40.0, 56.0, 74.0):
                for ang in range(0, 360, 30):
                    dx, dy = math.cos(math.radians(ang)) * dist, math.sin(math.radians(ang)) * dist
                    bx0 = ax + dx if dx >= 0 else ax + dx - w
                    cands.append((bx0, ay + dy - h / 2))
        for bx0, by0 in cands:
            box = Box(bx0 - 2, by0 - 1, bx0 + w + 2, by0 + h + 1)
            if _place_free(box, label_boxes + obstacles, frame, 2):
                far = abs((box.x0 + box.x1) / 2 - ax) > w / 2 + gap + 2 or abs((box.y0 + box.y1) / 2 - ay) > h / 2 + gap + 2
                leader = None
                if far:
                    lx = min(max(ax, box.x0), box.x1)
                    ly = min(max(ay, box.y0), box.y1)
                    leader = (lx, ly)
                label_boxes.append(box)
                out_labels.append((p, bx0, by0, lines, fs, cls, box, leader, "left"))
                return True
        return False

    unplaced: list[Place] = []
    for p, x, y, r in dots:
        if compact and p.phase is None:
            continue
        lines = wrap(p.name[lang.code], size, 150 if not narrow else 110, bold=True)
        if not try_place(p, x, y, lines, size, r, f"g-place-label g-phase-{p.phase or 0}", not compact):
            unplaced.append(p)

    for p in places:  # regions and countries: names, inside the frame
        if p.kind not in ("country", "region"):
            continue
        cx, cy = proj(min(max(p.lon, lon0), lon1), min(max(p.lat, lat0), lat1))
        if p.kind == "region" and p.id in region_shapes:
            rings = region_shapes[p.id].rings
            cx, cy = proj(*_ring_centroid(max(rings, key=len)))
        fs = csize if p.kind == "country" else size
        lines = [p.name[lang.code]] if p.kind == "country" else wrap(p.name[lang.code], fs, 120)
        if p.kind == "country" and lang.dir == "ltr":  # set in spaced capitals (see style.css)
            w = max(text_width(t.upper(), fs, bold=True) + 0.12 * fs * len(t) for t in lines)
        else:
            w = max(text_width(t, fs, bold=True) for t in lines)
        h = len(lines) * fs * 1.2
        cx = min(max(cx, frame.x0 + w / 2 + 4), frame.x1 - w / 2 - 4)
        cy = min(max(cy, frame.y0 + h / 2 + 4), frame.y1 - h / 2 - 4)
        placed = False
        for dy in (0, -14, 14, -28, 28, -42, 42, -56, 56):
            for dx in (0, -20, 20, -40, 40):
                box = Box(cx + dx - w / 2 - 2, cy + dy - h / 2 - 1, cx + dx + w / 2 + 2, cy + dy + h / 2 + 1)
                if _place_free(box, label_boxes, frame, 2) and not any(
                    box.overlaps(o, 14 if p.kind == "country" else 2) for o in obstacles
                ):
                    label_boxes.append(box)
                    kind = "g-country-label" if p.kind == "country" else f"g-region-label g-phase-{p.phase or 0}"
                    out_labels.append((p, box.x0 + 2, box.y0 + 1, lines, fs, kind, box, None, "middle"))
                    placed = True
                    break
            if placed:
                break
        if not placed:
            unplaced.append(p)

    # places beyond the frame (not countries): an arrow at the edge, pointing their way
    off: list[Any] = []
    for p in places:
        if p.kind in ("country", "region") or in_view(p):
            continue
        west = p.lon < lon0
        east = p.lon > lon1
        text = p.name[lang.code]
        w = text_width(text, csize, bold=True)
        h = csize * 1.2
        y = 12 + h / 2 + len(off) * (h + 8)
        y = min(max(proj(lon0, min(max(p.lat, lat0), lat1))[1], y), map_h - 20)
        x_edge = 8.0 if west or not east else width - 8.0
        for _ in range(40):
            if west or not east:
                box = Box(x_edge + 14, y - h / 2, x_edge + 16 + w, y + h / 2)
            else:
                box = Box(x_edge - 16 - w, y - h / 2, x_edge - 14, y + h / 2)
            if _place_free(box, label_boxes + obstacles, frame, 2):
                break
            y += 6
        label_boxes.append(box)
        off.append((p, x_edge, y, box, west or not east, text))

    for p, xe, y, box, west, text in off:
        body.open("a", href=link("plan", p.id), class_="g-offmap", data_place=p.id)
        body.text("title", p.name[lang.code])
        d = 1 if west else -1
        body.leaf("path", d=f"M{_n(xe)} {_n(y)}l{_n(10 * d)} -5v10z", class_="g-arrow")
        body.open("g", data_box=box.attr(), data_label="place")
        body.text(
            "text",
            text,
            x=box.x0 + 1 if west else box.x1 - 1,
            y=y + csize * 0.36,
            font_size=csize,
            class_="g-offmap-label",
            text_anchor=_anchor("left" if west else "right", lang),
        )
        body.close("g")
        body.close("a")

    # leaders, dots, labels
    for p, _bx0, _by0, _lines, _fs, _cls, _box, leader, _side in out_labels:
        if leader is not None:
            dot = next(((x, y) for q, x, y, _r in dots if q.id == p.id), None)
            if dot:
                body.leaf("line", x1=dot[0], y1=dot[1], x2=leader[0], y2=leader[1], class_="g-leader")
    for p, x, y, r in dots:
        body.open("a", href=link("plan", p.id), class_=f"g-place g-phase-{p.phase or 0} g-kind-{p.kind}", data_place=p.id)
        body.text("title", p.name[lang.code])
        if p.kind == "city":
            body.leaf("circle", cx=x, cy=y, r=r, class_="g-dot")
        else:
            body.leaf(
                "rect",
                x=x - r + 0.5,
                y=y - r + 0.5,
                width=2 * r - 1,
                height=2 * r - 1,
                class_="g-dot",
                transform=f"rotate(45 {_n(x)} {_n(y)})",
            )
        label = next((lab for lab in out_labels if lab[0].id == p.id), None)
        if label is not None:
            _p, _bx0, by0, lines, fs, cls, box, _leader, _side = label
            body.open("g", data_box=box.attr(), data_label="place")
            # anchor on the side facing the dot, so the text hugs it whatever its real width
            mid = (box.x0 + box.x1) / 2
            if mid > x + 2:
                xx, side = box.x0 + 2, "left"
            elif mid < x - 2:
                xx, side = box.x1 - 2, "right"
            else:
                xx, side = mid, "middle"
            _label(body, lang, xx, by0 + fs * 0.95, lines, fs, side, cls, fs * 1.2)
            body.close("g")
        body.close("a")
    for p, _bx0, by0, lines, fs, cls, box, _leader, side in out_labels:
        if side != "middle":
            continue
        body.open("a", href=link("plan", p.id), class_="g-name", data_place=p.id)
        body.text("title", p.name[lang.code])
        body.open("g", data_box=box.attr(), data_label="place")
        _label(body, lang, (box.x0 + box.x1) / 2, by0 + fs * 0.95, lines, fs, "middle", cls, fs * 1.2)
        body.close("g")
        body.close("a")
    for p in unplaced:  # drawn (dot or region) but not named: keep a link for completeness
        if p.kind == "country":
            body.open("a", href=link("plan", p.id), class_="g-name", data_place=p.id)
            body.text("title", p.name[lang.code])
            body.close("a")

    # legend below the map, in reading order
    legend_items: list[tuple[str, str]] = []
    for ph in sorted(model.phases, key=lambda q: q.number):
        legend_items.append((f"g-swatch-dot g-phase-{ph.number}", str(phase_labels.get(ph.id, ph.title[lang.code]))))
    if any(p.phase is None and p.kind not in ("country", "region") and in_view(p) for p in places):
        legend_items.append(("g-swatch-dot g-phase-0", labels["map_other"]))
    legend_items.append(("g-swatch-city", labels["map_city"]))
    legend_items.append(("g-swatch-base", labels["map_base"]))
    for p in places:
        if p.kind == "region":
            legend_items.append(
                (f"g-swatch-region g-phase-{p.phase or 0}", labels["map_region"] if p.id in region_shapes else labels["map_region_approx"])
            )
    lsize = 12.0 if narrow else 13.0
    lx = 0.0
    ly = map_h + 10
    row_h = lsize * 1.5
    legend_parts: list[tuple[str, str, float, float, float]] = []
    for cls, text in legend_items:
        w = text_width(text, lsize) + 22
        if lx > 0 and lx + w > width - 4:
            lx, ly = 0.0, ly + row_h
        if w > width - 4:  # wrap long legend entries
            w = width - 4
        legend_parts.append((cls, text, lx, ly, w))
        lx += w + 14
    height = math.ceil(ly + row_h + 2)

    _svg_open(svg, lang, uid, width, height, "g-map" + (" g-compact" if compact else ""), labels["map_title"], labels["map_desc"])
    svg.open("clipPath", id=f"{uid}-clip")
    svg.leaf("rect", x=0, y=0, width=width, height=map_h)
    svg.close("clipPath")
    svg.open("g", clip_path=f"url(#{uid}-clip)")
    svg.parts.extend(body.parts)
    svg.hits.extend(body.hits)
    svg.close("g")
    svg.leaf("rect", x=0.5, y=0.5, width=width - 1, height=map_h - 1, class_="g-frame")
    svg.open("g", class_="g-legend")
    for cls, text, lx0, ly0, w in legend_parts:
        sx = width - lx0 - 14 if rtl else lx0
        tx = width - lx0 - 20 if rtl else lx0 + 20
        if "region" in cls:
            svg.leaf("rect", x=sx, y=ly0 + 1, width=14, height=lsize, class_=cls)
        elif "base" in cls:
            svg.leaf("rect", x=sx + 3, y=ly0 + 3, width=8, height=8, class_=cls, transform=f"rotate(45 {_n(sx + 7)} {_n(ly0 + 7)})")
        else:
            svg.leaf("circle", cx=sx + 7, cy=ly0 + 7, r=5, class_=cls)
        lines = wrap(text, lsize, w - 22)
        svg.open(
            "g",
            data_box=Box(
                min(tx, tx + (-1 if rtl else 1) * (w - 22)), ly0, max(tx, tx + (-1 if rtl else 1) * (w - 22)), ly0 + lsize * 1.3
            ).attr(),
            data_label="legend",
        )
        _label(svg, lang, tx, ly0 + lsize * 0.9, lines, lsize, "right" if rtl else "left", "g-legend-label", lsize * 1.25)
        svg.close("g")
    svg.close("g")
    svg.finish()
    return svg.markup()


# --- wiring --------------------------------------------------------------------------------


def install(env: Any, model: Model, lang: Language, geo: Geo | None) -> None:
    """Make ``timeline_graphic`` and ``map_graphic`` callable from this language's templates."""

    def timeline_graphic(
        link: Link, labels: Mapping[str, str], phase_labels: Mapping[str, str], layout: str, compact: bool, uid: str
    ) -> Markup:
        return timeline_svg(model, lang, link, labels=labels, phase_labels=phase_labels, layout=layout, compact=compact, uid=uid)

    def map_graphic(
        link: Link, labels: Mapping[str, str], phase_labels: Mapping[str, str], width: float, compact: bool, uid: str
    ) -> Markup:
        return map_svg(model, geo, lang, link, labels=labels, phase_labels=phase_labels, width=width, compact=compact, uid=uid)

    env.globals.update(
        timeline_graphic=timeline_graphic,
        map_graphic=map_graphic,
        timeline_break=_time_domain(model)[1],
        map_has_regions=bool(geo and geo.regions),
    )
