"""UI catalogs: the templates' strings in each language, the Flask-Babel way.

Translators edit ``locales/<code>/LC_MESSAGES/messages.po``; ``python3 tools/catalogs.py`` extracts
the strings from the templates, merges them into every catalog and compiles each into
``messages.mo`` beside it. A build reads only the compiled ``.mo`` files (with Python's gettext);
``check`` and the tests read the ``.po`` files too: their syntax, whether every string the
templates use is translated, and whether each ``.mo`` is the one its ``.po`` compiles to.

A language without a compiled catalog shows the source language's strings (``check`` says so); a
catalog that lacks a string falls back the same way, string by string.
"""

from __future__ import annotations

import array
import gettext
import io
import operator
import re
import struct
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from gettext import GNUTranslations, NullTranslations
from pathlib import Path
from typing import Any

from .errors import Problem, visible
from .model import Language
from .project import InputError, Project
from .uitext import entry_problems

EXTRA_KEYWORDS = {"tr": None}
"""``tr`` is another language's gettext on pages in several languages."""


def keywords() -> dict[str, Any]:
    """Gettext keywords in templates: Babel's and :data:`EXTRA_KEYWORDS`."""
    from babel.messages.extract import DEFAULT_KEYWORDS

    return {**DEFAULT_KEYWORDS, **EXTRA_KEYWORDS}


def po_path(project: Project, code: str) -> Path:
    return project.locales / code / "LC_MESSAGES" / "messages.po"


def mo_path(project: Project, code: str) -> Path:
    return project.locales / code / "LC_MESSAGES" / "messages.mo"


_REBUILD = "run: python3 tools/catalogs.py"
_RECOMPILE = "compile it again from its .po: python3 tools/catalogs.py (then check reports what is wrong in the .po itself)"


def translations(project: Project, languages: Iterable[Language]) -> tuple[dict[str, NullTranslations], list[Problem]]:
    """Each language's compiled catalog, falling back to the source language's (the first): the
    catalogs the build uses. The source language must have one; another language may lack it."""
    langs = list(languages)
    found: dict[str, NullTranslations] = {}
    problems: list[Problem] = []
    for lang in langs:
        file = mo_path(project, lang.code)
        try:
            data = project.read_bytes(file)
        except InputError as exc:
            if not exc.missing:
                problems.append(exc.problem)
            elif lang is langs[0]:
                message = f"the UI catalog of the source language ({lang.code}) is not compiled"
                problems.append(Problem(project.show(file), 1, 1, message, _REBUILD))
            continue
        why = mo_problem(data)
        if why is not None:
            message = f"not a compiled catalog the build can use: {why}"
            problems.append(Problem(project.show(file), 1, 1, message, "compile it again from its .po file: python3 tools/catalogs.py"))
            continue
        try:
            found[lang.code] = GNUTranslations(io.BytesIO(data))
        except Exception as exc:  # gettext reads data here (its header's charset and plural forms): a located error
            message = f"not a compiled catalog: {type(exc).__name__}: {str(exc)[:200]}"
            problems.append(Problem(project.show(file), 1, 1, message, _REBUILD))
            continue
        charset = str(getattr(found[lang.code], "_charset", None) or "utf-8").lower().replace("_", "-")
        if charset not in ("utf-8", "utf8"):  # a charset such as unicode_escape turns plain ASCII into any character
            message = f"not a compiled catalog the build can use: its header names the charset «{visible(charset[:40])}»"
            problems.append(Problem(project.show(file), 1, 1, message, _REBUILD))
            del found[lang.code]
            continue
        more = _compiled_problems(project, lang.code, data, found[lang.code])
        if more:
            problems += more
            del found[lang.code]
    source = found.get(langs[0].code, NullTranslations()) if langs else NullTranslations()
    out: dict[str, NullTranslations] = {}
    for lang in langs:
        own = found.get(lang.code)
        if own is None:
            out[lang.code] = source
        else:
            if own is not source:
                own.add_fallback(source)
            out[lang.code] = own
    return out, problems


