"""For the live preview: load a long content file again by re-parsing only the list items that changed.

A content file such as ``events.yaml`` is one top-level key holding a list, every item starting with
``  - `` at the start of a line. After a save usually one item differs. :class:`ContentCache` keeps,
for each file, the parsed items by their exact text; on the next load it splits the new text at
the items' first lines, parses only the item texts it has not seen (each alone, with the same
loader), and puts the document together with every position shifted to its line in the file.

Positions are found only when asked for (to locate a problem), like the loader's own (see
:func:`explainer.load.located`): each item's by reading the item's text again, alone.

The result is the document the loader makes from the whole file. Whenever that is not certain
the whole file is parsed as usual: the first load of a file, a file of any other shape (several
top-level keys, a first line that changed, a line at the items' indentation or less that is not
an item's first line or a comment), and any item that alone is not exactly one valid, clean list
item (an unterminated quote or bracket running into the next item, a refused character, ...),
so every error is still found and located by the loader itself.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Problem
from .load import Document, JsonPath, Position, load_file, load_text, located

_ITEM = "  - "


@dataclass
class _Item:
    data: Any
    text: str
    _tables: tuple[Mapping[JsonPath, Position], Mapping[JsonPath, Position]] | None = None

    def tables(self) -> tuple[Mapping[JsonPath, Position], Mapping[JsonPath, Position]]:
        """Positions (values, keys) relative to the item: path below it, line from its first line."""
        if self._tables is None:
            try:
                positions, key_positions = located(self.text, "")
                self._tables = (
                    {path[1:]: pos for path, pos in positions.items() if path[:1] == (0,)},
                    {path[1:]: pos for path, pos in key_positions.items() if path[:1] == (0,)},
                )
            except yaml.YAMLError:  # pragma: no cover - an item of a file that loaded reads alone (see _split)
                self._tables = ({}, {})  # its places fall back to the list's
        return self._tables


@dataclass
class _File:
    head: str
    key: str
    first: str  # the first item's text when the file was loaded whole: with the head, it places the root and the list
    items: dict[str, _Item] = field(default_factory=dict)
    _frame: tuple[dict[JsonPath, Position], dict[JsonPath, Position]] | None = None

    def frame(self, which: int) -> Mapping[JsonPath, Position]:
        """Positions (0: values, 1: keys) of the file's root and list, the same whatever the items."""
        if self._frame is None:
            tables = located(self.head + self.first, "")
            self._frame = (
                {path: pos for path, pos in tables[0].items() if len(path) < 2},
                {path: pos for path, pos in tables[1].items() if len(path) < 2},
            )
        return self._frame[which]


_HEAD = re.compile(r"(?:(?:#[^\n]*|[^\S\n]*)\n)*([a-z_]+):[ \t]*(?:#[^\n]*)?\n")
"""Blank lines and comments, then the file's one key alone on its line."""
_NOT_ITEM_LINE = re.compile(r"\n(?!  - |   | *#|[^\S\n]*(?:\n|\Z))")
"""A line at the items' indentation or less that is neither an item's first line, a comment nor blank
(found from the line break before it: a pattern that starts with a plain character is searched fast)."""
_ITEM_START = re.compile(r"\n  - ")


def _split(text: str) -> tuple[str, str, list[tuple[int, str]]] | None:
    """(head, key, [(first line, item text)]) of a one-key file whose value is a block list, else None."""
    head = _HEAD.match(text)
    if head is None or not text.endswith("\n"):
        return None
    body = text[head.end() :]
    if not body.startswith(_ITEM) or _NOT_ITEM_LINE.search(body):
        return None
    starts = [0] + [m.start() + 1 for m in _ITEM_START.finditer(body)] + [len(body)]
    line = text.count("\n", 0, head.end()) + 1
    items = []
    for start, end in itertools.pairwise(starts):
        part = body[start:end]
        items.append((line, part))
        line += part.count("\n")
    return text[: head.end()], head.group(1), items


class _Shifted(Mapping[JsonPath, Position]):
    """A document's positions put together from its list items' own tables, each item's lines
    shifted to where the item now starts: looked up when asked, not copied (copying every
    position of a long file was a third of the time of a rebuild)."""

    def __init__(self, state: _File, which: int, placed: list[tuple[_Item, int]]) -> None:
        self.state, self.which, self.placed = state, which, placed

    def __getitem__(self, path: JsonPath) -> Position:
        if len(path) >= 2 and path[0] == self.state.key and isinstance(path[1], int) and 0 <= path[1] < len(self.placed):
            item, shift = self.placed[path[1]]
            line, col = item.tables()[self.which][path[2:]]
            return (line + shift, col)
        return self.state.frame(self.which)[path]

    def __iter__(self) -> Iterator[JsonPath]:
        yield from self.state.frame(self.which)
        for k, (item, _shift) in enumerate(self.placed):
            for path in item.tables()[self.which]:
                yield (self.state.key, k, *path)

    def __len__(self) -> int:
        return len(self.state.frame(self.which)) + sum(len(item.tables()[self.which]) for item, _shift in self.placed)


class ContentCache:
    """Parsed list items of the content files, kept between the preview's rebuilds."""

    def __init__(self) -> None:
        self.files: dict[str, _File] = {}

    def load_file(self, file: Path, display: str) -> tuple[Document | None, list[Problem]]:
        """What :func:`explainer.load.load_file` returns, re-parsing only changed items when it can."""
        try:
            text = file.read_text("utf-8") if file.is_file() else None
        except (OSError, UnicodeDecodeError):
            text = None
        split = _split(text) if text is not None and not text.startswith("\ufeff") else None
        known = self.files.get(display)
        if split is not None and known is not None and known.head == split[0]:
            doc = self._assemble(known, split[2], display)
            if doc is not None:
                return doc, []
        doc, problems = load_file(file, display)
        self.files.pop(display, None)
        if doc is not None and not problems and split is not None:
            self._remember(doc, display, *split)
        return doc, problems

    def _remember(self, doc: Document, display: str, head: str, key: str, items: list[tuple[int, str]]) -> None:
        values = doc.data.get(key) if isinstance(doc.data, dict) else None
        if not isinstance(values, list) or len(values) != len(items) or list(doc.data) != [key]:
            return
        state = _File(head, key, items[0][1])
        for (_first, part), value in zip(items, values, strict=True):
            state.items[part] = _Item(value, part)
        self.files[display] = state

    def _assemble(self, state: _File, items: list[tuple[int, str]], display: str) -> Document | None:
        fresh: dict[str, _Item] = {}
        for _first, part in items:
            if part in state.items or part in fresh:
                continue
            doc, problems = load_text(part, display)
            if doc is None or problems or not isinstance(doc.data, list) or len(doc.data) != 1:
                return None
            fresh[part] = _Item(doc.data[0], part)
        state.items.update(fresh)
        values = [state.items[part].data for _first, part in items]
        placed = [(state.items[part], first - 1) for first, part in items]
        if len(state.items) > 2 * len(items) + 16:  # forget items no longer in the file
            used = {part for _first, part in items}
            state.items = {part: item for part, item in state.items.items() if part in used}
        return Document(display, {state.key: values}, _Shifted(state, 0, placed), _Shifted(state, 1, placed))
