"""Live preview: rebuild in process on every save and reload the open browser tabs.

livereload serves the files and speaks its browser protocol; its own watcher is
replaced because it polls every 800 ms and ignores changes that come within 3 s
of the previous reload. ``watchfiles`` (inotify) reports a save within
milliseconds, coalesces bursts of saves, and the rebuild runs in this process with
everything already imported.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .errors import BuildError, Problem
from .model import Model
from .plan import section_path
from .project import Project
from .validate import PAGE_OF_FILE
from .write import write_into

PREVIEW_DIR = ".preview"


def watched_paths(project: Project) -> list[Path]:
    """Everything whose change changes the site."""
    return [p for p in (project.content, project.templates, project.static, project.seeds, project.locales, project.schemas) if p.exists()]


def rebuild(project: Project, out: Path, first: Collection[str] = (), shown: Callable[[], None] | None = None) -> tuple[bool, str]:
    """Build the preview once and record its status for the open pages; return (ok, message).

    A failed build leaves the last good site in ``out``; the pages' overlay shows the errors.
    ``first`` and ``shown``: the open pages are rebuilt and shown first (see :func:`~explainer.site.build`).
    """
    from .site import build

    started = time.perf_counter()
    then = _status_then(project, out, shown) if shown else None
    try:
        result = build(project, out, preview=True, first=first, shown=then, also=lambda model: {STATUS: _status_bytes(project, (), model)})
    except BuildError as exc:
        try:
            write_status(out, status(project, exc.problems))
        except BuildError as refused:  # the folder holds no build (any more): nothing is written into it
            return False, f"{exc.report()}\n{refused.report()}"
        return False, exc.report()
    return True, f"rebuilt {len(result.pages)} pages in {(time.perf_counter() - started) * 1000:.0f} ms"


def _status_then(project: Project, out: Path, shown: Callable[[], None]) -> Callable[[Model], None]:
    """Before the open pages reload early, record that the content is valid (and its marks) for their overlay."""

    def then(model: Model) -> None:
        write_status(out, status(project, (), model))
        shown()

    return then


def status(project: Project, problems: Iterable[Problem], model: Model | None = None) -> dict[str, Any]:
    """What the open pages show: each error with the lines of its file around it, and translation marks."""
    errors = []
    for p in problems:
        errors.append(
            {
                "path": p.path,
                "line": p.line,
                "col": p.col,
                "message": p.message,
                "hint": p.hint,
                "excerpt": _excerpt(project.root / p.path, p.line),
            }
        )
    marks = []
    if model is not None:
        codes = [lang.code for lang in model.site.languages]
        for note in model.translation:
            page = PAGE_OF_FILE.get(note.file, note.item)  # a pages.yaml item is the page itself
            anchor = "" if note.file == "pages" else note.item
            marks.append(
                {
                    "paths": [section_path(code, page) for code in codes],
                    "id": anchor,
                    "kind": note.kind,
                    "where": f"{note.path}:{note.line}",
                    "message": note.message,
                }
            )
    return {"ok": not errors, "errors": errors, "marks": marks}


def _excerpt(file: Path, line: int, around: int = 2) -> list[dict[str, Any]]:
    try:
        lines = file.read_text("utf-8", errors="replace").split("\n")
    except OSError:
        return []
    first, last = max(line - around, 1), min(line + around, len(lines))
    return [{"n": n, "text": lines[n - 1][:300]} for n in range(first, last + 1)]


STATUS = "__preview/status.json"
"""What the open pages read to show errors and translation marks (a file of every preview build)."""


def _status_bytes(project: Project, problems: Iterable[Problem], model: Model | None) -> bytes:
    return json.dumps(status(project, problems, model), ensure_ascii=False).encode("utf-8")


def write_status(out: Path, data: dict[str, Any]) -> None:
    """Write ``__preview/status.json`` into the served folder, a build's only (see :func:`~explainer.write.write_into`)."""
    write_into(out, STATUS, json.dumps(data, ensure_ascii=False).encode("utf-8"))


