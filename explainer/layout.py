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

import bisect
import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cache, cached_property, lru_cache

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


class Segments:
    """Many short lines (a map's borders), indexed by the square cells they pass through, so that
    whether one crosses a box is asked of the few nearby rather than of all."""

    CELL = 24.0

    def __init__(self, lines: Iterable[Line]) -> None:
        self.cells: dict[tuple[int, int], list[Line]] = {}
        for ln in lines:
            for key in self._keys(min(ln.x0, ln.x1), min(ln.y0, ln.y1), max(ln.x0, ln.x1), max(ln.y0, ln.y1)):
                self.cells.setdefault(key, []).append(ln)

    def _keys(self, x0: float, y0: float, x1: float, y1: float) -> Iterator[tuple[int, int]]:
        c = self.CELL
        for i in range(math.floor(x0 / c), math.floor(x1 / c) + 1):
            for j in range(math.floor(y0 / c), math.floor(y1 / c) + 1):
                yield i, j

    def crosses(self, box: Box) -> bool:
        return any(ln.crosses(box) for key in self._keys(box.x0, box.y0, box.x1, box.y1) for ln in self.cells.get(key, ()))


Point = tuple[float, float]
Ring = tuple[Point, ...]


@dataclass(frozen=True)
class Area:
    """A shape on the map in drawing units: a country or a region, its rings and their bounds."""

    id: str
    rings: tuple[Ring, ...]
    box: Box

    @classmethod
    def of(cls, ident: str, rings: Iterable[Ring]) -> Area:
        rings = tuple(r for r in rings if len(r) >= 3)
        xs = [x for r in rings for x, _ in r] or [0.0]
        ys = [y for r in rings for _, y in r] or [0.0]
        return cls(ident, rings, Box(min(xs), min(ys), max(xs), max(ys)))

    def contains(self, x: float, y: float) -> bool:
        """Whether (x, y) is inside (even–odd rule over all rings: an island is a ring, a hole too),
        read off the crossings of the horizontal line through the middle of y's unit row."""
        if not (self.box.x0 <= x <= self.box.x1 and self.box.y0 <= y <= self.box.y1):
            return False
        xs = self._rows.get(math.floor(y))
        return xs is not None and bisect.bisect_left(xs, x) % 2 == 1

    @cached_property
    def _rows(self) -> dict[int, list[float]]:
        """For each unit row, where its middle line crosses the rings, in order (a scanline fill)."""
        rows: dict[int, list[float]] = {}
        for ring in self.rings:
            for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
                for row in range(math.ceil(min(y0, y1) - 0.5), math.ceil(max(y0, y1) - 0.5)):
                    y = row + 0.5
                    rows.setdefault(row, []).append(x0 + (y - y0) * (x1 - x0) / (y1 - y0))
        for xs in rows.values():
            xs.sort()
        return rows

    def edges(self, cls: str = "g-border") -> list[Line]:
        return [Line(*a, *b, cls) for ring in self.rings for a, b in zip(ring, ring[1:] + ring[:1], strict=True)]


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
    if ch in " \u00a0":
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
    """Word wrap at spaces, words kept in logical order: as few lines as a greedy fill gives, with
    the breaks then chosen to make the lines as even as they can be ("Ain al-Asad" / "Air Base", not
    "Ain al-Asad Air" / "Base"). A word longer than the line stays whole on a line of its own (never
    cut): the caller sizes its box from the lines it gets. A no-break space does not break
    ("September\u00a02025" stays whole)."""
    words = [w for w in text.split(" ") if w]
    lines: list[str] = []
    for word in words:
        if lines and text_width(lines[-1] + " " + word, size, bold=bold) <= max_width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    if len(lines) < 2 or len(words) > 40:
        return lines or [""]
    return _balanced(words, len(lines), size, bold)


def _balanced(words: list[str], n: int, size: float, bold: bool) -> list[str]:
    """``words`` in ``n`` lines whose widest is as narrow as it can be (the earliest such breaks)."""

    @cache
    def best(i: int, k: int) -> tuple[float, tuple[int, ...]]:
        if k == 1:
            return text_width(" ".join(words[i:]), size, bold=bold), ()
        found: tuple[float, tuple[int, ...]] = (math.inf, ())
        for j in range(i + 1, len(words) - k + 2):
            rest, breaks = best(j, k - 1)
            widest = max(text_width(" ".join(words[i:j]), size, bold=bold), rest)
            if widest < found[0] - 1e-9:
                found = (widest, (j, *breaks))
        return found

    cuts = (0, *best(0, n)[1], len(words))
    return [" ".join(words[a:b]) for a, b in itertools.pairwise(cuts)]


def note_lines(parts: Sequence[str], size: float, width: float, font_bold: bool = True) -> tuple[str, ...]:
    """A phase's note ("Phase one · by September 2025") on one line if it fits, else a line per
    part without the dot: never broken inside a part (a date stays whole)."""
    joined = " · ".join(parts)
    return (joined,) if text_width(joined, size, bold=font_bold) <= width else tuple(parts)


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
    area: str | None = None  # the shape a map label names (a country or region id)
    at: tuple[float, float] | None = None  # the point of that shape it names (its centre, or a leader's end)

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
    borders: Segments | None = None  # a map's borders and outlines: labels keep off them too

    def box_free(self, box: Box, pad: float = 3.0) -> bool:
        if not box.inside(self.frame):
            return False
        if any(box.overlaps(b, pad) for b in self.boxes) or any(box.overlaps(o, 1) for o in self.obstacles):
            return False
        if self.borders is not None and self.borders.crosses(box.grown(1.5)):
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
    deadline: int = 0  # the number of the phase whose deadline this event is (drawn on its line, in its colour)
    linked: bool = False  # its mark links to it in the list (every key event, labelled at this width or not)


