"""Finding verbatim quotes in the source documents.

A quote counts as verbatim when it occurs in its seed after both sides are
normalised the same way: whitespace runs fold to one space, tatweel and Arabic
diacritics are dropped, alef/hamza/yaa variants fold to one form and quotation
marks are dropped. The match is mapped back to the original characters so that
the source page can highlight exactly the quoted passage.
"""

from __future__ import annotations

import bisect
import io
import itertools
import re
from array import array
from functools import lru_cache
from typing import NamedTuple

_DROP = frozenset(
    "\u0640"  # tatweel
    + "".join(chr(c) for c in range(0x064B, 0x0660))  # harakat, shadda, sukun, ...
    + "\u0670"  # superscript alef
    + "«»\"“”„‟'‘’"  # quotation marks of every kind the documents use
    + "\u200c\u200d\u200e\u200f\ufeff"  # joiners and direction marks
)
_FOLD = {
    "أ": "ا",
    "إ": "ا",
    "آ": "ا",
    "ٱ": "ا",
    "ى": "ي",
    "ئ": "ي",
    "ؤ": "و",
}


_PAIRS = (("«", "»"), ("“", "”"), ('"', '"'))
"""Quotation marks that come in pairs in the source documents."""
_MARKS = frozenset("".join(a + b for a, b in _PAIRS))

MIN_QUOTE_WORDS = 3
MIN_QUOTE_LETTERS = 15
"""A quote is evidence for a fact: at least a clause, not a word or two that occur anywhere."""


def too_short(quote: str) -> bool:
    """Whether ``quote`` is shorter than :data:`MIN_QUOTE_WORDS` words or :data:`MIN_QUOTE_LETTERS` letters."""
    words = normalise(quote)
    return len(words.split()) < MIN_QUOTE_WORDS or sum(ch.isalpha() for ch in words) < MIN_QUOTE_LETTERS


_DROPPED = re.compile("[" + re.escape("".join(sorted(_DROP))) + "]")


def normalise(text: str) -> str:
    """Return the matching form of ``text`` (see the module docstring).

    The same result as ``_normalise_with_map(text)[0]`` (dropped characters never separate a
    whitespace run; leading and trailing whitespace go), with string methods instead of a loop
    over characters (a build normalises every quote on the site).
    """
    text = _DROPPED.sub("", text)
    for variant, base in _FOLD.items():
        if variant in text:
            text = text.replace(variant, base)
    return " ".join(text.split())


def _normalise_with_map(text: str) -> tuple[str, array[int]]:
    """Normalise ``text`` and return, for each output character, its index in ``text``.

    Kept compact (a string and 4 bytes per character, not a list of Python objects: 45 bytes per
    character made three 60 MB seeds take 9.6 GB)."""
    out = io.StringIO()
    where = array("I")
    pending_space = -1
    for i, ch in enumerate(text):
        if ch in _DROP:
            continue
        if ch.isspace():
            if where and pending_space < 0:
                pending_space = i
            continue
        if pending_space >= 0:
            out.write(" ")
            where.append(pending_space)
            pending_space = -1
        out.write(_FOLD.get(ch, ch))
        where.append(i)
    return out.getvalue(), where


class Match(NamedTuple):
    """Where a quote was found: a half-open character span of the original text."""

    start: int
    end: int


def _is_mark(char: str) -> bool:
    """An Arabic vowel or other combining mark (harakat, tanween, shadda, sukun, superscript alef)."""
    return "\u064b" <= char <= "\u065f" or char == "\u0670"


CANDIDATES = 256
"""A quote is confirmed at the places of its rarest inner word when that word occurs at most this often."""
FULL_SEARCH_CHARS = 2_000_000_000
"""The quotes of one seed whose inner words are all common (or that have none) are searched through
the whole seed; together those searches may read at most this many characters (a few seconds) —
without it 20,000 citations of a 4 MB seed took 66 s."""


class TooCostly(Exception):
    """Verifying one more quote of a seed would pass :data:`FULL_SEARCH_CHARS`."""


