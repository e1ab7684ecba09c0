"""Typography applied to text as it is shown, never to the content as stored.

- Dates are kept whole: the spaces inside "31 August 2025", "أيلول 2025" become no-break spaces, so
  that a line never ends between a month and its year (:func:`whole_dates`).
- English gets its typographer's marks: straight apostrophes and quotation marks become curly
  (:func:`smart`).
- Quotations are nested by one rule per language (:func:`quoted`): English “outer ‘inner’ ”, Arabic
  «outer ‹inner›»; the straight ASCII marks of the Arabic source documents are shown as «…»
  (:func:`arabic_marks`). Every replacement is one character for one: what a quote's words are,
  and where its passage starts and ends, do not change.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from babel.dates import get_month_names

from .model import Language, Model

NBSP = "\u00a0"

_DIGIT = "[0-9\u0660-\u0669]"
_ANY_DIGIT = re.compile(_DIGIT)


@lru_cache(maxsize=8)
def _date_pattern(locale: str) -> re.Pattern[str]:
    """A day and month, a month and year, or all three, in ``locale``'s month names (and, for
    Arabic, in both the Iraqi and the Egyptian ones: the source documents use both)."""
    locales = [locale, locale.split("_")[0]]  # ar_IQ's Iraqi month names and the language's generic (Egyptian) ones
    names: set[str] = set()
    for loc in locales:
        for context in ("format", "stand-alone"):
            names |= set(get_month_names("wide", context, loc).values())
    months = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
    day, year = rf"{_DIGIT}{{1,2}}", rf"{_DIGIT}{{4}}"
    # after a space or a proclitic joined to the day («و31 آب 2025»)
    return re.compile(rf"(?<![^\W\u0648\u0641\u0628\u0644\u0643])(?:{day} (?:{months})(?: {year})?|(?:{months}) {year})(?!\w)")


def whole_dates(text: str, locale: str) -> str:
    """``text`` with the spaces inside each date made no-break."""
    if " " not in text or _ANY_DIGIT.search(text) is None:  # every date has digits; most texts between tags have none
        return text
    return _date_pattern(locale).sub(lambda m: m.group(0).replace(" ", NBSP), text)


_OPENS_AFTER = set(" \t\n\u00a0([{«‹“‘—–-/") | {""}


def _curl(text: str, straight: str, opening: str, closing: str) -> str:
    """Each ``straight`` mark as ``opening`` where a quotation starts (after a space or an opening
    bracket, before a word) and as ``closing`` elsewhere (an apostrophe is a closing mark)."""
    if straight not in text:
        return text
    out = []
    for i, ch in enumerate(text):
        if ch == straight:
            before = text[i - 1] if i else ""
            after = text[i + 1] if i + 1 < len(text) else ""
            ch = opening if before in _OPENS_AFTER and after not in _OPENS_AFTER else closing
        out.append(ch)
    return "".join(out)


def smart(text: str) -> str:
    """English with curly apostrophes and quotation marks (plain text, not HTML)."""
    return _curl(_curl(text, '"', "“", "”"), "'", "‘", "’")


def smart_html(html: str) -> str:
    """:func:`smart` applied to the text between the tags of HTML (escaped quotes included), not to
    tags or to code."""
    parts = re.split(r"(<[^>]*>)", html)
    code = 0
    for i, part in enumerate(parts):
        if i % 2:
            code += part.startswith(("<code", "<pre")) - part.startswith(("</code", "</pre"))
        elif part and not code:
            parts[i] = smart(part.replace("&quot;", '"').replace("&#39;", "'").replace("&#34;", '"'))
    return "".join(parts)


def arabic_marks(text: str) -> str:
    """The straight ASCII quotation marks of Arabic text shown as «…» (one character for one)."""
    return _curl(text, '"', "«", "»")


_PAIRS = {"“": "”", '"': '"', "«": "»", "‘": "’"}


def _enclosed(text: str) -> bool:
    """Whether ``text`` is wholly one quotation: it opens with a mark whose closing mark ends it."""
    if len(text) < 2 or text[0] not in _PAIRS or text[-1] != _PAIRS[text[0]]:
        return False
    depth = 0
    for i, ch in enumerate(text):
        if ch == text[0] and (ch != _PAIRS[ch] or depth == 0):
            depth += 1
        elif ch == _PAIRS[text[0]]:
            depth -= 1
            if depth == 0 and i < len(text) - 1:
                return False
    return True


def quoted(text: str, rtl: bool) -> str:
    """``text`` (a quote or its translation, plain text) in its language's quotation marks, once:
    left to right (English) “…” with any quotation inside it in ‘…’; right to left (Arabic) «…» with ‹…› inside."""
    text = text.strip()
    if rtl:
        text = arabic_marks(text)
        if _enclosed(text):
            text = text[1:-1]
        return "«" + text.replace("«", "‹").replace("»", "›") + "»"
    text = smart(text)
    if _enclosed(text):
        text = text[1:-1]
    return "“" + text.replace("“", "‘").replace("”", "’") + "”"


def typeset_text(text: str, lang: Language, *, dates: bool = True) -> str:
    """Plain text as ``lang`` shows it: a left-to-right (Latin-script) language's marks curled, a
    right-to-left (Arabic-script) one's straight marks as «»; dates kept whole unless ``dates`` is false."""
    marked = smart(text) if lang.dir == "ltr" else arabic_marks(text)
    return whole_dates(marked, lang.locale) if dates else marked


