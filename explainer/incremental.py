"""What the live preview keeps between saves, so that a save costs what it changed.

- Content files (:meth:`Memo.load`): a file whose bytes did not change is not parsed again; in a file
  that is one list (``events.yaml``) only the items whose text changed are parsed, each alone, and
  every other item keeps its data and its positions (moved to the line it is on now). Whenever
  that is not certain to give what parsing the whole file gives, the whole file is parsed.
- Checks (:meth:`Memo.checks`, :meth:`Memo.unproven`): an item that did not change (the same
  object) is not checked again while what its check depends on is the same.
- Pages (:meth:`Memo.update`): each page written records what it read of the model (the
  collections and the plan, see :data:`~explainer.model.READING`) and what every page shares
  (:func:`shared_inputs`); after a save a page is made again only if it is new, its entry in the
  plan changed, or something it read did. The open pages are made and shown first. The other files
  (sitemap, feeds, open data…) are made again by the same rule, each by what makes it.

Everything that is not content (templates, catalogs, static files, seeds, schemas, the map's
outlines) is fingerprinted: when it changes, the preview is built whole again as ``build`` builds
it (:func:`~explainer.site.build`), recording what each page read. With pages open, the fingerprints
are taken once those pages are shown (editors save content, and a save's open page should not wait for
the rest): a save that changed more is then built whole, and its open pages shown again. (So a save of content
together with, say, a syntax error in a template no page uses shows its open pages before the error is found: the
error overlay then shows it over them, as when the rest of any build fails, see :func:`~explainer.site.build`. The
schemas are read on every save, so that the content is always checked by the schemas on disk.)
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .checks import Checked, Context, check_item, check_texts
from .errors import BuildError, Problem
from .kinds import Kind, kinds_of
from .load import Document, Places, load_bytes, without_items
from .model import READING, Model
from .plan import Page, plan
from .project import InputError, Project
from .render import Renderer, make_markdown, render_all
from .typography import place_names
from .workers import Cancelled
from .write import MANIFEST, _manifest_bytes, _unlink_below, put_below, read_manifest, unwritable

if TYPE_CHECKING:
    from .site import Fixed

NOT_CONTENT = ("templates", "locales", "static", "seeds", "schemas")
"""The project's input folders besides ``content/`` (whose YAML files are followed one by one)."""


def fingerprints(project: Project) -> dict[str, str]:
    """A hash of every file of each input folder that is not content, and of content's files that are not YAML.

    The files are found and read as the build finds and reads them (:meth:`~explainer.project.Project.files_below`,
    :meth:`~explainer.project.Project.read_bytes`): what the build refuses (a link out of the input folders, a pipe
    or device, a file over the size limit) is never opened; its refusal is hashed instead, so that a change to it
    still builds again, and that build reports it."""
    out = {}
    for name in (*NOT_CONTENT, "content"):
        digest = hashlib.blake2b(digest_size=16)
        files, problems = project.files_below(project.root / name)
        for problem in problems:
            digest.update(repr(problem).encode() + b"\0")
        for path in files:
            if name == "content" and path.suffix in (".yaml", ".yml"):
                continue
            digest.update(os.fsencode(project.show(path)) + b"\0")
            try:
                digest.update(hashlib.blake2b(project.read_listed(path), digest_size=16).digest())
            except InputError as exc:
                digest.update(repr(exc.problem).encode() + b"\0")
        out[name] = digest.hexdigest()
    return out


def shared_inputs(renderer: Renderer) -> tuple[Any, ...]:
    """What every page may read besides the collections it names: the site's settings, the prose pages,
    what the pages of a language share (:meth:`~explainer.render.Renderer.prepare`), the plain values
    among the templates' globals and the place names kept whole."""
    model = renderer.model
    shared = {code: {k: v for k, v in values.items() if k != "translators"} for code, values in renderer.shared.items()}
    plain = {code: {k: v for k, v in env.globals.items() if not callable(v) and k != "untranslated"} for code, env in renderer.envs.items()}
    names = {code: place_names(model, code) for code in renderer.envs}
    return (model.site, dict(model.pages), dict(model.aliases), shared, plain, names)


