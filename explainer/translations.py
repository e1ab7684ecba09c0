"""Translation status: stale or unreviewed English, and numbers or months that differ between languages.

Each content item may carry ``reviewed: <hash>``: the short hash of all its Arabic (texts and
quotes) when its English was last reviewed. When the Arabic changes the hash no longer
matches and the item's English is *stale*. ``python build.py review`` writes the hash.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Mapping
from typing import Any

from .load import Document, JsonPath
from .model import TranslationNote

ITEM_LISTS: Mapping[str, tuple[str, ...]] = {
    "sources": ("sources",),
    "glossary": ("entities",),
    "places": ("places",),
    "events": ("events",),
    "plan": ("phases", "continues", "unknowns"),
    "statements": ("statements",),
    "figures": ("figures",),
    "questions": ("questions",),
    "disagreements": ("disagreements",),
    "updates": ("updates",),
}
"""Where the items of each content file are (``pages.yaml`` items are the values of ``pages``)."""


def arabic_hash(item: Any) -> str:
    """Eight hex digits of SHA-256 over the item's Arabic texts and quotes, whitespace-folded."""
    parts = [" ".join(text.split()) for text in _arabic(item)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:8]


def _arabic(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, sub in value.items():
            if key in ("ar", "quote") and isinstance(sub, str):
                yield sub
            elif key != "reviewed":
                yield from _arabic(sub)
    elif isinstance(value, list):
        for sub in value:
            yield from _arabic(sub)


def items(name: str, doc: Document) -> Iterator[tuple[JsonPath, str, dict[str, Any]]]:
    """(path, id, item) for every item of a content file."""
    data = doc.data if isinstance(doc.data, dict) else {}
    if name == "pages":
        for key, value in (data.get("pages") or {}).items():
            if isinstance(value, dict):
                yield ("pages", key), key, value
        return
    for list_name in ITEM_LISTS.get(name, ()):
        for i, item in enumerate(data.get(list_name) or []):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                yield (list_name, i), item["id"], item


def report(docs: Mapping[str, Document]) -> tuple[TranslationNote, ...]:
    """Every stale, unreviewed or mismatched translation in the loaded content."""
    notes: list[TranslationNote] = []
    for name, doc in docs.items():
        for path, ident, item in items(name, doc):
            found: list[tuple[str, str, JsonPath | None]] = []  # kind, message, and the path to point at (None: the item)
            reviewed = item.get("reviewed")
            if reviewed is None:
                found.append(("unreviewed", f"the English of '{ident}' has not been marked as reviewed", None))
            elif reviewed != arabic_hash(item):
                message = (
                    f"the Arabic of '{ident}' changed after its English was reviewed; "
                    f"check the English, then run: python build.py review {doc.path}:{ident}"
                )
                found.append(("stale", message, None))
            for pair_path, ar, en in _pairs(item, path):
                for problem in parity(ar, en):
                    found.append(("parity", f"'{ident}': {problem}", pair_path))
            # located only when there is a note: a document's positions are found when first asked for
            for kind, message, at in found:
                line, col = doc.where(at) if at else doc.where(path + ("id",)) if "id" in item else doc.where(path, key=True)
                notes.append(TranslationNote(doc.path, line, col, name, ident, kind, message))
    return tuple(sorted(notes))


def _pairs(value: Any, path: JsonPath) -> Iterator[tuple[JsonPath, str, str]]:
    """Every (Arabic, English) pair of an item: bilingual texts and quotes with their translations."""
    if isinstance(value, dict):
        if isinstance(value.get("ar"), str) and isinstance(value.get("en"), str):
            yield path + ("en",), value["ar"], value["en"]
        if isinstance(value.get("quote"), str) and isinstance(value.get("en"), str):
            yield path + ("en",), value["quote"], value["en"]
        for key, sub in value.items():
            if isinstance(sub, dict | list):
                yield from _pairs(sub, path + (key,))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from _pairs(sub, path + (i,))


_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")
_ARABIC_INDIC = re.compile("[٠-٩]")
_NUMBER = re.compile(r"\d+(?:[,٬]\d{3})*(?:[.٫]\d+)?")
_MONTHS_EN = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
_MONTHS_AR = {
    **{
        name: i + 1
        for i, name in enumerate(
            ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر"]
        )
    },
    **{
        name: i + 1
        for i, name in enumerate(
            ["كانون الثاني", "شباط", "آذار", "نيسان", "أيار", "حزيران", "تموز", "آب", "أيلول", "تشرين الأول", "تشرين الثاني", "كانون الأول"]
        )
    },
}


def numbers(text: str) -> set[str]:
    """The numbers written with digits in ``text`` (either digit set; grouping ignored)."""
    out = set()
    if _ARABIC_INDIC.search(text):
        text = text.translate(_DIGITS)
    for match in _NUMBER.findall(text):
        out.add(match.replace(",", "").replace("٬", "").replace("٫", "."))
    return out


def months(text: str, lang: str) -> set[int]:
    """The month names in ``text``."""
    if lang == "en":  # capitalised only: "may" is usually a verb
        words = re.findall(r"[A-Z][a-z]+", text)
        return {_MONTHS_EN.index(w.lower()) + 1 for w in words if w.lower() in _MONTHS_EN}
    found = set()
    for name, number in _MONTHS_AR.items():
        if name in text and re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text):  # the substring test skips the regex for most texts
            found.add(number)
    return found


def parity(ar: str, en: str) -> list[str]:
    """How the numbers and months of an Arabic text and its English differ (empty if they agree)."""
    problems = []
    a, e = numbers(ar), numbers(en)
    if a != e:
        only_ar, only_en = sorted(a - e), sorted(e - a)
        detail = "; ".join(
            x
            for x in (
                f"only in Arabic: {', '.join(only_ar)}" if only_ar else "",
                f"only in English: {', '.join(only_en)}" if only_en else "",
            )
            if x
        )
        problems.append(f"numbers differ ({detail})")
    ma, me = months(ar, "ar"), months(en, "en")
    if ma != me:
        names = lambda ms: ", ".join(_MONTHS_EN[m - 1].capitalize() for m in sorted(ms)) or "none"  # noqa: E731
        problems.append(f"months differ (Arabic: {names(ma)}; English: {names(me)})")
    return problems
