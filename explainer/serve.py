"""Live preview: rebuild in process on every save and reload the open browser tabs.

livereload serves the files and speaks its browser protocol; its own watcher is
replaced because it polls every 800 ms and ignores changes that come within 3 s
of the previous reload. ``watchfiles`` (inotify) reports a save within
milliseconds, coalesces bursts of saves, and the rebuild runs in this process with
everything already imported.
"""

from __future__ import annotations

import datetime
import errno
import gc
import hashlib
import ipaddress
import json
import logging
import os
import re
import signal
import stat
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote, urlsplit

from .assets import HASH_LENGTH
from .errors import MAX_SHOWN_PER_FILE, BuildError, Interrupted, Problem, shown_name, visible
from .hosting import LONG_CACHE
from .incremental import Memo
from .load import pause_cycles
from .model import Model
from .plan import page_path, section_path
from .project import InputError, Project
from .watcher import watch_saves
from .workers import Cancelled
from .write import forget_build, remove_partials, unbuilt, write_into

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
    memo: Memo | None = None,
) -> tuple[bool, str]:
    """Build the preview once and record its status for the open pages; return (ok, message).

    A failed build leaves the last good site in ``out``; the pages' overlay shows the errors.
    ``first`` and ``shown``: the open pages are rebuilt and shown first (see :func:`~explainer.site.build`).
    Once ``cancel`` is set, the build stops with :class:`~explainer.workers.Cancelled` (nothing more is written).
    ``memo``: what the preview kept from its last build; only what a save changed is made again (see
    :mod:`~explainer.incremental`).
    """
    from .site import build

    started = time.perf_counter()
    then = _status_then(project, out, shown, memo) if shown else None
    also = lambda model: {STATUS: _status_bytes(project, (), model)}  # noqa: E731
    try:
        if memo is None:
            made = total = len(build(project, out, preview=True, first=first, shown=then, also=also, cancel=cancel).pages)
        else:
            made, total = memo.rebuild(project, out, first=first, shown=then, also=also, cancel=cancel)
    except BuildError as exc:
        failed = exc
    except Exception as exc:  # a mistake that is not located (a bug, or an input a check missed): shown all the same
        if memo is not None:
            memo.inputs = {}  # built whole next time
        failed = BuildError([unexpected(project, exc)])
    else:
        of = f" of {total}" if made != total else ""
        return True, f"rebuilt {made} pages{of} in {(time.perf_counter() - started) * 1000:.0f} ms"
    try:
        write_status(out, status(project, failed.problems))
    except BuildError as refused:  # the folder holds no build (any more): nothing is written into it
        return False, f"{failed.report()}\n{refused.report()}"
    return False, failed.report()


def unexpected(project: Project, exc: Exception) -> Problem:
    """An error that the build did not locate, as a problem for the report and the overlay: at the file
    it names (a system error), or else at the command, on one line and without a traceback."""
    what = visible(f"{type(exc).__name__}: {exc}").replace("\n", " ")
    if len(what) > 300:
        what = what[:300] + "…"
    hint = "undo or fix what you saved last; the preview rebuilds on the next save"
    name = getattr(exc, "filename", None)
    if isinstance(exc, OSError) and isinstance(name, str) and Path(name).is_relative_to(project.root):
        return Problem(project.show(Path(name)), 1, 1, f"the build stopped: {exc.strerror or what}", hint)
    return Problem("build.py", 1, 1, f"the build stopped on an error it could not locate ({what})", hint)


def _status_then(project: Project, out: Path, shown: Callable[[], None], memo: Memo | None) -> Callable[[Model], None]:
    """Before the open pages reload early, record that the content is valid (and its marks) for their overlay."""

    def then(model: Model) -> None:
        if memo is not None and memo.outputs is not None and STATUS in memo.outputs:
            memo.put(out, STATUS, _status_bytes(project, (), model))
        else:
            write_status(out, status(project, (), model))
        shown()

    return then