# --- content files ------------------------------------------------------------------------------


@dataclass
class _Item:
    """One item of a list file: its data, its positions (counted from ``line``), and its text's line breaks."""

    data: Any
    places: Places
    line: int
    breaks: int


@dataclass
class _File:
    """A content file as last read: its bytes and what they gave; for a list file, its items by their text
    (with its head, its key and the positions of both, from the last time it was read whole without a problem)."""

    raw: bytes
    doc: Document | None
    problems: list[Problem]
    head: bytes = b""
    key: str = ""
    items: dict[bytes, _Item] = field(default_factory=dict)
    frame: Places | None = None
    parts: list[bytes] = field(default_factory=list)
    """The items' texts as last split (see :func:`_split`)."""

    def after(self, raw: bytes, doc: Document | None, problems: list[Problem]) -> _File:
        """The file read again: what was known of its items is kept."""
        return _File(raw, doc, problems, self.head, self.key, self.items, self.frame, self.parts)


_HEAD = re.compile(rb"(?:(?:#[^\n]*|[ \t]*)\n)*([a-z_]+):[ \t]*(?:#[^\n]*)?\n")
"""Blank lines and comments, then the file's one key alone on its line."""
_ITEM = b"\n  - "
_OTHER_BREAK = re.compile("\r|\x85|\u2028|\u2029".encode())
"""Line breaks YAML counts besides "\\n" (a lone CR…): a file with one is parsed whole, so its lines are YAML's."""
_OTHER_LINE = re.compile(rb"\n(?!   | *#|[ \t]*(?:\n|\Z))")
"""Inside an item's text: a line that is not indented below the item, a comment or blank."""


def _stamp(file: Path) -> tuple[int, int] | None:
    try:
        info = file.stat()
    except OSError:
        return None
    return info.st_size, info.st_mtime_ns


def _split(raw: bytes, before: _File | None = None) -> tuple[bytes, str, list[bytes]] | None:
    """(head, key, the items' texts without their leading ``  - ``) of a file that is one key holding a block list.
    (Whether it holds a line break other than "\\n" is asked of the whole file when it is parsed whole, and of
    each new item's text: the 38 MB of a 10,000-event file are not scanned again on every save.)
    ``before``: the file as last read; the texts of its items found again at the start and the end are
    reused, not copied (each keeps its hash, the key that finds what it gave)."""
    head = _HEAD.match(raw)
    if head is None or not raw.endswith(b"\n") or not raw.startswith(b"  - ", head.end()):
        return None
    old = before.parts if before is not None and before.head == raw[: head.end()] else []
    return raw[: head.end()], head.group(1).decode(), _parts(raw, head.end() + 4, old)


def _parts(raw: bytes, start: int, old: list[bytes]) -> list[bytes]:
    """``raw[start:].split(_ITEM)``, with the parts of ``old`` that are still at its start and at its end taken from ``old``.

    None of the parts holds ``_ITEM``, whose first byte is in it only once: so a part followed by ``_ITEM``
    (or, at the end, preceded by it) is one part of the split, whatever comes before or after."""
    pos, i = start, 0
    while i < len(old) and raw.startswith(old[i], pos) and raw.startswith(_ITEM, pos + len(old[i])):
        pos += len(old[i]) + len(_ITEM)
        i += 1
    end, j = len(raw), len(old)
    while j > i and raw.endswith(old[j - 1], pos, end) and raw.endswith(_ITEM, pos, end - len(old[j - 1])):
        end -= len(old[j - 1]) + len(_ITEM)
        j -= 1
    return old[:i] + raw[pos:end].split(_ITEM) + old[j:]


# --- what a page or file was made from ----------------------------------------------------------


@dataclass(frozen=True)
class _Made:
    """What a page (or the files of one maker) was made from: its entry of the plan, the values of
    what it read, and what every page shares."""

    page: Page | None
    reads: tuple[tuple[str, Any], ...]
    shared: tuple[Any, ...]
    files: tuple[str, ...] = ()


_PLAIN = frozenset({str, int, float, bool, type(None)})


