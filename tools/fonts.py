#!/usr/bin/env python3
"""Make the site's one Arabic font family, "Explainer Naskh", in regular and bold, as woff2 in static/fonts/.

    .venv/bin/python tools/fonts.py [--ttf DIR]

Noto Naskh Arabic has no slash, hyphen, parentheses, degree sign, typographic quotes or Latin
letters; a browser takes those from another font (Amiri, "Arabic Typesetting", ...), smaller or
larger, mid-line. So each weight is Noto Naskh Arabic subset to the characters the site uses, merged
with the Latin punctuation and letters of Noto Serif (same units per em, a serif that sits with
Naskh), and renamed: one family that covers everything an Arabic line holds.

Both come from Debian's ``fonts-noto-core`` (SIL Open Font License 1.1, no reserved font name);
the licence is written beside the fonts. The characters are those of the content (its texts, not its comments), the source
documents, the templates and the UI catalogs, plus ASCII and the usual punctuation; they are listed
in ``static/fonts/SUBSET.txt``, and the tests check that the built site uses no character outside
the font and that the list is what this script would make now (run it again after an editor
adds a character). Output is deterministic (fixed timestamps).

The share cards (``explainer/cards.py``) are drawn with the same family: each woff2 is also written,
decompressed, as a TTF into ``explainer/fonts/`` (Pillow reads TTF everywhere; the generator's own
folder, so the TTFs are not published with the site), with the licence beside them. ``--ttf DIR``
also writes the TTF files into DIR.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
from pathlib import Path

import yaml
from fontTools import subset
from fontTools.merge import Merger
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "static" / "fonts"
CARDS = ROOT / "explainer" / "fonts"
NOTO = Path(os.environ.get("NOTO_DIR", "/usr/share/fonts/truetype/noto"))
FAMILY = "Explainer Naskh"
WEIGHTS = {"regular": ("Regular", 400), "bold": ("Bold", 700)}
TIMESTAMP = 0x00000000E0000000  # a fixed head.created/modified (seconds since 1904): same input, same bytes

EXTRA = "«»“”‘’„–—‐…·•°′″×،؛؟٪٫٬ـ‹›\u200c\u200d\u00a0\u2011"
"""Punctuation an Arabic or English line may hold even if no text uses it yet."""

IGNORED = set("\n\r\t\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d\u202e\ufeff")
"""Isolates and embeddings: they draw nothing."""

AHEAD = "".join(chr(c) for c in [*range(0x0660, 0x066A), *range(0x06F0, 0x06FA)]) + "\u0652\u0670" + "پچژگڤکیە"
"""Characters a future text may hold: both sets of Arabic digits, whole (not only the two a text
happens to use), sukun and superscript alef, and the Kurdish and Persian letters of place and
person names in the Kurdistan Region."""

UNPRINTABLE = "\u00a0\u200c\u200d\u200e\u200f"
"""Not "printable" to Python, but drawn or shaped with: the no-break space (it keeps a date whole,
so it must be this font's space), the joiners and the direction marks."""


def site_characters(root: Path = ROOT) -> str:
    """Every character the site can show: content, source documents, templates, UI catalogs, ASCII, EXTRA."""
    chars = {chr(c) for c in range(0x20, 0x7F)} | set(EXTRA) | set(AHEAD)
    for path in sorted((root / "content").glob("*.yaml")):  # the texts, not the editors' comments
        chars |= set("".join(_strings(yaml.safe_load(path.read_text("utf-8")))))
    folders = (("seeds", "*.txt"), ("templates", "*.html"), ("locales", "*.po"))
    for folder, pattern in folders:
        for path in sorted((root / folder).rglob(pattern)):
            chars |= set(path.read_text("utf-8"))
    chars -= IGNORED
    return "".join(sorted(c for c in chars if c.isprintable() or c in UNPRINTABLE))


def _strings(data: object) -> list[str]:
    """Every string in parsed YAML, keys included."""
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [t for k, v in data.items() for t in _strings(k) + _strings(v)]
    if isinstance(data, list):
        return [t for v in data for t in _strings(v)]
    return []


def _arabic_like(ch: str) -> bool:
    o = ord(ch)
    return 0x0600 <= o <= 0x08FF or 0xFB50 <= o <= 0xFEFF


def _subset(path: Path, chars: str) -> TTFont:
    options = subset.Options()
    options.layout_features = ["*"]  # Arabic joining, ligatures, marks, kerning
    options.hinting = False  # the browsers here draw outlines unhinted; half the size
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    options.notdef_outline = True
    options.recalc_timestamp = False
    font = TTFont(path, recalcTimestamp=False)
    sub = subset.Subsetter(options)
    sub.populate(unicodes=[ord(c) for c in chars])
    sub.subset(font)
    return font


def _rename(font: TTFont, style: str) -> None:
    name = font["name"]
    full = f"{FAMILY} {style}" if style != "Regular" else FAMILY
    ps = f"{FAMILY.replace(' ', '')}-{style}"
    for record in list(name.names):
        if record.nameID in (1, 16):
            record.string = FAMILY
        elif record.nameID in (2, 17):
            record.string = style
        elif record.nameID == 3:
            record.string = f"{ps}; subset of Noto Naskh Arabic and Noto Serif"
        elif record.nameID == 4:
            record.string = full
        elif record.nameID == 6:
            record.string = ps
    font["head"].created = font["head"].modified = TIMESTAMP
    font.recalcTimestamp = False  # or saving sets head.modified to now


def build(style: str, chars: str) -> TTFont:
    """One weight: Naskh for what it has, Noto Serif for the Latin rest, merged and renamed."""
    naskh_path = NOTO / f"NotoNaskhArabic-{style}.ttf"
    serif_path = NOTO / f"NotoSerif-{style}.ttf"
    naskh_has = set(TTFont(naskh_path, lazy=True).getBestCmap())
    naskh = _subset(naskh_path, "".join(c for c in chars if ord(c) in naskh_has or _arabic_like(c)))
    latin = _subset(serif_path, "".join(c for c in chars if ord(c) not in naskh_has and not _arabic_like(c)))
    files = []
    for part in (naskh, latin):
        buf = io.BytesIO()
        part.save(buf)
        buf.seek(0)
        files.append(buf)
    merged = Merger().merge(files)
    _rename(merged, style)
    return merged


def _bytes(font: TTFont, flavor: str | None) -> bytes:
    font.flavor = flavor
    buf = io.BytesIO()
    font.save(buf, reorderTables=True)
    return buf.getvalue()


def card_ttf(woff2: Path) -> bytes:
    """The TTF the share cards use: the site's woff2, decompressed (same glyphs, same bytes every time)."""
    font = TTFont(woff2, recalcTimestamp=False)
    return _bytes(font, None)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ttf", type=Path, help="also write TTF files into this folder")
    args = parser.parse_args()
    chars = site_characters()
    OUT.mkdir(parents=True, exist_ok=True)
    for key, (style, _weight) in WEIGHTS.items():
        font = build(style, chars)
        (OUT / f"explainer-naskh-{key}.woff2").write_bytes(_bytes(font, "woff2"))
        if args.ttf:
            args.ttf.mkdir(parents=True, exist_ok=True)
            (args.ttf / f"explainer-naskh-{key}.ttf").write_bytes(_bytes(font, None))
        print(OUT / f"explainer-naskh-{key}.woff2", len((OUT / f"explainer-naskh-{key}.woff2").read_bytes()), "bytes")
        CARDS.mkdir(parents=True, exist_ok=True)
        (CARDS / f"explainer-naskh-{key}.ttf").write_bytes(card_ttf(OUT / f"explainer-naskh-{key}.woff2"))
    (OUT / "SUBSET.txt").write_text(chars + "\n", "utf-8")
    (CARDS / "OFL.txt").write_bytes((OUT / "OFL.txt").read_bytes())
    return 0


if __name__ == "__main__":
    sys.exit(main())