# --- names kept whole -----------------------------------------------------------------------------

NBHYPHEN = "\u2011"

_GENERIC = frozenset({"قاعدة", "الجوية", "مطار", "الدولي", "إقليم", "منطقة", "Air", "Base", "International", "Airport", "Region"})
"""The generic words a place's name starts or ends with ("قاعدة … الجوية", "… Air Base"), of every
language the site is written in (they do not collide): a line may break beside them, never inside the
name they frame."""


def name_units(names: Iterable[str]) -> tuple[str, ...]:
    """The proper names inside ``names`` (place names, in any of the site's languages) that must not be broken
    across lines: each name without its leading and trailing generic words, where two words or more
    (or a hyphenated word) remain: «قاعدة عين الأسد الجوية» gives «عين الأسد», "Ain al-Asad Air Base"
    gives "Ain al-Asad". Longest first, so that a longer name wins over one it contains."""
    generic = _GENERIC
    units: set[str] = set()
    for name in names:
        words = name.split()
        while words and words[0] in generic:
            words.pop(0)
        while words and words[-1] in generic:
            words.pop()
        unit = " ".join(words)
        if (len(words) > 1 or any("-" in w for w in words)) and len(unit) <= MAX_UNIT_LENGTH:
            units.add(unit)
    return tuple(sorted(units, key=lambda u: (-len(u), u)))


MAX_UNIT_LENGTH = 30
"""The longest name (in characters) kept on one line: about what a phone's line holds. A longer one may
break like any text (kept whole, it would run out of the column)."""


@lru_cache(maxsize=16)
def _names_pattern(units: tuple[str, ...]) -> re.Pattern[str]:
    """Any of ``units`` as a whole word (after a space, or و ف ب ل ك), a space in it matching a no-break space too.
    The names share their prefixes (a trie), so that a place costs the length of the longest name, not their number:
    the longest one that fits wins, as it would in an alternation sorted longest first."""
    trie: dict[str, Any] = {}
    for unit in units:
        node = trie
        for ch in unit:
            node = node.setdefault(ch, {})
        node[""] = {}
    return re.compile("(?<![^\\W\u0648\u0641\u0628\u0644\u0643])" + _branches(trie) + "(?!\\w)")


def _branches(node: dict[str, Any]) -> str:
    """The regular expression of a trie's node: its children in turn, optional where a name ends here."""
    ways = [("[ \u00a0]" if ch == " " else re.escape(ch)) + _branches(child) for ch, child in sorted(node.items()) if ch]
    if not ways:
        return ""
    one = ways[0] if len(ways) == 1 else "(?:" + "|".join(ways) + ")"
    return f"(?:{one})?" if "" in node else one


def whole_names(text: str, units: tuple[str, ...], *, hyphens: bool = False) -> str:
    """``text`` with each of the names ``units`` (:func:`name_units`) kept on one line: its spaces
    made no-break, and with ``hyphens`` its hyphens non-breaking (U+2011: for HTML, where a browser
    breaks after a hyphen; not for the graphics and cards, which break only at spaces and whose
    fonts may lack U+2011). An Arabic name keeps a proclitic joined to it («وعين الأسد»)."""
    if not units:
        return text
    pattern = _names_pattern(units)

    def keep(m: re.Match[str]) -> str:
        s = m.group(0).replace(" ", NBSP)
        return s.replace("-", NBHYPHEN) if hyphens else s

    return pattern.sub(keep, text)


def place_names(model: Model, code: str) -> tuple[str, ...]:
    """The proper names inside the places' names in language ``code`` that a line must not break (:func:`name_units`)."""
    return name_units(p.name[code] for p in model.places)