@dataclass(frozen=True)
class TimelinePhase:
    id: str
    number: int
    begin: float
    end: float
    parts: tuple[str, ...]  # ("Phase one", "by September 2025"): one line joined by " · ", or a line each

    @property
    def label(self) -> str:
        return " · ".join(self.parts)


@dataclass(frozen=True)
class AsOf:
    """The date the sources run to, as a fractional year, its label, and the label of what lies beyond it."""

    t: float
    label: str
    beyond: str = ""


@dataclass(frozen=True)
class Band:
    number: int
    x0: float
    x1: float
    y0: float
    y1: float
    fade: bool  # the first phase fades in: its start is not a date the sources give
    beyond: bool = False  # not a phase: the time after the newest source, which the sources do not cover


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


WIDE = TimelineStyle(width=720, size=13, small=12, r=4.5, label_w=170, split=0.3, max_rise=520)
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


def _flag(placer: Placer, title: str, x: float, base: float, style: TimelineStyle) -> tuple[list[str], Box, str] | None:
    """The label of ``title`` on its stem, wrapped at the style's width or, if that has no room
    under the limit, wider (fewer rows: a long title still fits)."""
    for k in (1.0, 1.4, 1.8):
        lines = wrap(title, style.size, style.label_w * k)
        found = _place_flag(placer, lines, style.size, x, base, style.max_rise, style.font)
        if found is not None:
            return lines, *found
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
    as_of: AsOf | None,
    style: TimelineStyle,
) -> Drawing:
    """The timeline along x (left to right; :meth:`Drawing.mirrored` for right to left).

    Every event is a dot on (or stacked above) the axis; key events get a label on a stem; each
    phase's deadline is a line with its label at its top; the "as of" date is a dashed line through
    the drawing, labelled under the axis, and the time after it, which the sources do not cover, is
    shaded and labelled so."""
    start, brk, end = domain
    w = style.width
    scale = Scale(start, brk, end, 12, w - 12, style.split if brk else 1.0, 12.0)
    placer = Placer(Box(0, -style.max_rise - 200, w, 200))
    dots = _stack_dots(events, scale, style.r)
    marks = [_event_mark(e, dots[e.id], style.r) for e in events]
    placer.obstacles += [Box(m.x - m.r, m.y - m.r, m.x + m.r, m.y + m.r) for m in marks]
    guards = [Line(scale(p.end), 0, scale(p.end), -10_000, f"g-deadline g-deadline-{p.number}") for p in phases]
    guards += [Line(scale(as_of.t), 0, scale(as_of.t), -10_000, "g-asof")] if as_of is not None else []
    placer.lines += guards
    labels, stems = _key_labels(placer, events, dots, style)
    placer.lines = [ln for ln in placer.lines if ln not in guards]
    labels_d, lines_d = _deadline_labels(placer, phases, scale, style, min([b.y0 for b in placer.boxes] + [m.y - m.r for m in marks]))
    labels_asof = _as_of_labels(placer, scale, as_of, style)
    labels += labels_d + labels_asof
    placer.lines += [Line(0, 0, w, 0, "g-axis-line")]
    labels += _year_labels(placer, scale, _year_priority(start, brk, end), style, years)
    ticks = [Line(scale(y), -3, scale(y), 3, "g-tick") for y in range(start, end + 1) if brk is None or y >= brk or y == start]
    axis = _axis_lines(scale, start, brk, end)
    top = min([lb.box.y0 for lb in labels] + [ln.y1 for ln in lines_d] + [m.y - m.r for m in marks]) - 4
    bands = _bands(phases, scale, top)
    lines_asof: list[Line] = []
    if as_of is not None:
        x = scale(as_of.t)
        bands.append(Band(0, x, w, top, 0, False, True))
        lines_asof = [_as_of_line(x, top, labels)]
    bottom = max([lb.box.y1 for lb in labels] + [12.0]) + 4
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


def _as_of_line(x: float, top: float, labels: Sequence[Label]) -> Line:
    """The "as of" line at ``x``: from its label under the axis up through the drawing, stopping
    under any label above the axis that it would otherwise cross (a deadline's, at the top)."""
    under = [lb.box for lb in labels if lb.kind == "asof"]
    low = max([b.y1 for b in under] + [8.0])
    crossed = [lb.box.y1 for lb in labels if lb.box.y1 <= 0 and lb.box.x0 < x < lb.box.x1]
    return Line(x, low, x, max([top] + [y + 2 for y in crossed]), "g-asof")


def _event_mark(e: TimelineEvent, at: tuple[float, float], r: float) -> Mark:
    cls = "g-mark" + (" g-planned" if e.planned else "") + (" g-key" if e.key else "")
    cls += f" g-deadline-mark g-deadline-mark-{e.deadline}" if e.deadline else ""
    return Mark(e.id, at[0], at[1], r, "circle", cls, e.name, ("timeline", e.id) if e.key or e.linked else None)


