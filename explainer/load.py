"""Stage 1 — load YAML files, keeping the line and column of every key and value.

The file is read as a stream of parser events (libyaml's, when available) and turned into
plain JSON-like values directly. Only plain data is accepted: tags (``!!python/object``…),
anchors and aliases (``&a``/``*a``), merge keys (``<<``), invisible control and bidi
override characters, runaway nesting and oversized files are located errors, so nothing in
a content file can execute, expand or crash the loader. The positions of the other values
are found only when one is asked for, by reading the text again (see :class:`_Located`):
most builds have nothing to locate.
"""

from __future__ import annotations

import gc
import math
import re
import stat
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

from .errors import Problem

try:  # libyaml's parser is several times faster; the pure-Python one behaves the same
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

JsonPath = tuple[str | int, ...]
Position = tuple[int, int]

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Content files larger than this are refused before parsing (a hand-written file is far smaller)."""

MAX_DEPTH = 32
"""Deepest nesting of lists and mappings accepted; the content format needs fewer than ten levels."""
_DEEP_HINT = "content files need only a few levels; look for unclosed brackets or runaway indentation"

_constructor = yaml.constructor.SafeConstructor()
_resolver = yaml.resolver.Resolver()
_SCALARS = {
    "tag:yaml.org,2002:int": _constructor.construct_yaml_int,
    "tag:yaml.org,2002:float": _constructor.construct_yaml_float,
    "tag:yaml.org,2002:bool": _constructor.construct_yaml_bool,
    "tag:yaml.org,2002:null": _constructor.construct_yaml_null,
}

# Characters refused in any text: C0/C1 controls (tab, newline and carriage return are allowed),
# the bidi embeddings, overrides and isolates (they can reorder the text around them), the line
# separators that YAML reads as line breaks and editors do not (NEL, U+2028, U+2029), characters
# that cannot be seen (soft hyphen, zero-width space, word joiner and the invisible operators, a
# byte-order mark inside the text, the Mongolian vowel separator, the tag characters), and the
# Unicode noncharacters U+FFFE/U+FFFF. Marks that only affect neighbouring letters (LRM, RLM,
# ALM, ZWJ, ZWNJ) stay allowed: Arabic text legitimately uses them (but not alone, see _MARKS).
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u180e\u200b\u2028-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufffe\uffff\U000e0000-\U000e007f]"
)
_UNPARSABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
"""The refused characters that YAML itself cannot read at all (the rest are refused after parsing)."""
_READABLE_REFUSED = (
    "\x85\u00ad\u180e\u200b\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067\u2068\u2069\ufeff"
)
"""The refused characters of the Basic Multilingual Plane that YAML reads (in _FORBIDDEN, not in _UNPARSABLE)."""
_READABLE = re.compile(f"[{_READABLE_REFUSED}\U000e0000-\U000e007f]")
"""Those and the tag characters: one search of the text finds whether it has any."""
_BREAKS = {0x85: " ", 0x2028: " ", 0x2029: " "}
"""YAML's line breaks that are not LF or CR, as the parser is given them: a space each (refused
anyway), so that every line and column it reports is the one an editor shows."""
_LONE_CR = re.compile("\r(?!\n)")
"""A line end of a file with CR-only line ends (old Mac): read as LF, which has the same length."""
_MARKS = re.compile("[\u061c\u200c-\u200f]")
"""The invisible marks allowed beside letters (ALM, ZWNJ, ZWJ, LRM, RLM); a text of nothing else is refused."""
_SPACE_AND_MARKS = " \t\r\n\u061c\u200c\u200d\u200e\u200f\u00a0"
MAX_CHAR_PROBLEMS = 10
_CHAR_NAMES = {
    "\x00": "NUL",
    "\x1b": "ESCAPE",
    "\x7f": "DELETE",
}
_NUMBERS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})
MAX_NUMBER = 1e15
"""Larger numbers (and .inf, .nan) are refused: they cannot be shown or compared sensibly."""
_EMPTY_HINT = "add the content, or delete the file if it is not needed"


def char_name(ch: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: how a character is named in messages."""
    name = unicodedata.name(ch, "") or _CHAR_NAMES.get(ch) or "control character"
    return f"U+{ord(ch):04X} {name}"


