"""Stage 1 — load YAML files, keeping the line and column of every key and value.

A file is read once, as the stream of parser events (libyaml's, when available), into plain
JSON-like values and the position of each of them. Only plain data is accepted: tags
(``!!python/object``…), anchors and aliases (``&a``/``*a``), merge keys (``<<``), duplicate keys,
invisible control and bidi override characters, nesting deeper than :data:`MAX_DEPTH` and
oversized files are located errors, so nothing in a content file can execute, expand or crash
the loader.

Each item of a list under a top-level key (an event of ``events:``) keeps its positions in a table
of its own (:class:`Places`), with paths below the item: items can be moved or replaced without
renumbering the others.
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

from .errors import Problem

_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's parser when PyYAML has it; the pure-Python one behaves the same."""

JsonPath = tuple[str | int, ...]
Position = tuple[int, int]

MAX_FILE_BYTES = 64 * 1024 * 1024
"""Content files larger than this are refused before parsing (a hand-written file is far smaller)."""

MAX_DEPTH = 32
"""Deepest nesting of lists and mappings accepted; the content format needs fewer than ten levels."""
_DEEP_HINT = "content files need only a few levels; look for unclosed brackets or runaway indentation"

MAX_VALUES = 1_000_000
"""At most this many values (scalars, lists and mappings) in one file, an item of a top-level list
counting :data:`ITEM_WEIGHT` (it keeps a table of positions of its own): the 10,000-event benchmark
corpus (37 MB) has 180,000 values, while a flow list of 4 million zeros (8 MB) took 2 GB."""
ITEM_WEIGHT = 4

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
MAX_TEXT_LENGTH = 10_000
"""Any text but an id or a quote; the longest field of the real content is under a thousand characters."""
REFUSED_CHARACTERS = _FORBIDDEN
"""The characters no text of the site may hold (control, direction and invisible ones), whatever file it comes from."""
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
_RISKY_ESCAPE = re.compile(r"\\[0abvfeNxuULP]")
"""Escapes in double-quoted text that may stand for a refused character (``\\x1b``, ``\\u202e``, ``\\0``…)."""
MAX_CHAR_PROBLEMS = 10
_CHAR_NAMES = {"\x00": "NUL", "\x1b": "ESCAPE", "\x7f": "DELETE"}
MAX_NUMBER = 1e15
"""Larger numbers (and .inf, .nan) are refused: they cannot be shown or compared sensibly."""
_EMPTY_HINT = "add the content, or delete the file if it is not needed"
_CONTENT_LINE = re.compile(r"^[ \t]*(?!#|(?:---|\.\.\.)[ \t]*$)\S", re.MULTILINE)
"""A line that holds more than a comment or a document marker."""

_resolver = yaml.resolver.Resolver()
_constructor = yaml.constructor.SafeConstructor()
_SCALARS: Mapping[str, Callable[[yaml.ScalarNode], Any]] = {
    "tag:yaml.org,2002:int": _constructor.construct_yaml_int,
    "tag:yaml.org,2002:float": _constructor.construct_yaml_float,
    "tag:yaml.org,2002:bool": _constructor.construct_yaml_bool,
    "tag:yaml.org,2002:null": _constructor.construct_yaml_null,
}
_NUMBERS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})
_MAY_NOT_BE_TEXT = frozenset(
    first for first, resolvers in _resolver.yaml_implicit_resolvers.items() if any(tag in _SCALARS for tag, _regexp in resolvers)
)
"""First characters ('' for the empty scalar) of the plain scalars that may be numbers, true/false or null: only these are resolved."""


