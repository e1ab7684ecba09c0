"""Share cards: a 1200 × 630 PNG per page, drawn at build time from its title and the site's name,
in the page's language, for ``og:image`` and ``twitter:image``.

Arabic is shaped (letters joined in their contextual forms) and laid out right to left by Pillow's
raqm layout (HarfBuzz and FriBiDi); its basic layout would draw isolated letters left to right, so
a build without raqm stops with a message rather than publish broken cards. The text is drawn with
the site's own font, Explainer Naskh (``explainer/fonts/``: TTF copies of ``static/fonts/``, made
by ``tools/fonts.py``), never the machine's, so a card is the same on every machine: same input,
same bytes (a PNG has no date in it).

The card is drawn in 8-bit grey levels, then given a palette: level 255 is the page's background,
the levels from :data:`INK` up are the text's ink blended into it (anti-aliasing), and the few
levels below :data:`INK` are the colours of the site's mark and of the phases' bar at the foot. A palette PNG is a
third of the size of a full-colour one and quicker to write.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
FONTS = Path(__file__).parent / "fonts"

BACKGROUND = (0xFB, 0xFA, 0xF7)  # the site's --bg, --fg, --accent, --phase1 and --phase2 (static/style.css)
FOREGROUND = (0x1C, 0x1B, 0x19)
COLOURS = ((0x9A, 0x4A, 0x00), (0x1F, 0x6F, 0x78), (0x9C, 0x2B, 0x1F))
PHASE_1, PHASE_2, ACCENT = 0, 1, 2
"""The grey levels that the palette makes the phases' and the site's mark's colours."""

INK = 4
"""Grey level of full ink; the levels below it are the bar's colours (anti-aliased text never reaches them)."""
MUTED = 80
"""Grey level of the site's name and address: the ink blended 30 % into the background."""

TITLE_SIZES = (72, 64, 58, 52, 46, 40)
"""The title's font size: the largest at which it fits in :data:`TITLE_LINES` lines."""
TITLE_LINES = 4
NAME_SIZE = 32
FOOT = HEIGHT - 82
"""Where the foot (the site's address and the phases' bar) begins."""
COMPRESS_LEVEL = 3  # zlib level 3: 2.6 ms a card, 37 KB (level 6: 5.4 ms, 32 KB)


class NoShaping(RuntimeError):
    """Pillow here has no raqm layout: Arabic would be drawn unjoined and left to right."""


def _palette() -> list[int]:
    colours = list(COLOURS) + [FOREGROUND] * (INK - len(COLOURS))
    for level in range(INK, 256):
        t = (level - INK) / (255 - INK)
        colours.append(tuple(round(f + (b - f) * t) for f, b in zip(FOREGROUND, BACKGROUND, strict=True)))  # type: ignore[arg-type]
    return [c for colour in colours for c in colour]


@lru_cache(maxsize=16)
def font(weight: str, size: int) -> Any:
    """Explainer Naskh at ``size`` px with the raqm layout (``weight``: ``regular`` or ``bold``)."""
    from PIL import ImageFont, features

    if not features.check("raqm"):
        raise NoShaping("Pillow's raqm layout is not available, so Arabic cannot be shaped: install FriBiDi (Debian: libfribidi0)")
    return ImageFont.truetype(str(FONTS / f"explainer-naskh-{weight}.ttf"), size, layout_engine=ImageFont.Layout.RAQM)


def _layout(rtl: bool) -> tuple[str, str | None]:
    """The direction and language raqm lays a text out in (the language is left to raqm, which shapes by script)."""
    return ("rtl" if rtl else "ltr"), None


def text_width(text: str, weight: str, size: int, rtl: bool) -> float:
    """The advance width of ``text`` as the card lays it out (shaped, in its direction)."""
    direction, language = _layout(rtl)
    return float(font(weight, size).getlength(text, direction=direction, language=language))


def wrap(text: str, weight: str, size: int, rtl: bool, width: float) -> list[str]:
    """``text`` in lines no wider than ``width`` (a word longer than a line stands alone).

    Letters join within a word, never across a space, so a line is as wide as its words and the
    spaces between them: each word is measured once, not each candidate line."""
    space = text_width(" ", weight, size, rtl)
    lines: list[list[str]] = []
    used = 0.0
    for word in filter(None, re.split(r"[^\S\u00a0]+", text)):  # any space but a no-break one, which keeps a date whole
        w = text_width(word, weight, size, rtl)
        if lines and used + space + w <= width:
            lines[-1].append(word)
            used += space + w
        else:
            lines.append([word])
            used = w
    return [" ".join(line) for line in lines]