def _key_labels(
    placer: Placer, events: Sequence[TimelineEvent], dots: dict[str, tuple[float, float]], style: TimelineStyle
) -> tuple[list[Label], list[Line]]:
    labels, stems = [], []
    # latest first, each at the lowest free row: a label reaching forward over a later event's stem
    # then sits above that event's label, where the stem does not reach (a staircase)
    for e in sorted((e for e in events if e.key and not e.deadline), key=lambda e: -e.t):
        x, y = dots[e.id]
        found = _flag(placer, e.title, x, y - style.r, style)
        if found is None:
            continue  # stays a mark: its name is its title, and the list below has it
        lines, box, anchor = found
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
        text = list(note_lines(p.parts, style.small, room))  # broken only at its dot: a date stays whole
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


def _as_of_labels(placer: Placer, scale: Scale, as_of: AsOf | None, style: TimelineStyle) -> list[Label]:
    """Under the years, either side of the "as of" line: the date the sources run to (ending at the
    line, or starting from it if there is no room before it) and, on the other side, that the
    sources do not cover what follows (left out where there is no room)."""
    if as_of is None:
        return []
    x = scale(as_of.t)
    top = 5 + style.font.height(1, style.small) + 6
    label = make_label([as_of.label], style.small, x - 4, top, "end", "g-asof-label", "asof", style.font, bold=True)
    before = label.box.inside(placer.frame)
    if not before:
        label = make_label([as_of.label], style.small, x + 4, top, "start", "g-asof-label", "asof", style.font, bold=True)
    out = [label]
    placer.add_box(label.box)
    if as_of.beyond and before:
        lines = wrap(as_of.beyond, style.small, max(style.width - x - 8, 60.0))
        beyond = make_label(lines, style.small, x + 4, top, "start", "g-beyond-label", "asof", style.font)
        if placer.box_free(beyond.box, 2):
            placer.add_box(beyond.box)
            out.append(beyond)
    return out


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


def phasebar_layout(phases: Sequence[BarPhase], as_of: AsOf | None, width: float, size: float, font: Font = LATIN) -> Drawing:
    """Two segments, one per phase, with the places inside and each deadline written under its end;
    the "as of" date a line through the bar, labelled above it, and what lies beyond it shaded as
    not covered by the sources."""
    if not phases:
        return Drawing(width, 0, (), (), ())
    t0, t1 = min(p.begin for p in phases), max(p.end for p in phases)
    scale = Scale(t0, None, t1, 4, width - 4, 1.0, 0.0)
    x_asof = scale(min(max(as_of.t, t0), t1)) if as_of is not None else None
    placer = Placer(Box(0, -200, width, 200))
    inner = []
    for p in phases:
        x0, x1 = scale(p.begin), scale(p.end)
        room = (min(x1, x_asof) if x_asof is not None and x0 < x_asof < x1 else x1) - x0 - 14  # clear of the "as of" line
        inner.append((p, x0, x1, wrap(p.name, size, room, bold=True), wrap(p.places, size, room)))
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
    if as_of is not None and x_asof is not None:
        marked, line = _bar_as_of(as_of, x_asof, width, size, font, bar_h)
        labels += marked
        lines.append(line)
        bands.append(Band(0, x_asof, scale(t1), 0, bar_h, False, True))
    top = min([lb.box.y0 for lb in labels] + [ln.y0 for ln in lines] + [0.0]) - 2
    bottom = max([lb.box.y1 for lb in labels] + [bar_h]) + 4
    return Drawing(width, 0, (), tuple(labels), tuple(lines), tuple(bands), 0.0).moved(-top, ceil(bottom - top))


def _bar_as_of(as_of: AsOf, x: float, width: float, size: float, font: Font, bar_h: float) -> tuple[list[Label], Line]:
    """Above the bar, either side of the "as of" line: the date the sources run to, ending at the
    line, and beyond it that they do not cover what follows (without room before the line, the date
    alone, after it); the line runs down through the bar."""
    before = wrap(as_of.label, size, max(x - 8, 1), bold=True)
    fits = max(text_width(t, size, bold=True) for t in before) <= x - 8
    text = before if fits else wrap(as_of.label, size, max(width - x - 8, 1), bold=True)
    beyond = wrap(as_of.beyond, size, max(width - x - 8, 1)) if as_of.beyond and fits else []
    if beyond and max(text_width(t, size) for t in beyond) > width - x - 8:
        beyond = []
    top = -8 - font.height(max(len(text), len(beyond)), size)
    if fits:
        labels = [make_label(text, size, x - 4, top, "end", "g-asof-label", "asof", font, bold=True)]
    else:
        labels = [make_label(text, size, x + 4, top, "start", "g-asof-label", "asof", font, bold=True)]
    if beyond:
        labels.append(make_label(beyond, size, x + 4, top, "start", "g-beyond-label", "asof", font))
    return labels, Line(x, top, x, bar_h, "g-asof")


# --- the map ------------------------------------------------------------------------------------------------

