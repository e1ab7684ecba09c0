"""House style: rules the editors own (``content/style.yaml``), checked on the site's own words.

Two kinds of rule, both regular expressions per language, in the manner of Vale's substitution
rules: ``relative_time`` (words such as "next year" that change meaning as time passes: write the
date) and ``swap`` (a house spelling: ``avoid`` → ``prefer``). They apply to the site's own voice
only: quotes keep their words, so citations (``cite``), a source's verbatim headline, its page
chrome and any passage inside quotation marks («…», “…”, "…") are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import Problem
from .load import Document, JsonPath

NOT_OWN_WORDS = frozenset({"cite", "chrome", "headline", "quote"})
"""Keys whose text is not the site's own voice: the sources' words and their translations."""

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
        start, end = found.span()  # the whole word around the match, as the reader sees it
        while start > 0 and text[start - 1].isalnum():
            start -= 1
        while end < len(text) and text[end].isalnum():
            end += 1
        preferred = text[start : found.start()] + found.expand(self.prefer or "") + text[found.end() : end]
        words = text[start:end]
        note = f" ({self.note})" if self.note else ""
        return (f"house style: '{preferred}', not '{words}'{note}", f"write '{preferred}'; a quotation keeps the source's spelling")


def rules(doc: Document, languages: Iterable[str]) -> tuple[list[Rule], list[Problem]]:
    """The rules of ``content/style.yaml``; a rule that is not a valid regular expression is a located problem."""
    out: list[Rule] = []
    problems: list[Problem] = []
    known = set(languages)
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
                try:
                    pattern = re.compile(text, re.IGNORECASE)
                except re.error as exc:
                    line, col = doc.where(path)
                    problems.append(
                        Problem(doc.path, line, col, f"not a valid regular expression: {exc}", "fix the pattern (Python re syntax)")
                    )
                    continue
                prefer = entry["prefer"] if swap else None
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
    """Every break of ``rules`` (one language's) in ``text``, outside quotation marks: (the words, their
    occurrence among the same words the rule found, message, hint)."""
    unquoted = _QUOTED.sub(lambda m: " " * len(m.group(0)), text)
    found: list[tuple[str, int, str, str]] = []
    for rule in rules:
        seen: list[str] = []
        for match in rule.pattern.finditer(unquoted):
            message, hint = rule.problem(match, unquoted)
            found.append((match.group(0), seen.count(match.group(0)), message, hint))
            seen.append(match.group(0))
    return found


def place_in_file(file: Path, value_at: tuple[int, int], words: str, nth: int) -> tuple[int, int]:
    """Where the ``nth`` occurrence of ``words`` lies in the file, looking from the start of its value
    (a folded value breaks lines where the editor did); the value's own place if it is not found."""
    try:
        text = file.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return value_at
    lines = text.split("\n")
    line, col = value_at
    offset = sum(len(x) + 1 for x in lines[: line - 1]) + col - 1
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words.split()), re.IGNORECASE)
    for n, found in enumerate(pattern.finditer(text, offset)):
        if n == nth:
            at = found.start()
            return text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
    return value_at
