"""Language as data: dates and numbers per locale, and the digit policy (the UI strings are in :mod:`~explainer.catalogs`)."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from babel.dates import format_date as _babel_date
from babel.dates import format_skeleton
from babel.numbers import format_decimal

from .model import FuzzyDate, Language

_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_ARABIC_SEPARATORS = str.maketrans({",": "٬", ".": "٫"})
_SKELETONS = {"year": "y", "month": "yMMMM"}


def digits(text: str, policy: str) -> str:
    """Apply a digit policy to ``text``: ``arab`` maps 0–9 to ٠–٩; ``latn`` leaves it."""
    return text.translate(_ARABIC_INDIC) if policy == "arab" else text


@lru_cache(maxsize=65536)
def format_date(date: FuzzyDate, lang: Language) -> str:
    """The date at its precision in the language's locale and digits (without qualifier), its
    spaces no-break: a line never ends inside a date ("أيلول" / "2025")."""
    day = dt.date(date.year, date.month or 1, date.day or 1)
    if date.precision == "day":
        text = _babel_date(day, "long", locale=lang.locale)
    else:
        text = format_skeleton(_SKELETONS[date.precision], day, locale=lang.locale)
    return digits(text, lang.digits).replace(" ", "\u00a0")


@lru_cache(maxsize=4096)
def format_number(value: float, lang: Language) -> str:
    """A number with the locale's grouping, in the language's digits."""
    text = format_decimal(value, locale=lang.locale, group_separator=lang.grouping)
    if lang.digits == "arab":
        text = text.translate(_ARABIC_SEPARATORS).translate(_ARABIC_INDIC)
    return text