View = tuple[float, float, float, float]
VIEW: View = (33.4, 28.6, 49.8, 38.4)
"""The wide map's frame: lon_min, lat_min, lon_max, lat_max (Iraq and the Levant)."""
VIEW_NARROW: View = (37.7, 28.9, 49.3, 37.9)
"""A phone's: Iraq and the edges of its neighbours, drawn larger."""


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
    def fit(cls, width: float, view: View = VIEW, dx: float = 0.0, dy: float = 0.0) -> Projection:
        lon0, lat0, lon1, lat1 = view
        kx = math.cos(math.radians((lat0 + lat1) / 2))
        return cls(lon0, lat1, width / ((lon1 - lon0) * kx), kx, dx, dy)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return self.dx + (lon - self.lon0) * self.kx * self.k, self.dy + (self.lat1 - lat) * self.k


@dataclass(frozen=True)
class MapPlace:
    """A place drawn as a point: a city, a base, an airport."""

    id: str
    kind: str  # city, airport, base
    name: str
    lon: float
    lat: float
    phase: int | None


@dataclass(frozen=True)
class MapShape:
    """An outline behind the map, in (lon, lat): a country or a region."""

    id: str
    kind: str  # "country" or "region"
    rings: tuple[tuple[Point, ...], ...]


@dataclass(frozen=True)
class MapArea:
    """A country or region named on the map: its name goes inside its own shape, or beside it with a
    leader line that ends inside it; never on another country."""

    id: str  # the place's id
    kind: str  # "country" or "region"
    name: str
    shape: str | None  # the id of its MapShape
    at: Point | None = None  # (lon, lat) where its name would go, if the content says
    phase: int | None = None


@dataclass(frozen=True)
class MapPhase:
    number: int
    parts: tuple[str, ...]  # ("Phase one", "by September 2025"): one line joined by " · ", or a line each
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
    areas: tuple[Area, ...] = ()  # the shapes as drawn (drawing units), for checks


@dataclass(frozen=True)
class MapStyle:
    width: float
    size: float  # place names
    small: float  # country names, names in the inset
    note: float  # the phases' deadlines
    inset_w: float
    inset_h: float
    view: View = VIEW
    notes: bool = True  # the phases' deadlines written on the map (on a phone the key under it has them)
    font: Font = LATIN


MAP_WIDE = MapStyle(width=720, size=14, small=12.5, note=14, inset_w=230, inset_h=136)
MAP_NARROW = MapStyle(width=360, size=12.5, small=11.5, note=12.5, inset_w=170, inset_h=112, view=VIEW_NARROW, notes=False)


def _in_view(p: MapPlace, view: View) -> bool:
    lon0, lat0, lon1, lat1 = view
    return lon0 <= p.lon <= lon1 and lat0 <= p.lat <= lat1


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
    for dx in (0.3, -0.3, 0.6, -0.6):  # above and below, slid sideways
        spots += [("middle", slid(x + dx * w), y - gap - h), ("middle", slid(x + dx * w), y + gap)]
    return spots


def _box_at(side: str, ex: float, top: float, w: float, h: float) -> Box:
    x0 = ex if side == "left" else ex - w if side == "right" else ex - w / 2
    return Box(x0 - 2, top, x0 + w + 2, top + h)


def _leader_to(anchor: Point, box: Box, short: float = 1.5) -> Line | None:
    """A leader from ``anchor`` to just short of the nearest point of ``box`` (None if it is too short to see)."""
    end = (min(max(anchor[0], box.x0), box.x1), min(max(anchor[1], box.y0), box.y1))
    reach = math.dist(anchor, end)
    if reach < 8:
        return None
    k = (reach - short) / reach
    return Line(anchor[0], anchor[1], anchor[0] + (end[0] - anchor[0]) * k, anchor[1] + (end[1] - anchor[1]) * k, "g-leader")


def _place_near(
    placer: Placer, lines: list[str], size: float, x: float, y: float, gap: float, rtl: bool, cls: str, kind: str, font: Font, **kw: object
) -> tuple[Label, Line | None] | None:
    """A label beside the point (x, y) or, failing that, a little way off with a leader line to it."""
    w = max(text_width(t, size, bold=True) for t in lines)
    h = font.height(len(lines), size)
    tries: list[tuple[str, float, float, bool]] = [(*s, False) for s in _near_spots(x, y, w, h, gap, rtl, placer.frame)]
    for dist in (30.0, 44.0, 58.0, 72.0):
        for deg in range(0, 360, 30):
            dx, dy = math.cos(math.radians(deg)) * dist, math.sin(math.radians(deg)) * dist
            tries.append(("left" if dx > 1 else "right" if dx < -1 else "middle", x + dx, y + dy - h / 2, True))
    for side, ex, top, lead in tries:
        box = _box_at(side, ex, top, w, h)
        leader = _leader_to((x, y), box) if lead else None
        if leader is not None:  # from the edge of the mark, not its middle
            reach = math.dist((x, y), (leader.x1, leader.y1))
            leader = replace(leader, x0=x + (leader.x1 - x) * 7 / reach, y0=y + (leader.y1 - y) * 7 / reach)
        if (lead and leader is None) or not placer.box_free(box) or (leader is not None and not placer.line_free(leader)):
            continue
        placer.add_box(box)
        if leader is not None:
            placer.add_line(leader)
        tx = box.x0 + 2 if side == "left" else box.x1 - 2 if side == "right" else (box.x0 + box.x1) / 2
        label = Label(tuple(lines), tx, top + size * font.ascent, size, _side_anchor(side, rtl), box, cls, kind, True, font=font, **kw)  # type: ignore[arg-type]
        return label, leader
    return None