@dataclass(frozen=True)
class Document:
    """One content file: its data (plain JSON-like values) and where each part of it is."""

    path: str
    data: Any
    positions: Mapping[JsonPath, Position] = field(repr=False)
    key_positions: Mapping[JsonPath, Position] = field(repr=False)

    def where(self, path: JsonPath, *, key: bool = False) -> Position:
        """The position of ``path``, or of its nearest ancestor that has one.

        With ``key=True`` a mapping entry is located at its key rather than its value.
        """
        p = tuple(path)
        while p:
            table = self.key_positions if key else self.positions
            if p in table:
                return table[p]
            if p in self.positions:
                return self.positions[p]
            p = p[:-1]
        return self.positions.get((), (1, 1))


_Tables = tuple[dict[JsonPath, Position], dict[JsonPath, Position]]


class _Located:
    """The positions of a document's values and keys, found by reading its text again when first asked.

    Positions are needed only to locate a problem, and most builds have none: recording one for
    every value and key was a third of the time of loading a file (0.3 s of 1.0 s for 10,000
    events). So a file is read once for its data and refusals (every refusal carries the mark of
    the event in hand), and its text is kept until a position is asked for; then it is read
    again, the same way, with positions on, and let go.
    """

    def __init__(self, text: str, path: str) -> None:
        self._text: str | None = text
        self._path = path
        self._tables: _Tables | None = None

    def tables(self) -> _Tables:
        if self._tables is None:
            assert self._text is not None
            tables: _Tables = ({}, {})
            with _no_cyclic_gc():
                _read(_events(self._text), self._text, self._path, [], tables)
            self._tables, self._text = tables, None
        return self._tables


class _Table(Mapping[JsonPath, Position]):
    """One of a :class:`_Located`'s tables (0: values, 1: keys), made when first used."""

    def __init__(self, located: _Located, which: int) -> None:
        self._located, self._which = located, which

    def __getitem__(self, path: JsonPath) -> Position:
        return self._located.tables()[self._which][path]

    def __contains__(self, path: object) -> bool:
        return path in self._located.tables()[self._which]

    def __iter__(self) -> Iterator[JsonPath]:
        return iter(self._located.tables()[self._which])

    def __len__(self) -> int:
        return len(self._located.tables()[self._which])


def located(text: str, path: str) -> tuple[Mapping[JsonPath, Position], Mapping[JsonPath, Position]]:
    """The position tables (values, keys) of ``text``, a file that loads; made when first used."""
    found = _Located(text, path)
    return _Table(found, 0), _Table(found, 1)


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic GC: it makes building large trees superlinear."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def without_items(doc: Document, drop: Mapping[str, set[int]]) -> Document:
    """``doc`` without some items of its top-level lists (list key → their indices), located as in the file.

    A file whose schema check fails on some of its items is checked further without them, so that
    the other items' mistakes (an unknown id, say) are reported in the same run."""
    data = dict(doc.data)
    kept: dict[str, list[int]] = {}
    for key, indices in drop.items():
        kept[key] = [i for i in range(len(data[key])) if i not in indices]
        data[key] = [data[key][i] for i in kept[key]]
    return Document(doc.path, data, _Renumbered(doc.positions, kept), _Renumbered(doc.key_positions, kept))


