"""Graphics drawn at build time as inline SVG: the timeline, the two-phase bar and the locator map.

This module reads the map outlines (``content/geo.json``), turns the model into what the layout
needs (:mod:`explainer.layout`: where everything goes, no SVG) and hands the result to the writer
(:mod:`explainer.svg`). Templates call the functions :func:`install` makes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

from . import layout as lay
from . import svg
from .errors import MAX_SHOWN_PER_FILE, Problem, long_number
from .i18n import digits, format_date
from .model import PLANNED, Event, FuzzyDate, Language, Model, Phase
from .svg import Link
from .typography import place_names, typeset_text, whole_names

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


_GEO_KEY = re.compile(r'"(source|licence|countries|regions)"\s*:')
_GEO_ID = re.compile(r'"id"\s*:\s*"')


def load_geo(source: Path | bytes, shown: str) -> tuple[Geo | None, list[Problem]]:
    """Read the map outlines (the file's bytes, or a path: a missing file is allowed, the map is drawn without them).

    Whatever the file holds, this takes time in proportion to its size: the places of the keys and
    ids that problems are reported at are found in one pass, and after :data:`MAX_SHOWN_PER_FILE`
    problems the rest are counted, not described.
    """
    if isinstance(source, Path):
        if not source.is_file():
            return None, []
        source = source.read_bytes()
    read = _read_geo(source, shown)
    if isinstance(read, Problem):
        return None, [read]
    data, text = read
    if not isinstance(data, dict):
        return None, [Problem(shown, 1, 1, "expected a JSON object", "the file holds source, licence, countries and regions")]
    found = _GeoProblems(text, shown)
    for key in ("source", "licence"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            found.add(found.line_of(key), f"'{key}' is missing or empty", "name where the outlines come from and their licence")
    countries, regions = _shapes(data, "countries", found), _shapes(data, "regions", found)
    problems = found.all()
    if problems:
        return None, problems
    return Geo(data["source"], data["licence"], countries, regions), []


class _GeoProblems:
    """The problems of the map file, located in one pass: the first :data:`MAX_SHOWN_PER_FILE` described, the rest counted."""

    def __init__(self, text: str, shown: str) -> None:
        self.text, self.shown = text, shown
        self.problems: list[Problem] = []
        self.more = 0
        self.keys: dict[str, int] = {}
        for found in _GEO_KEY.finditer(text):
            self.keys.setdefault(found.group(1), found.start())
        self.line_at = _LineCounter(text)
        self._key_lines: dict[str, int] = {}

    def line_of(self, key: str) -> int:
        """The line of the top-level ``key`` (1 if the file lacks it)."""
        if key not in self._key_lines:
            self._key_lines[key] = self.line_at(self.keys.get(key))
        return self._key_lines[key]

    def add(self, line: int, message: str, hint: str) -> None:
        if len(self.problems) < MAX_SHOWN_PER_FILE - 1:
            self.problems.append(Problem(self.shown, line, 1, message, hint))
        else:
            self.more += 1

    def all(self) -> list[Problem]:
        if not self.more:
            return self.problems
        message = f"{self.more:,} more problems in this file are not described (the first {len(self.problems)} are)"
        return [*self.problems, Problem(self.shown, 1, 1, message, "regenerate the file from its source")]


def _shapes(data: Mapping[str, Any], key: str, found: _GeoProblems) -> tuple[Shape, ...]:
    """The shapes listed under ``key``; their problems go to ``found``."""
    raw = data.get(key, [])
    if not isinstance(raw, list):
        found.add(found.line_of(key), f"'{key}' must be a list", "a list of {id, name, rings}")
        return ()
    out = []
    cursor: int | None = found.keys.get(key, 0)  # ids are found in the order of the items, each once
    for i, item in enumerate(raw):
        ident = item.get("id") if isinstance(item, dict) else None
        at = None
        if isinstance(ident, str) and cursor is not None:
            where_id = _GEO_ID.search(found.text, cursor)
            at, cursor = (where_id.start(), where_id.end()) if where_id else (None, None)
        where = found.line_at(at) if at is not None else found.line_of(key)
        if not isinstance(ident, str) or not isinstance(item.get("name"), str) or not isinstance(item.get("rings"), list):
            message = f"{key}[{i + 1}]: needs 'id', 'name' and 'rings'"
            found.add(where, message, 'each shape is {"id": ..., "name": ..., "rings": [[[lon, lat], ...]]}')
            continue
        rings = []
        for ring in item["rings"]:
            if not _ring_ok(ring):
                message = f"{key} '{ident[:80]}': a ring is not a list of at least 3 [lon, lat] points"
                found.add(where, message, "longitude -180..180, latitude -90..90")
                break
            rings.append(tuple((float(p[0]), float(p[1])) for p in ring))
        out.append(Shape(ident, item["name"], tuple(rings)))
    return tuple(out)


def _ring_ok(ring: object) -> bool:
    """Whether ``ring`` is a list of at least 3 [lon, lat] points on the globe."""
    return (
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


class _LineCounter:
    """The line of an offset in ``text``, counted on from the last offset asked for: a pass in order is linear."""

    def __init__(self, text: str) -> None:
        self.text, self.done, self.line = text, 0, 1

    def __call__(self, at: int | None) -> int:
        if at is None:
            return 1
        start, line = (self.done, self.line) if at >= self.done else (0, 1)
        self.done, self.line = at, line + self.text.count("\n", start, at)
        return self.line


def _read_geo(source: bytes, shown: str) -> tuple[Any, str] | Problem:
    """The JSON of the map file and its text, or the problem that stops reading it."""
    try:
        text = source.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = source.count(b"\n", 0, exc.start) + 1
        col = len(source[source.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8", "replace")) + 1
        return Problem(shown, line, col, f"not valid UTF-8 (byte 0x{source[exc.start]:02x})", "regenerate the file, or save it as UTF-8")
    try:
        return json.loads(text), text
    except json.JSONDecodeError as exc:
        return Problem(shown, exc.lineno, exc.colno, f"not valid JSON: {exc.msg}", "regenerate the file, or fix the JSON syntax here")
    except RecursionError:
        return Problem(shown, 1, 1, "nested too deeply to read", "regenerate the file: shapes are lists of [lon, lat] points")
    except ValueError:  # an integer too long for Python to convert
        return long_number(text, shown, "regenerate the file: points are [lon, lat] in degrees, a few digits each")


# --- from the model to the layout ------------------------------------------------------------------


def year_value(d: FuzzyDate) -> float:
    """A date as a fractional year, at the middle of its precision (``2024`` → 2024.5)."""
    if d.precision == "year":
        return d.year + 0.5
    if d.precision == "month":
        return d.year + ((d.month or 1) - 0.5) / 12
    return d.year + ((d.month or 1) - 1) / 12 + ((d.day or 1) - 0.5) / 365.25


def _span(d: FuzzyDate) -> tuple[float, float]:
    """The stretch of fractional years a date covers (a day covers its middle only)."""
    if d.precision == "year":
        return d.year, d.year + 1
    if d.precision == "month":
        return d.year + ((d.month or 1) - 1) / 12, d.year + (d.month or 1) / 12
    return year_value(d), year_value(d)


def event_times(model: Model) -> dict[str, float]:
    """Where each event lies on the axis, as a fractional year: the middle of its date, except that
    an event the content orders ``after`` another sits just after it, within its own month. Events
    known only to the year all sit at its middle (stacked), never at a made-up month."""
    times: dict[str, float] = {}
    for e in model.events:  # in timeline order: an event comes after the one it follows
        t = year_value(e.date)
        if e.after in times and e.date.precision != "year":
            low, high = _span(e.date)
            t = min(max(times[e.after] + 0.01, low), high)
        times[e.id] = t
    return times


def time_domain(model: Model) -> tuple[int, int | None, int]:
    """First year, the year the detailed part starts (or None), the year after the last."""
    years = [e.date.year for e in model.events] + [p.ends.year for p in model.phases]
    start = min([2003, *years])
    end = max([2026, *years]) + 1
    deadlines = [p.ends.year for p in model.phases]
    brk = min(deadlines) - 1 if deadlines else None
    if brk is not None and (brk - start < 4 or not any(e.date.year < brk for e in model.events)):
        brk = None
    return start, brk, end


def phase_spans(model: Model) -> list[tuple[Any, float, float]]:
    """Each phase with the fractional years it spans: from the previous deadline (the first from a
    year before its own) to the end of its deadline's month."""
    spans = []
    prev: float | None = None
    for p in sorted(model.phases, key=lambda p: p.number):
        end = year_value(FuzzyDate(p.ends.year, p.ends.month or 12, None)) + (0.5 / 12 if p.ends.month else 0)
        spans.append((p, prev if prev is not None else end - 1.0, end))
        prev = end
    return spans


def _day_value(d: FuzzyDate) -> float:
    """The last moment a date can mean, as a fractional year (the "as of" mark sits at the end of its day)."""
    y, m, day = d.latest
    return y + (m - 1) / 12 + min(day, 30) / 365.25


def _deadline_of(e: Event, model: Model) -> int:
    """The number of the phase whose deadline ``e`` is (a plan in the deadline's month), or 0."""
    phases: tuple[Phase, ...] = model.phases
    for p in phases:
        if e.status in PLANNED and p.ends.year == e.date.year and p.ends.month == e.date.month:
            return p.number
    return 0


def shown(text: str, lang: Language, names: tuple[str, ...] = ()) -> str:
    """The content's words as a graphic shows them: Latin-script marks curled, Arabic straight marks as «»,
    dates and the place names ``names`` (:func:`place_names`) kept whole (a label never breaks between
    a month and its year, or inside «عين الأسد»)."""
    return whole_names(typeset_text(text, lang), names)


def _font(lang: Language) -> lay.Font:
    """The metrics of the font the graphics' text is set in: the Arabic family, or a sans-serif."""
    return lay.NASKH if lang.dir == "rtl" else lay.LATIN  # the Arabic family for Arabic script (Arabic, Central Kurdish)


def _when(date: FuzzyDate, lang: Language, labels: Mapping[str, str]) -> str:
    """A date as the event lists write it: with its qualifier ("about 2024"), from the UI strings in ``labels``."""
    shown = format_date(date, lang)
    form = labels.get(f"date_{date.qualifier}") if date.qualifier else None
    return str(form).replace("%(date)s", shown) if form else shown


def key_events(model: Model) -> set[str]:
    """The events named on the graphic: those events.yaml marks ``key``, or else the first event and
    the planned ones."""
    chosen = {e.id for e in model.events if e.key}
    if chosen:
        return chosen
    return {e.id for e in model.events[:1]} | {e.id for e in model.events if e.status in PLANNED}


def _timeline_style(layout: str, lang: Language) -> lay.TimelineStyle:
    """The timeline's sizes: Arabic on a phone a size up (no label under 13.5 px as drawn)."""
    style = replace(lay.WIDE if layout == "wide" else lay.NARROW, font=_font(lang))
    if lang.dir == "rtl" and layout != "wide":  # Arabic script
        style = replace(style, size=14, small=14, label_w=118)
    return style


def _timeline_events(model: Model, code: str, labels: Mapping[str, str], lang: Language, keys: set[str]) -> list[lay.TimelineEvent]:
    """The events as the timeline lays them out: a deadline sits on its phase's deadline line; the
    ``keys`` are labelled, and every key event's mark is a link."""
    times = event_times(model)
    linked = key_events(model)
    ends = {p.number: end for p, _b, end in phase_spans(model)}
    names = place_names(model, code)
    out = []
    for e in model.events:
        deadline = _deadline_of(e, model)
        out.append(
            lay.TimelineEvent(
                e.id,
                ends[deadline] if deadline else times[e.id],
                shown(e.title[code], lang, names),
                f"{_when(e.date, lang, labels)}: {shown(e.title[code], lang, names)}",
                e.status in PLANNED,  # planned or expected when reported, passed or not: never drawn as happened
                e.id in keys,
                deadline,
                e.id in linked,
            )
        )
    return out


def labelled_events(model: Model, layout: str, labels: Mapping[str, str], phase_labels: Mapping[str, Sequence[str]]) -> frozenset[str]:
    """The key events that get a label in every language at this width, so that the languages tell
    the same story at a glance: those every language's layout has room for, then, latest first, each
    other key event that all of them can add. (Key labels are placed before the deadlines' and the
    "as of" labels, so these do not change which fit.)"""
    start, brk, end = time_domain(model)
    runs = []
    for lang in model.site.languages:
        style = _timeline_style(layout, lang)
        events = tuple(replace(e, name="") for e in _timeline_events(model, lang.code, labels, lang, set()))
        phases = tuple(lay.TimelinePhase(p.id, p.number, b, e, ()) for p, b, e in phase_spans(model))
        runs.append((events, phases, (start, brk, end), _day_value(model.as_of) if model.as_of is not None else None, style))
    return _everywhere(tuple(runs), frozenset(key_events(model)))


Run = tuple[tuple[lay.TimelineEvent, ...], tuple[lay.TimelinePhase, ...], tuple[int, int | None, int], float | None, lay.TimelineStyle]


@lru_cache(maxsize=8)
def _everywhere(runs: tuple[Run, ...], keys: frozenset[str]) -> frozenset[str]:
    def placed(wanted: frozenset[str]) -> frozenset[str]:
        found = set(wanted)
        for events, phases, domain, as_of, style in runs:
            keyed = [replace(e, key=e.id in wanted) for e in events]
            years = {y: str(y) for y in range(domain[0], domain[2] + 1)}
            guard = lay.AsOf(as_of, "") if as_of is not None else None
            drawing = lay.timeline_layout(keyed, phases, domain, years, guard, style)
            found &= {lb.href_key[1] for lb in drawing.labels if lb.kind == "event" and lb.href_key}
        return frozenset(found)

    chosen = placed(keys)
    while (again := placed(chosen)) != chosen:
        chosen = again
    times = {e.id: e.t for e in runs[0][0]} if runs else {}
    for extra in sorted(keys - chosen, key=lambda i: (-times.get(i, 0), i)):  # latest first; ids break ties (the same in every build)
        if placed(chosen | {extra}) == chosen | {extra}:
            chosen |= {extra}
    return chosen


def _timeline_drawing(
    model: Model,
    lang: Language,
    code: str,
    labels: Mapping[str, str],
    phase_labels: Mapping[str, Sequence[str]],
    style: lay.TimelineStyle,
    keys: set[str],
) -> lay.Drawing:
    events = _timeline_events(model, code, labels, lang, keys)
    phases = [
        lay.TimelinePhase(p.id, p.number, b, end, tuple(str(t) for t in phase_labels.get(p.id, (p.title[code],))))
        for p, b, end in phase_spans(model)
    ]
    start, brk, end = time_domain(model)
    years = {y: digits(str(y), lang.digits) for y in range(start, end + 1)}
    as_of = _as_of(model, labels) if labels.get("as_of") else None
    return lay.timeline_layout(events, phases, (start, brk, end), years, as_of, style)


def _as_of(model: Model, labels: Mapping[str, str]) -> lay.AsOf | None:
    """The "as of" line of a graphic: the newest source's date, its label, and the label of the time after it."""
    if model.as_of is None:
        return None
    return lay.AsOf(_day_value(model.as_of), str(labels["as_of"]), str(labels.get("beyond", "")))


def timeline_svg(
    model: Model,
    lang: Language,
    link: Link,
    *,
    labels: Mapping[str, str],
    phase_labels: Mapping[str, Sequence[str]],
    layout: str = "wide",
    uid: str = "tl",
) -> Markup:
    """The timeline, ``wide`` (720 units) or ``narrow`` (360), running with the reading direction."""
    style = _timeline_style(layout, lang)
    keys = set(labelled_events(model, layout, labels, phase_labels))
    drawing = _timeline_drawing(model, lang, lang.code, labels, phase_labels, style, keys)
    if lang.dir == "rtl":
        drawing = drawing.mirrored()
    events = _timeline_events(model, lang.code, labels, lang, keys)
    names = {("timeline", e.id): e.name for e in events}
    names |= {("plan", p.id): " · ".join(str(t) for t in phase_labels.get(p.id, (p.title[lang.code],))) for p in model.phases}
    return svg.timeline(drawing, lang.code, lang.dir, link, uid, labels["timeline_title"], labels["timeline_desc"], names, f"g-{layout}")


def phasebar_svg(
    model: Model, lang: Language, link: Link, *, labels: Mapping[str, str], bar: Mapping[str, Sequence[str]], width: float, uid: str
) -> Markup:
    """The home page's bar: the two phases, their places and deadlines, and the "as of" date."""
    whole = place_names(model, lang.code)
    phases = [lay.BarPhase(p.id, p.number, b, e, *(shown(str(t), lang, whole) for t in bar[p.id])) for p, b, e in phase_spans(model)]
    as_of = _as_of(model, labels)
    size = 13.0 if width > 500 else 14.5 if lang.dir == "rtl" else 12.5  # Arabic on a phone a size up
    drawing = lay.phasebar_layout(phases, as_of, width, size, _font(lang))
    if lang.dir == "rtl":
        drawing = drawing.mirrored()
    comma = str(labels.get("comma", ", "))  # the language's own: «،» in Arabic
    names = {("plan", p.id): f"{p.name}: {p.places}{comma}{p.deadline}" for p in phases}
    return svg.phasebar(drawing, lang.code, lang.dir, link, uid, labels["bar_title"], labels["bar_desc"], names)


def _shape_of(place: Any, geo: Geo) -> str | None:
    """The outline a country or region of the content is drawn with: the region of the same id, or
    the country of the same English name, or else the country its point lies in."""
    if place.kind == "region":
        return place.id if any(r.id == place.id for r in geo.regions) else None
    for c in geo.countries:
        if any(c.name.casefold() == name.casefold() for name in place.name.values()):
            return c.id
    for c in geo.countries:
        if lay.Area.of(c.id, c.rings).contains(place.lon, place.lat):
            return c.id
    return None


def _map_style(width: float, lang: Language) -> lay.MapStyle:
    """The map's sizes: Arabic on a phone a size up, so that no label renders under 13.5 px (Naskh
    reads a size smaller than Latin at the same px)."""
    style = replace(lay.MAP_WIDE if width > 500 else lay.MAP_NARROW, font=_font(lang))
    if lang.dir == "rtl" and width <= 500:
        style = replace(style, size=14.5, small=14, note=15)
    return style


@lru_cache(maxsize=16)
def _map_layout(
    points: tuple[lay.MapPlace, ...],
    areas: tuple[lay.MapArea, ...],
    shapes: tuple[lay.MapShape, ...],
    phases: tuple[lay.MapPhase, ...],
    style: lay.MapStyle,
    rtl: bool,
) -> lay.MapLayout:
    """The map's layout, made once for the pages that show the same map (the home page and the plan)."""
    return lay.map_layout(points, areas, shapes, phases, style, rtl)


def map_svg(
    model: Model,
    geo: Geo | None,
    lang: Language,
    link: Link,
    *,
    labels: Mapping[str, str],
    phase_labels: Mapping[str, Sequence[str]],
    countries: Mapping[str, str] | None = None,
    width: float = 720.0,
    uid: str = "map",
) -> Markup:
    """The locator map: Iraq and its neighbours, the places coloured by phase, each phase's deadline
    written on the map, a magnified callout where places are too close to name (Baghdad and its
    airport). ``countries`` names, by outline id, the neighbours the content does not (Turkey, …)."""
    whole = place_names(model, lang.code)  # «قاعدة عين الأسد / الجوية», never «قاعدة عين / الأسد الجوية»
    points = [
        lay.MapPlace(p.id, p.kind, whole_names(p.name[lang.code], whole), p.lon, p.lat, p.phase)
        for p in model.places
        if p.kind not in ("country", "region")
    ]
    areas = [
        lay.MapArea(p.id, p.kind, whole_names(p.name[lang.code], whole), _shape_of(p, geo) if geo else None, (p.lon, p.lat), p.phase)
        for p in model.places
        if p.kind in ("country", "region")
    ]
    named = {a.shape for a in areas}
    areas += [lay.MapArea(cid, "country", str(name), cid) for cid, name in sorted((countries or {}).items()) if cid not in named]
    shapes = (
        [lay.MapShape(c.id, "country", c.rings) for c in geo.countries] + [lay.MapShape(r.id, "region", r.rings) for r in geo.regions]
        if geo
        else []
    )
    phases = [
        lay.MapPhase(p.number, tuple(str(t) for t in phase_labels.get(p.id, (p.title[lang.code],))), p.places)
        for p in sorted(model.phases, key=lambda p: p.number)
    ]
    style = _map_style(width, lang)
    layout = _map_layout(tuple(points), tuple(areas), tuple(shapes), tuple(phases), style, lang.dir == "rtl")
    country_shapes = [(c.id, c.rings, None) for c in geo.countries] if geo is not None else []
    region_ids = {a.id for a in areas if a.kind == "region"}
    region_shapes = [(r.id, r.rings, r.id if r.id in region_ids else None) for r in geo.regions] if geo is not None else []
    names = {("plan", p.id): p.name for p in points} | {("plan", a.id): a.name for a in areas}
    return svg.map_drawing(
        layout,
        (country_shapes, region_shapes),
        lang.code,
        lang.dir,
        link,
        uid,
        labels["map_title"],
        labels["map_desc"],
        names,
        "g-narrow" if width <= 500 else "g-wide",
    )


# --- wiring --------------------------------------------------------------------------------


def install(env: Any, model: Model, lang: Language, geo: Geo | None) -> None:
    """Make the graphics callable from this language's templates."""

    def timeline_graphic(link: Link, labels: Mapping[str, str], phase_labels: Mapping[str, Sequence[str]], layout: str, uid: str) -> Markup:
        return timeline_svg(model, lang, link, labels=labels, phase_labels=phase_labels, layout=layout, uid=uid)

    def phasebar_graphic(link: Link, labels: Mapping[str, str], bar: Mapping[str, Sequence[str]], width: float, uid: str) -> Markup:
        return phasebar_svg(model, lang, link, labels=labels, bar=bar, width=width, uid=uid)

    def map_graphic(
        link: Link,
        labels: Mapping[str, str],
        phase_labels: Mapping[str, Sequence[str]],
        width: float,
        uid: str,
        countries: Mapping[str, str],
    ) -> Markup:
        return map_svg(model, geo, lang, link, labels=labels, phase_labels=phase_labels, countries=countries, width=width, uid=uid)

    env.globals.update(
        timeline_graphic=timeline_graphic,
        phasebar_graphic=phasebar_graphic,
        map_graphic=map_graphic,
        timeline_break=time_domain(model)[1],
        map_has_regions=bool(geo and geo.regions),
    )
