"""Layout of the graphics: where every mark, line and label goes, as small dataclasses, with no SVG.

Everything is laid out left to right ("forward" is +x); :func:`mirror` turns a finished layout
round for a right-to-left page, where time runs right to left. Text is never reordered: a label
keeps its words in logical order and says which of its edges is its ``start``; inside an SVG that
carries ``direction="rtl"`` the start of a text is its right edge, so mirroring the x of a label
and keeping its anchor puts it in the right place.

The rule every layout keeps, and the tests check: no label's box overlaps another label's box, no
line (a stem, a deadline, a leader, a frame) crosses a label's box, and every label is inside the
drawing. Text widths are estimated conservatively (:func:`text_width`); a test in Chromium checks
that the real text fits the estimated boxes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

# --- geometry ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Box:
    """An axis-aligned rectangle in SVG user units."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box, pad: float = 0.0) -> bool:
        """True if the two boxes, each grown by ``pad`` on one side, share any area."""
        return not (self.x1 + pad <= other.x0 or other.x1 + pad <= self.x0 or self.y1 + pad <= other.y0 or other.y1 + pad <= self.y0)

    def inside(self, other: Box) -> bool:
        return self.x0 >= other.x0 and self.x1 <= other.x1 and self.y0 >= other.y0 and self.y1 <= other.y1

    def grown(self, d: float) -> Box:
        return Box(self.x0 - d, self.y0 - d, self.x1 + d, self.y1 + d)

    def mirrored(self, width: float) -> Box:
        return Box(width - self.x1, self.y0, width - self.x0, self.y1)

    def attr(self) -> str:
        return f"{self.x0:.1f} {self.y0:.1f} {self.x1:.1f} {self.y1:.1f}"


@dataclass(frozen=True)
class Line:
    """A straight line drawn in the graphic (stem, deadline, leader, axis, frame edge)."""

    x0: float
    y0: float
    x1: float
    y1: float
    cls: str = ""

    def crosses(self, box: Box) -> bool:
        """True if any point of the segment lies strictly inside ``box`` (touching an edge is not crossing)."""
        # Liang–Barsky clipping against the open box
        t0, t1 = 0.0, 1.0
        dx, dy = self.x1 - self.x0, self.y1 - self.y0
        for p, q in ((-dx, self.x0 - box.x0), (dx, box.x1 - self.x0), (-dy, self.y0 - box.y0), (dy, box.y1 - self.y0)):
            if p == 0:
                if q <= 0:
                    return False
                continue
            r = q / p
            if p < 0:
                t0 = max(t0, r)
            else:
                t1 = min(t1, r)
            if t0 >= t1:
                return False
        return True

    def mirrored(self, width: float) -> Line:
        return replace(self, x0=width - self.x0, x1=width - self.x1)


# --- text -------------------------------------------------------------------------------------------

ARABIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"


@dataclass(frozen=True)
class Font:
    """Vertical metrics, in em: a text's box in the browser (getBBox) runs from ascent above its
    first baseline to descent below its last; lines are ``leading`` apart."""

    ascent: float
    descent: float
    leading: float

    def height(self, lines: int, size: float) -> float:
        return (self.ascent + self.descent + (lines - 1) * self.leading) * size


LATIN = Font(1.07, 0.3, 1.3)
"""Noto Sans and the system sans-serifs the English graphics use (generous)."""
NASKH = Font(1.07, 0.64, 1.5)
"""Explainer Naskh (the site's Arabic family): Naskh needs a deep descent and a taller line."""


def is_arabic(ch: str) -> bool:
    o = ord(ch)
    return 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0x08A0 <= o <= 0x08FF or 0xFB50 <= o <= 0xFEFF


def char_em(ch: str) -> float:
    """The advance of one character, in em, on the generous side for the fonts the graphics use."""
    if ch == " ":
        return 0.3
    if is_arabic(ch):
        return 0.56
    if ch.isdigit() or ch in ARABIC_DIGITS:
        return 0.6
    if ch in "ilIjtf.,:;'’|!()[]·":
        return 0.34
    if ch in "mwMWœ—":
        return 0.92
    if ch.isupper():
        return 0.72
    return 0.58


@lru_cache(maxsize=4096)
def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """A conservative estimate of the advance width of ``text`` at font size ``size``."""
    em = 0.0
    for ch in text:
        em += char_em(ch)
    return em * size * (1.08 if bold else 1.0)


