"""Live preview: rebuild in process on every save and reload the open browser tabs.

livereload serves the files and speaks its browser protocol; its own watcher is
replaced because it polls every 800 ms and ignores changes that come within 3 s
of the previous reload. ``watchfiles`` (inotify) reports a save within
milliseconds, coalesces bursts of saves, and the rebuild runs in this process with
everything already imported.
"""

from __future__ import annotations

import errno
import ipaddress
import json
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote, urlsplit

from .errors import BuildError, Interrupted, Problem, visible
from .model import Model
from .plan import section_path
from .project import InputError, Project
from .validate import PAGE_OF_FILE
from .workers import Cancelled
from .write import write_into

PREVIEW_DIR = ".preview"


def watched_paths(project: Project) -> list[Path]:
    """Everything whose change changes the site."""
    return [p for p in (project.content, project.templates, project.static, project.seeds, project.locales, project.schemas) if p.exists()]


def rebuild(
    project: Project,
    out: Path,
    first: Collection[str] = (),
    shown: Callable[[], None] | None = None,
    cancel: threading.Event | None = None,
) -> tuple[bool, str]:
    """Build the preview once and record its status for the open pages; return (ok, message).

    A failed build leaves the last good site in ``out``; the pages' overlay shows the errors.
    ``first`` and ``shown``: the open pages are rebuilt and shown first (see :func:`~explainer.site.build`).
    Once ``cancel`` is set, the build stops with :class:`~explainer.workers.Cancelled` (nothing is written).
    """
    from .site import build

    started = time.perf_counter()
    then = _status_then(project, out, shown) if shown else None
    try:
        result = build(
            project,
            out,
            preview=True,
            first=first,
            shown=then,
            also=lambda model: {STATUS: _status_bytes(project, (), model)},
            cancel=cancel,
        )
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
                "excerpt": _excerpt(project, project.root / p.path, p.line),
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


def _excerpt(project: Project, file: Path, line: int, around: int = 2) -> list[dict[str, Any]]:
    """The lines around ``line`` of ``file``: only of a file the build may read (inside the project)."""
    try:
        lines = project.read_bytes(file).decode("utf-8", errors="replace").split("\n")
    except InputError:
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


def open_outputs(waiters: Iterable[Any]) -> set[str]:
    """The output files of the pages open in browsers (``/ar/plan/`` → ``ar/plan/index.html``)."""
    paths = {getattr(waiter, "page_path", None) for waiter in list(waiters)}
    out = set()
    for path in paths:
        if isinstance(path, str):
            rel = unquote(path).lstrip("/")
            out.add(rel + "index.html" if rel.endswith("/") or not rel else rel)
    return out


def allowed_host(host: str, port: int) -> bool:
    """Whether a request's ``Host`` (or an origin's host) names the preview: ``localhost`` or an IP
    address, on its port. A page elsewhere can make the browser send requests here under a name of
    its own that resolves to this machine (DNS rebinding): such a name is refused."""
    try:
        parts = urlsplit(f"//{host}")
        name, given = parts.hostname, parts.port
    except ValueError:
        return False
    if given != port and not (given is None and port == 80):
        return False
    if name == "localhost":
        return True
    try:
        ipaddress.ip_address(name or "")
    except ValueError:
        return False
    return True


_LIVE_SCRIPT = (
    '<script type="text/javascript">(function(){var s=document.createElement("script");'
    "var port=(window.location.port || (window.location.protocol == 'https:' ? 443: 80));"
    's.src="//"+window.location.hostname+":"+port+ "/livereload.js?port=" + port;'
    "document.head.appendChild(s);})();</script>"
)
"""What livereload puts into every page it serves: it loads livereload.js from the page's own host and port."""


class _OneLine(logging.Handler):
    """The server's own messages, one line each, shown escaped (they may quote what a client sent), without tracebacks."""

    def emit(self, record: logging.LogRecord) -> None:
        print(visible(record.getMessage()).replace("\n", " "), file=sys.stderr, flush=True)