_page_back = threading.Event()
"""Set when a browser page (re)connects to the preview."""


def _remember_open_pages(handler: Any) -> None:
    """Keep, on each browser's livereload connection, the path of the page it shows (its 'info' message says)."""
    if getattr(handler, "remembers_pages", False):
        return
    original = handler.on_message

    def on_message(self: Any, message: str) -> None:
        original(self, message)
        try:
            data = json.loads(message)
        except ValueError:
            return
        if isinstance(data, dict) and data.get("command") == "info" and isinstance(data.get("url"), str):
            self.page_path = urlsplit(data["url"]).path
            _page_back.set()

    handler.on_message = on_message
    handler.remembers_pages = True


def open_outputs(handler: Any) -> set[str]:
    """The output files of the pages open in browsers (``/ar/plan/`` → ``ar/plan/index.html``)."""
    paths = {getattr(waiter, "page_path", None) for waiter in list(handler.waiters)}
    out = set()
    for path in paths:
        if isinstance(path, str):
            rel = unquote(path).lstrip("/")
            out.add(rel + "index.html" if rel.endswith("/") or not rel else rel)
    return out


def serve(project: Project, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Build, then serve the preview on ``host:port`` until interrupted."""
    from livereload import Server
    from livereload.handlers import LiveReloadHandler
    from livereload.watcher import Watcher

    out = project.root / PREVIEW_DIR
    refused = project.output_problems(out)
    if refused:  # a folder the preview may not write into: it writes nothing at all
        print(BuildError(refused).report(), file=sys.stderr, flush=True)
        return 1
    ok, message = rebuild(project, out)
    print(message, file=sys.stdout if ok else sys.stderr, flush=True)

    LiveReloadHandler.DEFAULT_RELOAD_TIME = 0  # reload on every change: saves are coalesced below
    _remember_open_pages(LiveReloadHandler)

    class FastWatcher(Watcher):  # type: ignore[misc]
        """A livereload watcher fed by watchfiles instead of polling."""

        def start(self, callback: Callable[[], Any]) -> bool:
            from tornado.ioloop import IOLoop

            loop = IOLoop.current()
            threading.Thread(target=self._run, args=(loop,), daemon=True, name="watch").start()
            return True  # tells livereload not to start its 800 ms polling

        def examine(self) -> tuple[None, None]:
            return None, None

        def _run(self, loop: Any) -> None:
            from watchfiles import watch

            def reload() -> None:
                loop.add_callback(LiveReloadHandler.reload_waiters, "*")

            # a save is acted on 4 ms after its last file event (10 ms was a tenth of the save-to-paint time)
            for _changes in watch(*watched_paths(project), debounce=40, step=4, rust_timeout=0, yield_on_timeout=False):
                reloaded: list[bool] = []

                def shown(reloaded: list[bool] = reloaded) -> None:
                    reloaded.append(True)
                    _page_back.clear()
                    reload()
                    # the rest of the rebuild waits until the reloaded pages are back (or a second
                    # has passed): until then this thread would keep the server thread from the GIL
                    _page_back.wait(1.0)

                ok, message = rebuild(project, out, open_outputs(LiveReloadHandler), shown)
                print(message, file=sys.stdout if ok else sys.stderr, flush=True)
                # reload either way: on failure the last good page comes back with the error overlay
                if not (ok and reloaded):  # (the open pages were already reloaded as soon as they were rebuilt)
                    reload()

    server = Server(watcher=FastWatcher())
    server.watch(str(project.content))  # a task, so livereload does not watch the working directory
    print(f"Preview: http://{host}:{port}/ (Ctrl+C to stop)", flush=True)
    server.serve(port=port, host=host, root=str(out), restart_delay=0, open_url_delay=None, live_css=False)
    return 0