def _compiled_problems(project: Project, code: str, data: bytes, catalog: NullTranslations) -> list[Problem]:
    """What the build may not use in a compiled catalog gettext has read: a plural rule that fails or picks a form
    the catalog does not have (at the ``.mo``), and translations with markup or placeholders their msgid lacks
    (at their ``msgstr`` line in the ``.po``, as ``check`` reports them; at the ``.mo``, which does not match its ``.po``,
    where the ``.po`` does not hold that translation)."""
    show = project.show(mo_path(project, code))
    why = plural_problem(str(getattr(catalog, "_info", {}).get("plural-forms", "")), getattr(catalog, "plural", None))
    if why is not None:
        return [Problem(show, 1, 1, f"not a compiled catalog the build can use: {why}", _REBUILD)]
    from babel.messages.mofile import read_mo

    try:
        messages = [m for m in read_mo(io.BytesIO(data)) if m.id]
    except Exception as exc:  # gettext read it, so Babel should: whatever it raises is this file's problem
        return [Problem(show, 1, 1, f"not a compiled catalog: {type(exc).__name__}: {str(exc)[:200]}", _REBUILD)]
    found: list[tuple[str | None, str, int, str, str, str]] = []
    for m in messages:
        ids = [str(i) for i in m.id] if isinstance(m.id, tuple | list) else [str(m.id)]
        strings = [str(s or "") for s in m.string] if isinstance(m.string, tuple | list) else [str(m.string or "")]
        found += [
            (m.context, ids[0], i, strings[i], message, hint)
            for i, message, hint in entry_problems(ids[0], ids[1] if len(ids) > 1 else None, strings)
        ]
    lines = _msgstr_lines(project, code) if found else {}  # the .po is read only to locate a problem
    problems: list[Problem] = []
    for context, msgid, index, text, message, hint in found:
        where = lines.get((context, msgid, index))
        if where is not None and where[2] == text:
            problems.append(Problem(where[0], where[1], 1, message, hint))
        else:  # the .po does not hold this translation: the .mo was not compiled from it (or the .po is gone)
            po = project.show(po_path(project, code))
            problems.append(Problem(show, 1, 1, f"{message} (only in this compiled catalog: it does not match {po})", _RECOMPILE))
    return problems


def _msgstr_lines(project: Project, code: str) -> dict[tuple[str | None, str, int], tuple[str, int, str]]:
    """The file, line and text of each msgstr (by context, msgid and plural index) of a language's ``.po``, if it can be read."""
    po = po_path(project, code)
    try:
        text = project.read_bytes(po).decode("utf-8")
    except (InputError, UnicodeDecodeError):
        return {}
    found: dict[tuple[str | None, str, int], tuple[str, int, str]] = {}
    for e in _po_entries(text, project.show(po), []):
        if e.broken or "msgid" not in e.fields:
            continue
        context = e.fields.get("msgctxt")
        key = (None if context is None else unescape(context), unescape(e.fields["msgid"]))
        for field, line in e.lines.items():
            if field.startswith("msgstr"):
                index = int(field[7:-1]) if field != "msgstr" else 0
                found.setdefault((*key, index), (project.show(po), line, unescape(e.fields[field])))
    return found


_PO_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "f": "\f", "v": "\v"}


def unescape(text: str) -> str:
    """The text of a ``.po`` string (between its quotes): ``\\"`` is ``"``, ``\\n`` a line break."""
    return re.sub(r"\\(.)", lambda m: _PO_ESCAPES.get(m.group(1), m.group(1)), text)


PLURAL_CHECKED = 200
"""A plural rule is tried for the numbers 0 to this one before the build uses it."""


def plural_problem(header: str, rule: Any) -> str | None:
    """Why a catalog's plural rule (gettext's function ``rule`` of its ``Plural-Forms`` header) cannot be used, or None:
    it fails for a number from 0 to :data:`PLURAL_CHECKED`, or picks a form beyond the catalog's ``nplurals``."""
    if rule is None:
        return None
    declared = _PLURAL_FORMS.match(header)
    forms = int(declared.group(1)) if declared else MAX_PLURALS
    for n in range(PLURAL_CHECKED + 1):
        try:
            form = rule(n)
        except Exception as exc:  # the rule is data: n%0 divides by zero
            return f"its plural rule fails for n = {n}: {type(exc).__name__}: {str(exc)[:100]}"
        if not isinstance(form, int) or not 0 <= form < forms:
            return f"its plural rule picks form {form!r} for n = {n}, but the catalog has {forms} plural forms (0 to {forms - 1})"
    return None


