"""``python build.py review TARGET...``: mark English translations as reviewed, or pin seeds.

A target is a content file (every item in it) or ``file:id`` (one item). The command writes
``reviewed: <hash of the item's Arabic>`` into the YAML text itself, next to the item's id,
leaving every other line, comment and quote style as the editor wrote it.

A target ``seeds/FILE`` pins that source document after its citations were checked: it writes
``sha256: <the file's SHA-256>`` into its entry in ``content/sources.yaml``.
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from .errors import BuildError, Problem
from .kinds import kinds_of
from .load import load_bytes, load_text
from .project import InputError, Project
from .translations import source_hash
from .validate import CONTENT_FILES
from .write import replace_file

_BOM = b"\xef\xbb\xbf"


def review(project: Project, targets: list[str]) -> list[str]:
    """Mark the targets as reviewed; return one line per item changed.

    Only the project's own content files are written (a path elsewhere, or a link out of the
    project, is refused), and in them only the ``reviewed`` values: every other byte, a byte-order
    mark and CRLF or lone-CR line ends included, stays as it was.
    """
    seeds = [t for t in targets if t.startswith("seeds/")]
    changed = pin(project, seeds) if seeds else []
    targets = [t for t in targets if not t.startswith("seeds/")] if seeds else targets
    if seeds and not targets:
        return changed
    wanted, problems = _wanted(project, targets or [f"content/{name}.yaml" for name in CONTENT_FILES if name != "site"])
    if problems:
        raise BuildError(problems)
    source = source_language(project) if wanted else ""
    problems = []
    for file, ids in wanted.items():
        path = project.root / file
        try:
            raw = project.read_bytes(path)
        except InputError as exc:
            raise BuildError([exc.problem]) from None
        bom = _BOM if raw.startswith(_BOM) else b""
        try:
            text = raw[len(bom) :].decode("utf-8")
        except UnicodeDecodeError:
            raise BuildError([Problem(file, 1, 1, "file is not valid UTF-8", "save the file as UTF-8")]) from None
        new_text, done = mark(text, file, ids, source)
        if ids:
            for missing in sorted(ids - set(done)):
                problems.append(Problem(file, 1, 1, f"no item with id '{missing}'", "check the id"))
        if new_text != text:
            real = Path(os.path.realpath(path))  # a link inside the project stays a link
            replace_file(real, bom + new_text.encode("utf-8"), mode=stat.S_IMODE(real.stat().st_mode))
        changed += [f"{file}: {ident} marked as reviewed" for ident in done]
    if problems:
        raise BuildError(problems)
    return changed


def _wanted(project: Project, targets: list[str]) -> tuple[dict[str, set[str] | None], list[Problem]]:
    """The content files to mark, each with the ids chosen in it (None: every item), and the targets refused."""
    wanted: dict[str, set[str] | None] = {}
    problems = []
    hint = "give a file such as content/events.yaml, or content/events.yaml:ID"
    for target in targets:
        file, colon, ident = target.partition(":")
        name = Path(file).stem
        path = Path(os.path.normpath(project.root / file))
        if colon and not ident.strip():
            problems.append(
                Problem(target, 1, 1, "no id after ':'", "give the item's id after the colon, or the file alone for every item")
            )
        elif name not in CONTENT_FILES or name == "site" or path != project.content / f"{name}.yaml":
            problems.append(Problem(target, 1, 1, "not a content file with items of this project", hint))
        elif (refused := project.refusal(path)) is not None:
            problems.append(refused)
        elif ident:
            chosen = wanted.setdefault(project.show(path), set())
            if chosen is not None:
                chosen.add(ident)
        else:
            wanted[project.show(path)] = None
    return wanted, problems


def items(name: str, data: Any) -> Iterator[tuple[tuple[str | int, ...], str, dict[str, Any]]]:
    """(path, id, item) for every item of the content file ``name`` (a page's prose is the item of its key)."""
    data = data if isinstance(data, dict) else {}
    if name == "pages":
        for key, value in (data.get("pages") or {}).items():
            if isinstance(value, dict):
                yield ("pages", key), key, value
    for kind in kinds_of(name):
        for i, item in enumerate(data.get(kind.key) or []):
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                yield (kind.key, i), item["id"], item


def source_language(project: Project) -> str:
    """The code of the site's source language (the first of content/site.yaml)."""
    path = project.content / "site.yaml"
    try:  # through the build's gate: not through a link out of the project, not a pipe, not over the size limit
        raw = project.read_bytes(path, missing=("content file is missing", "create content/site.yaml (see docs/content-format.md)"))
    except InputError as exc:
        raise BuildError([exc.problem]) from None
    doc, problems = load_bytes(raw, project.show(path))
    try:
        return str(doc.data["languages"][0]["code"])  # type: ignore[union-attr]
    except (AttributeError, LookupError, TypeError):
        hint = "the source language is the first of content/site.yaml's languages: fix that file first"
        raise BuildError(problems or [Problem("content/site.yaml", 1, 1, "the site's languages cannot be read", hint)]) from None


def mark(text: str, file: str, ids: set[str] | None, source: str) -> tuple[str, list[str]]:
    """Return ``text`` with ``reviewed`` set on the chosen items (all if ``ids`` is None): the hash of their
    text in the ``source`` language."""
    doc, problems = load_text(text, file)
    if doc is None or problems:
        raise BuildError(problems)
    node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    assert node is not None  # load_text above refused an empty file
    edits: list[tuple[int, int, str]] = []
    done: list[str] = []
    for path, ident, item in items(Path(file).stem, doc.data):
        if ids is not None and ident not in ids:
            continue
        digest = source_hash(item, source)
        done.append(ident)
        if item.get("reviewed") == digest:
            continue
        mapping = _node_at(node, path)
        edits.append(_edit(text, mapping, digest))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text, done


def pin(project: Project, seeds: list[str]) -> list[str]:
    """Write each seed's SHA-256 into its entry of content/sources.yaml (every other byte kept);
    return one line per seed."""
    file = "content/sources.yaml"
    path = project.content / "sources.yaml"
    try:
        raw = project.read_bytes(path)
        bom = _BOM if raw.startswith(_BOM) else b""
        text = raw[len(bom) :].decode("utf-8")
    except InputError as exc:
        raise BuildError([exc.problem]) from None
    except UnicodeDecodeError:
        raise BuildError([Problem(file, 1, 1, "file is not valid UTF-8", "save the file as UTF-8")]) from None
    doc, problems = load_text(text, file)
    if doc is None or problems:
        raise BuildError(problems)
    node = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    assert node is not None  # load_text above refused an empty file
    entries = {item.get("file"): i for i, item in enumerate(doc.data.get("sources") or []) if isinstance(item, dict)}
    edits, lines = [], []
    for target in seeds:
        name = target.removeprefix("seeds/")
        try:
            data = project.read_bytes(project.seeds / name) if name in entries and "/" not in name else None
        except InputError as exc:
            problems.append(exc.problem)
            continue
        if data is None:
            hint = "give seeds/FILE as sources.yaml names it"
            problems.append(Problem(target, 1, 1, "not a seed file named in content/sources.yaml", hint))
            continue
        digest = hashlib.sha256(data).hexdigest()
        edits.append(_edit(text, _node_at(node, ("sources", entries[name])), digest, "sha256"))
        lines.append(f"{target}: pinned (sha256 {digest[:12]}…)")
    if problems:
        raise BuildError(problems)
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    real = Path(os.path.realpath(path))  # a link inside the project stays a link
    replace_file(real, bom + text.encode("utf-8"), mode=stat.S_IMODE(real.stat().st_mode))
    return lines


def _node_at(node: yaml.Node, path: tuple[str | int, ...]) -> yaml.MappingNode:
    for step in path:
        node = node.value[step] if isinstance(step, int) else next(v for k, v in node.value if k.value == step)
    assert isinstance(node, yaml.MappingNode)
    return node


def _edit(text: str, mapping: yaml.MappingNode, digest: str, name: str = "reviewed") -> tuple[int, int, str]:
    """The text edit that sets ``name: "digest"`` in ``mapping`` (quoted: "12345678" would be a number);
    a line it adds ends as the line beside it does (LF, CRLF or a lone CR, which YAML reads as line ends)."""
    for key, value in mapping.value:
        if key.value == name:
            return value.start_mark.index, value.end_mark.index, f'"{digest}"'
    if mapping.flow_style:
        at = mapping.start_mark.index + 1  # just after "{"
        return at, at, f'{name}: "{digest}", '
    first_key, first_value = mapping.value[0]
    indent = " " * first_key.start_mark.column
    if isinstance(first_value, yaml.ScalarNode) and first_value.end_mark.line == first_key.start_mark.line:
        at, newline = _line_end(text, first_value.end_mark.index)  # after the first key's line (usually "- id: ...")
        return at, at, f'{newline}{indent}{name}: "{digest}"'
    at = first_key.start_mark.index - first_key.start_mark.column  # before the first key's line
    return at, at, f'{indent}{name}: "{digest}"{_line_end(text, at)[1]}'


def _line_end(text: str, at: int) -> tuple[int, str]:
    """Where the line that holds ``at`` ends, and its line break (on a last line without one: the file's)."""
    ends = [i for i in (text.find("\n", at), text.find("\r", at)) if i >= 0]
    if not ends:
        return len(text), "\r\n" if "\r\n" in text else "\r" if "\r" in text else "\n"
    end = min(ends)
    return end, "\r\n" if text.startswith("\r\n", end) else text[end]