def _steps(lo: float, hi: float, step: float) -> list[float]:
    n = max(0, int((hi - lo) / step))
    return [lo + i * step for i in range(n + 1)]


def _inner_points(area: Area, frame: Box, step: float) -> list[Point]:
    """Points of a grid that lie inside ``area`` and ``frame``."""
    x0, y0 = max(area.box.x0, frame.x0), max(area.box.y0, frame.y0)
    x1, y1 = min(area.box.x1, frame.x1), min(area.box.y1, frame.y1)
    return [(x, y) for x in _steps(x0 + step / 2, x1, step) for y in _steps(y0 + step / 2, y1, step) if area.contains(x, y)]


def _centre(area: Area, frame: Box) -> Point | None:
    """The middle of the part of ``area`` that is in the frame: the inner point nearest its centroid."""
    for step in (8.0, 3.0, 1.0):
        pts = _inner_points(area, frame, step)
        if len(pts) >= 4:
            mx, my = sum(x for x, _ in pts) / len(pts), sum(y for _, y in pts) / len(pts)
            return min(pts, key=lambda p: (math.dist(p, (mx, my)), p))
    return None


@dataclass(frozen=True)
class MapText:
    """A label's lines and how they are set."""

    lines: tuple[str, ...]
    size: float
    font: Font
    cls: str
    kind: str
    bold: bool = True
    spaced: float = 1.0  # letter-spaced capitals are wider than their letters
    rtl: bool = False

    @cached_property
    def w(self) -> float:
        return max(text_width(t, self.size, bold=self.bold) for t in self.lines) * self.spaced + 4

    @cached_property
    def h(self) -> float:
        return self.font.height(len(self.lines), self.size)

    def at(self, cx: float, cy: float, area: str | None, point: Point | None, side: str = "middle", rtl: bool = False) -> Label:
        """Centred at (cx, cy); with ``side`` "left" or "right", its text set from that edge of the box."""
        box = Box(cx - self.w / 2, cy - self.h / 2, cx + self.w / 2, cy + self.h / 2)
        baseline = box.y0 + self.size * self.font.ascent
        x = box.x0 + 2 if side == "left" else box.x1 - 2 if side == "right" else cx
        anchor = _side_anchor(side, self.rtl)
        return Label(self.lines, x, baseline, self.size, anchor, box, self.cls, self.kind, self.bold, font=self.font, area=area, at=point)


def _in_area(placer: Placer, text: MapText, home: Area, prefer: Point, avoid: Sequence[Area] = (), reach: float = 1e9) -> Label | None:
    """``text`` centred as near ``prefer`` as it can be wholly inside ``home`` (its centre inside, no
    border or outline through it) and outside the ``avoid`` areas; None if it fits nowhere there."""
    w, h, f = text.w, text.h, placer.frame
    xs = _steps(max(home.box.x0, f.x0) + w / 2, min(home.box.x1, f.x1) - w / 2, 4.0)
    ys = _steps(max(home.box.y0, f.y0) + h / 2, min(home.box.y1, f.y1) - h / 2, 4.0)
    px, py = prefer
    near = [((x - px) ** 2 + (y - py) ** 2, x, y) for x in xs for y in ys if abs(x - px) <= reach and abs(y - py) <= reach]
    for d2, cx, cy in sorted(near):
        if d2 > reach * reach:
            break
        if not home.contains(cx, cy) or any(a.contains(cx, cy) for a in avoid):
            continue
        if placer.box_free(Box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2), 4):
            label = text.at(cx, cy, home.id, (cx, cy))
            placer.add_box(label.box)
            return label
    return None


def _by_leader(placer: Placer, text: MapText, home: Area, anchor: Point, ok: Callable[[float, float], bool]) -> tuple[Label, Line] | None:
    """``text`` a little way from ``anchor`` (a point inside ``home``, the shape it names) where ``ok``
    allows its centre, with a short leader line to it from the nearest point well inside ``home``;
    the text starts at the leader's end."""
    w, h = text.w, text.h
    reach = 112.0 + max(w, h)
    window = Box(anchor[0] - reach, anchor[1] - reach, anchor[0] + reach, anchor[1] + reach)
    inner = [
        p
        for p in _inner_points(home, window, 3.0)
        if placer.frame.x0 <= p[0] <= placer.frame.x1 and placer.frame.y0 <= p[1] <= placer.frame.y1
    ]
    for dist in (14.0, 22.0, 32.0, 44.0, 58.0, 74.0, 92.0, 112.0):
        for deg in range(0, 360, 15):
            ux, uy = math.cos(math.radians(deg)), math.sin(math.radians(deg))
            cx, cy = anchor[0] + ux * (dist + w / 2 * abs(ux)), anchor[1] + uy * (dist + h / 2 * abs(uy))
            side = "left" if ux > 0.5 else "right" if ux < -0.5 else "middle"
            if not ok(cx, cy):
                continue
            box = Box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
            if not placer.box_free(box, 4):
                continue
            for start in sorted(inner, key=lambda p, b=box: (_to_box(p, b), p))[:40]:  # type: ignore[misc]
                leader = _leader_to(start, box)
                if leader is None or not _deep(start, home):
                    continue
                if placer.line_free(leader) and not any(leader.crosses(o) for o in placer.obstacles):
                    label = text.at(cx, cy, home.id, start, side)
                    placer.add_box(label.box)
                    placer.add_line(leader)
                    return label, leader
    return None


