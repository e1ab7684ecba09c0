"""Live preview: rebuild in process on every save and reload the open browser tabs.

livereload serves the files and speaks its browser protocol; its own watcher is
replaced because it polls every 800 ms and ignores changes that come within 3 s
of the previous reload. ``watchfiles`` (inotify) reports a save within
milliseconds, coalesces bursts of saves, and the rebuild runs in this process with
everything already imported.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import BuildError
from .validate import Project

PREVIEW_DIR = ".preview"


def watched_paths(project: Project) -> list[Path]:
    """Everything whose change changes the site."""
    return [p for p in (project.content, project.templates, project.static, project.seeds, project.locales, project.schemas) if p.exists()]


def rebuild(project: Project, out: Path) -> tuple[bool, str]:
    """Build once; return (ok, message). A failed build leaves ``out`` as it was."""
    from .site import build

    started = time.perf_counter()
    try:
        result = build(project, out)
    except BuildError as exc:
        return False, exc.report()
    return True, f"rebuilt {len(result.pages)} pages in {(time.perf_counter() - started) * 1000:.0f} ms"


def serve(project: Project, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Build, then serve the preview on ``host:port`` until interrupted."""
    from livereload import Server
    from livereload.handlers import LiveReloadHandler
    from livereload.watcher import Watcher

    out = project.root / PREVIEW_DIR
    ok, message = rebuild(project, out)
    print(message, file=sys.stdout if ok else sys.stderr, flush=True)
    if not ok and not out.exists():
        out.mkdir(parents=True)

    LiveReloadHandler.DEFAULT_RELOAD_TIME = 0  # reload on every change: saves are coalesced below

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

            for _changes in watch(*watched_paths(project), debounce=40, step=10, rust_timeout=0, yield_on_timeout=False):
                ok, message = rebuild(project, out)
                print(message, file=sys.stdout if ok else sys.stderr, flush=True)
                if ok:
                    loop.add_callback(LiveReloadHandler.reload_waiters, "*")

    server = Server(watcher=FastWatcher())
    server.watch(str(project.content))  # a task, so livereload does not watch the working directory
    print(f"Preview: http://{host}:{port}/ (Ctrl+C to stop)", flush=True)
    server.serve(port=port, host=host, root=str(out), restart_delay=0, open_url_delay=None, live_css=False)
    return 0
