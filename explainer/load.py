"""Stage 1 — load YAML files, keeping the line and column of every key and value.

The file is read as a stream of parser events (libyaml's, when available) and turned into
plain JSON-like values directly. Only plain data is accepted: tags (``!!python/object``…),
anchors and aliases (``&a``/``*a``), merge keys (``<<``), invisible control and bidi
override characters, runaway nesting and oversized files are located errors, so nothing in
a content file can execute, expand or crash the loader.
"""

from __future__ import annotations

import gc
import math
import re
import stat
import unicodedata
from collections.abc import Iterator, Mapping
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

_constructor = yaml.constructor.SafeConstructor()
_resolver = yaml.resolver.Resolver()
_SCALARS = {
    "tag:yaml.org,2002:int": _constructor.construct_yaml_int,
    "tag:yaml.org,2002:float": _constructor.construct_yaml_float,
    "tag:yaml.org,2002:bool": _constructor.construct_yaml_bool,
    "tag:yaml.org,2002:null": _constructor.construct_yaml_null,
}

# Characters refused in any text: C0/C1 controls (tab, newline and carriage return are allowed),
# the bidi embeddings, overrides and isolates (they can reorder the text around them), and the
# Unicode noncharacters U+FFFE/U+FFFF. Marks that only affect neighbouring letters (LRM, RLM,
# ALM, ZWJ, ZWNJ) stay allowed: Arabic text legitimately uses them.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufffe\uffff]")
_UNPARSABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
"""The refused characters that YAML itself cannot read at all (the rest are refused after parsing)."""
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