def _to_box(p: Point, box: Box) -> float:
    return math.dist(p, (min(max(p[0], box.x0), box.x1), min(max(p[1], box.y0), box.y1)))


def _deep(p: Point, home: Area, margin: float = 5.0) -> bool:
    """Whether ``p`` is inside ``home`` by at least ``margin`` every way (a leader's end is seen to be inside)."""
    return all(home.contains(p[0] + dx, p[1] + dy) for dx, dy in ((margin, 0), (-margin, 0), (0, margin), (0, -margin)))


def _choose_inset(placer: Placer, style: MapStyle, height: float, focus: Sequence[Area], near: Point) -> Box:
    """Where the magnified view goes: along the bottom edge (the desert and the Gulf), covering no
    place and hiding as little as it can (under a fifth of it) of the areas the places are in (Iraq),
    nearest the places."""
    w, h, W = style.inset_w, style.inset_h, style.width
    found: list[tuple[bool, float, float, Box]] = []
    for y in (height - h - 8,):
        for x in _steps(8, W - w - 8, 8):
            box = Box(x, y, x + w, y + h)
            if any(box.overlaps(b, 6) for b in placer.boxes + placer.obstacles):
                continue
            grid = [(px, py) for px in _steps(x + 6, x + w, 12) for py in _steps(y + 6, y + h, 12)]
            hidden = sum(any(a.contains(px, py) for a in focus) for px, py in grid) / len(grid)
            found.append((hidden >= 1 / 5, hidden if hidden >= 1 / 5 else 0.0, _to_box(near, box), box))
    return min(found, key=lambda f: f[:3])[3] if found else Box(8, height - h - 8, 8 + w, height - 8)


def map_layout(
    places: Sequence[MapPlace], areas: Sequence[MapArea], shapes: Sequence[MapShape], phases: Sequence[MapPhase], style: MapStyle, rtl: bool
) -> MapLayout:
    """Where everything on the locator map goes (in true geography: a map is never mirrored).
    Every label keeps off the borders and outlines, the marks and each other."""
    proj = Projection.fit(style.width, style.view)
    height = ceil((style.view[3] - style.view[1]) * proj.k)
    drawn = {s.id: Area.of(s.id, (tuple(proj(lon, lat) for lon, lat in r) for r in s.rings)) for s in shapes}
    placer = Placer(Box(2, 2, style.width - 2, height - 2), borders=Segments(ln for a in drawn.values() for ln in a.edges()))
    points = [p for p in places if _in_view(p, style.view)]
    cluster = next(iter(_clusters(points, proj, 12.0)), [])
    marks = [_dot(p, *proj(p.lon, p.lat), link=p not in cluster) for p in points]
    placer.obstacles += [Box(m.x - m.r - 1, m.y - m.r - 1, m.x + m.r + 1, m.y + m.r + 1) for m in marks]
    focus = [a for a in drawn.values() if any(a.contains(m.x, m.y) for m in marks)]
    labels: list[Label] = []
    lines: list[Line] = []
    offmap, off_labels = _offmap(placer, places, proj, style, rtl)  # first: they need the edge
    labels += off_labels
    inset = None
    if cluster:
        inset, inset_marks, inset_labels, inset_lines = _inset(placer, cluster, proj, style, height, rtl, focus)
        marks += inset_marks
        labels += inset_labels
        lines += inset_lines
    for p in points:
        if p in cluster:
            continue
        x, y = proj(p.lon, p.lat)
        cls = f"g-place-label g-phase-{p.phase or 0}"
        found = None
        # the balanced lines first; then, if they find no room, the name's other ways into lines, fewest
        # and narrowest first: a name kept whole («قاعدة عين الأسد / الجوية», never «قاعدة عين / الأسد
        # الجوية») leaves fewer ways, and the first may be too wide where the map is crowded
        for size in (style.size, style.size * 0.95):  # last, a size a little smaller
            for lines_p in _line_choices(p.name, size, 130 if style.width > 500 else 116):
                found = _place_near(placer, lines_p, size, x, y, 10, rtl, cls, "place", style.font, href_key=("plan", p.id))
                if found is not None:
                    break
            if found is not None:
                break
        if found is not None:
            labels.append(found[0])
            lines += [found[1]] if found[1] else []
    regions, written = _region_names(placer, areas, phases, drawn, proj, style, rtl)
    for more in (
        regions,
        _phase_notes(placer, written, places, areas, phases, drawn, proj, style, rtl),
        _country_names(placer, areas, drawn, proj, style, rtl),
    ):
        labels += [lb for lb, _ in more]
        lines += [ln for _, ln in more if ln is not None]
    drawing = Drawing(style.width, height, tuple(marks), tuple(labels), tuple(lines))
    return MapLayout(drawing, proj, inset, tuple(offmap), tuple(drawn.values()))


