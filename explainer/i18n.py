"""Language as data: dates and numbers per locale, the digit policy, UI catalogs."""

from __future__ import annotations

import contextlib
import datetime as dt
import gettext
import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from gettext import GNUTranslations
from io import BytesIO
from pathlib import Path

from babel.dates import format_date as _babel_date
from babel.dates import format_skeleton
from babel.numbers import format_decimal

from .errors import Problem
from .model import FuzzyDate, Language
from .write import replace_file

_ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
_ARABIC_SEPARATORS = str.maketrans({",": "٬", ".": "٫"})
_SKELETONS = {"year": "y", "month": "yMMMM"}


def digits(text: str, policy: str) -> str:
    """Apply a digit policy to ``text``: ``arab`` maps 0–9 to ٠–٩; ``latn`` leaves it."""
    return text.translate(_ARABIC_INDIC) if policy == "arab" else text


@lru_cache(maxsize=4096)
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


@dataclass(frozen=True)
class Catalog:
    """A compiled UI catalog and the path of its source ``.po`` file."""

    path: Path
    translations: GNUTranslations
    messages: frozenset[str]


def load_catalog(locales: Path, lang: Language, show: str, compiled: Path | None = None) -> tuple[Catalog | None, list[Problem]]:
    """Read ``locales/<code>/LC_MESSAGES/messages.po``; a malformed file becomes problems.

    With ``compiled`` (a private cache folder), the compiled catalog is kept there by a hash of the
    ``.po`` file, and a build whose catalog is unchanged loads it with Python's own gettext instead of
    importing Babel's catalog modules and parsing the ``.po`` again (a twentieth of a build of the
    real site). The ``.po`` file is checked (:func:`check_po`) either way.
    """
    po = locales / lang.code / "LC_MESSAGES" / "messages.po"
    if not po.is_file():
        return None, [Problem(show, 1, 1, "UI catalog is missing", "run: pybabel init -i locales/messages.pot -d locales -l " + lang.code)]
    raw = po.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = len(raw[raw.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8", "replace")) + 1
        return None, [Problem(show, line, col, f"catalog is not valid UTF-8 (byte 0x{raw[exc.start]:02x})", "save it as UTF-8 .po text")]
    problems = check_po(text, show)
    if any(p.message.startswith("malformed catalog") for p in problems):
        return None, problems  # Babel would read such a file silently wrong
    kept = _kept_catalog(compiled, raw, lang)
    if kept is not None:
        try:
            mo, ids = kept.with_suffix(".mo").read_bytes(), json.loads(kept.with_suffix(".json").read_text("utf-8"))
            return Catalog(po, GNUTranslations(BytesIO(mo)), frozenset(ids)), problems
        except (OSError, ValueError, LookupError, UnicodeError, RecursionError):
            pass  # not kept yet (or half written): compiled below
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import PoFileError, read_po

    try:
        catalog = read_po(BytesIO(raw), locale=lang.locale, abort_invalid=True)
        buf = BytesIO()
        write_mo(buf, catalog)
        translations = GNUTranslations(BytesIO(buf.getvalue()))
    except PoFileError as exc:
        line = getattr(exc, "lineno", 1) or 1
        return None, [Problem(show, line, 1, f"malformed catalog: {exc}", "fix the .po syntax (msgid/msgstr pairs in double quotes)")]
    except Exception as exc:  # Babel and gettext read data here: whatever they raise is this file's problem, not a traceback
        message = f"cannot read catalog: {type(exc).__name__}: {str(exc)[:200]}"
        return None, [Problem(show, 1, 1, message, "compare its header with the other language's catalog, and save it as UTF-8 .po text")]
    ids = sorted({m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id})
    if kept is not None:
        with contextlib.suppress(OSError):
            replace_file(kept.with_suffix(".json"), json.dumps(ids, ensure_ascii=False).encode())
            replace_file(kept.with_suffix(".mo"), buf.getvalue())
    return Catalog(po, translations, frozenset(ids)), problems


def _kept_catalog(folder: Path | None, po: bytes, lang: Language) -> Path | None:
    """Where the compiled catalog of ``po`` is kept (without suffix): named by a hash of what makes it."""
    if folder is None:
        return None
    import babel

    digest = hashlib.sha256(repr((lang.locale, babel.__version__)).encode() + po).hexdigest()
    return folder / f"__explainer_catalog_{digest[:40]}"


_PO_KEYWORD = re.compile(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[[0-9]+\])?)(?=[ \t\"])[ \t]*")
_PO_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"[ \t]*\Z')
_PO_HINT = 'each line is msgid "…", msgstr "…" or a continuation "…", with \\" for a quote inside the text'


MAX_PLURALS = 6
"""Arabic has the most plural forms of any language (six): a catalog may not declare more."""

MAX_PLURAL_EXPRESSION = 300
_PLURAL_FORMS = re.compile(r"\s*nplurals\s*=\s*([0-9]{1,9})\s*;\s*plural\s*=\s*([^;]+?)\s*;?\s*\Z")
_CHARSET = re.compile(r"charset\s*=\s*([^;\s]*)", re.IGNORECASE)
_HEADER_HINT = "copy this header line from a catalog that builds (or let pybabel write it: pybabel init)"


@dataclass
class _PoEntry:
    line: int
    fuzzy: bool
    fields: dict[str, str]
    lines: dict[str, int]
    broken: bool = False


def check_po(text: str, show: str) -> list[Problem]:
    """Check a ``.po`` file line by line, as Babel does not: bad syntax, duplicates, missing and fuzzy translations.

    Babel reads ``msgstr City`` (no quotes) as "it" and keeps the first of two identical msgids
    without a word; here each such line is an error at its line and column.
    """
    problems: list[Problem] = []
    entries: list[_PoEntry] = []
    entry: _PoEntry | None = None
    field: str | None = None
    fuzzy = False
    block = 1  # the first line of the current entry's block (entries are separated by blank lines)
    skipping = False  # after a malformed line, the rest of its block is not read
    for n, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if not stripped:
            field, skipping, block = None, False, n + 1
            continue
        if stripped.startswith("#"):
            if stripped.startswith("#,") and "fuzzy" in stripped:
                fuzzy = True
            continue
        if skipping:
            continue
        start = len(line) - len(line.lstrip())
        keyword = _PO_KEYWORD.match(line, start)
        string = _PO_STRING.match(line, keyword.end() if keyword else start)
        if string is None or (keyword is None and field is None):
            if keyword is None and not line[start:].startswith('"'):
                message = f"unexpected text «{stripped[:40]}»"
            elif keyword is None:
                message = "a continuation line must follow a msgid or msgstr"
            else:
                message = f"the text after {keyword.group(1)} must be in double quotes"
            problems.append(Problem(show, n, (keyword.end() if keyword else start) + 1, f"malformed catalog: {message}", _PO_HINT))
            if entry is not None and entry.line >= block:
                entry.broken = True
            field, skipping = None, True
            continue
        if keyword is not None:
            field = keyword.group(1)
            starts_entry = field == "msgctxt" or (field == "msgid" and (entry is None or "msgid" in entry.fields))
            if entry is None or starts_entry:
                entry = _PoEntry(n, fuzzy, {}, {})
                entries.append(entry)
                fuzzy = False
            if field in entry.fields:
                problems.append(Problem(show, n, start + 1, f"malformed catalog: a second {field} in one entry", _PO_HINT))
            entry.fields[field] = ""
            entry.lines[field] = n
        assert entry is not None and field is not None
        entry.fields[field] += string.group(1)
    problems += _header_problems(text, entries, show)
    seen: dict[tuple[str | None, str], int] = {}
    for e in entries:
        if e.broken:
            continue
        if "msgid" not in e.fields:
            problems.append(Problem(show, e.line, 1, "malformed catalog: an entry without msgid", _PO_HINT))
            continue
        msgid = e.fields["msgid"]
        key = (e.fields.get("msgctxt"), msgid)
        if key in seen:
            message = f"duplicate msgid {msgid!r} (first on line {seen[key]})"
            problems.append(Problem(show, e.lines["msgid"], 1, message, "keep one entry per msgid; the other is ignored"))
            continue
        seen[key] = e.lines["msgid"]
        if not msgid:
            continue  # the header
        strings = {k: v for k, v in e.fields.items() if k.startswith("msgstr")}
        if not strings:
            problems.append(Problem(show, e.lines["msgid"], 1, f"msgid {msgid!r} has no msgstr", "add a msgstr line with the translation"))
        elif not all(strings.values()):
            empty = min(e.lines[k] for k, v in strings.items() if not v)
            problems.append(Problem(show, empty, 1, f"missing translation for {msgid!r}", "write the msgstr for this msgid"))
        elif e.fuzzy:
            message = f"translation of {msgid!r} is marked fuzzy, so it is not used"
            problems.append(Problem(show, e.line, 1, message, "check the msgstr, then delete the '#, fuzzy' line"))
    return problems


def _header_problems(text: str, entries: list[_PoEntry], show: str) -> list[Problem]:
    """The problems of the catalog's header (its ``msgid ""`` entry) that would make Babel or gettext fail or
    take unbounded memory: ``Plural-Forms`` (at most :data:`MAX_PLURALS` forms, a short C expression in
    ``n``) and the charset (the file is UTF-8, so the header says so)."""
    header = next((e for e in entries if not e.broken and e.fields.get("msgid") == "" and "msgctxt" not in e.fields), None)
    if header is None or "msgstr" not in header.fields:
        return []
    fields: dict[str, str] = {}
    for item in header.fields["msgstr"].split("\\n"):
        name, sep, value = item.partition(":")
        if sep:
            fields.setdefault(name.strip().lower(), value)
    problems: list[Problem] = []

    def line_of(name: str) -> int:
        """The line of the header's field ``name`` (continuation lines follow the header's msgstr)."""
        lines = text.split("\n", header.lines["msgstr"] + 200)
        for n in range(header.lines["msgstr"], min(len(lines), header.lines["msgstr"] + 200) + 1):
            if lines[n - 1].lstrip().lstrip('"').lower().startswith(name):
                return n
        return header.lines["msgstr"]

    if "plural-forms" in fields:
        value = fields["plural-forms"]
        found = _PLURAL_FORMS.match(value)
        why = None
        if found is None:
            why = "Plural-Forms must read 'nplurals=N; plural=EXPRESSION;'"
        elif not 1 <= int(found.group(1)) <= MAX_PLURALS:
            why = f"Plural-Forms declares {int(found.group(1)):,} plural forms; a language has 1 to {MAX_PLURALS}"
        elif len(found.group(2)) > MAX_PLURAL_EXPRESSION:
            why = f"the plural expression is longer than {MAX_PLURAL_EXPRESSION} characters"
        else:
            try:
                gettext.c2py(found.group(2))
            except (ValueError, RecursionError, SyntaxError) as exc:
                why = f"the plural expression is not valid: {exc}"
        if why is not None:
            problems.append(
                Problem(show, line_of("plural-forms:"), 1, f"malformed catalog: {why} (found «{value.strip()[:80]}»)", _HEADER_HINT)
            )
    if "content-type" in fields:
        charset = _CHARSET.search(fields["content-type"])
        if charset is not None and charset.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
            message = f"malformed catalog: the header names the charset «{charset.group(1)[:40]}»; the file must be UTF-8"
            problems.append(Problem(show, line_of("content-type:"), 1, message, "write charset=utf-8 in the Content-Type line"))
    return problems