_MO_ORDER = {0x950412DE: "<", 0xDE120495: ">"}
"""The first four bytes of a compiled catalog (GNU ``.mo``), read little-endian: the byte order of its numbers."""

_U32 = next(code for code in "IL" if array.array(code).itemsize == 4)
"""The array type code of its 32-bit numbers."""


def mo_problem(data: bytes) -> str | None:
    """Why gettext should not read the compiled catalog ``data``, or None.

    gettext makes a string of each entry's original and translation wherever the file's tables say
    they lie, so the entries of a crafted file can all point at one large region: each would take as
    much memory again (60 entries on a 30 MB region took 1.9 GB). So every string must lie inside the
    file, and together they may be no longer than the file, as in any catalog a compiler writes."""
    if len(data) < 28 or (order := _MO_ORDER.get(int.from_bytes(data[:4], "little"))) is None:
        return "it does not start as a compiled catalog (.mo) does"
    count, originals, translations = struct.unpack(f"{order}3I", data[8:20])
    if any(table + 8 * count > len(data) for table in (originals, translations)):
        return f"its tables of {count:,} entries run past the end of the file"
    total = 0
    for table in (originals, translations):
        numbers = array.array(_U32, data[table : table + 8 * count])
        if (order == "<") != (sys.byteorder == "little"):
            numbers.byteswap()
        lengths, offsets = numbers[0::2], numbers[1::2]
        if max(map(operator.add, lengths, offsets), default=0) >= len(data):  # each string ends with a NUL byte inside the file
            return "a string of its tables runs past the end of the file"
        total += sum(lengths)
    if total > len(data):
        return (
            f"its {count:,} entries point at {total:,} bytes of text in a file of {len(data):,} bytes "
            "(entries that share or overlap their text, which no compiler writes)"
        )
    return None


# --- compiling (tools/catalogs.py, check and the tests) -------------------------------------------


def compile_po(raw: bytes, show: str, locale: str) -> tuple[bytes | None, frozenset[str], list[Problem]]:
    """The ``.mo`` bytes of a ``.po`` file, its msgids, and its problems (no bytes if it is malformed)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = len(raw[raw.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8", "replace")) + 1
        message = f"catalog is not valid UTF-8 (byte 0x{raw[exc.start]:02x})"
        return None, frozenset(), [Problem(show, line, col, message, "save it as UTF-8 .po text")]
    problems = check_po(text, show)
    if any(p.message.startswith("malformed catalog") for p in problems):
        return None, frozenset(), problems  # Babel would read such a file silently wrong
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import PoFileError, read_po

    try:
        catalog = read_po(io.BytesIO(raw), locale=locale, abort_invalid=True)
        buf = io.BytesIO()
        write_mo(buf, catalog)
        GNUTranslations(io.BytesIO(buf.getvalue()))  # as the build will read it
    except PoFileError as exc:
        line = getattr(exc, "lineno", 1) or 1
        return None, frozenset(), [Problem(show, line, 1, f"malformed catalog: {exc}", "fix the .po syntax (msgid/msgstr pairs in quotes)")]
    except Exception as exc:  # Babel and gettext read data here: whatever they raise is this file's problem, not a traceback
        message = f"cannot read catalog: {type(exc).__name__}: {str(exc)[:200]}"
        hint = "compare its header with the other language's catalog, and save it as UTF-8 .po text"
        return None, frozenset(), [*problems, Problem(show, 1, 1, message, hint)]
    ids = frozenset(m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id)
    return buf.getvalue(), ids, problems


def ui_strings(project: Project) -> tuple[list[tuple[Path, int, str]], list[Problem]]:
    """Every UI string the templates use, with its template and line (templates that cannot be read
    or do not compile are left to the build, which reports them)."""
    from babel.messages.extract import extract

    found: list[tuple[Path, int, str]] = []
    files, problems = project.files_below(project.templates)
    options = {"extensions": "jinja2.ext.i18n", "trimmed": "false"}
    for tpl in sorted(p for p in files if p.suffix == ".html"):
        try:
            source = project.read_bytes(tpl)
            strings = list(extract("jinja2", io.BytesIO(source), keywords=keywords(), options=options))
        except InputError:
            continue
        except Exception as exc:  # a syntax error: the build reports it with its line
            if "TemplateSyntaxError" in type(exc).__name__ or isinstance(exc, UnicodeDecodeError):
                continue
            raise
        found += [(tpl, line, message if isinstance(message, str) else message[0]) for line, message, _c, _ctx in strings]
    return found, problems


@dataclass(frozen=True)
class Coverage:
    """A language's UI catalog as ``check`` reports it."""

    lang: str
    compiled: bool
    missing: int
    total: int