class _Renumbered(Mapping[JsonPath, Position]):
    """A document's positions after :func:`without_items`: an item's path is that of the same item in the file."""

    def __init__(self, table: Mapping[JsonPath, Position], kept: Mapping[str, list[int]]) -> None:
        self.table, self.kept = table, kept

    def _in_file(self, path: JsonPath) -> JsonPath:
        key = path[0] if path else None
        if isinstance(key, str) and key in self.kept and len(path) > 1 and isinstance(path[1], int):
            return (key, self.kept[key][path[1]], *path[2:])
        return path

    def __getitem__(self, path: JsonPath) -> Position:
        return self.table[self._in_file(path)]

    def __contains__(self, path: object) -> bool:
        try:
            return isinstance(path, tuple) and self._in_file(path) in self.table
        except IndexError:
            return False

    def __iter__(self) -> Iterator[JsonPath]:
        return iter(self.table)

    def __len__(self) -> int:
        return len(self.table)


def load_text(text: str, path: str) -> tuple[Document | None, list[Problem]]:
    """Parse YAML ``text`` (shown to the user as ``path``)."""
    return _load(text, path, None)


def _load(text: str, path: str, encoded: bytes | None) -> tuple[Document | None, list[Problem]]:
    """:func:`load_text`; ``encoded``: the text's UTF-8 bytes, if at hand (the parser reads bytes, and is
    given them rather than encoding the text again)."""
    if text.startswith("\ufeff"):
        text = text[1:]
        encoded = encoded[3:] if encoded is not None else None
    if "\r" in text and _LONE_CR.search(text):
        text, encoded = _LONE_CR.sub("\n", text), None
    written = text  # the text as written; what the parser reads has its other line breaks as spaces
    if "\x85" in text or "\u2028" in text or "\u2029" in text:
        text, encoded = text.translate(_BREAKS), None
    if not _has_content(text):
        return None, [Problem(path, 1, 1, "file is empty", _EMPTY_HINT)]
    found: list[Problem] = []
    try:
        with _no_cyclic_gc():
            data, seen_document, ok = _read(_events(text if encoded is None else encoded), text, path, found)
    except yaml.YAMLError as exc:
        problems = _scan_characters(written, path)
        if problems and _UNPARSABLE.search(text) is not None:  # YAML cannot read these at all: report them alone
            return None, problems
        if isinstance(exc, yaml.MarkedYAMLError) and _LIBYAML_TOO_DEEP in str(exc.problem):
            return None, [*problems, *_too_deep(text, path, exc)]
        if isinstance(exc, yaml.MarkedYAMLError):
            return None, [*problems, *found, _syntax_problem(path, exc, text)]
        return None, [*problems, *found, Problem(path, 1, 1, f"YAML error: {exc}", "check the file's YAML syntax")]
    # The parser refuses the characters in _UNPARSABLE wherever they are, so a text it read to the end
    # has none; the others are looked for with one search before the whole text is scanned for all.
    problems = []
    if not ok or _READABLE.search(written):
        problems = _scan_characters(written, path)
        if problems and _UNPARSABLE.search(text) is not None:
            return None, problems
    problems += found
    if not ok:
        return None, problems
    if not seen_document:
        return None, [Problem(path, 1, 1, "file is empty", _EMPTY_HINT)]
    doc = Document(path, data, *located(text, path))
    if _MARKS.search(text):
        problems += _only_marks(doc, doc.data, ())
    return doc, problems


