"""What a translation in a UI catalog may hold: text, the placeholders of its msgid, and the markup of its msgid.

A catalog is data (docs/security.md), so a translation is text: it is escaped when a page shows it.
A UI string whose source (its msgid, written in a template, which is code) carries markup keeps it
in every language, so its translations may carry exactly the same tags with the same attributes (in
any order) and nothing else. Every ``%`` of a translation must be one of its msgid's placeholders
(``%(date)s``) or ``%%``: templates %-format every UI string.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from .load import REFUSED_CHARACTERS, char_name

_TAG = re.compile(r"<[A-Za-z/!?][^<>]*>?")
"""Whatever an HTML parser would read as the start of a tag, a comment or a declaration, up to its ``>``."""

_ELEMENT = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)((?:\s[^<>]*)?)>\Z")
_ATTRIBUTE = re.compile(r"""\s*([^\s"'=<>/`]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?\s*""")

_PLACEHOLDER = re.compile(r"%(?:\(([^)]*)\))?[#0 +-]*(?:\*|[0-9]+)?(?:\.(?:\*|[0-9]+))?[hlL]?([diouxXeEfFgGcrsa%])")

MARKUP_HINT = "a translation is text: keep exactly the tags of its msgid (the same attributes, in any order) and add none"
PLACEHOLDER_HINT = "keep each %(name)s of the msgid as it is, and write a percent sign as %%"


def has_markup(message: str) -> bool:
    """Whether a UI string (a msgid, from a template) carries markup."""
    return _TAG.search(message) is not None


def _tag(text: str) -> tuple[object, ...]:
    """A tag as it compares: closing or not, its name and its attributes in order (or its text, if it is not a plain tag)."""
    found = _ELEMENT.match(text)
    if found is None:
        return ("raw", text)
    attributes: list[tuple[str, str | None]] = []
    rest, at = found.group(3).rstrip("/ \t\n"), 0
    while at < len(rest):
        attribute = _ATTRIBUTE.match(rest, at)
        if attribute is None or attribute.end() == at:
            return ("raw", text)
        name, *values = attribute.groups()
        value = next((v for v in values if v is not None), None)
        attributes.append((name.lower(), value))
        at = attribute.end()
    return (found.group(1), found.group(2).lower(), tuple(sorted(attributes, key=repr)))


def tags(text: str) -> Counter[tuple[object, ...]]:
    return Counter(_tag(m.group()) for m in _TAG.finditer(text))


def placeholders(text: str) -> tuple[set[str], list[int]]:
    """The placeholders of a %-format string (``%(date)s``; ``%%`` is not one) and where each ``%`` that is none stands."""
    found: set[str] = set()
    stray: list[int] = []
    at = text.find("%")
    while at >= 0:
        spec = _PLACEHOLDER.match(text, at)
        if spec is None:
            stray.append(at)
            at = text.find("%", at + 1)
            continue
        if spec.group(2) != "%":
            found.add(spec.group())
        at = text.find("%", spec.end())
    return found, stray


def _shown(specs: set[str]) -> str:
    return ", ".join(sorted(specs)) or "none"


def translation_problems(msgid: str, plural: str | None, translation: str, form: bool) -> list[tuple[str, str]]:
    """What is wrong with ``translation`` of ``msgid`` (and its ``plural``), as (message, hint) pairs.

    ``form``: a translation of a plural entry, which may leave out a placeholder (Arabic's "one day" has no number)."""
    problems: list[tuple[str, str]] = []
    sources = [msgid] if plural is None else [msgid, plural]
    if tags(translation) != tags(msgid):
        extra = list(dict.fromkeys(m.group() for m in _TAG.finditer(translation) if _tag(m.group()) not in tags(msgid)))
        what = f"markup its msgid does not have: {' '.join(extra)[:120]}" if extra else "not the markup of its msgid"
        problems.append((f"the translation of {msgid[:60]!r} holds {what}", MARKUP_HINT))
    refused = REFUSED_CHARACTERS.search(translation)
    if refused is not None:
        where = f"(at character {refused.start() + 1})"
        message = f"the translation of {msgid[:60]!r} holds {char_name(refused.group())} {where}, which content may not hold either"
        problems.append((message, "delete it; a translation is text a reader sees, without control, direction or invisible characters"))
    own, stray = placeholders(translation)
    allowed: set[str] = set().union(*(placeholders(s)[0] for s in sources))
    if stray:
        message = f"the translation of {msgid[:60]!r} has a % that is no placeholder (at character {stray[0] + 1})"
        problems.append((message, PLACEHOLDER_HINT))
    elif (own - allowed) if form else (own != allowed):
        message = f"the translation of {msgid[:60]!r} has the placeholders {_shown(own)}; its msgid has {_shown(allowed)}"
        problems.append((message, PLACEHOLDER_HINT))
    return problems


def entry_problems(msgid: str, plural: str | None, translations: Sequence[str]) -> list[tuple[int, str, str]]:
    """:func:`translation_problems` of each translation of an entry, with its index (msgstr[index])."""
    return [
        (i, message, hint)
        for i, text in enumerate(translations)
        for message, hint in translation_problems(msgid, plural, text, plural is not None)
    ]