def wrap(text: str, size: float, max_width: float, *, bold: bool = False) -> list[str]:
    """Greedy word wrap at spaces, words kept in logical order. A word longer than the line stays
    whole on a line of its own (never cut): the caller sizes its box from the lines it gets."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(lines[-1] + " " + word, size, bold=bold) <= max_width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


# --- drawn things ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Label:
    """Lines of text. ``x`` is the edge named by ``anchor`` ("start", "middle" or "end", in
    the drawing's direction); ``y`` is the first baseline; ``box`` holds all the lines."""

    lines: tuple[str, ...]
    x: float
    y: float
    size: float
    anchor: str
    box: Box
    cls: str
    kind: str
    bold: bool = False
    href_key: tuple[str, str] | None = None  # (page key, anchor) the label links to, if any
    font: Font = LATIN

    @property
    def line_height(self) -> float:
        return self.size * self.font.leading


@dataclass(frozen=True)
class Mark:
    """A dot or a diamond at (x, y), named (its title) and maybe linked."""

    id: str
    x: float
    y: float
    r: float
    shape: str  # "circle" or "diamond"
    cls: str
    title: str
    href_key: tuple[str, str] | None = None


def label_box(
    lines: Sequence[str], size: float, x: float, top: float, anchor: str, *, bold: bool = False, pad: float = 2.0, font: Font = LATIN
) -> Box:
    """The box of ``lines`` whose ``anchor`` edge is at ``x`` and whose top is at ``top`` (left-to-right geometry)."""
    w = max(text_width(t, size, bold=bold) for t in lines)
    h = font.height(len(lines), size)
    x0 = x if anchor == "start" else x - w if anchor == "end" else x - w / 2
    return Box(x0 - pad, top, x0 + w + pad, top + h)


def make_label(
    lines: Sequence[str], size: float, x: float, top: float, anchor: str, cls: str, kind: str, font: Font, **kw: object
) -> Label:
    """A label whose box's top is at ``top``; its first baseline is the font's ascent below."""
    bold = bool(kw.pop("bold", False))
    box = label_box(lines, size, x, top, anchor, bold=bold, font=font)
    return Label(tuple(lines), x, top + size * font.ascent, size, anchor, box, cls, kind, bold, font=font, **kw)  # type: ignore[arg-type]


@dataclass
class Placer:
    """What is placed so far, and whether a new label or line may go somewhere."""

    frame: Box
    boxes: list[Box] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    obstacles: list[Box] = field(default_factory=list)  # marks: labels keep off them, lines may touch them

    def box_free(self, box: Box, pad: float = 3.0) -> bool:
        if not box.inside(self.frame):
            return False
        if any(box.overlaps(b, pad) for b in self.boxes) or any(box.overlaps(o, 1) for o in self.obstacles):
            return False
        return not any(line.crosses(box.grown(1)) for line in self.lines)

    def line_free(self, line: Line) -> bool:
        return not any(line.crosses(b.grown(1)) for b in self.boxes)

    def add_box(self, box: Box) -> None:
        self.boxes.append(box)

    def add_line(self, line: Line) -> None:
        self.lines.append(line)


def collisions(labels: Iterable[Label], lines: Iterable[Line]) -> list[tuple[str, str]]:
    """Every pair of labels that overlap and every line that crosses a label (for tests)."""
    labels = list(labels)
    found = []
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            if a.box.overlaps(b.box):
                found.append((" ".join(a.lines), " ".join(b.lines)))
        for line in lines:
            if line.crosses(a.box):
                found.append((" ".join(a.lines), f"line {line.cls} {line.x0:.0f},{line.y0:.0f}-{line.x1:.0f},{line.y1:.0f}"))
    return found


def mirror_label(label: Label, width: float) -> Label:
    return replace(label, x=width - label.x, box=label.box.mirrored(width))


def mirror_mark(mark: Mark, width: float) -> Mark:
    return replace(mark, x=width - mark.x)


def spread(n: int, first: float, last: float) -> list[float]:
    """``n`` values evenly from ``first`` to ``last`` (one value: their middle)."""
    if n == 1:
        return [(first + last) / 2]
    return [first + (last - first) * i / (n - 1) for i in range(n)]


def ceil(v: float) -> int:
    return math.ceil(v - 1e-9)


# --- the timeline -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """Fractional year → x, in two linear pieces when the axis has a break (earlier years compressed)."""

    start: float
    brk: float | None
    end: float
    a: float  # x of start
    b: float  # x of end
    split: float  # share of the length given to the years before the break
    gap: float  # room left for the break mark

    def __call__(self, year: float) -> float:
        length = self.b - self.a
        if self.brk is None:
            return self.a + (year - self.start) / (self.end - self.start) * length
        first = (length - self.gap) * self.split
        if year < self.brk:
            return self.a + (year - self.start) / (self.brk - self.start) * first
        return self.a + first + self.gap + (year - self.brk) / (self.end - self.brk) * (length - self.gap - first)


@dataclass(frozen=True)
class TimelineEvent:
    """An event as the timeline needs it: where it lies (a fractional year) and what it is called."""

    id: str
    t: float
    title: str
    name: str  # the accessible name: date and title
    planned: bool
    key: bool  # labelled on the graphic
    deadline: bool  # the event a phase's deadline line stands for


@dataclass(frozen=True)
class TimelinePhase:
    id: str
    number: int
    begin: float
    end: float
    label: str


@dataclass(frozen=True)
class Band:
    number: int
    x0: float
    x1: float
    y0: float
    y1: float
    fade: bool  # the first phase fades in: its start is not a date the sources give


@dataclass(frozen=True)
class Drawing:
    """A laid-out graphic: everything the SVG writer draws, in final coordinates."""

    width: float
    height: float
    marks: tuple[Mark, ...]
    labels: tuple[Label, ...]
    lines: tuple[Line, ...]
    bands: tuple[Band, ...] = ()
    axis_y: float = 0.0
    breaks: tuple[float, ...] = ()

    def moved(self, dy: float, height: float) -> Drawing:
        return replace(
            self,
            height=height,
            axis_y=self.axis_y + dy,
            marks=tuple(replace(m, y=m.y + dy) for m in self.marks),
            labels=tuple(replace(lb, y=lb.y + dy, box=Box(lb.box.x0, lb.box.y0 + dy, lb.box.x1, lb.box.y1 + dy)) for lb in self.labels),
            lines=tuple(replace(ln, y0=ln.y0 + dy, y1=ln.y1 + dy) for ln in self.lines),
            bands=tuple(replace(b, y0=b.y0 + dy, y1=b.y1 + dy) for b in self.bands),
        )

    def mirrored(self) -> Drawing:
        w = self.width
        return replace(
            self,
            marks=tuple(mirror_mark(m, w) for m in self.marks),
            labels=tuple(mirror_label(lb, w) for lb in self.labels),
            lines=tuple(ln.mirrored(w) for ln in self.lines),
            bands=tuple(replace(b, x0=w - b.x1, x1=w - b.x0) for b in self.bands),
            breaks=tuple(w - x for x in self.breaks),
        )


@dataclass(frozen=True)
class TimelineStyle:
    """Sizes for one width of the timeline."""

    width: float
    size: float  # event labels
    small: float  # years, deadlines, the "as of" mark
    r: float  # dot radius
    label_w: float  # widest event label line
    split: float  # share of the axis for the years before the break
    max_rise: float  # how far above the axis a label may go
    font: Font = LATIN


WIDE = TimelineStyle(width=720, size=13, small=12, r=4.5, label_w=140, split=0.3, max_rise=420)
NARROW = TimelineStyle(width=360, size=12.5, small=11.5, r=4, label_w=112, split=0.26, max_rise=520)


def _stack_dots(events: Sequence[TimelineEvent], scale: Scale, r: float) -> dict[str, tuple[float, float]]:
    """Each event's dot, stacked upward from the axis where dots would touch (a dot plot): the
    labelled events are stacked last, so that they top their piles and their stems rise clear."""
    pitch = 2 * r + 1.5
    levels: list[list[float]] = []
    out: dict[str, tuple[float, float]] = {}
    for e in sorted(events, key=lambda e: (e.key, e.t)):
        x = scale(e.t)
        level = 0
        while level < len(levels) and any(abs(x - other) < pitch for other in levels[level]):
            level += 1
        if level == len(levels):
            levels.append([])
        levels[level].append(x)
        out[e.id] = (x, -r - 2 - level * pitch)
    return out


def _place_flag(placer: Placer, lines: list[str], size: float, x: float, base: float, limit: float, font: Font) -> tuple[Box, str] | None:
    """A label flying from a stem at ``x`` that rises from ``base`` (y, upward is negative): the
    lowest row where the label, to either side of the stem, and the stem itself cross nothing."""
    h = font.height(len(lines), size)
    for anchor, lx in (("start", x + 4), ("end", x - 4)):  # reaching forward (the staircase) first
        top = base - 6 - h
        while top > -limit:
            box = label_box(lines, size, lx, top, anchor, font=font)
            stem = Line(x, base, x, top + 2)
            if placer.box_free(box) and placer.line_free(stem):
                return box, anchor
            top -= 4
    return None


def _year_labels(placer: Placer, scale: Scale, years: Sequence[int], style: TimelineStyle, texts: dict[int, str]) -> list[Label]:
    out = []
    for year in years:
        text = texts[year]
        w = text_width(text, style.small)
        cx = min(max(scale(year), w / 2 + 2), style.width - w / 2 - 2)
        label = make_label([text], style.small, cx, 5, "middle", "g-year", "year", style.font)
        if placer.box_free(label.box, pad=6):
            placer.add_box(label.box)
            out.append(label)
    return out


def timeline_layout(
    events: Sequence[TimelineEvent],
    phases: Sequence[TimelinePhase],
    domain: tuple[int, int | None, int],
    years: dict[int, str],
    as_of: tuple[float, str] | None,
    style: TimelineStyle,
) -> Drawing:
    """The timeline along x (left to right; :meth:`Drawing.mirrored` for right to left).

    Every event is a dot on (or stacked above) the axis; key events get a label on a stem; each
    phase's deadline is a line with its label at its top; the "as of" date is marked under the axis."""
    start, brk, end = domain
    w = style.width
    scale = Scale(start, brk, end, 12, w - 12, style.split if brk else 1.0, 12.0)
    placer = Placer(Box(0, -style.max_rise - 200, w, 200))
    dots = _stack_dots(events, scale, style.r)
    marks = [_event_mark(e, dots[e.id], style.r) for e in events]
    placer.obstacles += [Box(m.x - m.r, m.y - m.r, m.x + m.r, m.y + m.r) for m in marks]
    deadlines = [Line(scale(p.end), 0, scale(p.end), -10_000, f"g-deadline g-deadline-{p.number}") for p in phases]
    placer.lines += deadlines
    labels, stems = _key_labels(placer, events, dots, style)
    placer.lines = [ln for ln in placer.lines if ln not in deadlines]
    labels_d, lines_d = _deadline_labels(placer, phases, scale, style, min([b.y0 for b in placer.boxes] + [m.y - m.r for m in marks]))
    lines_asof, labels_asof = _as_of_mark(placer, scale, as_of, style)
    labels += labels_d + labels_asof
    placer.lines += [Line(0, 0, w, 0, "g-axis-line")]
    labels += _year_labels(placer, scale, _year_priority(start, brk, end), style, years)
    ticks = [Line(scale(y), -3, scale(y), 3, "g-tick") for y in range(start, end + 1) if brk is None or y >= brk or y == start]
    axis = _axis_lines(scale, start, brk, end)
    top = min([lb.box.y0 for lb in labels] + [ln.y1 for ln in lines_d] + [m.y - m.r for m in marks]) - 4
    bands = _bands(phases, scale, top)
    bottom = max([lb.box.y1 for lb in labels] + [ln.y1 for ln in lines_asof] + [12.0]) + 4
    drawing = Drawing(
        w,
        0,
        tuple(marks),
        tuple(labels),
        tuple(axis + ticks + stems + lines_d + lines_asof),
        tuple(bands),
        0.0,
        (scale(brk) - 6,) if brk else (),
    )
    return drawing.moved(-top, ceil(bottom - top))


def _event_mark(e: TimelineEvent, at: tuple[float, float], r: float) -> Mark:
    cls = "g-mark" + (" g-planned" if e.planned else "") + (" g-key" if e.key else "")
    return Mark(e.id, at[0], at[1], r, "circle", cls, e.name, ("timeline", e.id) if e.key else None)


def _key_labels(
    placer: Placer, events: Sequence[TimelineEvent], dots: dict[str, tuple[float, float]], style: TimelineStyle
) -> tuple[list[Label], list[Line]]:
    labels, stems = [], []
    # latest first, each at the lowest free row: a label reaching forward over a later event's stem
    # then sits above that event's label, where the stem does not reach (a staircase)
    for e in sorted((e for e in events if e.key and not e.deadline), key=lambda e: -e.t):
        x, y = dots[e.id]
        lines = wrap(e.title, style.size, style.label_w)
        found = _place_flag(placer, lines, style.size, x, y - style.r, style.max_rise, style.font)
        if found is None:
            continue  # stays a mark: its name is its title, and the list below has it
        box, anchor = found
        stem = Line(x, y - style.r, x, box.y0 + 2, "g-stem")
        placer.add_box(box)
        placer.add_line(stem)
        lx = x + 4 if anchor == "start" else x - 4
        labels.append(make_label(lines, style.size, lx, box.y0, anchor, "g-event-label", "event", style.font, href_key=("timeline", e.id)))
        stems.append(stem)
    return labels, stems


def _deadline_labels(
    placer: Placer, phases: Sequence[TimelinePhase], scale: Scale, style: TimelineStyle, above: float
) -> tuple[list[Label], list[Line]]:
    """Each deadline's label at the top of its line, inside its phase's band (ending at the line)."""
    labels, lines = [], []
    for p in sorted(phases, key=lambda p: p.end):
        x = scale(p.end)
        room = max(x - scale(p.begin) - 8, 60.0)
        text = wrap(p.label, style.small, room, bold=True)
        h = style.font.height(len(text), style.small)
        top = above - 8 - h
        while True:
            box = label_box(text, style.small, x - 4, top, "end", bold=True, font=style.font)
            line = Line(x, 0, x, top, f"g-deadline g-deadline-{p.number}")
            if (placer.box_free(box) and placer.line_free(line)) or top < placer.frame.y0:
                break
            top -= 4
        placer.add_box(box)
        placer.add_line(line)
        labels.append(
            make_label(
                text,
                style.small,
                x - 4,
                top,
                "end",
                f"g-phase-label g-phase-label-{p.number}",
                "phase",
                style.font,
                bold=True,
                href_key=("plan", p.id),
            )
        )
        lines.append(line)
    return labels, lines


def _as_of_mark(placer: Placer, scale: Scale, as_of: tuple[float, str] | None, style: TimelineStyle) -> tuple[list[Line], list[Label]]:
    """The date the sources run to: a short line through the axis, its label under the years."""
    if as_of is None:
        return [], []
    t, text = as_of
    x = scale(t)
    top = 5 + style.font.height(1, style.small) + 6
    for anchor, lx in (("end", x - 4), ("start", x + 4)):
        label = make_label([text], style.small, lx, top, anchor, "g-asof-label", "asof", style.font, bold=True)
        if placer.box_free(label.box):
            break
    line = Line(x, -8, x, label.box.y1, "g-asof")
    placer.add_box(label.box)
    placer.add_line(line)
    return [line], [label]


def _year_priority(start: int, brk: int | None, end: int) -> list[int]:
    """Years to label, most wanted first: the ends, the detailed years, then every fifth year."""
    first = [start] + ([brk] if brk else []) + list(range((brk or start) + 1, end))
    rest = [y for y in range(start, end) if y % 5 == 0 and y not in first]
    others = [] if brk else [y for y in range(start, end) if y not in first and y not in rest]
    return first + rest + others


def _axis_lines(scale: Scale, start: int, brk: int | None, end: int) -> list[Line]:
    if brk is None:
        return [Line(scale(start) - 4, 0, scale(end), 0, "g-axis-line")]
    return [Line(scale(start) - 4, 0, scale(brk - 1e-9), 0, "g-axis-line"), Line(scale(brk), 0, scale(end), 0, "g-axis-line")]


def _bands(phases: Sequence[TimelinePhase], scale: Scale, top: float) -> list[Band]:
    first = min((p.number for p in phases), default=0)
    return [Band(p.number, scale(p.begin), scale(p.end), top, 0, p.number == first) for p in phases]


# --- the two-phase bar (home page) ----------------------------------------------------------------------------


@dataclass(frozen=True)
class BarPhase:
    id: str
    number: int
    begin: float
    end: float
    name: str  # "Phase 1"
    places: str  # "Baghdad and Ain al-Asad"
    deadline: str  # "by September 2025"


def phasebar_layout(phases: Sequence[BarPhase], as_of: tuple[float, str] | None, width: float, size: float, font: Font = LATIN) -> Drawing:
    """Two segments, one per phase, with the places inside and each deadline written under its end;
    the "as of" date marked above the bar."""
    if not phases:
        return Drawing(width, 0, (), (), ())
    t0, t1 = min(p.begin for p in phases), max(p.end for p in phases)
    scale = Scale(t0, None, t1, 4, width - 4, 1.0, 0.0)
    placer = Placer(Box(0, -200, width, 200))
    inner = []
    for p in phases:
        x0, x1 = scale(p.begin), scale(p.end)
        name = wrap(p.name, size, x1 - x0 - 14, bold=True)
        places = wrap(p.places, size, x1 - x0 - 14)
        inner.append((p, x0, x1, name, places))
    bar_h = max(font.height(len(n) + len(pl), size) for _p, _a, _b, n, pl in inner) + 14
    labels: list[Label] = []
    lines: list[Line] = []
    bands = []
    for p, x0, x1, name, places in inner:
        bands.append(Band(p.number, x0, x1, 0, bar_h, False))
        labels.append(
            make_label(
                name, size, x0 + 7, 7, "start", f"g-bar-name g-phase-label-{p.number}", "phase", font, bold=True, href_key=("plan", p.id)
            )
        )
        labels.append(make_label(places, size, x0 + 7, labels[-1].box.y1 + 1, "start", "g-bar-places", "phase", font))
        for lb in labels[-2:]:
            placer.add_box(lb.box)
    for p, _x0, x1, _n, _pl in inner:
        text = wrap(p.deadline, size, max(x1 - scale(p.begin) - 10, 60), bold=True)
        deadline = make_label(text, size, x1 - 4, bar_h + 6, "end", f"g-bar-deadline g-phase-label-{p.number}", "deadline", font, bold=True)
        line = Line(x1, -4, x1, deadline.box.y1, f"g-deadline g-deadline-{p.number}")
        placer.add_box(deadline.box)
        placer.add_line(line)
        labels.append(deadline)
        lines.append(line)
    if as_of is not None:
        x = scale(min(max(as_of[0], t0), t1))
        w = text_width(as_of[1], size, bold=True)
        cx = min(max(x, w / 2 + 3), width - w / 2 - 3)  # centred over its date, slid to stay inside
        label = make_label([as_of[1]], size, cx, -10 - font.height(1, size), "middle", "g-asof-label", "asof", font, bold=True)
        labels.append(label)
        lines.append(Line(x, label.box.y1, x, 0, "g-asof"))  # from under the label to the bar
    top = min([lb.box.y0 for lb in labels] + [ln.y0 for ln in lines] + [0.0]) - 2
    bottom = max([lb.box.y1 for lb in labels] + [bar_h]) + 4
    return Drawing(width, 0, (), tuple(labels), tuple(lines), tuple(bands), 0.0).moved(-top, ceil(bottom - top))


# --- the map ------------------------------------------------------------------------------------------------

VIEW = (34.2, 28.6, 49.8, 38.4)
"""The map's frame: lon_min, lat_min, lon_max, lat_max."""


@dataclass(frozen=True)
class Projection:
    """Equirectangular, x scaled by cos(middle latitude); north up; ``view`` fills ``width``."""

    lon0: float
    lat1: float
    k: float
    kx: float
    dx: float = 0.0
    dy: float = 0.0

    @classmethod
    def fit(cls, width: float, view: tuple[float, float, float, float] = VIEW, dx: float = 0.0, dy: float = 0.0) -> Projection:
        lon0, _lat0, lon1, lat1 = view
        kx = math.cos(math.radians((VIEW[1] + VIEW[3]) / 2))
        return cls(lon0, lat1, width / ((lon1 - lon0) * kx), kx, dx, dy)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return self.dx + (lon - self.lon0) * self.kx * self.k, self.dy + (self.lat1 - lat) * self.k


@dataclass(frozen=True)
class MapPlace:
    id: str
    kind: str  # city, airport, base, region, country
    name: str
    lon: float
    lat: float
    phase: int | None
    centre: tuple[float, float] | None = None  # where a region's name goes (its outline's centroid)


@dataclass(frozen=True)
class MapPhase:
    number: int
    label: str  # "Phase 1 · by September 2025"
    places: tuple[str, ...]


@dataclass(frozen=True)
class Inset:
    """A magnified view of places too close to label on the map (Baghdad and its airport)."""

    box: Box  # where the inset is drawn
    area: Box  # the small frame around the places on the map
    projection: Projection
    clip: str  # an id suffix for the clip path


@dataclass(frozen=True)
class MapLayout:
    drawing: Drawing
    projection: Projection
    inset: Inset | None
    offmap: tuple[tuple[str, float, float, int], ...]  # place id, arrow x, y, direction (-1 west)


@dataclass(frozen=True)
class MapStyle:
    width: float
    size: float
    small: float
    inset_w: float
    inset_h: float
    font: Font = LATIN


MAP_WIDE = MapStyle(width=720, size=14, small=12.5, inset_w=230, inset_h=136)
MAP_NARROW = MapStyle(width=360, size=12.5, small=11.5, inset_w=170, inset_h=124)


def _in_view(p: MapPlace) -> bool:
    lon0, lat0, lon1, lat1 = VIEW
    return lon0 <= p.lon <= lon1 and lat0 <= p.lat <= lat1


def _point_kind(p: MapPlace) -> bool:
    return p.kind not in ("country", "region")


def _clusters(points: Sequence[MapPlace], proj: Projection, within: float) -> list[list[MapPlace]]:
    """Groups of places whose dots lie closer than ``within`` (too close to name on the map)."""
    groups: list[list[MapPlace]] = []
    for p in points:
        x, y = proj(p.lon, p.lat)
        near = [g for g in groups if any(math.dist((x, y), proj(q.lon, q.lat)) < within for q in g)]
        for g in near:
            groups.remove(g)
        groups.append([q for g in near for q in g] + [p])
    return [g for g in groups if len(g) > 1]


def _dot(p: MapPlace, x: float, y: float, link: bool) -> Mark:
    r = 5.0 if p.kind == "city" else 5.5
    return Mark(
        p.id,
        x,
        y,
        r,
        "circle" if p.kind == "city" else "diamond",
        f"g-place g-phase-{p.phase or 0} g-kind-{p.kind}",
        p.name,
        ("plan", p.id) if link else None,
    )


def _side_anchor(side: str, rtl: bool) -> str:
    """A label's text anchor for the geometric edge ``side`` ("left"/"right") of its box at x."""
    if side == "middle":
        return "middle"
    return ("end" if rtl else "start") if side == "left" else ("start" if rtl else "end")


def _near_spots(x: float, y: float, w: float, h: float, gap: float, rtl: bool, frame: Box) -> list[tuple[str, float, float]]:
    """Where a label may go beside a point: (side, x of that side's edge, top). The reader's side
    first, then the other side, above and below (slid along to stay inside), then the corners."""

    def slid(cx: float) -> float:
        return min(max(cx, frame.x0 + w / 2 + 3), frame.x1 - w / 2 - 3)

    spots = [("left", x + gap, y - h / 2), ("right", x - gap, y - h / 2)]
    if rtl:
        spots.reverse()
    spots += [("middle", slid(x), y - gap - h), ("middle", slid(x), y + gap)]
    spots += [("left", x + gap * 0.7, y - gap * 0.6 - h), ("right", x - gap * 0.7, y - gap * 0.6 - h)]
    spots += [("left", x + gap * 0.7, y + gap * 0.6), ("right", x - gap * 0.7, y + gap * 0.6)]
    return spots


def _box_at(side: str, ex: float, top: float, w: float, h: float) -> Box:
    x0 = ex if side == "left" else ex - w if side == "right" else ex - w / 2
    return Box(x0 - 2, top, x0 + w + 2, top + h)


def _place_near(
    placer: Placer, lines: list[str], size: float, x: float, y: float, gap: float, rtl: bool, cls: str, kind: str, font: Font, **kw: object
) -> tuple[Label, Line | None] | None:
    """A label beside the point (x, y) or, failing that, a little way off with a leader line to it."""
    w = max(text_width(t, size, bold=True) for t in lines)
    h = font.height(len(lines), size)
    tries: list[tuple[str, float, float, Line | None]] = [(*s, None) for s in _near_spots(x, y, w, h, gap, rtl, placer.frame)]
    for dist in (30.0, 44.0, 58.0, 72.0):
        for deg in range(0, 360, 30):
            dx, dy = math.cos(math.radians(deg)) * dist, math.sin(math.radians(deg)) * dist
            side = "left" if dx > 1 else "right" if dx < -1 else "middle"
            top = y + dy - h / 2
            box = _box_at(side, x + dx, top, w, h)
            end = (min(max(x, box.x0), box.x1), min(max(y, box.y0), box.y1))
            reach = math.dist((x, y), end)
            if reach > gap:
                start = (x + (end[0] - x) * 6 / reach, y + (end[1] - y) * 6 / reach)
                tries.append((side, x + dx, top, Line(start[0], start[1], end[0], end[1], "g-leader")))
    for side, ex, top, leader in tries:
        box = _box_at(side, ex, top, w, h)
        if placer.box_free(box) and (leader is None or placer.line_free(leader)):
            placer.add_box(box)
            if leader is not None:
                placer.add_line(leader)
            tx = box.x0 + 2 if side == "left" else box.x1 - 2 if side == "right" else (box.x0 + box.x1) / 2
            label = Label(tuple(lines), tx, top + size * font.ascent, size, _side_anchor(side, rtl), box, cls, kind, True, font=font, **kw)  # type: ignore[arg-type]
            return label, leader
    return None


def _place_around(
    placer: Placer, lines: list[str], size: float, cx: float, cy: float, cls: str, kind: str, pad: float, font: Font
) -> Label | None:
    """A centred label at (cx, cy), or as near it as is free (country, region and phase names)."""
    w = max(text_width(t, size, bold=True) for t in lines)
    h = font.height(len(lines), size)
    f = placer.frame
    cx = min(max(cx, f.x0 + w / 2 + 4), f.x1 - w / 2 - 4)
    cy = min(max(cy, f.y0 + h / 2 + 4), f.y1 - h / 2 - 4)
    for dy in (0, -14, 14, -28, 28, -42, 42, -56, 56, -70, 70, -84, 84, -98, 98, -112, 112):
        for dx in (0, -20, 20, -40, 40, -60, 60, -80, 80, -100, 100):
            box = Box(cx + dx - w / 2 - 2, cy + dy - h / 2, cx + dx + w / 2 + 2, cy + dy + h / 2)
            if placer.box_free(box, pad):
                placer.add_box(box)
                return Label(tuple(lines), cx + dx, box.y0 + size * font.ascent, size, "middle", box, cls, kind, True, font=font)
    return None


def _choose_inset(placer: Placer, style: MapStyle, area: Box, height: float) -> Box:
    """Where the magnified view goes: the first corner of the map it fits in without covering a place."""
    w, h = style.inset_w, style.inset_h
    W = style.width
    # the lower corners first: the desert and the Gulf, where no place of the content lies
    spots = [(W - w - 8, height - h - 8), (8, height - h - 8), (8, 8 + 30), (W - w - 8, 8 + 30)]
    for x, y in spots:
        box = Box(x, y, x + w, y + h)
        if placer.box_free(box, 6):
            return box
    return Box(8, height - h - 8, 8 + w, height - 8)


def map_layout(places: Sequence[MapPlace], phases: Sequence[MapPhase], style: MapStyle, rtl: bool) -> MapLayout:
    """Where everything on the locator map goes (in true geography: a map is never mirrored)."""
    proj = Projection.fit(style.width)
    height = ceil((VIEW[3] - VIEW[1]) * proj.k)
    placer = Placer(Box(2, 2, style.width - 2, height - 2))
    points = [p for p in places if _point_kind(p) and _in_view(p)]
    cluster = next(iter(_clusters(points, proj, 12.0)), [])
    marks = [_dot(p, *proj(p.lon, p.lat), link=p not in cluster) for p in points]
    placer.obstacles += [Box(m.x - m.r - 1, m.y - m.r - 1, m.x + m.r + 1, m.y + m.r + 1) for m in marks]
    labels: list[Label] = []
    lines: list[Line] = []
    offmap, off_labels = _offmap(placer, places, proj, style, rtl)  # first: they need the edge
    labels += off_labels
    inset = None
    if cluster:
        inset, inset_marks, inset_labels, inset_lines = _inset(placer, cluster, proj, style, height, rtl)
        marks += inset_marks
        labels += inset_labels
        lines += inset_lines
    for p in points:
        if p in cluster:
            continue
        x, y = proj(p.lon, p.lat)
        lines_p = wrap(p.name, style.size, 130 if style.width > 500 else 96, bold=True)
        found = _place_near(
            placer, lines_p, style.size, x, y, 9, rtl, f"g-place-label g-phase-{p.phase or 0}", "place", style.font, href_key=("plan", p.id)
        )
        if found is not None:
            labels.append(found[0])
            lines += [found[1]] if found[1] else []
    labels += _area_names(placer, places, proj, style, rtl)
    labels += _phase_notes(placer, places, phases, proj, style, rtl)
    drawing = Drawing(style.width, height, tuple(marks), tuple(labels), tuple(lines))
    return MapLayout(drawing, proj, inset, tuple(offmap))


def _inset(
    placer: Placer, cluster: Sequence[MapPlace], proj: Projection, style: MapStyle, height: float, rtl: bool
) -> tuple[Inset, list[Mark], list[Label], list[Line]]:
    """The callout: a small frame around the cluster on the map, a magnified view in a free corner,
    and a line joining them; the places are drawn, named and linked in the magnified view."""
    xs = [proj(p.lon, p.lat) for p in cluster]
    area = Box(min(x for x, _ in xs) - 7, min(y for _, y in xs) - 7, max(x for x, _ in xs) + 7, max(y for _, y in xs) + 7)
    placer.add_box(area)
    box = _choose_inset(placer, style, area, height)
    lon_c = sum(p.lon for p in cluster) / len(cluster)
    lat_c = sum(p.lat for p in cluster) / len(cluster)
    span = max(max(abs(p.lon - lon_c) for p in cluster) * 2 * proj.kx, max(abs(p.lat - lat_c) for p in cluster) * 2, 0.05)
    k = min(box.x1 - box.x0, box.y1 - box.y0) * 0.32 / span
    zoom = Projection(lon_c, lat_c, k, proj.kx, (box.x0 + box.x1) / 2 - 0, (box.y0 + box.y1) / 2)
    zoom = replace(zoom, lon0=lon_c, dx=(box.x0 + box.x1) / 2, dy=(box.y0 + box.y1) / 2 - 6)
    inner = Placer(Box(box.x0 + 3, box.y0 + 3, box.x1 - 3, box.y1 - 3))
    marks, labels = [], []
    for p in cluster:
        x, y = zoom(p.lon, p.lat)
        marks.append(_dot(p, x, y, link=True))
        inner.obstacles.append(Box(x - 7, y - 7, x + 7, y + 7))
    for p, m in zip(cluster, marks, strict=True):
        lines = wrap(p.name, style.small, box.x1 - box.x0 - 30, bold=True)
        found = _place_near(
            inner,
            lines,
            style.small,
            m.x,
            m.y,
            9,
            rtl,
            f"g-place-label g-phase-{p.phase or 0}",
            "place",
            style.font,
            href_key=("plan", p.id),
        )
        if found is not None:
            labels.append(found[0])
    placer.add_box(box)
    corner = min(
        ((cx, cy) for cx in (box.x0, box.x1) for cy in (box.y0, box.y1)),
        key=lambda c: math.dist(c, ((area.x0 + area.x1) / 2, (area.y0 + area.y1) / 2)),
    )
    near = (min(max(corner[0], area.x0), area.x1), min(max(corner[1], area.y0), area.y1))
    connector = Line(near[0], near[1], corner[0], corner[1], "g-callout")
    placer.add_line(connector)
    return Inset(box, area, zoom, "inset"), marks, labels, [connector]


def _area_names(placer: Placer, places: Sequence[MapPlace], proj: Projection, style: MapStyle, rtl: bool) -> list[Label]:
    """Region and country names, centred on them, where free."""
    out = []
    lon0, lat0, lon1, lat1 = VIEW
    for p in sorted((p for p in places if not _point_kind(p)), key=lambda p: (p.kind != "region", p.id)):
        lon, lat = p.centre or (min(max(p.lon, lon0), lon1), min(max(p.lat, lat0), lat1))
        cx, cy = proj(lon, lat)
        size = style.size if p.kind == "region" else style.small
        lines = wrap(p.name, size, 110) if p.kind == "region" else [p.name]
        cls = f"g-region-label g-phase-{p.phase or 0}" if p.kind == "region" else "g-country-label"
        wide = 1.4 if p.kind == "country" and not rtl else 1.0  # English country names: spaced capitals
        label = _place_around(placer, lines, size * wide, cx, cy, cls, "area", 4, style.font)
        if label is not None:
            out.append(replace(label, size=size))
    return out


def _phase_notes(
    placer: Placer, places: Sequence[MapPlace], phases: Sequence[MapPhase], proj: Projection, style: MapStyle, rtl: bool
) -> list[Label]:
    """Each phase's deadline written on the map, in its colour, near its places."""
    out = []
    by_id = {p.id: p for p in places}
    for ph in phases:
        pts = [proj(by_id[i].lon, by_id[i].lat) for i in ph.places if i in by_id and _in_view(by_id[i]) and _point_kind(by_id[i])]
        if not pts:
            continue
        cx = sum(x for x, _ in pts) / len(pts)
        cy = max(y for _, y in pts) + 40
        size = style.size if style.width > 500 else style.small
        lines = wrap(ph.label, size, 150, bold=True)
        cls = f"g-phase-note g-phase-label-{ph.number}"
        label = _place_around(placer, lines, size, cx, cy, cls, "phase", 6, style.font)
        if label is None:  # a crowded corner: the nearest free spot anywhere (the colour ties it to its places)
            f = placer.frame
            grid = [(x, y) for x in range(int(f.x0) + 10, int(f.x1), 10) for y in range(int(f.y0) + 10, int(f.y1), 10)]
            for x, y in sorted(grid, key=lambda g: math.dist(g, (cx, cy))):
                label = _place_around(placer, lines, size, x, y, cls, "phase", 6, style.font)
                if label is not None:
                    break
        if label is not None:
            out.append(label)
    return out


def _offmap(
    placer: Placer, places: Sequence[MapPlace], proj: Projection, style: MapStyle, rtl: bool
) -> tuple[list[tuple[str, float, float, int]], list[Label]]:
    """Places beyond the frame (not countries): an arrow at the edge pointing their way, and the name."""
    arrows, labels = [], []
    lon0, lat0, _lon1, lat1 = VIEW
    for p in places:
        if not _point_kind(p) or _in_view(p):
            continue
        west = p.lon < lon0
        xe = 8.0 if west else style.width - 8.0
        y = max(proj(lon0, min(max(p.lat, lat0), lat1))[1], 14.0)
        w = text_width(p.name, style.small, bold=True)
        h = style.font.height(1, style.small)
        for _ in range(60):
            box = Box(xe + 14, y - h / 2, xe + 16 + w, y + h / 2) if west else Box(xe - 16 - w, y - h / 2, xe - 14, y + h / 2)
            if placer.box_free(box):
                break
            y += 6
        else:
            continue  # no room at this edge: no arrow either (the place is listed on the plan page)
        placer.add_box(box)
        side = "left" if west else "right"
        tx = box.x0 + 1 if west else box.x1 - 1
        baseline = box.y0 + style.small * style.font.ascent
        labels.append(
            Label(
                (p.name,),
                tx,
                baseline,
                style.small,
                _side_anchor(side, rtl),
                box,
                "g-offmap-label",
                "place",
                True,
                ("plan", p.id),
                style.font,
            )
        )
        arrows.append((p.id, xe, y, -1 if west else 1))
    return arrows, labels