def _only_marks(doc: Document, value: Any, at: JsonPath) -> list[Problem]:
    """Every text of ``value`` made only of invisible marks (and spaces): it would be published as nothing."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _only_marks(doc, v, (*at, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _only_marks(doc, v, (*at, i))]
    if isinstance(value, str) and value and not value.strip(_SPACE_AND_MARKS) and _MARKS.search(value):
        line, col = doc.where(at)
        names = ", ".join(sorted({char_name(ch) for ch in _MARKS.findall(value)}))
        return [Problem(doc.path, line, col, f"text has no visible character (only {names})", "write the text, or remove the field")]
    return []


_LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"
"""What libyaml (PyYAML 6.0.4 and later) says when it stops at its own limit of 1,000 levels while
scanning, before the parser has given :func:`_read` the events that pass :data:`MAX_DEPTH`."""


def _too_deep(text: str, path: str, exc: yaml.MarkedYAMLError) -> list[Problem]:
    """The project's "nested too deeply" problem for a text libyaml refused as too deep.

    The text is read again with PyYAML's pure-Python parser, which has no limit of its own, so that
    :func:`_read` stops at :data:`MAX_DEPTH` and locates the first level too many. Should that parser
    refuse it too, the problem is placed where libyaml stopped.
    """
    found: list[Problem] = []
    try:
        _read(yaml.SafeLoader(text).get_event, text, path, found)
    except yaml.YAMLError:
        found = []
    deep = [p for p in found if "nested too deeply" in p.message]
    if deep:
        return deep
    mark = exc.problem_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return [Problem(path, line, col, f"the content is nested too deeply (more than {MAX_DEPTH} levels)", _DEEP_HINT)]


def _events(source: str | bytes) -> Callable[[], Any]:
    """The parser's next-event function: called directly, it is cheaper than ``yaml.parse``'s generator."""
    return cast(Callable[[], Any], _Loader(source).get_event)


def _scan_characters(text: str, path: str) -> list[Problem]:
    """Every refused character written literally in the file (comments included), located."""
    problems: list[Problem] = []
    for n, found in enumerate(_FORBIDDEN.finditer(text)):
        line, col = _line_col(text, found.start())
        if n == MAX_CHAR_PROBLEMS:
            more = sum(1 for _ in _FORBIDDEN.finditer(text, found.start()))
            message = f"{more} more refused characters from here on"
            problems.append(Problem(path, line, col, message, "delete them; they cannot be published"))
            break
        problems.append(_char_problem(path, line, col, found.group()))
    return problems


def load_file(file: Path, display: str) -> tuple[Document | None, list[Problem]]:
    """Read and parse one YAML file; unreadable, oversized or undecodable files become problems."""
    try:
        info = file.stat()
        size = info.st_size
        if not stat.S_ISREG(info.st_mode):  # a folder, or a pipe that would block the build forever
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "not a regular file"
            return None, [Problem(display, 1, 1, f"cannot read file: it is {kind}", "replace it with the YAML file")]
        if size > MAX_FILE_BYTES:
            return None, [
                Problem(
                    display,
                    1,
                    1,
                    f"file is too large ({size / 2**20:.0f} MB; at most {MAX_FILE_BYTES // 2**20} MB)",
                    "split the content or remove what was pasted in by mistake",
                )
            ]
        raw = file.read_bytes()
    except OSError as exc:
        return None, [Problem(display, 1, 1, f"cannot read file: {exc.strerror or exc}", "check that it exists and is readable")]
    encoding = _other_encoding(raw)
    if encoding:
        return None, [
            Problem(
                display,
                1,
                1,
                f"file is encoded as {encoding}, not UTF-8",
                "save the file as UTF-8 (in most editors: 'Save with encoding' → UTF-8)",
            )
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = len(raw[raw.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8", "replace")) + 1
        return None, [
            Problem(
                display,
                line,
                col,
                f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                "save the file as UTF-8 (in most editors: 'Save with encoding' → UTF-8)",
            )
        ]
    return _load(text, display, raw)


def _other_encoding(raw: bytes) -> str | None:
    """Name a UTF-16/32 encoding recognisable from its byte-order mark or its NUL bytes."""
    for bom, name in ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16")):
        if raw.startswith(bom):
            return name
    head = raw[:200]
    if len(head) >= 4 and head.count(0) * 3 >= len(head):  # ASCII in UTF-16: every other byte is NUL
        return "UTF-16"
    return None


def _has_content(text: str) -> bool:
    """Whether any line holds more than a comment or a document marker.

    The lines are split from the start of the text in growing pieces: content comes in the first
    lines of a file, and splitting a whole large file into lines took 50 ms."""
    size = 4096
    while True:
        piece = text[:size]
        lines = piece.splitlines()
        if size < len(text) and lines:
            lines.pop()  # the piece may end inside its last line
        for line in lines:
            stripped = line.strip()
            if stripped and not stripped.startswith("#") and stripped not in ("---", "..."):
                return True
        if size >= len(text):
            return False
        size *= 4


def _line_col(text: str, offset: int) -> Position:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _char_problem(path: str, line: int, col: int, ch: str) -> Problem:
    if "\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069":
        why = "an invisible bidi control that can reorder the text around it"
    elif ch in "\x85\u2028\u2029":
        why = "a line break to YAML that an editor does not show as one"
    elif ch in "\u00ad\u180e\u200b\u2060\u2061\u2062\u2063\u2064\ufeff" or "\U000e0000" <= ch <= "\U000e007f":
        why = "a character that cannot be seen"
    else:
        why = "an invisible control character"
    return Problem(
        path,
        line,
        col,
        f"text contains {char_name(ch)}, {why}",
        "delete the character (retype the text around it if you cannot see it); it cannot be published",
    )


def _syntax_problem(path: str, exc: yaml.MarkedYAMLError, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    last = text.count("\n") + 1
    if line > last:  # the end of a file without a final newline: point at the end of its last line
        line, col = last, len(text) - text.rfind("\n")
    message = (exc.problem or exc.context or "YAML syntax error").strip()
    hint = "check the YAML syntax on this line and the line above (indentation, colons, quotes)"
    lines = text.splitlines()
    this_line = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in message or "'\\t'" in message or this_line[: max(col, 1)].lstrip(" ").startswith("\t"):
        message = "a tab character is used for indentation"
        hint = "indent with spaces (two per level), never tabs"
    elif "expected a single document" in message or "but found another document" in message:
        hint = "keep one YAML document per file; remove the extra '---'"
    elif "mapping values are not allowed" in message:
        hint = "a value containing ': ' must be quoted, or indented under its key as a block (>-)"
    elif "found character" in message:
        hint = 'quote the value ("...") if it starts with a special character such as ` @ % or |'
    context = exc.context_mark
    if exc.problem and exc.context in _CONTEXTS and context is not None and (context.line + 1, context.column + 1) < (line, col):
        what = _CONTEXTS[exc.context]
        message += f" (in {what} that starts at line {context.line + 1}, column {context.column + 1})"
        if "quoted" in what:
            hint = "close the quotation marks, or quote the text with the other kind (' or \")"
    return Problem(path, line, col, f"YAML syntax error: {message}", hint)


_CONTEXTS = {
    "while parsing a flow sequence": "the list [ ]",
    "while parsing a flow mapping": "the mapping { }",
    "while scanning a quoted scalar": "the quoted text",
    "while parsing a block collection": "the list",
    "while parsing a block mapping": "the mapping",
}


_KEY_WANTED = object()  # a mapping waits for its next key
_BAD_KEY = object()  # the pending key was refused: its value is read and dropped

_RESOLVED_FIRST = frozenset(
    first for first, resolvers in _resolver.yaml_implicit_resolvers.items() if any(tag in _SCALARS for tag, _regexp in resolvers)
)
"""First characters ('' for the empty scalar) of the plain scalars that may be numbers, true/false or null.

