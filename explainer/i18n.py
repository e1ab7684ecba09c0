"""Language as data: dates and numbers per locale, the digit policy, UI catalogs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from babel.dates import format_date as _babel_date
from babel.dates import format_skeleton
from babel.numbers import format_decimal

from .errors import Problem
from .model import FuzzyDate, Language

_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_ARABIC_SEPARATORS = str.maketrans({",": "٬", ".": "٫"})
_SKELETONS = {"year": "y", "month": "yMMMM"}


def digits(text: str, policy: str) -> str:
    """Apply a digit policy to ``text``: ``arab`` maps 0–9 to ٠–٩; ``latn`` leaves it."""
    return text.translate(_ARABIC_INDIC) if policy == "arab" else text


def format_date(date: FuzzyDate, lang: Language) -> str:
    """The date at its precision in the language's locale and digits (without qualifier)."""
    day = dt.date(date.year, date.month or 1, date.day or 1)
    if date.precision == "day":
        text = _babel_date(day, "long", locale=lang.locale)
    else:
        text = format_skeleton(_SKELETONS[date.precision], day, locale=lang.locale)
    return digits(text, lang.digits)


def format_number(value: float, lang: Language) -> str:
    """A number with the locale's grouping, in the language's digits."""
    text = format_decimal(value, locale=lang.locale)
    if lang.digits == "arab":
        text = text.translate(_ARABIC_SEPARATORS).translate(_ARABIC_INDIC)
    return text


@dataclass(frozen=True)
class Catalog:
    """A compiled UI catalog and the path of its source ``.po`` file."""

    path: Path
    translations: object  # babel.support.Translations
    messages: frozenset[str]


def load_catalog(locales: Path, lang: Language, show: str) -> tuple[Catalog | None, list[Problem]]:
    """Read ``locales/<code>/LC_MESSAGES/messages.po``; a malformed file becomes problems."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import PoFileError, read_po
    from babel.support import Translations

    po = locales / lang.code / "LC_MESSAGES" / "messages.po"
    if not po.is_file():
        return None, [Problem(show, 1, 1, "UI catalog is missing", "run: pybabel init -i locales/messages.pot -d locales -l " + lang.code)]
    try:
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=lang.locale, abort_invalid=True)
    except PoFileError as exc:
        line = getattr(exc, "lineno", 1) or 1
        return None, [Problem(show, line, 1, f"malformed catalog: {exc}", "fix the .po syntax (msgid/msgstr pairs in double quotes)")]
    except (UnicodeDecodeError, ValueError) as exc:
        return None, [Problem(show, 1, 1, f"cannot read catalog: {exc}", "save it as UTF-8 .po text")]
    problems: list[Problem] = []
    for message in catalog:
        if not message.id:
            continue
        if not message.string or (isinstance(message.string, tuple) and not all(message.string)):
            line = message.lineno or 1
            problems.append(Problem(show, line, 1, f"missing translation for {message.id!r}", "write the msgstr for this msgid"))
    buf = BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    ids = frozenset(m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id)
    return Catalog(po, Translations(fp=buf), ids), problems