def _application(out: Path, port: int) -> Any:
    """The preview's web application: its files, livereload's script and socket, for its own origin only."""
    from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler, StaticFileHandler
    from livereload.server import LiveScriptInjector
    from tornado import web

    for name in ("tornado", "livereload"):
        logger = logging.getLogger(name)
        logger.handlers, logger.propagate = [_OneLine(logging.WARNING)], False

    class Guarded(web.RequestHandler):
        def prepare(self) -> None:
            if not allowed_host(self.request.host, port):
                raise web.HTTPError(421)  # Misdirected Request: not this server's name

        def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
            if not isinstance(value, web.HTTPError):
                logging.getLogger("tornado").error(f"{self.request.method} {self.request.uri}: {typ.__name__}: {value}")

    class Socket(Guarded, LiveReloadHandler):  # type: ignore[misc]
        def check_origin(self, origin: str) -> bool:
            """Only the preview's own pages may connect (a page elsewhere could otherwise drive the reloads)."""
            parts = urlsplit(origin)
            return parts.scheme in ("http", "https") and parts.netloc == self.request.host and allowed_host(parts.netloc, port)

        def on_message(self, message: str) -> None:
            """livereload's handshake; the page a browser shows is remembered, and nothing it sends is logged."""
            try:
                data = json.loads(message)
            except ValueError:
                return
            if not isinstance(data, dict):
                return
            if data.get("command") == "hello":
                self.send_message(
                    {"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"], "serverName": "explainer"}
                )
            elif data.get("command") == "info" and isinstance(data.get("url"), str):
                self.page_path = urlsplit(data["url"]).path
                LiveReloadHandler.waiters.add(self)
                _page_back.set()

    class Script(Guarded, LiveReloadJSHandler):  # type: ignore[misc]
        pass

    class Files(Guarded, StaticFileHandler):  # type: ignore[misc]
        def parse_url_path(self, url_path: str) -> str:
            if any(ord(ch) < 0x20 or ch == "\x7f" for ch in url_path):  # "%00" and the like: no file has such a name
                raise web.HTTPError(400)
            return str(super().parse_url_path(url_path))

        def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
            real_root = os.path.realpath(root)
            real = os.path.realpath(absolute_path)
            if real != real_root and not real.startswith(real_root + os.sep):  # a link out of the folder
                raise web.HTTPError(404)
            return super().validate_absolute_path(root, absolute_path)  # type: ignore[no-any-return]

    class Injector(LiveScriptInjector):  # type: ignore[misc]
        script = _LIVE_SCRIPT.encode()

    def log_request(handler: Any) -> None:
        if handler.get_status() >= 400:
            logging.getLogger("tornado").warning(f"{handler.get_status()} {handler.request.method} {handler.request.uri}")

    LiveReloadHandler.live_css = False
    LiveReloadHandler.watcher = SimpleNamespace(filepath=None)  # read by livereload's reload_waiters
    handlers: list[Any] = [
        (r"/livereload", Socket),
        (r"/livereload.js", Script),
        (r"/(.*)", Files, {"path": str(out), "default_filename": "index.html"}),
    ]
    return web.Application(handlers=handlers, transforms=[Injector], log_function=log_request), Socket


def serve(project: Project, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Build, then serve the preview on ``host:port`` until interrupted.

    Every save under the watched folders cancels a build still running and starts a new one; the
    open pages reload as soon as they are rebuilt, and again with the error overlay if the build fails.
    """
    from tornado import httpserver, netutil
    from tornado.ioloop import IOLoop

    out = project.root / PREVIEW_DIR
    refused = project.output_problems(out)
    if refused:  # a folder the preview may not write into: it writes nothing at all
        print(BuildError(refused).report(), file=sys.stderr, flush=True)
        return 1
    try:
        sockets = netutil.bind_sockets(port, address=host)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            why = f"port {port} is in use (another preview?); choose another with --port"
        else:
            why = f"cannot listen on {host} port {port}: {exc.strerror or exc}; give an address of this machine with --host"
        print(visible(why), file=sys.stderr)
        return 1
    try:
        pending, cancel = _watch(project)
        while True:  # the first build, before serving; a save while it runs starts it again
            pending.clear()
            cancel.clear()
            try:
                ok, message = rebuild(project, out, cancel=cancel)
                break
            except Cancelled:
                continue
        print(message, file=sys.stdout if ok else sys.stderr, flush=True)
        app, socket_handler = _application(out, port)
        server = httpserver.HTTPServer(app)
        server.add_sockets(sockets)
        _rebuild_on_saves(project, out, pending, cancel, IOLoop.current(), socket_handler)
        shown = f"[{host}]" if ":" in host else host
        print(visible(f"Preview: http://{shown}:{port}/ (Ctrl+C to stop)"), flush=True)
        IOLoop.current().start()
    except KeyboardInterrupt as exc:
        if isinstance(exc, Interrupted):
            raise  # SIGTERM: "stopped by SIGTERM", status 143
        print("preview stopped", file=sys.stderr)
    finally:
        for sock in sockets:
            sock.close()
    return 0


def _watch(project: Project) -> tuple[threading.Event, threading.Event]:
    """Watch the project's files in a thread of their own (watchfiles, inotify): a save sets both events
    returned, the first to start a build, the second to cancel the one running (a template that never
    ends is stopped at once; the build starts again with everything saved since)."""
    from watchfiles import watch

    pending, cancel = threading.Event(), threading.Event()

    def watching() -> None:
        # a save is acted on 4 ms after its last file event (10 ms was a tenth of the save-to-paint time)
        for _changes in watch(*watched_paths(project), debounce=40, step=4, rust_timeout=0, yield_on_timeout=False):
            pending.set()
            cancel.set()

    threading.Thread(target=watching, daemon=True, name="watch").start()
    return pending, cancel


def _rebuild_on_saves(
    project: Project, out: Path, pending: threading.Event, cancel: threading.Event, loop: Any, socket_handler: Any
) -> None:
    """Rebuild in a thread of its own whenever ``pending`` is set, and reload the open pages."""

    def reload() -> None:
        loop.add_callback(socket_handler.reload_waiters, "*")

    def building() -> None:
        while True:
            pending.wait()
            pending.clear()
            cancel.clear()
            reloaded: list[bool] = []

            def shown(reloaded: list[bool] = reloaded) -> None:
                reloaded.append(True)
                _page_back.clear()
                reload()
                # the rest of the rebuild waits until the reloaded pages are back (or a second
                # has passed): until then this thread would keep the server thread from the GIL
                _page_back.wait(1.0)

            try:
                ok, message = rebuild(project, out, open_outputs(socket_handler.waiters), shown, cancel=cancel)
            except Cancelled:
                continue  # a newer save: built again at once
            print(message, file=sys.stdout if ok else sys.stderr, flush=True)
            # reload either way: on failure the last good page comes back with the error overlay
            if not (ok and reloaded):  # (the open pages were already reloaded as soon as they were rebuilt)
                reload()

    threading.Thread(target=building, daemon=True, name="build").start()