A plain scalar starting with anything else is text: the resolver is asked only about these (most
keys and words), which saves a Python call per scalar."""
if None in _resolver.yaml_implicit_resolvers:  # pragma: no cover - a resolver for any first character
    _RESOLVED_FIRST = frozenset(_resolver.yaml_implicit_resolvers)  # type: ignore[unreachable]

_RISKY_ESCAPE = re.compile(r"\\[0abvfeNxuULP]")
"""Escapes in double-quoted text that may stand for a refused character (``\\x1b``, ``\\u202e``, ``\\0``…).

Without one in the file, every refused character in its values is written literally, and so is
already reported by :func:`_scan_characters`: the values need no search of their own."""


def _read(
    next_event: Callable[[], Any], text: str, path: str, problems: list[Problem], tables: _Tables | None = None
) -> tuple[Any, bool, bool]:
    """Turn parser events into plain data, adding every refusal to ``problems``.

    Returns (data, whether a document was seen, whether reading went to the end: False after a
    second document or runaway nesting). With ``tables`` it also records the position of every
    kept value and key by its path; that costs a third of the time, so a file is first read
    without (see :class:`_Located`).

    The innermost open list or mapping is held in local variables, saved on ``stack`` when a
    child opens and restored when it ends: every event reads them, and locals are the cheapest
    to read in CPython (this loop runs once per event, about 40 per event of the timeline).
    """
    positions, key_positions = tables if tables is not None else ({}, {})
    locate = tables is not None
    escapes = _RISKY_ESCAPE.search(text) is not None
    stack: list[tuple[Any, ...]] = []
    container: Any = None  # the open list or mapping; None at the document level
    is_map = False
    key: Any = _KEY_WANTED  # in a mapping: the key whose value comes next, _KEY_WANTED or _BAD_KEY
    kept = True  # False inside what is dropped (the value of a refused key, a list or mapping used as a key)
    is_key = False  # this list or mapping is written where a key belongs
    seen: dict[str, Any] = {}  # in a kept mapping: its keys so far, each with its mark (for a duplicate's message)
    at: JsonPath = ()  # with tables: the path of the open list or mapping
    data: Any = None
    seen_document = False
    while True:
        event = next_event()
        kind = type(event)
        if kind is yaml.ScalarEvent:  # exact type checks: cheaper than isinstance on every event
            tag = event.tag
            if tag is not None or event.anchor is not None:
                _refuse_extras(problems, path, event)
            value = event.value
            if escapes and event.style == '"' and _FORBIDDEN.search(value) is not None:
                _bad_chars(problems, path, text, event)
            if tag is None and event.implicit[0] and value[:1] in _RESOLVED_FIRST:  # plain, untagged: 12, 3.5, true, null?
                value = _plain(problems, path, event)
            if is_map and key is _KEY_WANTED:  # the scalar is a key
                name = event.value
                if name == "<<" and event.implicit[0] and tag is None:
                    _problem(
                        problems, path, event.start_mark, "merge key '<<' is not supported", "write every key of the mapping out in full"
                    )
                    key = _BAD_KEY
                elif kept and name in seen:
                    _problem(
                        problems,
                        path,
                        event.start_mark,
                        f"duplicate key '{_short(name)}' (first defined on line {seen[name].line + 1})",
                        "keep one of the two entries; YAML would silently drop the first",
                    )
                    key = _BAD_KEY
                else:
                    key = name
                    if kept:
                        seen[name] = event.start_mark
                        if locate:
                            key_positions[(*at, name)] = _pos(event)
                continue
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            if event.anchor is not None or event.tag is not None:
                _refuse_extras(problems, path, event)
            if len(stack) >= MAX_DEPTH:
                _problem(
                    problems,
                    path,
                    event.start_mark,
                    f"the content is nested too deeply (more than {MAX_DEPTH} levels)",
                    _DEEP_HINT,
                )
                return data, seen_document, False
            child_is_key = is_map and key is _KEY_WANTED
            child_at: JsonPath = ()
            if container is None:
                child_kept = True
            elif not kept:
                child_kept = False
            elif is_map:
                if key is _KEY_WANTED:
                    _problem(
                        problems, path, event.start_mark, "a key must be a plain name", "write the key as a simple word followed by ':'"
                    )
                    key = _BAD_KEY
                child_kept = key is not _BAD_KEY
                if child_kept and locate:
                    child_at = (*at, key)
            else:
                child_kept = True
                if locate:
                    child_at = (*at, len(container))
            if child_kept and locate:
                positions[child_at] = _pos(event)
            stack.append((container, is_map, key, kept, is_key, seen, at))
            is_map = kind is yaml.MappingStartEvent
            container = {} if is_map else []
            key, kept, is_key, at = _KEY_WANTED, child_kept, child_is_key, child_at
            if is_map:
                seen = {}
            continue
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            value, was_kept, was_key = container, kept, is_key
            container, is_map, key, kept, is_key, seen, at = stack.pop()
            if was_key:  # a refused key leaves its mapping waiting for the value
                continue
            if container is None:
                data = value
            elif is_map:
                if was_kept and key is not _BAD_KEY:
                    container[key] = value
                key = _KEY_WANTED
            elif was_kept:
                container.append(value)
            continue
        elif kind is yaml.AliasEvent:
            _problem(
                problems,
                path,
                event.start_mark,
                f"alias '*{event.anchor}' is not supported",
                "write the value out in full; content files do not use anchors (&) or aliases (*)",
            )
            if is_map and key is _KEY_WANTED:
                key = _BAD_KEY
                continue
            value = None
        elif kind is yaml.DocumentStartEvent:
            if seen_document:
                _problem(
                    problems,
                    path,
                    event.start_mark,
                    "YAML syntax error: a second document starts here",
                    "keep one YAML document per file; remove the extra '---'",
                )
                return data, seen_document, False
            seen_document = True
            continue
        elif kind is yaml.StreamEndEvent or event is None:
            return data, seen_document, True
        else:
            continue
        # a complete value (a scalar or an alias) goes into the open list or mapping
        if is_map:
            if kept and key is not _BAD_KEY:
                container[key] = value
                if locate:
                    positions[(*at, key)] = _pos(event)
            key = _KEY_WANTED
        elif container is None:
            data = value
            if locate:
                positions[()] = _pos(event)
        elif kept:
            if locate:
                positions[(*at, len(container))] = _pos(event)
            container.append(value)


def _pos(event: Any) -> Position:
    mark = event.start_mark
    return (mark.line + 1, mark.column + 1)


def _problem(problems: list[Problem], path: str, mark: Any, message: str, hint: str) -> None:
    problems.append(Problem(path, mark.line + 1, mark.column + 1, message, hint))


def _refuse_extras(problems: list[Problem], path: str, event: Any) -> None:
    if event.anchor is not None:
        _problem(
            problems,
            path,
            event.start_mark,
            f"anchor '&{event.anchor}' is not supported",
            "write each value out in full; content files do not use anchors (&) or aliases (*)",
        )
    if event.tag is not None:
        tag = event.tag.replace("tag:yaml.org,2002:", "!!")
        _problem(
            problems,
            path,
            event.start_mark,
            f"YAML tag '{_short(tag)}' is not supported",
            "remove the tag; quote the value if it must be text",
        )


def _plain(problems: list[Problem], path: str, event: yaml.ScalarEvent) -> Any:
    """The value of a plain scalar that may not be text: a number, true/false, null, or text after all."""
    value = event.value
    tag = _resolver.resolve(yaml.ScalarNode, value, (True, False))
    make: Any = _SCALARS.get(tag)
    if make is None:
        return value
    if tag not in _NUMBERS:
        return make(yaml.ScalarNode(tag, value))
    try:
        number = make(yaml.ScalarNode(tag, value))
    except ValueError:  # Python refuses to convert integers of more than 4,300 digits
        number = math.inf
    if (isinstance(number, float) and not math.isfinite(number)) or abs(number) > MAX_NUMBER:
        _problem(
            problems,
            path,
            event.start_mark,
            f"'{_short(value, 20)}' is not a number that can be published",
            f"write a finite number with digits (at most {MAX_NUMBER:.0e}); quote it if it is meant as text",
        )
        return 0  # stands in, so that the schema adds no second message about it
    return number


def _bad_chars(problems: list[Problem], path: str, text: str, event: yaml.ScalarEvent) -> None:
    """Refused characters written as escapes ("\\u202e", "\\0"); literal ones are already reported."""
    assert event.start_mark is not None and event.end_mark is not None  # the parser marks every event
    start, end = event.start_mark.index, event.end_mark.index
    for ch in sorted(set(_FORBIDDEN.findall(event.value))):
        if text.find(ch, start, end) < 0:
            problems.append(_char_problem(path, event.start_mark.line + 1, event.start_mark.column + 1, ch))


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
