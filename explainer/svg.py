"""The SVG writer: draws a laid-out graphic (:mod:`explainer.layout`) as inline SVG markup.

Text stays in logical order: the SVG carries ``lang`` and ``direction`` and the browser shapes
and orders it. Every text and attribute is escaped here. The drawing itself is a picture
(``role="img"``, named by its title and description); the links are a separate layer of
transparent shapes on top (``g-hits``), each named, so that a keyboard reaches only the places
that lead somewhere. Each label's group carries its box as ``data-box`` (and each drawn line is
an SVG ``<line>``) so that tests can check, in the browser too, that nothing crosses a label.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from markupsafe import Markup, escape

from .layout import Box, Drawing, Inset, Label, Line, MapLayout, Mark, Projection

Link = Callable[..., str]
"""``link(page_key, anchor)`` → a relative URL (the render view's ``url``)."""

Ring = tuple[tuple[float, float], ...]


def n(v: float) -> str:
    """A coordinate: at most one decimal, no trailing zero (deterministic)."""
    text = f"{v:.1f}"
    return "0" if text == "-0.0" else text.removesuffix(".0")


def attrs(**kw: Any) -> str:
    """Keyword arguments as attributes: ``class_`` → ``class``, ``data_box`` → ``data-box``; None left out."""
    out = []
    for key, value in kw.items():
        if value is None:
            continue
        name = key.rstrip("_").replace("_", "-")
        text = n(value) if isinstance(value, float) else str(value)
        out.append(f' {name}="{escape(text)}"')
    return "".join(out)


class Svg:
    """Markup being written: the drawing, and the layer of links that goes on top of it."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.hits: dict[str, list[str]] = {}  # href → shapes
        self.names: dict[str, str] = {}  # href → accessible name

    def open(self, tag: str, **kw: Any) -> None:
        self.parts.append(f"<{tag}{attrs(**kw)}>")

    def close(self, tag: str) -> None:
        self.parts.append(f"</{tag}>")

    def leaf(self, tag: str, **kw: Any) -> None:
        self.parts.append(f"<{tag}{attrs(**kw)}/>")

    def text(self, tag: str, content: str, **kw: Any) -> None:
        self.parts.append(f"<{tag}{attrs(**kw)}>{escape(content)}</{tag}>")

    def hit(self, href: str, name: str, shape: str) -> None:
        """Add a shape to the link to ``href`` (made on :meth:`finish`)."""
        self.hits.setdefault(href, []).append(shape)
        self.names.setdefault(href, name)

    def finish(self) -> Markup:
        self.parts.append("</g>")
        if self.hits:
            self.parts.append('<g class="g-hits">')
            for href, shapes in self.hits.items():
                name = self.names[href]
                self.parts.append(
                    f"<a{attrs(href=href, class_='g-hit', aria_label=name)}><title>{escape(name)}</title>{''.join(shapes)}</a>"
                )
            self.parts.append("</g>")
        self.parts.append("</svg>")
        return Markup("".join(self.parts))


def start(svg: Svg, code: str, direction: str, uid: str, w: float, h: float, cls: str, title: str, desc: str) -> None:
    svg.open(
        "svg",
        xmlns="http://www.w3.org/2000/svg",
        viewBox=f"0 0 {n(w)} {n(h)}",
        width=n(w),
        height=n(h),
        class_=f"g {cls}",
        role="group",
        aria_labelledby=f"{uid}-t",
        lang=code,
        direction=direction,
        paint_order="stroke",
        id=uid,
    )
    svg.text("title", title, id=f"{uid}-t")
    svg.text("desc", desc, id=f"{uid}-d")
    svg.open("g", class_="g-drawing", role="img", aria_labelledby=f"{uid}-t {uid}-d")


def rect_of(box: Box, grow: float = 0.0) -> str:
    b = box.grown(grow)
    return f"<rect{attrs(x=b.x0, y=b.y0, width=b.x1 - b.x0, height=b.y1 - b.y0)}/>"


def label(svg: Svg, lb: Label) -> None:
    """A label's lines in a group that carries its box."""
    at = f"{n(lb.at[0])} {n(lb.at[1])}" if lb.at is not None else None
    key = lb.href_key[1] if lb.href_key else None  # what it names (an event's id: both languages label the same)
    svg.open("g", data_box=lb.box.attr(), data_label=lb.kind, data_area=lb.area, data_at=at, data_key=key)
    common = {"class_": lb.cls, "text_anchor": lb.anchor, "font_size": float(lb.size)}
    if len(lb.lines) == 1:
        svg.text("text", lb.lines[0], x=lb.x, y=lb.y, **common)
    else:
        svg.open("text", x=lb.x, y=lb.y, **common)
        for i, line in enumerate(lb.lines):
            svg.text("tspan", line, x=lb.x, y=lb.y + i * lb.line_height)
        svg.close("text")
    svg.close("g")


def line(svg: Svg, ln: Line) -> None:
    svg.leaf("line", x1=ln.x0, y1=ln.y0, x2=ln.x1, y2=ln.y1, class_=ln.cls)


def mark(svg: Svg, m: Mark) -> None:
    svg.open("g", class_=m.cls, data_mark=m.id)
    svg.text("title", m.title)
    if m.shape == "circle":
        svg.leaf("circle", cx=m.x, cy=m.y, r=float(m.r))
    else:
        s = m.r * 0.8
        svg.leaf(
            "path",
            d=f"M{n(m.x)} {n(m.y - m.r - 0.5)}l{n(s + 0.5)} {n(m.r + 0.5)}l{n(-s - 0.5)} {n(m.r + 0.5)}l{n(-s - 0.5)} {n(-m.r - 0.5)}z",
        )
    svg.close("g")


def links(svg: Svg, link: Link, marks: Iterable[Mark], labels: Iterable[Label], names: Mapping[tuple[str, str], str]) -> None:
    """The link layer: for each linked place or event, its mark (at least 24 px across) and its label."""
    for m in marks:
        if m.href_key is not None:
            svg.hit(link(*m.href_key), names.get(m.href_key, m.title), f"<circle{attrs(cx=m.x, cy=m.y, r=12.0)}/>")
    for lb in labels:
        if lb.href_key is not None:
            b = lb.box
            grow = max(0.0, (24 - (b.y1 - b.y0)) / 2)
            svg.hit(link(*lb.href_key), names.get(lb.href_key, " ".join(lb.lines)), rect_of(Box(b.x0, b.y0 - grow, b.x1, b.y1 + grow)))


# --- the timeline and the phase bar -----------------------------------------------------------------------


def bands(svg: Svg, drawing: Drawing, uid: str, rtl: bool) -> None:
    """The phases' shading; the first fades in from earlier to later (its start is no date the sources
    give). The fade's opacity is in its stops, not in the band's ``fill-opacity``: Chromium's PDF
    output drops a fill-opacity on a gradient fill (the printed band came out solid). After them,
    the time beyond the newest source, shaded as not covered."""
    for b in drawing.bands:
        if b.beyond:
            svg.leaf("rect", x=b.x0, y=b.y0, width=b.x1 - b.x0, height=b.y1 - b.y0, class_="g-beyond")
            continue
        fill = None
        if b.fade:
            gid = f"{uid}-fade{b.number}"
            svg.open("linearGradient", id=gid, x1="1" if rtl else "0", x2="0" if rtl else "1", y1="0", y2="0")
            svg.leaf("stop", offset="0", class_=f"g-stop g-stop-{b.number}", stop_opacity="0")
            svg.leaf("stop", offset="0.6", class_=f"g-stop g-stop-{b.number}", stop_opacity="0.13")
            svg.close("linearGradient")
            fill = f"url(#{gid})"
        svg.leaf("rect", x=b.x0, y=b.y0, width=b.x1 - b.x0, height=b.y1 - b.y0, class_=f"g-band g-band-{b.number}", fill=fill)


def timeline(
    drawing: Drawing,
    code: str,
    direction: str,
    link: Link,
    uid: str,
    title: str,
    desc: str,
    names: Mapping[tuple[str, str], str],
    cls: str = "",
) -> Markup:
    svg = Svg()
    start(svg, code, direction, uid, drawing.width, drawing.height, f"g-timeline {cls}".strip(), title, desc)
    svg.open("g", class_="g-phases")
    bands(svg, drawing, uid, direction == "rtl")
    svg.close("g")
    svg.open("g", class_="g-axis")
    for ln in drawing.lines:
        if ln.cls in ("g-axis-line", "g-tick"):
            line(svg, ln)
    for x in drawing.breaks:
        for dx in (-2.0, 2.0):
            svg.leaf("line", x1=x + dx - 3, x2=x + dx + 3, y1=drawing.axis_y + 5, y2=drawing.axis_y - 5, class_="g-break")
    svg.close("g")
    svg.open("g", class_="g-lines")
    for ln in drawing.lines:
        if ln.cls not in ("g-axis-line", "g-tick"):
            line(svg, ln)
    svg.close("g")
    svg.open("g", class_="g-marks")
    for m in drawing.marks:
        mark(svg, m)
    svg.close("g")
    svg.open("g", class_="g-labels")
    for lb in drawing.labels:
        label(svg, lb)
    svg.close("g")
    links(svg, link, drawing.marks, drawing.labels, names)
    return svg.finish()


def phasebar(
    drawing: Drawing, code: str, direction: str, link: Link, uid: str, title: str, desc: str, names: Mapping[tuple[str, str], str]
) -> Markup:
    svg = Svg()
    start(svg, code, direction, uid, drawing.width, drawing.height, "g-phasebar", title, desc)
    for b in drawing.bands:
        cls = "g-beyond" if b.beyond else f"g-bar g-bar-{b.number}"
        svg.leaf("rect", x=b.x0 + 0.5, y=b.y0, width=b.x1 - b.x0 - 1, height=b.y1 - b.y0, class_=cls)
    for ln in drawing.lines:
        line(svg, ln)
    for lb in drawing.labels:
        label(svg, lb)
    for b in (b for b in drawing.bands if not b.beyond):
        key = next((lb.href_key for lb in drawing.labels if lb.href_key and lb.box.x0 >= b.x0 - 1 and lb.box.x1 <= b.x1 + 1), None)
        if key is not None:
            svg.hit(link(*key), names.get(key, ""), rect_of(Box(b.x0, b.y0, b.x1, b.y1)))
    return svg.finish()


# --- the map ----------------------------------------------------------------------------------------------------


def path(rings: Iterable[Ring], proj: Projection) -> str:
    """The rings as a path's ``d``, each point projected."""
    out = []
    for ring in rings:
        out.append("M" + "L".join(f"{n(x)} {n(y)}" for x, y in (proj(lon, lat) for lon, lat in ring)) + "Z")
    return "".join(out)


def map_drawing(
    layout: MapLayout,
    shapes: Any,
    code: str,
    direction: str,
    link: Link,
    uid: str,
    title: str,
    desc: str,
    names: Mapping[tuple[str, str], str],
    cls: str = "",
) -> Markup:
    """``shapes``: (countries, regions) — each a list of (id, rings, place id or None)."""
    d = layout.drawing
    countries, regions = shapes
    svg = Svg()
    start(svg, code, direction, uid, d.width, d.height, f"g-map {cls}".strip(), title, desc)
    svg.open("clipPath", id=f"{uid}-clip")
    svg.leaf("rect", x=0, y=0, width=d.width, height=d.height)
    svg.close("clipPath")
    svg.open("g", clip_path=f"url(#{uid}-clip)")
    svg.leaf("rect", x=0, y=0, width=d.width, height=d.height, class_="g-water")
    for cid, rings, _pid in countries:
        svg.leaf("path", d=path(rings, layout.projection), class_="g-land" + (" g-iraq" if cid == "IRQ" else ""), data_area=cid)
    for rid, rings, pid in regions:
        svg.leaf("path", d=path(rings, layout.projection), class_="g-region-shape g-phase-2", data_area=rid)
        if pid:
            svg.hit(link("plan", pid), names.get(("plan", pid), ""), f"<path{attrs(d=path(rings, layout.projection))}/>")
    svg.close("g")
    svg.leaf("rect", x=0.5, y=0.5, width=d.width - 1, height=d.height - 1, class_="g-frame")
    if layout.inset is not None:
        _inset(svg, layout.inset, countries, uid)
    for ln in d.lines:
        line(svg, ln)
    for pid, x, y, way in layout.offmap:
        svg.leaf("path", d=f"M{n(x)} {n(y)}l{n(10.0 * -way)} -5v10z" if way < 0 else f"M{n(x)} {n(y)}l{n(-10.0)} -5v10z", class_="g-arrow")
        svg.hit(link("plan", pid), names.get(("plan", pid), ""), f"<circle{attrs(cx=x + (7.0 if way < 0 else -7.0), cy=y, r=12.0)}/>")
    for m in d.marks:
        mark(svg, m)
    for lb in d.labels:
        label(svg, lb)
    links(svg, link, d.marks, d.labels, names)
    return svg.finish()


def _inset(svg: Svg, inset: Inset, countries: Any, uid: str) -> None:
    b, a = inset.box, inset.area
    svg.leaf("rect", x=a.x0, y=a.y0, width=a.x1 - a.x0, height=a.y1 - a.y0, class_="g-callout-area")
    svg.open("clipPath", id=f"{uid}-{inset.clip}")
    svg.leaf("rect", x=b.x0, y=b.y0, width=b.x1 - b.x0, height=b.y1 - b.y0)
    svg.close("clipPath")
    svg.open("g", clip_path=f"url(#{uid}-{inset.clip})", class_="g-inset")
    svg.leaf("rect", x=b.x0, y=b.y0, width=b.x1 - b.x0, height=b.y1 - b.y0, class_="g-land")
    for cid, rings, _pid in countries:
        if cid == "IRQ":
            svg.leaf("path", d=path(rings, inset.projection), class_="g-land g-iraq")
    svg.close("g")
    svg.leaf("rect", x=b.x0, y=b.y0, width=b.x1 - b.x0, height=b.y1 - b.y0, class_="g-inset-frame")
