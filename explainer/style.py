"""House style: rules the editors own (``content/style.yaml``), checked on the site's own words.

Two kinds of rule, both regular expressions per language, in the manner of Vale's substitution
rules: ``relative_time`` (words such as "next year" that change meaning as time passes: write the
date) and ``swap`` (a house spelling: ``avoid`` → ``prefer``). They apply to the site's own voice
only: quotes keep their words, so citations (``cite``), a source's verbatim headline, its page
chrome and any passage inside quotation marks («…», “…”, "…") are skipped.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from re import _parser  # type: ignore[attr-defined]  # the standard parser: how a rule would match
from typing import Any

from .errors import Problem
from .load import Document, JsonPath

NOT_OWN_WORDS = frozenset({"cite", "chrome", "headline", "quote"})
"""Keys whose text is not the site's own voice: the sources' words and their translations."""

MAX_RULE_LENGTH = 1000
"""A rule longer than this many characters is refused (the longest house rule has about 220)."""

MAX_RULE_PATHS = 1000
"""How many ways a rule may match from one place at most (see :func:`too_costly`)."""

MAX_REPEAT = 100
"""``{n,m}`` may repeat at most this many times; ``*``, ``+`` and ``{n,}`` are refused."""

MAX_RULE_WORK = 5000
MAX_STYLE_WORK = 10_000
"""What all the rules of one language together may look at from one place of a text (each rule's ways to
match times its width, summed): one rule's bound alone let a hundred rules take minutes on one long text.
The real house style uses about a fifth of it."""
"""How many characters a rule may read from one place at most: its ways to match times its width (see
:func:`too_costly`). The house rule that reads most, the Arabic month names, reads 1,575."""

MAX_BREAKS = 10
"""A rule's breaks in one text are listed up to this many; the last one listed says how many more there are."""

MAX_AROUND = 30
"""A message quotes at most this many letters of the word around a break, on either side."""

_QUOTED = re.compile(r"«[^«»]*»|“[^“”]*”|\"[^\"\n]*\"")
"""A passage in quotation marks: someone else's words."""


@dataclass(frozen=True)
class Rule:
    """One rule of the house style, for one language."""

    lang: str
    kind: str  # "relative_time" or "swap"
    pattern: re.Pattern[str]
    prefer: str | None
    note: str
    path: JsonPath

    def problem(self, found: re.Match[str], text: str) -> tuple[str, str]:
        """The message and hint for ``text`` where it breaks this rule (``found``)."""
        words = found.group(0)
        if self.kind == "relative_time":
            return (
                f"'{words}' dates the text from when it is read: in the site's own words, write the date",
                "write the date itself (say 'in 2025', «في عام 2025»); a quotation may keep its words",
            )
        start, end = found.span()  # the whole word around the match, as the reader sees it (its first and last letters at most)
        first, last = max(0, start - MAX_AROUND), min(len(text), end + MAX_AROUND)
        while start > first and text[start - 1].isalnum():
            start -= 1
        while end < last and text[end].isalnum():
            end += 1
        before = ("…" if start == first and start > 0 and text[start - 1].isalnum() else "") + text[start : found.start()]
        after = text[found.end() : end] + ("…" if end == last and end < len(text) and text[end].isalnum() else "")
        preferred = before + found.expand(self.prefer or "") + after
        words = before + words + after
        note = f" ({self.note})" if self.note else ""
        return (f"house style: '{preferred}', not '{words}'{note}", f"write '{preferred}'; a quotation keeps the source's spelling")


def too_costly(text: str) -> str | None:
    """Why the regular expression ``text`` could take too long to match, or None (see :func:`rule_cost`)."""
    return rule_cost(text)[0]