def _line_choices(name: str, size: float, width: float, most: int = 3) -> list[list[str]]:
    """``name`` wrapped to ``width`` (:func:`wrap`), then every other way of setting its words (split
    at spaces only: a no-break space holds) in up to ``most`` lines, fewest lines and narrowest first."""
    first = wrap(name, size, width, bold=True)
    words = [w for w in name.split(" ") if w]
    if len(words) > 8:  # a name, not a sentence: a long text keeps its first choice (and the build its speed)
        return [first]
    others: list[tuple[int, float, list[str]]] = []
    for k in range(1, min(most, len(words)) + 1):
        for cuts in itertools.combinations(range(1, len(words)), k - 1):
            bounds = (0, *cuts, len(words))
            lines = [" ".join(words[a:b]) for a, b in itertools.pairwise(bounds)]
            if lines != first:
                others.append((k, max(text_width(t, size, bold=True) for t in lines), lines))
    return [first] + [lines for _k, _w, lines in sorted(others, key=lambda o: (o[0], o[1]))]


def _inset(
    placer: Placer, cluster: Sequence[MapPlace], proj: Projection, style: MapStyle, height: float, rtl: bool, focus: Sequence[Area]
) -> tuple[Inset, list[Mark], list[Label], list[Line]]:
    """The callout: a small frame around the cluster on the map, a magnified view in a free corner,
    and a line joining them; the places are drawn, named and linked in the magnified view."""
    xs = [proj(p.lon, p.lat) for p in cluster]
    area = Box(min(x for x, _ in xs) - 7, min(y for _, y in xs) - 7, max(x for x, _ in xs) + 7, max(y for _, y in xs) + 7)
    placer.add_box(area)
    box = _choose_inset(placer, style, height, focus, ((area.x0 + area.x1) / 2, (area.y0 + area.y1) / 2))
    lon_c = sum(p.lon for p in cluster) / len(cluster)
    lat_c = sum(p.lat for p in cluster) / len(cluster)
    span = max(max(abs(p.lon - lon_c) for p in cluster) * 2 * proj.kx, max(abs(p.lat - lat_c) for p in cluster) * 2, 0.05)
    k = min(box.x1 - box.x0, box.y1 - box.y0) * 0.32 / span
    zoom = Projection(lon_c, lat_c, k, proj.kx, (box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2 - 6)
    inner = Placer(Box(box.x0 + 3, box.y0 + 3, box.x1 - 3, box.y1 - 3))
    marks, labels = [], []
    for p in cluster:
        x, y = zoom(p.lon, p.lat)
        marks.append(_dot(p, x, y, link=True))
        inner.obstacles.append(Box(x - 7, y - 7, x + 7, y + 7))
    for p, m in zip(cluster, marks, strict=True):
        lines = wrap(p.name, style.small, box.x1 - box.x0 - 30, bold=True)
        cls = f"g-place-label g-phase-{p.phase or 0}"
        found = _place_near(inner, lines, style.small, m.x, m.y, 10, rtl, cls, "place", style.font, href_key=("plan", p.id))
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


Placed = list[tuple[Label, Line | None]]


def _region_names(
    placer: Placer,
    areas: Sequence[MapArea],
    phases: Sequence[MapPhase],
    drawn: dict[str, Area],
    proj: Projection,
    style: MapStyle,
    rtl: bool,
) -> tuple[Placed, set[int]]:
    """Each region's name inside its outline, or beside it with a leader (never over Iraq, where it
    would name the wrong part of it). A phase that covers the region has its deadline written under
    the name, in the same colour: one note. Returns the labels and the phases so written."""
    out: Placed = []
    written: set[int] = set()
    for a in (a for a in areas if a.kind == "region"):
        home = drawn.get(a.shape or "")
        own = [ph for ph in phases if a.id in ph.places] if style.notes else []
        lines = wrap(a.name, style.size, 150 if own else 110 if style.width > 500 else 70, bold=True)
        for ph in own:
            lines += note_lines(ph.parts, style.note, 150)
        kind = "phase" if own else "area"
        text = MapText(tuple(lines), style.size, style.font, f"g-region-label g-phase-{a.phase or 0}", kind, rtl=rtl)
        if home is None:
            label = _around(placer, text, proj, a, style)
            out += [(label, None)] if label else []
            written |= {ph.number for ph in own} if label else set()
            continue
        centre = _centre(home, placer.frame)
        if centre is None:
            continue
        found: tuple[Label, Line | None] | None = None
        label = _in_area(placer, text, home, centre)
        if label is not None:
            found = (label, None)
        else:
            outside = [d for d in drawn.values() if d.contains(*centre)]  # the region and the country it is in
            found = _by_leader(placer, text, home, centre, lambda x, y, o=outside: not any(d.contains(x, y) for d in o))  # type: ignore[misc]
        if found is not None:
            out.append(found)
            written |= {ph.number for ph in own}
    return out, written


def _phase_notes(
    placer: Placer,
    written: set[int],
    places: Sequence[MapPlace],
    areas: Sequence[MapArea],
    phases: Sequence[MapPhase],
    drawn: dict[str, Area],
    proj: Projection,
    style: MapStyle,
    rtl: bool,
) -> Placed:
    """Each phase's deadline written on the map, in its colour, next to its places: inside the region
    a phase covers (or beside it, with a leader, outside the country), or else inside the country its
    places are in, but not in another phase's region."""
    out: Placed = []
    points = {p.id: p for p in places if _in_view(p, style.view)}
    regions = {a.id: drawn[a.shape] for a in areas if a.kind == "region" and a.shape in drawn}
    for ph in phases if style.notes else ():
        if ph.number in written:
            continue
        text = MapText(
            note_lines(ph.parts, style.note, 150), style.note, style.font, f"g-phase-note g-phase-label-{ph.number}", "phase", rtl=rtl
        )
        own = [regions[i] for i in ph.places if i in regions]
        pts = [proj(points[i].lon, points[i].lat) for i in ph.places if i in points]
        homes = own or [a for a in drawn.values() if any(a.contains(*p) for p in pts) and a not in regions.values()]
        if not homes:
            label = _near_points(placer, text, pts)
            out += [(label, None)] if label else []
            continue
        home = homes[0]
        prefer = _centre(home, placer.frame) if own else (sum(x for x, _ in pts) / len(pts), sum(y for _, y in pts) / len(pts))
        if prefer is None:
            continue
        others = [r for r in regions.values() if r is not home]
        label = _in_area(placer, text, home, prefer, avoid=others, reach=140)
        if label is not None:
            out.append((label, None))
            continue
        country = [a for a in drawn.values() if a not in regions.values() and a.contains(*prefer)]
        found = _by_leader(placer, text, home, prefer, lambda x, y, c=country + [home]: not any(a.contains(x, y) for a in c))  # type: ignore[misc]
        if found is not None:
            out.append(found)
    return out


def _near_points(placer: Placer, text: MapText, pts: Sequence[Point]) -> Label | None:
    """Without outlines: the note under its places, as near as is free."""
    if not pts:
        return None
    cx, cy = sum(x for x, _ in pts) / len(pts), max(y for _, y in pts) + 30
    f = placer.frame
    grid = [(x, y) for x in _steps(f.x0 + 10, f.x1, 6) for y in _steps(f.y0 + 10, f.y1, 6)]
    for x, y in sorted(grid, key=lambda g: (math.dist(g, (cx, cy)), g)):
        label = text.at(x, y, None, None)
        if placer.box_free(label.box, 6):
            placer.add_box(label.box)
            return label
    return None


def _around(placer: Placer, text: MapText, proj: Projection, a: MapArea, style: MapStyle) -> Label | None:
    """Without an outline: the name centred on the content's point for it, or as near as is free."""
    if a.at is None:
        return None
    lon0, lat0, lon1, lat1 = style.view
    cx, cy = proj(min(max(a.at[0], lon0), lon1), min(max(a.at[1], lat0), lat1))
    for dy in (0, -14, 14, -28, 28, -42, 42):
        for dx in (0, -20, 20, -40, 40, -60, 60):
            label = text.at(cx + dx, cy + dy, None, None)
            if placer.box_free(label.box, 4):
                placer.add_box(label.box)
                return label
    return None


def _country_names(
    placer: Placer, areas: Sequence[MapArea], drawn: dict[str, Area], proj: Projection, style: MapStyle, rtl: bool
) -> Placed:
    """Country names inside their own country (the country the places are in first, then the larger
    ones); a small one's name offshore with a leader into it; a name with room for neither is left out."""
    out: Placed = []
    countries = [a for a in areas if a.kind == "country"]
    sizes = {a.id: len(_inner_points(drawn[a.shape], placer.frame, 16.0)) if a.shape in drawn else 0 for a in countries}
    land = [d for d in drawn.values() if d.id not in {a.shape for a in areas if a.kind == "region"}]
    for a in sorted(countries, key=lambda a: (not a.phase and not _holds_marks(a, drawn, placer), -sizes[a.id], a.id)):
        text = MapText((a.name,), style.small, style.font, "g-country-label", "area", bold=False, spaced=1.0 if rtl else 1.4, rtl=rtl)
        home = drawn.get(a.shape or "")
        if home is None:
            label = _around(placer, text, proj, a, style)
            out += [(label, None)] if label else []
            continue
        prefer = _preferred(a, home, proj, placer.frame)
        if prefer is None:
            continue  # not on the map
        label = _in_area(placer, text, home, prefer)
        if label is not None:
            out.append((label, None))
            continue
        found = _by_leader(placer, text, home, prefer, lambda x, y: not any(d.contains(x, y) for d in land))
        if found is not None:
            out.append(found)
    return out


def _holds_marks(a: MapArea, drawn: dict[str, Area], placer: Placer) -> bool:
    home = drawn.get(a.shape or "")
    return home is not None and any(home.contains(o.x0 + (o.x1 - o.x0) / 2, o.y0 + (o.y1 - o.y0) / 2) for o in placer.obstacles)


def _preferred(a: MapArea, home: Area, proj: Projection, frame: Box) -> Point | None:
    """Where a country's name would best go: the content's point for it if that is in the frame and
    inside the country, else the middle of the part of the country that is in the frame."""
    if a.at is not None:
        x, y = proj(*a.at)
        if frame.x0 <= x <= frame.x1 and frame.y0 <= y <= frame.y1 and home.contains(x, y):
            return x, y
    return _centre(home, frame)


def _offmap(
    placer: Placer, places: Sequence[MapPlace], proj: Projection, style: MapStyle, rtl: bool
) -> tuple[list[tuple[str, float, float, int]], list[Label]]:
    """Places beyond the frame: an arrow at the edge pointing their way, and the name."""
    arrows, labels = [], []
    lon0, lat0, _lon1, lat1 = style.view
    for p in places:
        if _in_view(p, style.view):
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
