"""Stage 1 — load YAML files, keeping the line and column of every key and value."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem

try:  # the C composer is several times faster; the pure-Python one behaves the same
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

JsonPath = tuple[str | int, ...]
Position = tuple[int, int]

_constructor = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"
_SCALARS = {
    "tag:yaml.org,2002:int": _constructor.construct_yaml_int,
    "tag:yaml.org,2002:float": _constructor.construct_yaml_float,
    "tag:yaml.org,2002:bool": _constructor.construct_yaml_bool,
    "tag:yaml.org,2002:null": _constructor.construct_yaml_null,
}


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
    """Pause the cyclic GC: it makes building large node trees superlinear."""
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
        return None, [
            Problem(path, 1, 1, "file is empty", "add the content, or delete the file if it is not needed")
        ]
    try:
        with _no_cyclic_gc():
            node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_problem(path, exc, text)]
    except yaml.YAMLError as exc:  # errors without a mark
        return None, [Problem(path, 1, 1, f"YAML error: {exc}", "check the file's YAML syntax")]
    if node is None:
        return None, [
            Problem(path, 1, 1, "file is empty", "add the content, or delete the file if it is not needed")
        ]
    positions: dict[JsonPath, Position] = {}
    key_positions: dict[JsonPath, Position] = {}
    problems: list[Problem] = []
    with _no_cyclic_gc():
        data = _convert(node, (), positions, key_positions, problems, path)
    return Document(path, data, positions, key_positions), problems


def load_file(file: Path, display: str) -> tuple[Document | None, list[Problem]]:
    """Read and parse one YAML file; undecodable or unreadable files become problems."""
    try:
        raw = file.read_bytes()
    except OSError as exc:
        return None, [Problem(display, 1, 1, f"cannot read file: {exc.strerror}", "check that it exists and is readable")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, [
            Problem(
                display,
                line,
                col,
                f"file is not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                "save the file as UTF-8 (in most editors: 'Save with encoding' → UTF-8)",
            )
        ]
    if "\x00" in text:
        at = text.index("\x00")
        line = text.count("\n", 0, at) + 1
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        return None, [Problem(display, line, col, "file contains a NUL character", "remove the NUL character; it cannot be part of text")]
    return load_text(text, display)


def _has_content(text: str) -> bool:
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and stripped not in ("---", "..."):
            return True
    return False


def _syntax_problem(path: str, exc: yaml.MarkedYAMLError, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
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
    return Problem(path, line, col, f"YAML syntax error: {message}", hint)


def _convert(
    node: yaml.Node,
    at: JsonPath,
    positions: dict[JsonPath, Position],
    key_positions: dict[JsonPath, Position],
    problems: list[Problem],
    path: str,
) -> Any:
    positions[at] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        first_seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            kline, kcol = key_node.start_mark.line + 1, key_node.start_mark.column + 1
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(Problem(path, kline, kcol, "a key must be a plain name", "write the key as a simple word followed by ':'"))
                continue
            key = str(key_node.value)
            if key in first_seen:
                problems.append(
                    Problem(
                        path,
                        kline,
                        kcol,
                        f"duplicate key '{key}' (first defined on line {first_seen[key]})",
                        "keep one of the two entries; YAML would silently drop the first",
                    )
                )
                continue
            first_seen[key] = kline
            key_positions[at + (key,)] = (kline, kcol)
            out[key] = _convert(value_node, at + (key,), positions, key_positions, problems, path)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [
            _convert(item, at + (i,), positions, key_positions, problems, path)
            for i, item in enumerate(node.value)
        ]
    assert isinstance(node, yaml.ScalarNode)
    if node.tag == _STR or node.style is not None and node.style != "":
        return node.value
    make = _SCALARS.get(node.tag)
    if make is None:  # timestamps and anything else stay as the text the editor wrote
        return node.value
    return make(node)