def same_value(old: Any, new: Any) -> bool:
    """Whether two values read by pages would be shown alike: equal, of the same types, in the same order
    (``2500`` and ``2500.0`` are equal in Python but printed differently; so are two dicts in other orders)."""
    if old is new:
        return True
    if type(old) is not type(new):
        return False
    if type(old) in _PLAIN:
        return bool(old == new)
    if isinstance(old, (tuple, list)):
        return len(old) == len(new) and all(same_value(a, b) for a, b in zip(old, new, strict=True))
    if isinstance(old, Mapping):
        return list(old) == list(new) and all(same_value(old[k], new[k]) for k in old)
    if is_dataclass(old):
        return all(same_value(getattr(old, f.name), getattr(new, f.name)) for f in fields(old))
    return bool(old == new)


class _Same:
    """Whether values read by an earlier build equal the current ones, each pair compared once."""

    def __init__(self, model: Model, pages: tuple[Page, ...], shared: tuple[Any, ...]) -> None:
        self.model, self.pages, self.shared = model, pages, shared
        self.known: dict[tuple[int, int], bool] = {}

    def value(self, name: str) -> Any:
        return self.pages if name == "plan" else self.model.collections.get(name)

    def equal(self, old: Any, new: Any) -> bool:
        if old is new:
            return True
        key = (id(old), id(new))
        if key not in self.known:
            self.known[key] = same_value(old, new)
        return self.known[key]

    def still(self, made: _Made | None, page: Page | None = None) -> bool:
        """Whether what ``made`` was made from is unchanged (for ``page``, as planned now)."""
        if made is None or not self.equal(made.shared, self.shared) or (page is not None and not self.equal(made.page, page)):
            return False
        return all(self.equal(old, self.value(name)) for name, old in made.reads)

    def made(self, page: Page | None, reads: Iterable[str], files: tuple[str, ...] = ()) -> _Made:
        return _Made(page, tuple((name, self.value(name)) for name in sorted(reads)), self.shared, files)