def status(project: Project, problems: Iterable[Problem], model: Model | None = None) -> dict[str, Any]:
    """What the open pages show: each error with the lines of its file around it, and translation marks.

    As in the terminal's report, at most :data:`~explainer.errors.MAX_SHOWN_PER_FILE` errors of one file
    are listed (then how many more there are), and each file is read once however many errors it has.
    """
    errors = []
    lines: dict[str, list[str]] = {}
    shown: Counter[str] = Counter()
    for p in problems:
        shown[p.path] += 1
        if shown[p.path] > MAX_SHOWN_PER_FILE:
            continue
        if p.path not in lines:
            lines[p.path] = _lines(project, project.root / p.path)
        errors.append(
            {
                "path": _shown(p.path),
                "line": p.line,
                "col": p.col,
                "message": _shown(p.message),
                "hint": _shown(p.hint),
                "excerpt": _excerpt(lines[p.path], p.line),
            }
        )
    for path, count in shown.items():
        if count > MAX_SHOWN_PER_FILE:
            more = f"{count - MAX_SHOWN_PER_FILE} more errors in this file are not shown"
            errors.append({"path": _shown(path), "line": 1, "col": 1, "message": more, "hint": "", "excerpt": []})
    marks = []
    if model is not None:
        codes = [lang.code for lang in model.site.languages]
        for note in model.translation:
            page = note.page  # a pages.yaml item is the page itself
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
        for draft in model.drafts:  # shown in the preview, marked: left out of the published site
            for key, anchor in draft.pages:
                marks.append(
                    {
                        "paths": [page_path(code, key) for code in codes],
                        "id": anchor,
                        "kind": "draft",
                        "where": f"{draft.path}:{draft.line}",
                        "message": f"draft: {draft.what} '{draft.id}' is left out of the published site",
                    }
                )
    total = sum(shown.values())
    return {"ok": not total, "count": total, "errors": errors, "marks": marks}


def _shown(text: str) -> str:
    """``text`` as the terminal's report shows it: control characters escaped, and the undecodable bytes of a file's
    name too (``\\udcff``), which JSON in UTF-8 cannot hold (review s5, attack 11: the preview did not start)."""
    return visible(text).encode("utf-8", "backslashreplace").decode("utf-8")


def _lines(project: Project, file: Path) -> list[str]:
    """The lines of ``file``: only of a file the build may read (inside the project's input folders)."""
    try:
        return project.read_bytes(file).decode("utf-8", errors="replace").split("\n")
    except InputError:
        return []


def _excerpt(lines: list[str], line: int, around: int = 2) -> list[dict[str, Any]]:
    """The lines around ``line`` (of a file's ``lines``)."""
    first, last = max(line - around, 1), min(line + around, len(lines))
    return [{"n": n, "text": lines[n - 1][:300]} for n in range(first, last + 1)]


STATUS = "__preview/status.json"
"""What the open pages read to show errors and translation marks (a file of every preview build)."""


def _status_bytes(project: Project, problems: Iterable[Problem], model: Model | None) -> bytes:
    return json.dumps(status(project, problems, model), ensure_ascii=False).encode("utf-8")


def write_status(out: Path, data: dict[str, Any]) -> None:
    """Write ``__preview/status.json`` into the served folder, a build's only (see :func:`~explainer.write.write_into`)."""
    write_into(out, STATUS, json.dumps(data, ensure_ascii=False).encode("utf-8"))


SAVING = 1.0
"""Seconds a failed build waits for another save before it is reported: an editor's save of a large
file comes as more than one change (the file emptied, then written), and the build of the first
fails ("file is empty"). Without the wait, at 10,000 events (a 38 MB events.yaml) the open page was
reloaded with the error overlay, then again with the save, in the middle of most saves."""

NO_GC = 0.5
"""Seconds, at most, that a save's rebuild runs without the search for cycles (Python's cyclic garbage collector):
from the save until its open pages are back. At 10,000 events one search takes ~45 ms; garbage waits meanwhile
(a whole rebuild of 4,000 pages without it grew by 110 MB)."""

STOPPING = 5.0
"""Seconds the preview, stopping, waits for its rebuild to stop (cancelled, it stops at the next page)."""

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
    's.src="//"+window.location.hostname+":"+port+ "/livereload.js?port=" + port + "&version=%s";'
    "document.head.appendChild(s);})();</script>"
)
"""What livereload puts into every page it serves: it loads livereload.js from the page's own host and port
(``%s``: a hash of the script, which is kept by the browser for as long as that does not change)."""


