"""Translation status: unreviewed or stale translations, numbers or months that differ between
languages, and how much of the site each language has.

Each content item may carry ``reviewed: <hash>``: the short hash of all its source-language text
(texts and quotes) when its translations were last reviewed. When the source text changes the
hash no longer matches and the item's translations are *stale*. ``python build.py review`` writes
the hash. A translation may be missing: the page then shows the source text, marked as such.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache, partial
from typing import Any

from .load import JsonPath
from .model import Coverage, Language

Note = tuple[JsonPath | None, str, str]
"""A note about one item: the path of the text it is about (None: the item), its kind, its message."""


def source_hash(item: Any, source: str) -> str:
    """Eight hex digits of SHA-256 over the item's texts in the ``source`` language and its quotes, whitespace-folded."""
    parts = [" ".join(text.split()) for text in _source_texts(item, source)]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:8]


def _source_texts(value: Any, source: str) -> Iterator[str]:
    if isinstance(value, dict):
        for key, sub in value.items():
            if key in (source, "quote") and isinstance(sub, str):
                yield sub
            elif key != "reviewed":
                yield from _source_texts(sub, source)
    elif isinstance(value, list):
        for sub in value:
            yield from _source_texts(sub, source)


def texts(value: Any, codes: frozenset[str], path: JsonPath = ()) -> Iterator[tuple[JsonPath, dict[str, str]]]:
    """Every translatable text of ``value`` (a mapping keyed by languages, or a citation) with its path."""
    if isinstance(value, dict):
        if "quote" in value or any(isinstance(value.get(code), str) for code in codes):
            yield path, value
        for key, sub in value.items():
            if isinstance(sub, dict | list):
                yield from texts(sub, codes, (*path, key))
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            yield from texts(sub, codes, (*path, i))


def notes(item: dict[str, Any], ident: str, languages: tuple[Language, ...], file: str) -> list[Note]:
    """The translation notes of one item of ``file``: not yet reviewed, stale, numbers or months that differ."""
    source = languages[0]
    codes = frozenset(lang.code for lang in languages)
    found = [(path, text) for path, text in texts(item, codes)]
    translated = [lang for lang in languages[1:] if any(lang.code in text for _path, text in found)]
    out: list[Note] = []
    if translated:
        names = " and ".join(english_name(lang) for lang in translated)
        reviewed = item.get("reviewed")
        if reviewed is None:
            out.append((None, "unreviewed", f"the {names} of '{ident}' has not been marked as reviewed"))
        elif reviewed != source_hash(item, source.code):
            message = (
                f"the {english_name(source)} of '{ident}' changed after its {names} was reviewed; "
                f"check the {names}, then run: python build.py review {file}:{ident}"
            )
            out.append((None, "stale", message))
    for path, text in found:
        original = text.get("quote", text.get(source.code))
        for lang in translated:
            translation = text.get(lang.code)
            if isinstance(original, str) and isinstance(translation, str):
                out += [((*path, lang.code), "parity", f"'{ident}': {problem}") for problem in parity(original, translation, source, lang)]
    return out


def coverage(items: Iterable[Any], languages: tuple[Language, ...], memo: Any = None) -> list[Coverage]:
    """Each language's share of the translatable texts of ``items`` (raw content). ``memo``: counts of
    items counted before (see :meth:`~explainer.incremental.Memo.item`)."""
    order = tuple(lang.code for lang in languages)
    counts = [0] * len(order)
    total = 0
    for item in items:
        found = memo.item(item, "coverage", order, partial(_counts, item, order)) if memo is not None else _counts(item, order)
        total += found[0]
        counts = [a + b for a, b in zip(counts, found[1], strict=True)]
    return [Coverage(lang, n, total) for lang, n in zip(languages, counts, strict=True)]


def _counts(item: Any, order: tuple[str, ...]) -> tuple[int, tuple[int, ...]]:
    """The translatable texts of one item, and how many of them each language (in ``order``) has."""
    codes = frozenset(order)
    total, counts = 0, [0] * len(order)
    for _path, text in texts(item, codes):
        total += 1
        for i, code in enumerate(order):
            counts[i] += code in text or (i == 0 and "quote" in text)
    return total, tuple(counts)


@lru_cache(maxsize=64)
def english_name(lang: Language) -> str:
    """The language's name in English ("Arabic", "Central Kurdish"): the messages of ``check`` are English."""
    from babel import Locale

    try:
        return str(Locale.parse(lang.locale.split("_")[0]).english_name)
    except (ValueError, LookupError):
        return lang.code


_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_NON_LATIN_DIGIT = re.compile("[٠-٩۰-۹]")
_NUMBER = re.compile(r"\d+(?:[,٬]\d{3})*(?:[.٫]\d+)?")


def numbers(text: str) -> set[str]:
    """The numbers written with digits in ``text`` (any digit set; grouping ignored)."""
    if _NON_LATIN_DIGIT.search(text):
        text = text.translate(_DIGITS)
    return {match.replace(",", "").replace("٬", "").replace("٫", ".") for match in _NUMBER.findall(text)}


@lru_cache(maxsize=64)
def _month_names(locale: str) -> tuple[re.Pattern[str], tuple[tuple[re.Pattern[str], int], ...]]:
    """The month names of ``locale`` and of its language alone (Iraqi and Egyptian Arabic names both),
    each as a whole-word pattern (case-sensitive: "May" is a month, "may" a verb), and one pattern
    that finds any of them (most texts name no month: one search instead of two dozen)."""
    from babel import Locale

    names: dict[str, int] = {}
    for one in dict.fromkeys((locale, locale.split("_")[0])):
        try:
            months = Locale.parse(one).months
        except (ValueError, LookupError):
            continue
        for form in ("format", "stand-alone"):
            names.update({name: number for number, name in months.get(form, {}).get("wide", {}).items()})
    each = tuple((re.compile(rf"(?<!\w){re.escape(name)}(?!\w)"), number) for name, number in names.items())
    return re.compile(rf"(?<!\w)(?:{'|'.join(re.escape(name) for name in names)})(?!\w)"), each


def months(text: str, lang: Language) -> set[int]:
    """The months named in ``text`` (in ``lang``)."""
    any_month, each = _month_names(lang.locale)
    if any_month.search(text) is None:
        return set()
    return {number for pattern, number in each if pattern.search(text)}


def parity(original: str, translation: str, source: Language, lang: Language) -> list[str]:
    """How the numbers and months of a text and its translation differ (empty if they agree)."""
    problems = []
    a, b = numbers(original), numbers(translation)
    if a != b:
        only_a, only_b = sorted(a - b), sorted(b - a)
        detail = "; ".join(
            x
            for x in (
                f"only in {english_name(source)}: {', '.join(only_a)}" if only_a else "",
                f"only in {english_name(lang)}: {', '.join(only_b)}" if only_b else "",
            )
            if x
        )
        problems.append(f"numbers differ ({detail})")
    ma, mb = months(original, source), months(translation, lang)
    if ma != mb:
        problems.append(f"months differ ({english_name(source)}: {_named(ma, source)}; {english_name(lang)}: {_named(mb, lang)})")
    return problems


def _named(numbers: set[int], lang: Language) -> str:
    """Months by their names in ``lang``'s locale."""
    from babel import Locale

    names = Locale.parse(lang.locale).months["format"]["wide"]
    return ", ".join(names[m] for m in sorted(numbers)) or "none"