def check_catalogs(project: Project, languages: Iterable[Language]) -> tuple[list[Problem], list[Coverage]]:
    """What ``check`` says about the UI catalogs: problems in each ``.po``, a ``.mo`` that is not what
    its ``.po`` compiles to, strings the templates use that a catalog lacks; and each language's coverage."""
    strings, problems = ui_strings(project)
    used = sorted({msgid for _tpl, _line, msgid in strings})
    coverage: list[Coverage] = []
    for lang in languages:
        po, mo = po_path(project, lang.code), mo_path(project, lang.code)
        try:
            raw = project.read_bytes(po)
        except InputError as exc:
            if not exc.missing:
                problems.append(exc.problem)
            coverage.append(Coverage(lang.code, False, len(used), len(used)))
            continue
        compiled, ids, found = compile_po(raw, project.show(po), lang.locale)
        problems += found
        if compiled is None:
            continue
        try:
            fresh = project.read_bytes(mo) == compiled
        except InputError:
            fresh = False
        if not fresh:
            message = f"the compiled catalog {project.show(mo)} is missing or older than {project.show(po)}"
            problems.append(Problem(project.show(po), 1, 1, message, _REBUILD))
        for tpl, line, msgid in strings:
            if msgid not in ids:
                message = f"UI string {msgid!r} has no translation in {project.show(po)}"
                hint = f"run: python3 tools/catalogs.py, then translate it in {project.show(po)}"
                problems.append(Problem(project.show(tpl), line, 1, message, hint))
        coverage.append(Coverage(lang.code, True, sum(1 for msgid in used if msgid not in ids), len(used)))
    return problems, coverage


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
    entries = _po_entries(text, show, problems)
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
        if msgid:  # not the header
            problems += _translation_problems(e, msgid, show)
    return problems


def _translation_problems(e: _PoEntry, msgid: str, show: str) -> list[Problem]:
    strings = {k: v for k, v in e.fields.items() if k.startswith("msgstr")}
    if not strings:
        return [Problem(show, e.lines["msgid"], 1, f"msgid {msgid!r} has no msgstr", "add a msgstr line with the translation")]
    if not all(strings.values()):
        empty = min(e.lines[k] for k, v in strings.items() if not v)
        return [Problem(show, empty, 1, f"missing translation for {msgid!r}", "write the msgstr for this msgid")]
    if e.fuzzy:
        message = f"translation of {msgid!r} is marked fuzzy, so it is not used"
        return [Problem(show, e.line, 1, message, "check the msgstr, then delete the '#, fuzzy' line")]
    plural = e.fields.get("msgid_plural")
    fields = sorted(strings, key=lambda k: int(k[7:-1]) if k != "msgstr" else 0)
    found = entry_problems(unescape(msgid), None if plural is None else unescape(plural), [unescape(strings[k]) for k in fields])
    return [Problem(show, e.lines[fields[index]], 1, message, hint) for index, message, hint in found]