def _livereload_js() -> bytes:
    """livereload's script for the browser, as its package ships it."""
    import livereload

    return (Path(livereload.__file__).parent / "vendors" / "livereload.js").read_bytes()


class _OneLine(logging.Handler):
    """The server's own messages, one line each, shown escaped (they may quote what a client sent), without tracebacks."""

    def emit(self, record: logging.LogRecord) -> None:
        print(visible(record.getMessage()).replace("\n", " "), file=sys.stderr, flush=True)


def _handshake(handler: Any, message: str, waiters: set[Any]) -> None:
    """livereload's handshake on the preview's socket; the page a browser shows is remembered, and nothing it sends is logged."""
    try:
        data = json.loads(message)
    except ValueError:
        return
    if not isinstance(data, dict):
        return
    if data.get("command") == "hello":
        handler.send_message({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"], "serverName": "explainer"})
    elif data.get("command") == "info" and isinstance(data.get("url"), str):
        handler.page_path = urlsplit(data["url"]).path
        waiters.add(handler)
        _page_back.set()


def _inside(root: str, path: str) -> bool:
    """Whether ``path``, links resolved, is ``root`` or below it."""
    real_root, real = os.path.realpath(root), os.path.realpath(path)
    return real == real_root or real.startswith(real_root + os.sep)


def whole_file(path: str) -> tuple[bytes, os.stat_result]:
    """The bytes of the file at ``path`` and its status, both from one open descriptor, for the preview's server.

    A rebuild replaces a file by renaming a new one over its name (:func:`~explainer.write.put_below`), so an open
    file stays one version, whole. tornado's file handler stats the name, then opens it again to read: a file the
    rebuild replaced in between was sent with the length of one version and the bytes of another (the reply ended
    short, IncompleteRead, or was cut off). Anything but a regular file is refused (403), as tornado refuses it."""
    from tornado import web

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)  # (a pipe would not block)
    except OSError:
        raise web.HTTPError(404) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise web.HTTPError(403)
        with os.fdopen(os.dup(fd), "rb") as file:
            return file.read(), info
    finally:
        os.close(fd)


_HASHED = re.compile(rf"(?:static/(?:[^/]+/)*|__preview/)[^/]+\.[0-9a-f]{{{HASH_LENGTH}}}\.[^/.]+")
"""The address of a static file, or of the preview's overlay, whose published name carries a hash of its content
(see :mod:`~explainer.assets`, :func:`~explainer.render.overlay_files`)."""


def _files(guarded: type) -> type:
    """The handler of the preview's files, below ``guarded`` (the preview's own origin only): a file inside the
    served folder (not through a link out of it), its headers and bytes read from one open descriptor."""
    from livereload.handlers import StaticFileHandler
    from tornado import web

    class Files(guarded, StaticFileHandler):  # type: ignore[misc]
        body = b""

        async def get(self, path: str, include_body: bool = True) -> None:
            """A file's headers and bytes from one open descriptor (see :func:`whole_file`); a range is answered
            with the whole file (tornado's handler read it by name, up to three times)."""
            self.path = self.parse_url_path(path)
            self.absolute_path = self.validate_absolute_path(self.root, self.get_absolute_path(self.root, self.path))
            if self.absolute_path is None:
                return  # redirected (a folder's address without its slash)
            self.body, info = whole_file(self.absolute_path)
            self.modified = datetime.datetime.fromtimestamp(int(info.st_mtime), datetime.UTC)
            self.set_headers()  # (its ETag is the bytes' hash: compute_etag)
            self.clear_header("Accept-Ranges")
            if _HASHED.fullmatch(self.path.replace(os.sep, "/")):  # its content's hash is in its name: a reload need not ask again
                self.set_header("Cache-Control", LONG_CACHE)
            if self.check_etag_header():  # unchanged since the browser's copy
                self.set_status(304)
                return
            self.set_header("Content-Length", len(self.body))
            if include_body:
                self.write(self.body)

        def compute_etag(self) -> str | None:
            return f'"{hashlib.sha256(self.body).hexdigest()}"'

        def parse_url_path(self, url_path: str) -> str:
            if any(ord(ch) < 0x20 or ch == "\x7f" for ch in url_path):  # "%00" and the like: no file has such a name
                raise web.HTTPError(400)
            return str(super().parse_url_path(url_path))

        def validate_absolute_path(self, root: str, absolute_path: str) -> str | None:
            if not _inside(root, absolute_path):  # a link out of the folder
                raise web.HTTPError(404)
            return super().validate_absolute_path(root, absolute_path)  # type: ignore[no-any-return]

    return Files


def _application(out: Path, port: int) -> Any:
    """The preview's web application: its files, livereload's script and socket, for its own origin only."""
    from livereload.handlers import LiveReloadHandler, LiveReloadJSHandler
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
            _handshake(self, message, LiveReloadHandler.waiters)

    livereload_js = _livereload_js()

    class Script(Guarded, LiveReloadJSHandler):  # type: ignore[misc]
        def get(self) -> None:
            """The script, kept by the browser (its address names its hash): a reloaded page does not ask again."""
            self.set_header("Content-Type", "application/javascript")
            self.set_header("Cache-Control", LONG_CACHE)
            self.write(livereload_js)

    Files = _files(Guarded)

    class Injector(LiveScriptInjector):  # type: ignore[misc]
        script = (_LIVE_SCRIPT % hashlib.sha256(livereload_js).hexdigest()[:HASH_LENGTH]).encode()

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
    if not refused:  # what a preview stopped while it wrote a file (Ctrl+C, SIGKILL) left is no repository's to blame
        remove_partials(out)
        refused = _not_the_preview_s(out)
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
    stop: Callable[[], None] | None = None
    try:
        pending, cancel = _watch(project)
        memo = Memo()
        while True:  # the first build, before serving; a save while it runs starts it again
            pending.clear()
            cancel.clear()
            try:
                ok, message = rebuild(project, out, cancel=cancel, memo=memo)
                break
            except Cancelled:
                continue
        if not ok:  # nothing of the folder as it was is served: a forged manifest could list a page of the repository's
            forget_build(out, frozenset({STATUS}))
        gc.freeze()  # what the first build keeps is not searched for cycles again (at every later save)
        print(message, file=sys.stdout if ok else sys.stderr, flush=True)
        app, socket_handler = _application(out, port)
        server = httpserver.HTTPServer(app)
        server.add_sockets(sockets)
        stop = _rebuild_on_saves(project, out, pending, cancel, IOLoop.current(), socket_handler, memo)
        shown = f"[{host}]" if ":" in host else host
        print(visible(f"Preview: http://{shown}:{port}/ (Ctrl+C to stop)"), flush=True)
        _serve_until_signal(IOLoop.current())
    except KeyboardInterrupt as exc:
        if isinstance(exc, Interrupted):
            raise  # SIGTERM: "stopped by SIGTERM", status 143
        print("preview stopped", file=sys.stderr)
    finally:
        if stop is not None:
            stop()
        for sock in sockets:
            sock.close()
    return 0


def _not_the_preview_s(out: Path) -> list[Problem]:
    """The refusal of a preview folder that holds what no build wrote (a repository can ship ``.preview/`` with a
    page of its own and a manifest that does not list it: the preview would serve it). The preview keeps nothing."""
    found = unbuilt(out)
    if not found:
        return []
    shown = ", ".join(shown_name(f) for f in found[:5]) + (f" and {len(found) - 5} more" if len(found) > 5 else "")
    message = f"the preview's folder holds {shown}, which no build wrote (a repository can ship it)"
    hint = f"delete {PREVIEW_DIR}/ (the preview builds it again), or move what you put there out of it"
    return [Problem(str(out), 1, 1, message, hint)]


def _serve_until_signal(loop: Any) -> None:
    """Run the server's loop until Ctrl+C or SIGTERM, then raise as the signal would have.

    While the loop runs, a signal is handled by the loop (asyncio's signal handlers), which stops:
    raised by a handler of Python's, the interrupt could land in a callback Python ignores
    exceptions from (a weak reference's), be printed there as a traceback, and leave the preview running."""
    caught: list[int] = []

    def stop(signum: int) -> None:
        caught.append(signum)
        loop.stop()

    signums = (signal.SIGINT, signal.SIGTERM)
    previous = {signum: signal.getsignal(signum) for signum in signums}
    for signum in signums:
        loop.asyncio_loop.add_signal_handler(signum, stop, signum)
    try:
        loop.start()
    finally:
        for signum in signums:
            loop.asyncio_loop.remove_signal_handler(signum)
            signal.signal(signum, previous[signum])
    if caught and caught[0] == signal.SIGTERM:
        raise Interrupted(signal.SIGTERM)
    if caught:
        raise KeyboardInterrupt


def _watch(project: Project) -> tuple[threading.Event, threading.Event]:
    """Watch the project's files in a thread of their own (watchfiles, inotify): a save sets both events
    returned, the first to start a build, the second to cancel the one running (a template that never
    ends is stopped at once; the build starts again with everything saved since)."""
    from watchfiles import DefaultFilter

    pending, cancel = threading.Event(), threading.Event()

    class InputsOnly(DefaultFilter):
        """Only changes of names in the input folders. The folder a name changed in is resolved: a link that leads
        out of the input folders (``static/loop -> ..``, refused by the build) would otherwise report the preview's
        own writes. The name itself is not: once ``content/glossary.yaml`` is moved away and made a link out of the
        project, its change still starts the build that refuses it (review s6, attack 20b)."""

        def __call__(self, change: Any, path: str) -> bool:
            folder, name = os.path.split(path)
            return bool(super().__call__(change, path)) and project.inside_inputs(Path(os.path.realpath(folder), name))

    def saved() -> None:
        pending.set()
        cancel.set()

    watching = threading.Thread(target=watch_saves, args=(watched_paths(project), InputsOnly(), saved), daemon=True, name="watch")
    watching.start()
    return pending, cancel


def _rebuild_on_saves(
    project: Project, out: Path, pending: threading.Event, cancel: threading.Event, loop: Any, socket_handler: Any, memo: Memo
) -> Callable[[], None]:
    """Rebuild in a thread of its own whenever ``pending`` is set, and reload the open pages; return what stops it.

    The preview stops the thread before it ends (Ctrl+C, SIGTERM): the rebuild running is cancelled, and the file it
    writes is finished first (stopped half-way, it would leave its temporary file in the folder, review s9 attack 11)."""
    stopping = threading.Event()

    def reload() -> None:
        loop.add_callback(socket_handler.reload_waiters, "*")

    def building() -> None:
        while True:
            pending.wait()
            if stopping.is_set():
                return
            pending.clear()
            cancel.clear()
            reloaded: list[bool] = []
            cycles_again = pause_cycles()  # until the open pages are back, or NO_GC seconds have passed, however the rebuild goes
            back_on = threading.Timer(NO_GC, cycles_again)
            back_on.daemon = True

            def shown(reloaded: list[bool] = reloaded, cycles_again: Callable[[], None] = cycles_again) -> None:
                reloaded.append(True)
                _page_back.clear()
                reload()
                # the rest of the rebuild waits until the reloaded pages are back (or a second
                # has passed): until then this thread would keep the server thread from the GIL
                _page_back.wait(1.0)
                cycles_again()

            try:
                back_on.start()
                ok, message = rebuild(project, out, open_outputs(socket_handler.waiters), shown, cancel=cancel, memo=memo)
            except Cancelled:
                continue  # a newer save: built again at once
            except Exception as exc:  # never the end of the preview: the next save builds again
                line = visible(f"error: the preview could not rebuild: {type(exc).__name__}: {exc}").replace("\n", " ")
                print(line, file=sys.stderr, flush=True)
                continue
            finally:
                back_on.cancel()
                cycles_again()
            if not ok and pending.wait(SAVING):
                continue  # saved again meanwhile or just after (a large file is written in more than one step): built again at once
            print(message, file=sys.stdout if ok else sys.stderr, flush=True)
            # reload either way: on failure the last good page comes back with the error overlay
            if not (ok and reloaded):  # (the open pages were already reloaded as soon as they were rebuilt)
                reload()

    thread = threading.Thread(target=building, daemon=True, name="build")
    thread.start()

    def stop() -> None:
        stopping.set()
        cancel.set()
        pending.set()
        _page_back.set()  # (a rebuild that reloaded the open pages waits for them)
        thread.join(STOPPING)

    return stop
