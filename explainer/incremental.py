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

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Problem
from .load import Document, JsonPath, Position, load_file, load_text

_KEY = re.compile(r"([a-z_]+):[ \t]*(?:#.*)?\n")
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


def _split(text: str) -> tuple[str, str, list[tuple[int, str]]] | None:
    """(head, key, [(first line, item text)]) of a one-key file whose value is a block list, else None."""
    lines = text.splitlines(keepends=True)
    if not lines or not lines[-1].endswith("\n"):
        return None
    at = 0
    while at < len(lines) and (not lines[at].strip() or lines[at].startswith("#")):
        at += 1
    if at >= len(lines) or not (match := _KEY.fullmatch(lines[at])):
        return None
    head, key = "".join(lines[: at + 1]), match.group(1)
    items: list[tuple[int, list[str]]] = []
    for n in range(at + 1, len(lines)):
        line = lines[n]
        if line.startswith(_ITEM):
            items.append((n + 1, [line]))
        elif not items:
            return None
        elif line.strip() and not line.startswith("   ") and not line.lstrip(" ").startswith("#"):
            return None  # something at the items' indentation or less that is not an item
        else:
            items[-1][1].append(line)
    if not items:
        return None
    return head, key, [(first, "".join(part)) for first, part in items]


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
        positions, key_positions = dict(state.frame[0]), dict(state.frame[1])
        values = []
        for k, (first, part) in enumerate(items):
            item = state.items[part]
            values.append(item.data)
            shift = first - 1
            prefix: JsonPath = (state.key, k)
            for path, (line, col) in item.positions.items():
                positions[prefix + path] = (line + shift, col)
            for path, (line, col) in item.key_positions.items():
                key_positions[prefix + path] = (line + shift, col)
        if len(state.items) > 2 * len(items) + 16:  # forget items no longer in the file
            used = {part for _first, part in items}
            state.items = {part: item for part, item in state.items.items() if part in used}
        return Document(display, {state.key: values}, positions, key_positions)