@dataclass(frozen=True)
class Block:
    """A run of text on the card: its lines, font, line height and grey level."""

    lines: tuple[str, ...]
    weight: str
    size: int
    rtl: bool
    level: int

    @property
    def leading(self) -> int:
        return round(self.size * (1.55 if self.rtl else 1.25))  # Naskh needs the room

    @property
    def height(self) -> int:
        return self.leading * len(self.lines)


def _title(text: str, rtl: bool, room: int, sizes: Sequence[int] = TITLE_SIZES, lines: int = TITLE_LINES) -> Block:
    """The title at the largest size at which it fits in ``lines`` lines and ``room`` pixels of height
    (at the smallest size, cut after the last line that fits, with an ellipsis)."""
    width = WIDTH - 2 * MARGIN
    for size in sizes:
        block = Block(tuple(wrap(text, "bold", size, rtl, width)), "bold", size, rtl, INK)
        if len(block.lines) <= lines and block.height <= room:
            return block
    fits = max(1, min(lines, room // block.leading))
    kept = list(block.lines[:fits])
    if len(block.lines) > fits:
        kept[-1] += "…"
    return Block(tuple(kept), "bold", block.size, rtl, INK)


def _name(text: str, rtl: bool) -> Block:
    return Block(tuple(wrap(text, "regular", NAME_SIZE, rtl, WIDTH - 2 * MARGIN)[:2]), "regular", NAME_SIZE, rtl, MUTED)


GAP = 48
"""Between the two languages' titles (Arabic descenders reach well below the line)."""


def draw(title: str, site_name: str, address: str, rtl: bool, *, second: str | None = None) -> bytes:
    """The card as PNG bytes: the site's name at the top, the page's title in the room below it
    (centred in its height), the site's address after the site's red mark and the two phases'
    colours at the foot. ``second`` is the title in a second, left-to-right language (the
    bilingual landing page), drawn below the first."""
    from PIL import ImageDraw

    name = _name(site_name, rtl)
    image = _frame(site_name, address, rtl).copy()
    start = MARGIN - 16 + (name.height + 28 if name.lines else 0)
    room = FOOT - 40 - start  # a clear gap above the foot
    if second is None:
        titles = [_title(title, rtl, room)]
    else:
        own = _title(title, rtl, room // 2, lines=2)
        titles = [own, _title(second, False, room - own.height - GAP, sizes=(48, 42, 36), lines=2)]
    top = start + (room - sum(t.height for t in titles) - GAP * (len(titles) - 1)) // 2
    pen = ImageDraw.Draw(image)
    for block in titles:
        _write(pen, block, top)
        top += block.height + GAP
    image.putpalette(_palette())
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=COMPRESS_LEVEL)
    return out.getvalue()


def _write(pen: Any, block: Block, top: int) -> None:
    x, anchor = (WIDTH - MARGIN, "ra") if block.rtl else (MARGIN, "la")
    direction, language = _layout(block.rtl)
    for n, line in enumerate(block.lines):
        y = top + n * block.leading + (block.leading - block.size) // 2
        pen.text((x, y), line, font=font(block.weight, block.size), fill=block.level, anchor=anchor, direction=direction, language=language)


@lru_cache(maxsize=8)
def _frame(site_name: str, address: str, rtl: bool) -> Any:
    """What every card of a language shares, drawn once: the site's name, its mark and address, the phases' bar."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (WIDTH, HEIGHT), 255)
    pen = ImageDraw.Draw(image)
    _write(pen, _name(site_name, rtl), MARGIN - 16)
    mark = 18
    edge = WIDTH - MARGIN if rtl else MARGIN
    box = (edge - mark, FOOT + 8, edge - 1, FOOT + 8 + mark - 1) if rtl else (edge, FOOT + 8, edge + mark - 1, FOOT + 8 + mark - 1)
    pen.rectangle(box, fill=ACCENT)
    x, anchor = (edge - mark - 12, "rs") if rtl else (edge + mark + 12, "ls")
    pen.text((x, FOOT + 24), address, font=font("regular", 28), fill=MUTED, anchor=anchor, direction="ltr")
    half = WIDTH // 2
    early, late = ((half, WIDTH), (0, half)) if rtl else ((0, half), (half, WIDTH))  # phase 1 where reading starts
    pen.rectangle((early[0], HEIGHT - 20, early[1] - 1, HEIGHT - 1), fill=PHASE_1)
    pen.rectangle((late[0], HEIGHT - 20, late[1] - 1, HEIGHT - 1), fill=PHASE_2)
    return image


def address(base_url: str) -> str:
    """``https://example.org/iraq-coalition/`` → ``example.org/iraq-coalition``."""
    return base_url.split("://", 1)[-1].rstrip("/")