@lru_cache(maxsize=1024)  # the live preview asks again at every save (benchmarks/preview.py)
def rule_cost(text: str) -> tuple[str | None, int]:
    """Why the regular expression ``text`` could take too long to match (or None), and what it may look at
    from one place (its ways to match times its width; 0 when it is refused).

    The rules come from data, and Python's engine backtracks: ``^(?:a|aa)+$`` on 60 a's would take
    longer than the universe has existed, and would hold the interpreter so that not even Ctrl+C
    stops the preview. So a rule may use what a house rule needs (literal words, classes,
    alternatives, groups, ``?``, ``{n,m}`` up to :data:`MAX_REPEAT`, look-arounds, ``\\b``) but
    not unbounded repeats (``*``, ``+``, ``{n,}``) nor back-references; the number of ways it can
    match from one place (the product of its choices) is at most :data:`MAX_RULE_PATHS`, and those
    ways times the characters each may look at (its width, look-arounds included: the engine reads
    what a look-ahead needs although the match does not take it) at most :data:`MAX_RULE_WORK`.
    Each place of a text then costs at most that many steps of the engine, whatever the text.
    """
    if len(text) > MAX_RULE_LENGTH:
        return f"the rule is longer than {MAX_RULE_LENGTH} characters", 0
    try:
        parsed = _parser.parse(text, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError) as exc:
        return f"not a valid regular expression: {exc}", 0
    try:
        paths, width = _cost(parsed)
    except _Unbounded as exc:
        return str(exc), 0
    if paths > MAX_RULE_PATHS:
        return f"the rule has more than {MAX_RULE_PATHS:,} ways to match from one place (its choices multiply)", 0
    if paths * max(width, 1) > MAX_RULE_WORK:
        shown = f"{width:,}" if width <= _CAP else f"more than {_CAP:,}"
        return (
            f"the rule may look at more than {MAX_RULE_WORK:,} characters from one place ({paths:,} ways to match, each "
            f"reading up to {shown} characters, look-arounds included)"
        ), 0
    return None, paths * max(width, 1)


class _Unbounded(Exception):
    pass


_CAP = 10**9
"""Widths are counted up to this (a few nested repeats would reach far beyond)."""


def _cost(items: Any) -> tuple[int, int]:
    """How many ways the parsed pattern ``items`` can match from one place (capped a little above
    :data:`MAX_RULE_PATHS`), and how many characters one of them may read at most (its width, with
    what its look-arounds read; capped at :data:`_CAP`)."""
    total, width = 1, 0
    for op, av in items:
        name = str(op)
        if name == "SUBPATTERN":
            n, w = _cost(av[3])
        elif name == "BRANCH":
            each = [_cost(alt) for alt in av[1]]
            n, w = sum(c[0] for c in each), max(c[1] for c in each)
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            n, w = _repeat_cost(*av)
        elif name in ("ASSERT", "ASSERT_NOT"):
            n, w = _cost(av[1])  # a look-around takes nothing, but reads what its pattern needs
        elif name == "ATOMIC_GROUP":
            n, w = _cost(av)
        elif name in ("GROUPREF", "GROUPREF_EXISTS"):
            raise _Unbounded("a back-reference (\\1, (?P=name), (?(1)...)) is not allowed in a house rule")
        elif name == "AT":  # an anchor or \b: it looks at the characters around, it takes none
            n, w = 1, 0
        else:  # one character, a class
            n, w = 1, 1
        total, width = min(total * n, MAX_RULE_PATHS + 1), min(width + w, _CAP)
    return total, width


def _repeat_cost(low: int, high: int, inner: Any) -> tuple[int, int]:
    """:func:`_cost` of ``inner`` repeated ``low`` to ``high`` times."""
    if high > MAX_REPEAT:
        raise _Unbounded("a repeat without a small upper bound (*, + or {n,}): write the words out, or {n,m} with m at most 100")
    each, width = _cost(inner)
    n, power = 0, 1
    for k in range(high + 1):
        if k >= low:
            n += power
        power = min(power * each, MAX_RULE_PATHS + 1)
        if n > MAX_RULE_PATHS:
            break
    return min(n, MAX_RULE_PATHS + 1), min(high * width, _CAP)


def _template_problem(pattern: re.Pattern[str], prefer: str) -> str | None:
    """Why ``prefer`` is not a valid replacement for ``pattern`` (a group it does not have, a bad escape), or None."""
    try:
        _parser.parse_template(prefer, pattern)
    except (re.error, IndexError) as exc:
        return f"'prefer' is not a valid replacement for this rule: {exc}"
    return None


