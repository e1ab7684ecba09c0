"""Graphics drawn at build time as inline SVG: the timeline, the two-phase bar and the locator map.

This module reads the map outlines (``content/geo.json``), turns the model into what the layout
needs (:mod:`explainer.layout`: where everything goes, no SVG) and hands the result to the writer
(:mod:`explainer.svg`). Templates call the functions :func:`install` makes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from markupsafe import Markup

from . import layout as lay
from . import svg
from .errors import Problem
from .i18n import digits, format_date
from .model import PLANNED, Event, FuzzyDate, Language, Model
from .svg import Link

T = TypeVar("T")

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


def _is_deadline(e: Event, model: Model) -> bool:
    return e.status in PLANNED and any(p.ends.year == e.date.year and p.ends.month == e.date.month for p in model.phases)


_LAYOUTS: dict[str, Any] = {}
"""Layouts by their inputs. A graphic is laid out once per language and width, though several pages
draw it (the map on the home page, the plan and its embed; the timeline and its embed): only their
links differ, and those are written into the SVG after the layout. The layouts are frozen."""


def _laid_out(make: Callable[..., T], *args: Any) -> T:
    key = f"{make.__name__}{args!r}"  # every input, in full (frozen dataclasses, numbers and texts)
    found = _LAYOUTS.get(key)
    if found is None:
        if len(_LAYOUTS) >= 64:  # the live preview's rebuilds lay out new content: keep the latest only
            _LAYOUTS.clear()
        found = _LAYOUTS[key] = make(*args)
    return found  # type: ignore[no-any-return]


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


def timeline_svg(
    model: Model,
    lang: Language,
    link: Link,
    *,
    labels: Mapping[str, str],
    phase_labels: Mapping[str, str],
    layout: str = "wide",
    uid: str = "tl",
) -> Markup:
    """The timeline, ``wide`` (720 units) or ``narrow`` (360), running with the reading direction."""
    style = replace(lay.WIDE if layout == "wide" else lay.NARROW, font=_font(lang))
    times = event_times(model)
    keys = key_events(model)
    events = [
        lay.TimelineEvent(
            e.id,
            times[e.id],
            e.title[lang.code],
            f"{_when(e.date, lang, labels)}: {e.title[lang.code]}",
            e.status in PLANNED,  # planned or expected when reported, passed or not: never drawn as happened
            e.id in keys,
            _is_deadline(e, model),
        )
        for e in model.events
    ]
    phases = [
        lay.TimelinePhase(p.id, p.number, b, end, str(phase_labels.get(p.id, p.title[lang.code]))) for p, b, end in phase_spans(model)
    ]
    start, brk, end = time_domain(model)
    years = {y: digits(str(y), lang.digits) for y in range(start, end + 1)}
    as_of = (_day_value(model.as_of), str(labels["as_of"])) if model.as_of is not None and "as_of" in labels else None
    drawing = _laid_out(lay.timeline_layout, events, phases, (start, brk, end), years, as_of, style)
    if lang.dir == "rtl":
        drawing = drawing.mirrored()
    names = {("timeline", e.id): e.name for e in events} | {("plan", p.id): p.label for p in phases}
    return svg.timeline(drawing, lang.code, lang.dir, link, uid, labels["timeline_title"], labels["timeline_desc"], names, f"g-{layout}")


def phasebar_svg(
    model: Model, lang: Language, link: Link, *, labels: Mapping[str, str], bar: Mapping[str, Sequence[str]], width: float, uid: str
) -> Markup:
    """The home page's bar: the two phases, their places and deadlines, and the "as of" date."""
    phases = [lay.BarPhase(p.id, p.number, b, e, *(str(t) for t in bar[p.id])) for p, b, e in phase_spans(model)]
    as_of = (_day_value(model.as_of), str(labels["as_of"])) if model.as_of is not None else None
    drawing = lay.phasebar_layout(phases, as_of, width, 13.0 if width > 500 else 12.5, _font(lang))
    if lang.dir == "rtl":
        drawing = drawing.mirrored()
    names = {("plan", p.id): f"{p.name}: {p.places}, {p.deadline}" for p in phases}
    return svg.phasebar(drawing, lang.code, lang.dir, link, uid, labels["bar_title"], labels["bar_desc"], names)


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


def map_svg(
    model: Model,
    geo: Geo | None,
    lang: Language,
    link: Link,
    *,
    labels: Mapping[str, str],
    phase_labels: Mapping[str, str],
    width: float = 720.0,
    uid: str = "map",
) -> Markup:
    """The locator map: Iraq and its neighbours, the places coloured by phase, each phase's deadline
    written on the map, a magnified callout where places are too close to name (Baghdad and its airport)."""
    regions = {r.id: r for r in geo.regions} if geo is not None else {}
    places = [
        lay.MapPlace(
            p.id,
            p.kind,
            p.name[lang.code],
            p.lon,
            p.lat,
            p.phase,
            _ring_centroid(max(regions[p.id].rings, key=len)) if p.id in regions else None,
        )
        for p in model.places
    ]
    phases = [
        lay.MapPhase(p.number, str(phase_labels.get(p.id, p.title[lang.code])), p.places)
        for p in sorted(model.phases, key=lambda p: p.number)
    ]
    style = replace(lay.MAP_WIDE if width > 500 else lay.MAP_NARROW, font=_font(lang))
    layout = _laid_out(lay.map_layout, places, phases, style, lang.dir == "rtl")
    countries = [(c.id, c.rings, None) for c in geo.countries] if geo is not None else []
    region_shapes = [(r.id, r.rings, r.id if r.id in {p.id for p in places} else None) for r in regions.values()]
    names = {("plan", p.id): p.name for p in places}
    return svg.map_drawing(
        layout,
        (countries, region_shapes),
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

    def timeline_graphic(link: Link, labels: Mapping[str, str], phase_labels: Mapping[str, str], layout: str, uid: str) -> Markup:
        return timeline_svg(model, lang, link, labels=labels, phase_labels=phase_labels, layout=layout, uid=uid)

    def phasebar_graphic(link: Link, labels: Mapping[str, str], bar: Mapping[str, Sequence[str]], width: float, uid: str) -> Markup:
        return phasebar_svg(model, lang, link, labels=labels, bar=bar, width=width, uid=uid)

    def map_graphic(link: Link, labels: Mapping[str, str], phase_labels: Mapping[str, str], width: float, uid: str) -> Markup:
        return map_svg(model, geo, lang, link, labels=labels, phase_labels=phase_labels, width=width, uid=uid)

    env.globals.update(
        timeline_graphic=timeline_graphic,
        phasebar_graphic=phasebar_graphic,
        map_graphic=map_graphic,
        timeline_break=time_domain(model)[1],
        map_has_regions=bool(geo and geo.regions),
    )