def char_name(ch: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: how a character is named in messages."""
    name = unicodedata.name(ch, "") or _CHAR_NAMES.get(ch) or "control character"
    return f"U+{ord(ch):04X} {name}"


@dataclass
class Places:
    """Where the parts of one value are: the positions of values and of mapping keys, by their path
    below it, with every line ``shift`` lines further down (the preview moves an item so)."""

    values: dict[JsonPath, Position] = field(default_factory=dict)
    keys: dict[JsonPath, Position] = field(default_factory=dict)
    shift: int = 0

    def find(self, path: JsonPath, key: bool) -> Position | None:
        """The position of ``path`` (at its key with ``key``), or of its nearest ancestor that has one."""
        p = path
        while True:
            found = (self.keys.get(p) if key else None) or self.values.get(p)
            if found is not None:
                return (found[0] + self.shift, found[1])
            if not p:
                return None
            p = p[:-1]

    def moved(self, lines: int) -> Places:
        return Places(self.values, self.keys, self.shift + lines)


@dataclass(frozen=True)
class Document:
    """One content file: its data (plain JSON-like values) and where each part of it is.

    ``items``: for each top-level key that holds a list, the :class:`Places` of each of its items
    (paths below the item); ``places``: everything else (paths from the root)."""

    path: str
    data: Any
    places: Places = field(repr=False)
    items: Mapping[str, Sequence[Places]] = field(repr=False, default_factory=dict)

    def where(self, path: JsonPath, *, key: bool = False) -> Position:
        """The position of ``path``, or of its nearest ancestor that has one.

        With ``key=True`` a mapping entry is located at its key rather than its value.
        """
        p = tuple(path)
        if len(p) >= 2 and isinstance(p[1], int) and isinstance(p[0], str):
            items = self.items.get(p[0], ())
            if 0 <= p[1] < len(items):
                found = items[p[1]].find(p[2:], key)
                if found is not None:
                    return found
        return self.places.find(p, key) or (1, 1)


class _TooDeep(Exception):
    def __init__(self, mark: Any) -> None:
        super().__init__()
        self.mark = mark


class _TooMany(_TooDeep):
    """More than :data:`MAX_VALUES` values; ``mark``: the first one past the limit."""


class _Reader:
    """Parser events → plain data, recording positions and refusing what is not plain data."""

    def __init__(self, source: str | bytes, text: str, path: str) -> None:
        self.next: Callable[[], Any] = cast(Callable[[], Any], _Loader(source).get_event)
        self.text, self.path = text, path
        self.escapes = _RISKY_ESCAPE.search(text) is not None
        self.problems: list[Problem] = []
        self.places = Places()
        self.items: dict[str, list[Places]] = {}
        self.values = 0
        """How many values were read (see :data:`MAX_VALUES`)."""

    def document(self) -> tuple[Any, bool, bool]:
        """(data, whether a document was seen, whether reading went to the end without stopping)."""
        data: Any = None
        seen = False
        while True:
            event = self.next()
            kind = type(event)
            if kind is yaml.DocumentStartEvent:
                if seen:
                    self._problem(event, "YAML syntax error: a second document starts here", _ONE_DOCUMENT)
                    return data, seen, False
                seen = True
                try:
                    data = self.value(self.next(), self.places, (), 0, True)
                except _TooMany as exc:
                    message = f"the file holds more than {MAX_VALUES:,} values (texts, numbers, lists and entries)"
                    hint = "a content file needs far fewer: look for a list pasted in by mistake, or split the content"
                    self.problems.append(Problem(self.path, exc.mark.line + 1, exc.mark.column + 1, message, hint))
                    return None, seen, False
                except _TooDeep as exc:
                    message = f"the content is nested too deeply (more than {MAX_DEPTH} levels)"
                    self.problems.append(Problem(self.path, exc.mark.line + 1, exc.mark.column + 1, message, _DEEP_HINT))
                    return data, seen, False
            elif kind is yaml.StreamEndEvent:
                return data, seen, True

    def value(self, event: Any, places: Places, path: JsonPath, depth: int, kept: bool) -> Any:
        """The value that starts with ``event``; its position is recorded in ``places`` at ``path`` when ``kept``."""
        kind = type(event)
        self.values += 1
        if self.values > MAX_VALUES:
            raise _TooMany(event.start_mark)
        if kept:
            mark = event.start_mark
            places.values[path] = (mark.line + 1, mark.column + 1)
        if kind is yaml.ScalarEvent:
            return self.scalar(event)
        if kind is yaml.AliasEvent:
            self._alias(event)
            return None
        if event.anchor is not None or event.tag is not None:
            self._extras(event)
        if depth >= MAX_DEPTH:
            raise _TooDeep(event.start_mark)
        if kind is yaml.SequenceStartEvent:
            return self.sequence(places, path, depth, kept)
        return self.mapping(places, path, depth, kept)

    def sequence(self, places: Places, path: JsonPath, depth: int, kept: bool) -> list[Any]:
        out: list[Any] = []
        own = kept and depth == 1 and len(path) == 1  # a list under a top-level key: each item has places of its own
        if own:
            self.items[str(path[0])] = []
        while type(event := self.next()) is not yaml.SequenceEndEvent:
            if own:
                self.values += ITEM_WEIGHT - 1
                item = Places()
                self.items[str(path[0])].append(item)
                out.append(self.value(event, item, (), depth + 1, True))
            else:
                out.append(self.value(event, places, (*path, len(out)), depth + 1, kept))
        return out

    def mapping(self, places: Places, path: JsonPath, depth: int, kept: bool) -> dict[str, Any]:
        out: dict[str, Any] = {}
        seen: dict[str, Any] = {}  # each key with its mark, for a duplicate's message
        while type(event := self.next()) is not yaml.MappingEndEvent:
            key = self.key(event, seen, depth, kept)
            if kept and key is not None:
                mark = event.start_mark
                places.keys[(*path, key)] = (mark.line + 1, mark.column + 1)
                out[key] = self.value(self.next(), places, (*path, key), depth + 1, True)
            else:
                self.value(self.next(), places, path, depth + 1, False)
        return out

    def key(self, event: Any, seen: dict[str, Any], depth: int, kept: bool) -> str | None:
        """The key that ``event`` is, or None if it is refused (the problem is recorded)."""
        kind = type(event)
        if kind is yaml.AliasEvent:
            self._alias(event)
            return None
        if kind is not yaml.ScalarEvent:
            self._problem(event, "a key must be a plain name", "write the key as a simple word followed by ':'")
            self.value(event, self.places, (), depth + 1, False)  # read and dropped
            return None
        if event.tag is not None or event.anchor is not None:
            self._extras(event)
        name = event.value
        if self.escapes and event.style == '"' and _FORBIDDEN.search(name) is not None:
            self._escaped_characters(event)  # in a key as in a value: "\\e[31m" would reach a terminal (review s5, attack 10)
        if name == "<<" and event.implicit[0] and event.tag is None:
            self._problem(event, "merge key '<<' is not supported", "write every key of the mapping out in full")
            return None
        if kept and name in seen:
            message = f"duplicate key '{_short(name)}' (first defined on line {seen[name].line + 1})"
            self._problem(event, message, "keep one of the two entries; YAML would silently drop the first")
            return None
        seen[name] = event.start_mark
        return str(name)

    def scalar(self, event: yaml.ScalarEvent) -> Any:
        if event.tag is not None or event.anchor is not None:
            self._extras(event)
        value = event.value
        if self.escapes and event.style == '"' and _FORBIDDEN.search(value) is not None:
            self._escaped_characters(event)
        if event.tag is None and event.implicit[0] and value[:1] in _MAY_NOT_BE_TEXT:
            return self._resolved(event)
        return value

    def _resolved(self, event: yaml.ScalarEvent) -> Any:
        """A plain scalar that may not be text: a number, true/false, null, or text after all."""
        value = event.value
        tag: str = _resolver.resolve(yaml.ScalarNode, value, (True, False))  # type: ignore[no-untyped-call]
        make = _SCALARS.get(tag)
        if make is None:
            return value
        try:
            result = make(yaml.ScalarNode(tag, value))
        except ValueError:  # Python refuses to convert integers of more than 4,300 digits
            result = math.inf
        if tag in _NUMBERS and ((isinstance(result, float) and not math.isfinite(result)) or abs(result) > MAX_NUMBER):
            message = f"'{_short(value, 20)}' is not a number that can be published"
            self._problem(event, message, f"write a finite number with digits (at most {MAX_NUMBER:.0e}); quote it if it is meant as text")
            return 0  # stands in, so that the schema adds no second message about it
        return result

    def _escaped_characters(self, event: yaml.ScalarEvent) -> None:
        """Refused characters written as escapes ("\\u202e", "\\0"); literal ones are found in the text."""
        assert event.start_mark is not None and event.end_mark is not None  # the parser marks every event
        start, end = event.start_mark.index, event.end_mark.index
        for ch in sorted(set(_FORBIDDEN.findall(event.value))):
            if self.text.find(ch, start, end) < 0:
                self.problems.append(_char_problem(self.path, event.start_mark.line + 1, event.start_mark.column + 1, ch))

    def _alias(self, event: Any) -> None:
        hint = "write the value out in full; content files do not use anchors (&) or aliases (*)"
        self._problem(event, f"alias '*{event.anchor}' is not supported", hint)

    def _extras(self, event: Any) -> None:
        if event.anchor is not None:
            hint = "write each value out in full; content files do not use anchors (&) or aliases (*)"
            self._problem(event, f"anchor '&{event.anchor}' is not supported", hint)
        if event.tag is not None:
            tag = event.tag.replace("tag:yaml.org,2002:", "!!")
            self._problem(event, f"YAML tag '{_short(tag)}' is not supported", "remove the tag; quote the value if it must be text")

    def _problem(self, event: Any, message: str, hint: str) -> None:
        mark = event.start_mark
        self.problems.append(Problem(self.path, mark.line + 1, mark.column + 1, message, hint))


def load_text(text: str, path: str) -> tuple[Document | None, list[Problem]]:
    """Parse YAML ``text`` (shown to the user as ``path``)."""
    return _load(text, path, None)


def _load(text: str, path: str, encoded: bytes | None) -> tuple[Document | None, list[Problem]]:
    """:func:`load_text`; ``encoded``: the text's UTF-8 bytes, if at hand (the parser reads them as they are)."""
    if text.startswith("\ufeff"):
        text, encoded = text[1:], encoded[3:] if encoded is not None else None
    if "\r" in text and _LONE_CR.search(text):
        text, encoded = _LONE_CR.sub("\n", text), None
    written = text  # the text as written; what the parser reads has its other line breaks as spaces
    if "\x85" in text or "\u2028" in text or "\u2029" in text:
        text, encoded = text.translate(_BREAKS), None
    if _CONTENT_LINE.search(text) is None:
        return None, [_no_document(written, path)]
    reader = _Reader(text if encoded is None else encoded, text, path)
    try:
        with _no_cyclic_gc():
            data, seen, ok = reader.document()
    except yaml.YAMLError as exc:
        return None, _unreadable(text, written, path, exc, reader.problems)
    # the parser refuses the characters of _UNPARSABLE, so a text it read to the end has none
    problems = _scan_characters(written, path) if not ok or _READABLE.search(written) else []
    if problems and _UNPARSABLE.search(text) is not None:
        return None, problems
    problems += reader.problems
    if not ok:
        return None, problems
    if not seen:
        return None, [Problem(path, 1, 1, "file is empty", _EMPTY_HINT)]
    doc = Document(path, data, reader.places, reader.items)
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


def without_items(doc: Document, drop: Mapping[str, set[int]]) -> Document:
    """``doc`` without some items of its top-level lists (list key → their indices), located as in the file.

    A file whose schema check fails on some of its items is checked further without them, so that
    the other items' mistakes (an unknown id, say) are reported in the same run."""
    data, items = dict(doc.data), dict(doc.items)
    for key, indices in drop.items():
        data[key] = [item for i, item in enumerate(data[key]) if i not in indices]
        items[key] = [places for i, places in enumerate(items.get(key, ())) if i not in indices]
    return Document(doc.path, data, doc.places, items)


class _Pauses:
    """Who has paused Python's cyclic garbage collector (the search for cycles): it runs again when the last pause
    ends, if it ran when the first began. The reading of a large file pauses it (:func:`_no_cyclic_gc`), and so
    does the live preview from a save until its open pages are back (:mod:`~explainer.serve`)."""

    def __init__(self) -> None:
        self.count, self.was, self.lock = 0, True, threading.Lock()
        os.register_at_fork(after_in_child=self._forked)

    def _forked(self) -> None:
        """In a process just forked (a worker): none of the parent's pauses is its own (the threads that would end them are
        not in it), so the collector runs as it did before the first of them."""
        if self.count and self.was:
            gc.enable()
        self.count, self.lock = 0, threading.Lock()

    def begin(self) -> Callable[[], None]:
        """Pause it; return what ends this pause (at its first call; later calls do nothing)."""
        with self.lock:
            if self.count == 0:
                self.was = gc.isenabled()
                gc.disable()
            self.count += 1
        ended: list[bool] = []

        def end() -> None:
            with self.lock:
                if ended:
                    return
                ended.append(True)
                self.count -= 1
                if self.count == 0 and self.was:
                    gc.enable()

        return end


pause_cycles = _Pauses().begin
"""Pause the cyclic garbage collector until the function returned is called (see :class:`_Pauses`)."""


@contextlib.contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while a file is read: the many containers a large file
    makes would otherwise make reading it take time that grows faster than its size."""
    end = pause_cycles()
    try:
        yield
    finally:
        end()


def _unreadable(text: str, written: str, path: str, exc: yaml.YAMLError, found: list[Problem]) -> list[Problem]:
    """The problems of a text the parser stopped reading (``written``: as written, before line breaks other than LF were made spaces)."""
    problems = _scan_characters(written, path)
    if problems and _UNPARSABLE.search(text) is not None:  # YAML cannot read these at all: report them alone
        return problems
    if isinstance(exc, yaml.MarkedYAMLError) and _LIBYAML_TOO_DEEP in str(exc.problem):
        return [*problems, *_too_deep(text, path, exc)]
    if isinstance(exc, yaml.MarkedYAMLError):
        return [*problems, *found, _syntax_problem(path, exc, text)]
    return [*problems, *found, Problem(path, 1, 1, f"YAML error: {exc}", "check the file's YAML syntax")]


_LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"
"""What libyaml (PyYAML 6.0.4 and later) says when it stops at its own limit of 1,000 levels while
scanning, before the parser has given :class:`_Reader` the events that pass :data:`MAX_DEPTH`."""


def _too_deep(text: str, path: str, exc: yaml.MarkedYAMLError) -> list[Problem]:
    """The project's "nested too deeply" problem for a text libyaml refused as too deep.

    The text is read again with PyYAML's pure-Python parser, which has no limit of its own, so that
    the reader stops at :data:`MAX_DEPTH` and locates the first level too many. Should that parser
    refuse it too, the problem is placed where libyaml stopped.
    """
    reader = _Reader(text, text, path)
    reader.next = yaml.SafeLoader(text).get_event
    with contextlib.suppress(yaml.YAMLError):
        reader.document()
    deep = [p for p in reader.problems if "nested too deeply" in p.message]
    if deep:
        return deep
    mark = exc.problem_mark
    line, col = (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)
    return [Problem(path, line, col, f"the content is nested too deeply (more than {MAX_DEPTH} levels)", _DEEP_HINT)]


def _no_document(written: str, path: str) -> Problem:
    """The problem of a file with no line of content: empty, or (as written, before its other line breaks were read
    as spaces) only blank lines, comments and refused characters, which are named at the first of them."""
    found = list(_FORBIDDEN.finditer(written))
    if not found:
        return Problem(path, 1, 1, "file is empty", _EMPTY_HINT)
    line, col = _line_col(written, found[0].start())
    counts: dict[str, int] = {}
    for m in found:
        counts[m.group()] = counts.get(m.group(), 0) + 1
    listed = ", ".join(f"{char_name(ch)} ×{n:,}" for ch, n in counts.items())
    breaks = all(ch in "\x85\u2028\u2029" for ch in counts)
    what = "line breaks to YAML that an editor does not show as such" if breaks else "characters that cannot be published"
    message = f"file holds no YAML document, only {what} ({listed}) besides blank lines and comments"
    return Problem(path, line, col, message, "delete them and add the content, or delete the file if it is not needed")


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
    """Read and parse one YAML file by its path, for tests and benchmarks. The build reads content through the
    project's rules (:meth:`~explainer.project.Project.read_bytes`), then parses it with :func:`load_bytes`."""
    return load_bytes(file.read_bytes(), display)


def load_bytes(raw: bytes, display: str) -> tuple[Document | None, list[Problem]]:
    """Parse the bytes of a content file (shown as ``display``); bytes that are not UTF-8 are a problem."""
    text, problems = decode(raw, display)
    if text is None:
        return None, problems
    return _load(text, display, raw)


_SAVE_AS_UTF8 = "save the file as UTF-8 (in most editors: 'Save with encoding' → UTF-8)"


def decode(raw: bytes, display: str) -> tuple[str | None, list[Problem]]:
    """The text of a content file's bytes, or the problem of bytes that are not UTF-8."""
    encoding = _other_encoding(raw)
    if encoding:
        return None, [Problem(display, 1, 1, f"file is encoded as {encoding}, not UTF-8", _SAVE_AS_UTF8)]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = len(raw[raw.rfind(b"\n", 0, exc.start) + 1 : exc.start].decode("utf-8", "replace")) + 1
        return None, [Problem(display, line, col, f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})", _SAVE_AS_UTF8)]


def _other_encoding(raw: bytes) -> str | None:
    """Name a UTF-16/32 encoding recognisable from its byte-order mark or its NUL bytes."""
    for bom, name in ((b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16")):
        if raw.startswith(bom):
            return name
    head = raw[:200]
    if len(head) >= 4 and head.count(0) * 3 >= len(head):  # ASCII in UTF-16: every other byte is NUL
        return "UTF-16"
    return None


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
    hint = "delete the character (retype the text around it if you cannot see it); it cannot be published"
    return Problem(path, line, col, f"text contains {char_name(ch)}, {why}", hint)


def _syntax_problem(path: str, exc: yaml.MarkedYAMLError, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    last = text.count("\n") + 1
    if line > last:  # the end of a file without a final newline: point at the end of its last line
        line, col = last, len(text) - text.rfind("\n")
    message = (exc.problem or exc.context or "YAML syntax error").strip()
    lines = text.splitlines()
    this_line = lines[line - 1] if 0 < line <= len(lines) else ""
    if "\t" in message or "'\\t'" in message or this_line[: max(col, 1)].lstrip(" ").startswith("\t"):
        message, hint = "a tab character is used for indentation", "indent with spaces (two per level), never tabs"
    else:
        hint = next((h for found, h in _SYNTAX_HINTS if found in message), _SYNTAX_HINT)
    context = exc.context_mark
    if exc.problem and exc.context in _CONTEXTS and context is not None and (context.line + 1, context.column + 1) < (line, col):
        what = _CONTEXTS[exc.context]
        message += f" (in {what} that starts at line {context.line + 1}, column {context.column + 1})"
        if "quoted" in what:
            hint = "close the quotation marks, or quote the text with the other kind (' or \")"
    return Problem(path, line, col, f"YAML syntax error: {message}", hint)


_ONE_DOCUMENT = "keep one YAML document per file; remove the extra '---'"
_SYNTAX_HINT = "check the YAML syntax on this line and the line above (indentation, colons, quotes)"
_SYNTAX_HINTS = (
    ("expected a single document", _ONE_DOCUMENT),
    ("but found another document", _ONE_DOCUMENT),
    ("mapping values are not allowed", "a value containing ': ' must be quoted, or indented under its key as a block (>-)"),
    ("found character", 'quote the value ("...") if it starts with a special character such as ` @ % or |'),
)
_CONTEXTS = {
    "while parsing a flow sequence": "the list [ ]",
    "while parsing a flow mapping": "the mapping { }",
    "while scanning a quoted scalar": "the quoted text",
    "while parsing a block collection": "the list",
    "while parsing a block mapping": "the mapping",
}


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