def rules(doc: Document, languages: Iterable[str]) -> tuple[list[Rule], list[Problem]]:
    """The rules of ``content/style.yaml``; a rule that is not a valid regular expression is a located problem."""
    out: list[Rule] = []
    problems: list[Problem] = []
    known = set(languages)
    work: Counter[str] = Counter()
    for kind in ("relative_time", "swap"):
        for lang, entries in (doc.data.get(kind) or {}).items():
            if lang not in known:
                line, col = doc.where((kind, lang), key=True)
                hint = f"use one of the site's languages: {', '.join(sorted(known))}"
                problems.append(Problem(doc.path, line, col, f"'{lang}' is not a language of the site", hint))
                continue
            for i, entry in enumerate(entries):
                swap = isinstance(entry, dict)
                text = entry["avoid"] if swap else entry
                path = (kind, lang, i, "avoid") if swap else (kind, lang, i)
                why, cost = rule_cost(text)
                if why is None:
                    work[lang] += cost
                    if work[lang] > MAX_STYLE_WORK:
                        why = f"the rules of '{lang}' together may look at more than {MAX_STYLE_WORK:,} characters from one place of a text"
                if why is None:
                    try:
                        pattern = re.compile(text, re.IGNORECASE)
                    except (re.error, RecursionError, OverflowError) as exc:
                        why = f"not a valid regular expression: {exc}"
                if why is not None:
                    line, col = doc.where(path)
                    hint = (
                        "fix the pattern (Python re syntax, without *, + or back-references, a few words wide and with few choices;"
                        " see docs/content-format.md)"
                        if not why.startswith("the rules of")
                        else "keep fewer or narrower rules for this language: this one and those after it are not used"
                    )
                    problems.append(Problem(doc.path, line, col, why, hint))
                    continue
                prefer = entry["prefer"] if swap else None
                bad = _template_problem(pattern, prefer) if isinstance(prefer, str) else None
                if bad is not None:
                    line, col = doc.where((kind, lang, i, "prefer"))
                    hint = "refer only to the rule's own groups (\\1 is the first (…)), and write a backslash as \\\\"
                    problems.append(Problem(doc.path, line, col, bad, hint))
                    continue
                out.append(Rule(lang, kind, pattern, prefer, (entry.get("note") or "").strip() if swap else "", path))
    return out, problems


def own_words(data: Any, languages: frozenset[str], path: JsonPath = ()) -> Iterator[tuple[JsonPath, str, str]]:
    """(path, language, text) of every text in the site's own voice in a content file."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key in NOT_OWN_WORDS:
                continue
            if key in languages and isinstance(value, str):
                yield (*path, key), key, value
            elif isinstance(value, dict | list):
                yield from own_words(value, languages, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from own_words(value, languages, (*path, i))


def breaks(text: str, rules: Iterable[Rule]) -> list[tuple[str, int, str, str]]:
    """The breaks of ``rules`` (one language's) in ``text``, outside quotation marks: (the words, their
    occurrence among the same words the rule found, message, hint). Each rule's first :data:`MAX_BREAKS`
    are listed, the last of them saying how many more there are (a rule that matches every letter of a
    long text costs one step a letter, not a message each)."""
    unquoted = _QUOTED.sub(lambda m: " " * len(m.group(0)), text)
    found: list[tuple[str, int, str, str]] = []
    for rule in rules:
        seen: Counter[str] = Counter()
        matches = rule.pattern.finditer(unquoted)
        for match in itertools.islice(matches, MAX_BREAKS):
            message, hint = rule.problem(match, unquoted)
            found.append((match.group(0), seen[match.group(0)], message, hint))
            seen[match.group(0)] += 1
        more = sum(1 for _ in matches)
        if more:
            words, nth, message, hint = found[-1]
            found[-1] = (words, nth, f"{message}; and {more:,} more breaks of this rule in this text", hint)
    return found


WRITTEN_PER_CHARACTER = 16
"""A character of a value takes at most about this many in its file (an escape such as ``\\U0001F600``, or
indentation where a folded value breaks its lines): how far :meth:`FileText.place` looks for its words."""


class FileText:
    """A content file's text, read once, to find the words of its values in (``None``: it cannot be read)."""

    def __init__(self, text: str | None) -> None:
        self.text = text
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))] if text is not None else []
        """Where each line starts."""

    def place(self, value_at: tuple[int, int], words: str, nth: int, length: int) -> tuple[int, int]:
        """Where the ``nth`` occurrence of ``words`` lies in the file, looking from the start of its value
        (a folded value breaks lines where the editor did) over what a value of ``length`` characters
        may take (see :data:`WRITTEN_PER_CHARACTER`); the value's own place if it is not found there."""
        line, col = value_at
        if self.text is None or not 1 <= line <= len(self.starts):
            return value_at
        offset = self.starts[line - 1] + col - 1
        pattern = re.compile(r"\s+".join(re.escape(w) for w in words.split()), re.IGNORECASE)
        found = pattern.finditer(self.text, offset, offset + WRITTEN_PER_CHARACTER * length + 256)
        for match in itertools.islice(found, nth, nth + 1):
            n = bisect.bisect_right(self.starts, match.start()) - 1
            return n + 1, match.start() - self.starts[n] + 1
        return value_at