def load_text(text: str, path: str) -> tuple[Document | None, list[Problem]]:
    """Parse YAML ``text`` (shown to the user as ``path``)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if not _has_content(text):
        return None, [Problem(path, 1, 1, "file is empty", _EMPTY_HINT)]
    problems = _scan_characters(text, path)
    if _UNPARSABLE.search(text) is not None:  # YAML cannot read these at all
        return None, problems
    builder = _Builder(text, path)
    try:
        with _no_cyclic_gc():
            ok = builder.run(yaml.parse(text, Loader=_Loader))
    except yaml.MarkedYAMLError as exc:
        return None, [*problems, *builder.problems, _syntax_problem(path, exc, text)]
    except yaml.YAMLError as exc:  # errors without a mark
        return None, [*problems, *builder.problems, Problem(path, 1, 1, f"YAML error: {exc}", "check the file's YAML syntax")]
    problems += builder.problems
    if not ok:
        return None, problems
    if not builder.seen_document:
        return None, [Problem(path, 1, 1, "file is empty", _EMPTY_HINT)]
    return Document(path, builder.data, builder.positions, builder.key_positions), problems


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
    del raw  # a large file's bytes need not stay in memory while its text is parsed
    return load_text(text, display)


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
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and stripped not in ("---", "..."):
            return True
    return False


def _line_col(text: str, offset: int) -> Position:
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def _char_problem(path: str, line: int, col: int, ch: str) -> Problem:
    if "\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069":
        why = "an invisible bidi control that can reorder the text around it"
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
        hint = "quote the value (\"...\") if it starts with a special character such as ` @ % or |"
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


class _Frame:
    """An open list or mapping while its events are read."""

    __slots__ = ("at", "first_seen", "is_key", "is_map", "key", "value")

    def __init__(self, value: Any, at: JsonPath | None, is_map: bool, is_key: bool) -> None:
        self.value = value
        self.at = at  # None: inside something that is dropped (a refused key or its value)
        self.is_map = is_map
        self.is_key = is_key  # a list or mapping written where a key belongs
        self.key: Any = _KEY_WANTED
        self.first_seen: dict[str, int] = {}


class _Builder:
    """Turns a stream of parser events into data, positions and problems."""

    def __init__(self, text: str, path: str) -> None:
        self.text = text
        self.path = path
        self.problems: list[Problem] = []
        self.positions: dict[JsonPath, Position] = {}
        self.key_positions: dict[JsonPath, Position] = {}
        self.data: Any = None
        self.seen_document = False

    def _problem(self, mark: Any, message: str, hint: str) -> None:
        self.problems.append(Problem(self.path, mark.line + 1, mark.column + 1, message, hint))

    def run(self, events: Iterator[yaml.Event]) -> bool:
        """Read every event; False if reading had to stop (a second document, runaway nesting)."""
        stack: list[_Frame] = []
        for event in events:
            kind = type(event)
            if kind is yaml.ScalarEvent:  # exact type checks: cheaper than isinstance on every event
                self._refuse_extras(event)
                self._attach(stack, event, self._scalar(cast(yaml.ScalarEvent, event)))
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                self._refuse_extras(event)
                if len(stack) >= MAX_DEPTH:
                    self._problem(
                        event.start_mark,
                        f"the content is nested too deeply (more than {MAX_DEPTH} levels)",
                        "content files need only a few levels; look for unclosed brackets or runaway indentation",
                    )
                    return False
                is_key = bool(stack) and stack[-1].is_map and stack[-1].key is _KEY_WANTED
                at = self._place(stack, event, container=True)
                stack.append(_Frame({} if kind is yaml.MappingStartEvent else [], at, kind is yaml.MappingStartEvent, is_key))
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                frame = stack.pop()
                if not frame.is_key:  # a refused key leaves its mapping waiting for the value
                    self._finish(stack, frame.value, frame.at)
            elif kind is yaml.AliasEvent:
                self._problem(
                    event.start_mark,
                    f"alias '*{cast(yaml.AliasEvent, event).anchor}' is not supported",
                    "write the value out in full; content files do not use anchors (&) or aliases (*)",
                )
                self._attach(stack, event, None)
            elif kind is yaml.DocumentStartEvent:
                if self.seen_document:
                    self._problem(
                        event.start_mark,
                        "YAML syntax error: a second document starts here",
                        "keep one YAML document per file; remove the extra '---'",
                    )
                    return False
                self.seen_document = True
        return True

    def _refuse_extras(self, event: Any) -> None:
        if event.anchor is not None:
            self._problem(
                event.start_mark,
                f"anchor '&{event.anchor}' is not supported",
                "write each value out in full; content files do not use anchors (&) or aliases (*)",
            )
        if event.tag is not None:
            tag = event.tag.replace("tag:yaml.org,2002:", "!!")
            self._problem(
                event.start_mark,
                f"YAML tag '{_short(tag)}' is not supported",
                "remove the tag; quote the value if it must be text",
            )

    def _scalar(self, event: yaml.ScalarEvent) -> Any:
        value = event.value
        if _FORBIDDEN.search(value) is not None:
            self._bad_chars(event)
        if event.tag is None and event.implicit[0]:  # plain, untagged: 12, 3.5, true, null or text
            tag = _resolver.resolve(yaml.ScalarNode, value, (True, False))
            make = _SCALARS.get(tag)
            if make is not None:
                return self._number(event, make, tag) if tag in _NUMBERS else make(yaml.ScalarNode(tag, value))
        return value

    def _number(self, event: yaml.ScalarEvent, make: Any, tag: str) -> Any:
        try:
            number = make(yaml.ScalarNode(tag, event.value))
        except ValueError:  # Python refuses to convert integers of more than 4,300 digits
            number = math.inf
        if (isinstance(number, float) and not math.isfinite(number)) or abs(number) > MAX_NUMBER:
            self._problem(
                event.start_mark,
                f"'{_short(event.value, 20)}' is not a number that can be published",
                f"write a finite number with digits (at most {MAX_NUMBER:.0e}); quote it if it is meant as text",
            )
            return 0  # stands in, so that the schema adds no second message about it
        return number

    def _bad_chars(self, event: yaml.ScalarEvent) -> None:
        """Refused characters written as escapes ("\\u202e", "\\0"); literal ones are already reported."""
        assert event.start_mark is not None and event.end_mark is not None  # the parser marks every event
        start, end = event.start_mark.index, event.end_mark.index
        for ch in sorted(set(_FORBIDDEN.findall(event.value))):
            if self.text.find(ch, start, end) < 0:
                self.problems.append(_char_problem(self.path, event.start_mark.line + 1, event.start_mark.column + 1, ch))

    def _place(self, stack: list[_Frame], event: Any, *, container: bool) -> JsonPath | None:
        """The path of a value about to start, recording its position; None if it is dropped."""
        at: JsonPath
        if not stack:
            at = ()
        else:
            top = stack[-1]
            if top.at is None:
                return None
            if top.is_map:
                if top.key is _KEY_WANTED:
                    if container:  # a list or mapping used as a key
                        self._problem(event.start_mark, "a key must be a plain name", "write the key as a simple word followed by ':'")
                        top.key = _BAD_KEY
                    return None
                if top.key is _BAD_KEY:
                    return None
                at = (*top.at, top.key)
            else:
                at = (*top.at, len(top.value))
        mark = event.start_mark
        self.positions[at] = (mark.line + 1, mark.column + 1)
        return at

    def _attach(self, stack: list[_Frame], event: Any, value: Any) -> None:
        if stack and stack[-1].is_map and stack[-1].key is _KEY_WANTED:
            self._key(stack[-1], event, value)
            return
        at = self._place(stack, event, container=False)
        self._finish(stack, value, at)

    def _key(self, top: _Frame, event: Any, value: Any) -> None:
        mark = event.start_mark
        line, col = mark.line + 1, mark.column + 1
        if type(event) is not yaml.ScalarEvent:
            top.key = _BAD_KEY
            return
        key = event.value
        if key == "<<" and event.implicit[0] and event.tag is None:
            self._problem(mark, "merge key '<<' is not supported", "write every key of the mapping out in full")
            top.key = _BAD_KEY
            return
        if top.at is not None and key in top.first_seen:
            self._problem(
                mark,
                f"duplicate key '{_short(key)}' (first defined on line {top.first_seen[key]})",
                "keep one of the two entries; YAML would silently drop the first",
            )
            top.key = _BAD_KEY
            return
        top.first_seen[key] = line
        top.key = key
        if top.at is not None:
            self.key_positions[(*top.at, key)] = (line, col)

    def _finish(self, stack: list[_Frame], value: Any, at: JsonPath | None) -> None:
        """A value is complete: put it in its parent (or make it the document)."""
        if not stack:
            self.data = value
            return
        top = stack[-1]
        if top.is_map:
            if top.key is not _BAD_KEY and at is not None:
                top.value[top.key] = value
            top.key = _KEY_WANTED
        elif at is not None:
            top.value.append(value)


def _short(text: str, n: int = 60) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