class QuoteIndex:
    """One source text, prepared for repeated quote look-ups.

    Each quote is looked up once (the result is kept); one with a rare inner word is confirmed
    only where that word occurs (an index of the seed's words, made at the first look-up), so
    the cost grows with the number of quotes plus the seed's size, not with their product."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._norm, self._map = _normalise_with_map(text)
        lines = text.split("\n")
        self._starts = list(itertools.accumulate((len(line) + 1 for line in lines[:-1]), initial=0))
        """Where each line starts (lines end at ``\\n``)."""
        self._leads = [len(line) - len(line.lstrip()) for line in lines]
        """The white space before each line's text (paragraphs are published stripped)."""
        self._words: dict[str, array[int]] | None = None
        """Each word of the normalised text → where it starts (made when first needed)."""
        self._found: dict[str, int] = {}
        """Each normalised quote looked up → where it starts in the normalised text (-1: nowhere)."""
        self.searched = 0
        """Characters read by whole-text searches so far (see :data:`FULL_SEARCH_CHARS`)."""

    @staticmethod
    @lru_cache(maxsize=16)
    def of(text: str) -> QuoteIndex:
        """The index of ``text``, made once (the preview rebuilds with the same seeds)."""
        return QuoteIndex(text)

    def find(self, quote: str) -> Match | None:
        """Return the first span of the original text that matches ``quote``, or None."""
        needle = normalise(quote).strip()
        if not needle:
            return None
        at = self._found.get(needle)
        if at is None:
            at = self._found[needle] = self._search(needle)
        if at < 0:
            return None
        start = self._map[at]
        end = self._map[at + len(needle) - 1] + 1
        while end < len(self.text) and _is_mark(self.text[end]):  # the last letter's own vowel marks (a final tanween)
            end += 1
        return Match(start, end)

    def _search(self, needle: str) -> int:
        """Where ``needle`` (normalised) first starts in the normalised text, or -1.

        Raises :class:`TooCostly` when it would need a whole-text search past the budget."""
        inner = needle.split(" ")[1:-1]  # (the first and last may be parts of words)
        if inner:
            words = self._index()
            offsets = list(itertools.accumulate((len(w) + 1 for w in needle.split(" ")[:-1]), initial=0))[1:-1]
            count, word, offset = min((len(words.get(w, ())), w, o) for w, o in zip(inner, offsets, strict=True))
            if count <= CANDIDATES:
                norm = self._norm
                for place in words.get(word, ()):
                    if place >= offset and norm.startswith(needle, place - offset):
                        return place - offset
                return -1
        if self.searched + len(self._norm) > FULL_SEARCH_CHARS:
            raise TooCostly(FULL_SEARCH_CHARS)
        at = self._norm.find(needle)
        self.searched += len(self._norm) if at < 0 else at + len(needle)
        return at

    def _index(self) -> dict[str, array[int]]:
        """The normalised text's words → where each starts."""
        if self._words is None:
            words: dict[str, array[int]] = {}
            at = 0
            for word in self._norm.split(" "):
                found = words.get(word)
                if found is None:
                    found = words[word] = array("I")
                found.append(at)
                at += len(word) + 1
            self._words = words
        return self._words

    def balanced(self, match: Match, quote: str = "") -> Match:
        """``match`` (of ``quote``) widened so that the published words keep the source's own
        quotation marks: those ``quote`` has at its edges, and the other half of any pair cut at an edge."""
        start, end = match
        text = self.text
        if quote.rstrip()[-1:] in _MARKS and end < len(text) and text[end] in _MARKS:
            end += 1
        if quote.lstrip()[:1] in _MARKS and start > 0 and text[start - 1] in _MARKS:
            start -= 1
        for opening, closing in _PAIRS:
            inside = text[start:end]
            if opening == closing:
                if inside.count(opening) % 2 and end < len(text) and text[end] == closing:
                    end += 1
                elif inside.count(opening) % 2 and start > 0 and text[start - 1] == opening:
                    start -= 1
                continue
            if inside.count(opening) > inside.count(closing) and end < len(text) and text[end] == closing:
                end += 1
            elif inside.count(closing) > inside.count(opening) and start > 0 and text[start - 1] == opening:
                start -= 1
        return Match(start, end)

    def words(self, match: Match) -> str:
        """The source's own text of ``match`` (what the site publishes as the quote)."""
        return self.text[match.start : match.end]

    def place(self, match: Match) -> tuple[int, int, int] | None:
        """``match`` as (line, start, end) within its line as published (stripped), or None if it spans lines."""
        line = bisect.bisect_right(self._starts, match.start)
        if match.end > match.start and bisect.bisect_right(self._starts, match.end - 1) != line:
            return None
        skip = self._starts[line - 1] + self._leads[line - 1]
        return line, match.start - skip, match.end - skip
