"""For the live preview: load a long content file again by re-parsing only the list items that changed.

A content file such as ``events.yaml`` is one top-level key holding a list, every item starting with
``  - `` at the start of a line. After a save usually one item differs. :class:`ContentCache` keeps,
for each file, the parsed items by their exact text; on the next load it splits the new text at
the items' first lines, parses only the item texts it has not seen (each alone, with the same
loader), and puts the document together with every position shifted to its line in the file.

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

from .errors import Problem
from .load import Document, JsonPath, Position, load_file, load_text

_ITEM = "  - "


@dataclass
class _Item:
    data: Any
    positions: dict[JsonPath, Position]  # relative to the item: path below it, line from its first line
    key_positions: dict[JsonPath, Position]


@dataclass
class _File:
    head: str
    key: str
    frame: tuple[dict[JsonPath, Position], dict[JsonPath, Position]]  # positions of the file's root and list
    items: dict[str, _Item] = field(default_factory=dict)


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

    def __init__(self, frame: Mapping[JsonPath, Position], key: str, tables: list[tuple[Mapping[JsonPath, Position], int]]) -> None:
        self.frame, self.key, self.tables = frame, key, tables

    def __getitem__(self, path: JsonPath) -> Position:
        if len(path) >= 2 and path[0] == self.key and isinstance(path[1], int) and 0 <= path[1] < len(self.tables):
            table, shift = self.tables[path[1]]
            line, col = table[path[2:]]
            return (line + shift, col)
        return self.frame[path]

    def __iter__(self) -> Iterator[JsonPath]:
        yield from self.frame
        for k, (table, _shift) in enumerate(self.tables):
            for path in table:
                yield (self.key, k, *path)

    def __len__(self) -> int:
        return len(self.frame) + sum(len(table) for table, _shift in self.tables)


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
        frame: tuple[dict[JsonPath, Position], dict[JsonPath, Position]] = ({}, {})
        per_item: list[_Item] = [_Item(v, {}, {}) for v in values]
        for table, which in ((doc.positions, 0), (doc.key_positions, 1)):
            for path, (line, col) in table.items():
                if len(path) >= 2 and path[0] == key and isinstance(path[1], int):
                    own = per_item[path[1]]
                    (own.positions, own.key_positions)[which][path[2:]] = (line - items[path[1]][0] + 1, col)
                else:
                    frame[which][path] = (line, col)
        state = _File(head, key, frame)
        for (_first, part), item in zip(items, per_item, strict=True):
            state.items[part] = item
        self.files[display] = state

    def _assemble(self, state: _File, items: list[tuple[int, str]], display: str) -> Document | None:
        fresh: dict[str, _Item] = {}
        for _first, part in items:
            if part in state.items or part in fresh:
                continue
            doc, problems = load_text(part, display)
            if doc is None or problems or not isinstance(doc.data, list) or len(doc.data) != 1:
                return None
            fresh[part] = _Item(
                doc.data[0],
                {path[1:]: pos for path, pos in doc.positions.items() if path[:1] == (0,)},
                {path[1:]: pos for path, pos in doc.key_positions.items() if path[:1] == (0,)},
            )
        state.items.update(fresh)
        values = [state.items[part].data for _first, part in items]
        positions = _Shifted(state.frame[0], state.key, [(state.items[part].positions, first - 1) for first, part in items])
        key_positions = _Shifted(state.frame[1], state.key, [(state.items[part].key_positions, first - 1) for first, part in items])
        if len(state.items) > 2 * len(items) + 16:  # forget items no longer in the file
            used = {part for _first, part in items}
            state.items = {part: item for part, item in state.items.items() if part in used}
        return Document(display, {state.key: values}, positions, key_positions)