def _po_entries(text: str, show: str, problems: list[Problem]) -> list[_PoEntry]:
    """The entries of a ``.po`` text; a malformed line is a problem, and the rest of its block is skipped."""
    entries: list[_PoEntry] = []
    entry: _PoEntry | None = None
    field: str | None = None
    fuzzy = False
    block = 1  # the first line of the current entry's block (entries are separated by blank lines)
    skipping = False
    for n, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if not stripped:
            field, skipping, block = None, False, n + 1
            continue
        if stripped.startswith("#"):
            fuzzy = fuzzy or (stripped.startswith("#,") and "fuzzy" in stripped)
            continue
        if skipping:
            continue
        start = len(line) - len(line.lstrip())
        keyword = _PO_KEYWORD.match(line, start)
        string = _PO_STRING.match(line, keyword.end() if keyword else start)
        if string is None or (keyword is None and field is None):
            problems.append(_malformed(show, n, line, start, stripped, keyword))
            if entry is not None and entry.line >= block:
                entry.broken = True
            field, skipping = None, True
            continue
        if keyword is not None:
            field = keyword.group(1)
            if entry is None or field == "msgctxt" or (field == "msgid" and "msgid" in entry.fields):
                entry = _PoEntry(n, fuzzy, {}, {})
                entries.append(entry)
                fuzzy = False
            if field in entry.fields:
                problems.append(Problem(show, n, start + 1, f"malformed catalog: a second {field} in one entry", _PO_HINT))
            entry.fields[field] = ""
            entry.lines[field] = n
        assert entry is not None and field is not None
        entry.fields[field] += string.group(1)
    return entries


def _malformed(show: str, n: int, line: str, start: int, stripped: str, keyword: re.Match[str] | None) -> Problem:
    if keyword is None and not line[start:].startswith('"'):
        message = f"unexpected text «{stripped[:40]}»"
    elif keyword is None:
        message = "a continuation line must follow a msgid or msgstr"
    else:
        message = f"the text after {keyword.group(1)} must be in double quotes"
    return Problem(show, n, (keyword.end() if keyword else start) + 1, f"malformed catalog: {message}", _PO_HINT)


def header_problems(text: str, show: str) -> list[Problem]:
    """The problems of a ``.po`` text's header alone (what must hold before Babel reads the file)."""
    return _header_problems(text, _po_entries(text, show, []), show)


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
    start = header.lines["msgstr"]
    problems: list[Problem] = []
    if "plural-forms" in fields:
        value = fields["plural-forms"]
        why = _plural_forms_problem(value)
        if why is not None:
            message = f"malformed catalog: {why} (found «{value.strip()[:80]}»)"
            problems.append(Problem(show, _header_line(text, start, "plural-forms:"), 1, message, _HEADER_HINT))
    charset = _CHARSET.search(fields.get("content-type", ""))
    if charset is not None and charset.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
        message = f"malformed catalog: the header names the charset «{charset.group(1)[:40]}»; the file must be UTF-8"
        problems.append(
            Problem(show, _header_line(text, start, "content-type:"), 1, message, "write charset=utf-8 in the Content-Type line")
        )
    return problems


def _plural_forms_problem(value: str) -> str | None:
    """What is wrong with a ``Plural-Forms`` header value, if anything."""
    found = _PLURAL_FORMS.match(value)
    if found is None:
        return "Plural-Forms must read 'nplurals=N; plural=EXPRESSION;'"
    if not 1 <= int(found.group(1)) <= MAX_PLURALS:
        return f"Plural-Forms declares {int(found.group(1)):,} plural forms; a language has 1 to {MAX_PLURALS}"
    if len(found.group(2)) > MAX_PLURAL_EXPRESSION:
        return f"the plural expression is longer than {MAX_PLURAL_EXPRESSION} characters"
    try:
        rule = gettext.c2py(found.group(2))
    except (ValueError, RecursionError, SyntaxError) as exc:
        return f"the plural expression is not valid: {exc}"
    return plural_problem(value, rule)


def _header_line(text: str, start: int, name: str) -> int:
    """The line of the header's field ``name``: the header's msgstr (line ``start``) or one of the 200 lines after it."""
    lines = text.split("\n", start + 200)
    for n in range(start, min(len(lines), start + 200) + 1):
        if lines[n - 1].lstrip().lstrip('"').lower().startswith(name):
            return n
    return start