class Memo:
    """What the live preview keeps between its builds (see the module's docstring)."""

    def __init__(self) -> None:
        self.files: dict[str, _File] = {}
        self.items: dict[tuple[int, str], tuple[Any, Any, Any]] = {}
        """By an item's identity and what was made of it: (the item, what the result depends on, the result)."""
        self.used: set[tuple[int, str]] = set()
        self.inputs: dict[str, str] = {}
        """The fingerprints of the inputs that are not content, when the preview was last built whole."""
        self.schemas: dict[str, bytes] = {}
        """The schemas the last build read, by file name (see :meth:`use_schemas`)."""
        self.schemas_key = ""
        """A hash of those schemas."""
        self.pages: dict[str, _Made] = {}
        """By output: what the page written there was made from."""
        self.others: dict[str, _Made] = {}
        """By the name of what makes them: what the other files written were made from."""
        self.digests: dict[str, bytes] = {}
        """A hash of each other file written, by its path."""
        self.outputs: frozenset[str] | None = None
        """The files of the preview's folder, as its manifest lists them."""
        self.manifest = b""
        """The bytes of that manifest."""
        self.plans: dict[str, Any] = {}
        """The pages of the last plan (see :func:`~explainer.plan.plan`)."""
        self.fixed: Fixed | None = None
        """What the last build read besides the content and the templates (see :class:`~explainer.site.Fixed`)."""

    # --- loading and checking ---

    def load(
        self, file: Path, display: str, read: Callable[[], tuple[bytes | None, list[Problem]]]
    ) -> tuple[Document | None, list[Problem]]:
        """The document of the file ``file`` (shown as ``display``) whose bytes ``read()`` gives, parsing only what changed.

        A file still being written (its size or time changed while it was read: a large file is saved
        in more than one step, and the first starts the build) stops the build with
        :class:`~explainer.workers.Cancelled`, as does a save while it would be parsed whole: the next
        build reads it again. What was known of its items is kept until it is read whole without a problem."""
        before = _stamp(file)
        raw, problems = read()
        if raw is not None and (before is None or before != _stamp(file) or before[0] != len(raw)):
            raise Cancelled()
        known = self.files.get(display) or _File(b"", None, [])
        if raw is None:
            self.files[display] = known.after(b"", None, problems)
            return None, problems
        if known.doc is not None and known.raw == raw:
            return known.doc, list(known.problems)
        split = _split(raw, known)
        if known.items and split is not None and split[0] == known.head:
            doc = self._assemble(known, split[2], display)
            if doc is not None:
                self.files[display] = loaded = known.after(raw, doc, [])
                loaded.parts = split[2]
                return doc, []
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled()
        doc, problems = load_bytes(raw, display)
        self.files[display] = loaded = known.after(raw, doc, problems)
        if doc is not None and not problems and split is not None:
            loaded.items, loaded.frame = {}, None
            self._remember(loaded, *split)
        return doc, list(problems)

    def _remember(self, loaded: _File, head: bytes, key: str, parts: list[bytes]) -> None:
        """Keep the items of a list file that was parsed whole."""
        doc = loaded.doc
        assert doc is not None
        values, places = doc.data.get(key) if isinstance(doc.data, dict) else None, doc.items.get(key, ())
        if list(doc.data) != [key] or not isinstance(values, list) or not len(values) == len(places) == len(parts):
            return
        if _OTHER_BREAK.search(loaded.raw) or any(_OTHER_LINE.search(part) for part in parts):
            return
        line = head.count(b"\n") + 1
        for i, part in enumerate(parts):
            breaks = part.count(b"\n")
            loaded.items[part] = _Item(values[i], places[i], line, breaks)
            line += breaks + 1
        loaded.head, loaded.key, loaded.frame, loaded.parts = head, key, doc.places, parts

    def _assemble(self, known: _File, parts: list[bytes], display: str) -> Document | None:
        """The document of a list file whose head is unchanged, from its items: those seen before as they
        were, the others parsed alone; None if an item cannot be read alone as exactly one clean item."""
        if known.frame is None:
            return None
        values, places = [], []
        line = known.head.count(b"\n") + 1
        seen: set[bytes] = set()
        for part in parts:
            item = known.items.get(part)
            if item is None:
                item = self._item(known, part, display)
                if item is None:
                    return None
                known.items[part] = item
            if part in seen:  # the same text twice: parsed whole (each item its own data)
                return None
            seen.add(part)
            values.append(item.data)
            places.append(item.places if line == item.line else item.places.moved(line - item.line))
            line += item.breaks + 1
        if len(known.items) > 2 * len(parts) + 16:  # forget items no longer in the file
            known.items = {part: known.items[part] for part in parts}
        return Document(display, {known.key: values}, known.frame, {known.key: places})

    def _item(self, known: _File, part: bytes, display: str) -> _Item | None:
        """One item's text parsed alone (under the file's head), or None."""
        if _OTHER_LINE.search(part) or _OTHER_BREAK.search(part):
            return None
        doc, problems = load_bytes(known.head + b"  - " + part + (b"" if part.endswith(b"\n") else b"\n"), display)
        if doc is None or problems or list(doc.data) != [known.key] or len(doc.data[known.key]) != 1:
            return None
        return _Item(doc.data[known.key][0], doc.items[known.key][0], known.head.count(b"\n") + 1, part.count(b"\n"))

    def item(self, item: Any, what: str, key: Any, make: Callable[[], Any]) -> Any:
        """``make()`` for one content item, or what it gave for the same item object and ``key`` before."""
        self.used.add((id(item), what))
        found = self.items.get((id(item), what))
        if found is not None and found[0] is item and found[1] == key:
            return found[2]
        result = make()
        self.items[(id(item), what)] = (item, key, result)
        return result

    def checks(self, content: Any) -> Callable[[Context, Kind, dict[str, Any]], Checked]:
        """:func:`~explainer.checks.check_item`, again only for items not checked with the same context before."""
        key = self._context_key(content)

        def check(ctx: Context, kind: Kind, raw: dict[str, Any]) -> Checked:
            return self.item(raw, f"check {kind.name}", key, lambda: check_item(ctx, kind, raw))  # type: ignore[no-any-return]

        return check

    def texts(self, content: Any) -> Callable[[Context, dict[str, Any], str | None, str], Checked]:
        """:func:`~explainer.checks.check_texts`, again only for texts not checked with the same context before."""
        key = self._context_key(content)

        def check(ctx: Context, raw: dict[str, Any], ident: str | None, file: str) -> Checked:
            return self.item(raw, f"texts {file}", (key, ident), lambda: check_texts(ctx, raw, ident, file))  # type: ignore[no-any-return]

        return check

    def _context_key(self, content: Any) -> tuple[Any, ...]:
        """What the checks of an item or a text read besides it (the content files, compared by value)."""
        docs = tuple(content.docs.get(name) for name in ("site", "sources", "style"))
        return (docs, frozenset(content.dropped.get("sources", ())), self.inputs.get("seeds"), self.schemas_key)

    def use_schemas(self, files: Mapping[str, bytes]) -> None:
        """The schemas this build read (their bytes by file name): what is known to pass them is kept by their hash."""
        digest = hashlib.blake2b(digest_size=16)
        for name, data in sorted(files.items()):
            digest.update(hashlib.blake2b(name.encode() + b"\0" + data, digest_size=16).digest())
        self.schemas, self.schemas_key = dict(files), digest.hexdigest()

    def unproven(self, name: str, doc: Document, codes: frozenset[str]) -> Document | None:
        """``doc`` without the items of its lists that passed their schema and length checks before (one is kept);
        None if the document itself, as it is, passed them before (a file read again unchanged)."""
        if self.item(doc, "proven", ("proven", self.schemas_key, codes), lambda: False):
            return None
        drop = {}
        for kind in kinds_of(name):
            items = doc.data.get(kind.key) if isinstance(doc.data, dict) else None
            if isinstance(items, list) and self._reducible(name, kind.key):
                key = ("proven", self.schemas_key, codes)
                known = [i for i, item in enumerate(items) if self.item(item, "proven", key, lambda: False)]
                drop[kind.key] = set(known[1:] if len(known) == len(items) else known)
        return without_items(doc, drop) if any(drop.values()) else doc

    def proven(self, name: str, doc: Document, codes: frozenset[str]) -> None:
        """Remember that the items of ``doc``'s lists passed their schema and length checks."""
        key = ("proven", self.schemas_key, codes)
        self.items[(id(doc), "proven")] = (doc, key, True)
        for kind in kinds_of(name):
            for item in doc.data.get(kind.key) or () if isinstance(doc.data, dict) else ():
                self.items[(id(item), "proven")] = (item, key, True)

    def _reducible(self, name: str, key: str) -> bool:
        """Whether the schema asks of the list ``key`` only that it is a list of at least one valid item
        (so a file whose new items are valid, beside items valid before, is valid)."""
        import json

        try:
            schema = json.loads(self.schemas[f"{name}.schema.json"])
            rule = schema["properties"][key]
        except (ValueError, KeyError, TypeError):
            return False
        return isinstance(rule, dict) and rule.get("type") == "array" and rule.get("minItems", 0) <= 1 and set(rule) <= _LIST_WORDS

    cancel: threading.Event | None = None

    # --- pages and other files ---

    def rebuild(
        self,
        project: Project,
        out: Path,
        *,
        first: Collection[str] = (),
        shown: Callable[[Model], None] | None = None,
        also: Callable[[Model], Mapping[str, bytes]] | None = None,
        cancel: threading.Event | None = None,
    ) -> tuple[int, int]:
        """Build the preview into ``out``, making again only what changed since the last build (or
        everything, when what is not content changed); return (pages made, pages of the site).
        Raises :class:`BuildError` as :func:`~explainer.site.build` does."""
        from .site import build

        self.cancel = cancel
        known = bool(self.inputs) and bool(self.pages) and self._manifest(out) == self.manifest
        if known and first and shown is not None:
            made = self._content_first(project, out, first=first, shown=shown, also=also, cancel=cancel)
            if made is not None:
                return made
        inputs = fingerprints(project)
        if inputs == self.inputs and known:
            made = self.update(project, out, first=first, shown=shown, also=also, cancel=cancel)
            self.forget_unused()  # (only after a build that used every item: one that failed may have read none)
            return made
        self.inputs, self.pages, self.others, self.digests, self.outputs, self.plans, self.fixed = inputs, {}, {}, {}, None, {}, None
        reads: dict[str, frozenset[str]] = {}
        ready: list[Renderer] = []
        result = build(
            project, out, preview=True, first=first, shown=shown, also=also, cancel=cancel, reads=reads, ready=ready.append, memo=self
        )
        same = _Same(result.model, result.pages, shared_inputs(ready[0]))
        self.pages = {page.output: same.made(page, reads.get(page.output, ())) for page in result.pages}
        self.outputs = read_manifest(out)
        self.manifest = self._manifest(out) or b""
        self.forget_unused()
        return len(result.pages), len(result.pages)

    def _content_first(
        self,
        project: Project,
        out: Path,
        *,
        first: Collection[str],
        shown: Callable[[Model], None],
        also: Callable[[Model], Mapping[str, bytes]] | None,
        cancel: threading.Event | None,
    ) -> tuple[int, int] | None:
        """:meth:`update` as if only content changed, the fingerprints taken once the open pages are shown; None if
        something else changed (then the preview is built whole)."""

        def unchanged() -> bool:
            return fingerprints(project) == self.inputs

        try:
            made = self.update(project, out, first=first, shown=shown, also=also, cancel=cancel, verify=unchanged)
        except _NotOnlyContent:
            return None
        except BuildError:
            if unchanged():
                raise
            return None  # (the error may be that of a template, a catalog… that changed)
        self.forget_unused()
        return made

    def update(
        self,
        project: Project,
        out: Path,
        *,
        first: Collection[str],
        shown: Callable[[Model], None] | None,
        also: Callable[[Model], Mapping[str, bytes]] | None,
        cancel: threading.Event | None,
        verify: Callable[[], bool] | None = None,
    ) -> tuple[int, int]:
        """Make again the pages and files whose inputs changed (the open pages first, then shown) and write them into ``out``.

        ``verify``: called once the open pages are shown; if it is false, :class:`_NotOnlyContent` is raised."""
        from .site import _environments, _OtherFiles, _page_templates, fixed_key, read_fixed
        from .validate import load_model

        model = load_model(project, drafts=True, memo=self, coverage=False)
        templates, problems = _page_templates(project, model)
        pages = plan(model, templates, self.plans)
        fixed = self.fixed if self.fixed is not None and self.fixed.key == fixed_key(model) else read_fixed(project, model)
        md = make_markdown()
        envs, reuse, more = _environments(project, model, pages, fixed, md, publish=False, compiled=True)
        problems += [*fixed.problems, *more]
        if problems:
            raise BuildError(problems)
        self.fixed = fixed
        reads: dict[str, frozenset[str]] = {}
        renderer = Renderer(model, envs, md, True, reads=reads)
        renderer.prepare()
        same = _Same(model, pages, shared_inputs(renderer))
        built = self.outputs or frozenset()
        opened = [p for p in pages if p.output in first and p.output in built]  # made again whatever changed: comparing
        # what they read (the whole timeline, on a timeline page) can cost more than making them
        if opened:
            self._write(out, *self._render(renderer, opened, project, cancel, same))
            if shown is not None:
                shown(model)
        if verify is not None and not verify():
            raise _NotOnlyContent()
        early = {p.output for p in opened}
        stale = [p for p in pages if p.output not in early and not same.still(self.pages.get(p.output), p)]
        self._write(out, *self._render(renderer, stale, project, cancel, same))
        files = self._others(out, _OtherFiles(model, pages, md, fixed.catalogs, reuse, True, None), same, cancel)
        if also is not None:
            extra = dict(also(model))
            self._write(out, extra)
            files |= set(extra)
        self._finish(out, {p.output for p in pages} | files)
        return len(opened) + len(stale), len(pages)

    def put(self, out: Path, rel: str, data: bytes) -> None:
        """Write one file of the preview into ``out`` (the preview's status): as :meth:`rebuild` writes its files."""
        self._write(out, {rel: data})

    @staticmethod
    def _render(
        renderer: Renderer, pages: list[Page], project: Project, cancel: threading.Event | None, same: _Same
    ) -> tuple[dict[str, bytes], dict[str, _Made]]:
        """Render ``pages`` (in this process): their files, and what each was made from; raises :class:`BuildError`."""
        assert renderer.reads is not None
        files = render_all(renderer, pages, project, jobs=1, cancel=cancel)
        return files, {page.output: same.made(page, renderer.reads.get(page.output, ())) for page in pages}

    def _write(self, out: Path, files: Mapping[str, bytes], made: Mapping[str, _Made] | None = None) -> None:
        """Write ``files`` into ``out``, each whole (see :func:`~explainer.write.put_below`), a new one listed
        in the manifest first; remember what the pages among them were made from."""
        rel = MANIFEST
        try:
            new = set(files) - (self.outputs or frozenset())
            if new:
                self._list(out, (self.outputs or frozenset()) | new)
            for rel, data in files.items():
                self.pages.pop(rel, None)
                put_below(out, rel, data)
                if made is not None and rel in made:
                    self.pages[rel] = made[rel]
        except OSError as exc:
            raise BuildError([_unwritable(out, rel, exc)]) from None

    def _others(self, out: Path, others: Any, same: _Same, cancel: threading.Event | None) -> set[str]:
        """Make again the other files whose maker read something that changed; write those whose bytes changed."""
        files: set[str] = set()
        for label, making in others.makers():
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            made = self.others.get(label)
            if same.still(made):
                assert made is not None
                files.update(made.files)
                continue
            self.others.pop(label, None)
            READING.append({"plan"})  # (most read the plan: all are made again when it changes)
            try:
                written = []
                for rel, data in making():
                    digest = hashlib.blake2b(data, digest_size=16).digest()
                    if self.digests.get(rel) != digest:
                        self.digests.pop(rel, None)
                        self._write(out, {rel: data})
                        self.digests[rel] = digest
                    written.append(rel)
            finally:
                read = READING.pop()
            self.others[label] = same.made(None, read, tuple(written))
            files.update(written)
        return files

    def _finish(self, out: Path, outputs: set[str]) -> None:
        """Remove the files of the last build that this one does not have, and list the new set in the manifest."""
        now = frozenset(outputs)
        if now == self.outputs:
            return
        try:
            for rel in sorted((self.outputs or frozenset()) - now):
                self.pages.pop(rel, None)
                self.digests.pop(rel, None)
                if os.path.lexists(out / rel):
                    _unlink_below(out, rel)
            self._list(out, now)
        except OSError as exc:
            raise BuildError([unwritable(out, exc)]) from None

    def _list(self, out: Path, files: frozenset[str]) -> None:
        """Write the manifest of ``out``: it lists ``files``."""
        self.manifest = _manifest_bytes(files)
        put_below(out, MANIFEST, self.manifest)
        self.outputs = files

    @staticmethod
    def _manifest(out: Path) -> bytes | None:
        """The bytes of the manifest of ``out`` (never through a link), or None."""
        try:
            fd = os.open(out / MANIFEST, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return None
        with os.fdopen(fd, "rb") as fh:
            return fh.read()

    def forget_unused(self) -> None:
        """Drop what was kept for items no longer in the content."""
        self.items = {k: v for k, v in self.items.items() if k in self.used}
        self.used = set()


class _NotOnlyContent(Exception):
    """A save changed more than content (see :meth:`Memo.update`)."""


def _unwritable(out: Path, rel: str, exc: OSError) -> Problem:
    """The problem of a file that cannot be written into the preview's folder (as :func:`~explainer.write.write_into` says it)."""
    if exc.errno in (errno.ELOOP, errno.ENOTDIR):
        message = f"the output folder holds a symbolic link (or a file) on the way to {rel}; nothing is written through it"
        return Problem(str(out), 1, 1, message, "remove the link from the output folder, or delete the folder")
    return unwritable(out, exc)


_LIST_WORDS = frozenset({"type", "minItems", "items", "description", "title", "$comment"})
