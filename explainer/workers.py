"""Worker processes for a large site's pages, and the time limit of a render.

A large site's pages are rendered by a pool of forked worker processes (:func:`in_workers`). The
workers go with the command, however it ends: the parent kills and reaps them when it stops
(an error, Ctrl+C, SIGTERM), and the kernel kills them if the parent is killed outright (Linux's
parent-death signal). They ignore Ctrl+C (a terminal sends it to every process of the command; the
parent acts on it), so an interrupted build prints one line, not a traceback per process. A worker
that stops without its result (killed for want of memory, say) stops the build with an error.

A render that runs longer than a limit (:func:`render_limit`: ``EXPLAINER_RENDER_LIMIT`` seconds,
60 by default) is stopped by :class:`Watch`, in the main process or a worker alike, and so is one
that is cancelled (the live preview cancels a build when a new save comes).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Generator
from functools import lru_cache
from typing import Any, cast

from .errors import BuildError, Problem

LIMIT_VARIABLE = "EXPLAINER_RENDER_LIMIT"
DEFAULT_LIMIT = 60.0
"""Seconds a page may take to render (a page of the real site takes a few milliseconds)."""


def render_limit() -> float:
    """The time limit of one page's render, in seconds: ``EXPLAINER_RENDER_LIMIT``, or :data:`DEFAULT_LIMIT`."""
    raw = os.environ.get(LIMIT_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_LIMIT
    try:
        value = float(raw)
    except ValueError:
        value = -1
    if not 0 < value < 1e6:
        message = f"{LIMIT_VARIABLE} is {raw!r}, not a number of seconds"
        hint = f"set it to a number of seconds, such as 60, or unset it (default {DEFAULT_LIMIT:g})"
        raise BuildError([Problem(LIMIT_VARIABLE, 1, 1, message, hint)])
    return value


class Stopped(BaseException):
    """Raised into a render from outside: it ran past the limit, or was cancelled.

    A BaseException, like KeyboardInterrupt, so that no ``except Exception`` on the way swallows it."""


class TimedOut(Stopped):
    """The render ran longer than the limit."""


class Cancelled(Stopped):
    """The render was cancelled (a newer build is wanted)."""


def _raise_in(thread_id: int, exc: type[BaseException] | None) -> None:
    """Raise ``exc`` in the thread ``thread_id`` at its next Python instruction (None: take back one not yet raised)."""
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), ctypes.py_object(exc) if exc is not None else None)


class Watch:
    """Watches the renders of one thread: one that runs past ``limit`` seconds gets :class:`TimedOut`
    raised into it, and any, once ``cancel`` is set, :class:`Cancelled`. ``item`` is what is being
    rendered when it was stopped. A watcher thread runs while the block runs, waking ten times a second.
    """

    def __init__(self, limit: float, cancel: threading.Event | None = None) -> None:
        self.limit, self.cancel = limit, cancel
        self.item: Any = None
        self.stopped: Any = None
        self._started = 0.0
        self._lock = threading.Lock()
        self._done = threading.Event()
        self._target = threading.get_ident()
        self._thread = threading.Thread(target=self._run, daemon=True, name="render-limit")

    def __enter__(self) -> Watch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self.item = None
            self._done.set()
        self._thread.join()
        if self.stopped is not None:
            _raise_in(self._target, None)  # one raised just as the block ended is not raised after it

    def begin(self, item: Any) -> None:
        """``item`` starts rendering now."""
        with self._lock:
            self.item, self._started = item, time.monotonic()

    def end(self) -> None:
        with self._lock:
            self.item = None

    def _run(self) -> None:
        tick = min(0.1, self.limit / 4)
        while not self._done.wait(tick):
            with self._lock:
                if self.item is None or self.stopped is not None:
                    continue
                if time.monotonic() - self._started > self.limit:
                    kind: type[Stopped] = TimedOut
                elif self.cancel is not None and self.cancel.is_set():
                    kind = Cancelled
                else:
                    continue
                self.stopped = self.item
                _raise_in(self._target, kind)


class WorkerDied(Exception):
    """A worker process stopped without sending its result: ``task`` was its task, ``how`` says how it stopped."""

    def __init__(self, task: int, how: str) -> None:
        super().__init__(task, how)
        self.task, self.how = task, how


@lru_cache(maxsize=1)
def _prctl() -> Any:
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux
        return None


_PR_SET_PDEATHSIG = 1


def _become_worker(parent: int) -> None:
    """In a worker just forked: die with the parent, leave Ctrl+C to it, and end on SIGTERM."""
    prctl = _prctl()
    if prctl is not None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above
        os._exit(1)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def in_workers(
    count: int, work: Callable[[int], Any], jobs: int, meanwhile: Callable[[], None] | None = None
) -> Generator[tuple[int, Any], None, None]:
    """Run ``work(0)`` … ``work(count - 1)`` in ``jobs`` forked processes and yield ``(task, result)`` as they come.

    ``work`` and everything it uses are inherited by the fork, not sent; only task numbers go to the
    workers and only results (pickled) come back. Each worker is handed two tasks to start with,
    then one more per result, so it never waits while this process runs ``meanwhile``. An exception
    raised by ``work`` is raised here; a worker that stops without a result raises
    :class:`WorkerDied`. When the iteration ends, however it ends, every worker is gone.
    """
    from multiprocessing.connection import Connection, Pipe, wait  # only large sites start workers

    parent = os.getpid()
    workers: dict[Connection, tuple[int, deque[int]]] = {}  # connection → (pid, tasks handed to it)
    reaped: set[int] = set()  # a pid reaped may be another process's soon: never signalled again
    try:
        for _ in range(min(jobs, count)):
            mine, theirs = Pipe()
            pid = _fork(parent, [*workers, mine], theirs, work)
            theirs.close()
            workers[mine] = (pid, deque())
        queue = deque(range(count))

        def hand(conn: Connection, pid: int, handed: deque[int]) -> None:
            """The next task to a worker (one killed meanwhile cannot take it: the pipe is broken)."""
            handed.append(queue.popleft())
            try:
                conn.send(handed[-1])
            except OSError:
                reaped.add(pid)
                raise WorkerDied(handed[0], _how_it_ended(pid)) from None

        for conn, (pid, handed) in workers.items():
            for _ in range(2):
                if queue:
                    hand(conn, pid, handed)
        if meanwhile is not None:
            meanwhile()
        while any(handed for _pid, handed in workers.values()):
            for ready in wait([c for c, (_pid, handed) in workers.items() if handed]):
                conn = cast(Connection, ready)
                pid, handed = workers[conn]
                try:
                    done, result = conn.recv()
                except (EOFError, OSError):
                    reaped.add(pid)
                    raise WorkerDied(handed[0], _how_it_ended(pid)) from None
                task = handed.popleft()
                if not done:
                    raise result
                if queue:
                    hand(conn, pid, handed)
                yield task, result
        for conn in workers:
            with contextlib.suppress(OSError):  # one that was killed after its last result has nothing left to do
                conn.send(None)  # done: the workers leave
    finally:
        _stop({conn: pid for conn, (pid, _handed) in workers.items()}, reaped)


def _fork(parent: int, close: list[Any], theirs: Any, work: Callable[[int], Any]) -> int:
    """Fork a worker that serves ``work`` on ``theirs`` (closing this process's ends, ``close``); its pid."""
    # Ctrl+C and SIGTERM wait while a worker is forked, until it has its own handlers: a signal
    # arriving just after the fork would otherwise run this process's handler in the worker
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        pid = os.fork()
        if pid == 0:  # the worker
            status = 0
            try:
                _become_worker(parent)
                signal.pthread_sigmask(signal.SIG_SETMASK, held)
                for conn in close:
                    conn.close()
                _serve(theirs, work)
            except BaseException:
                status = 1
            finally:
                os._exit(status)  # a worker leaves without this process's clean-up
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
    return pid


def _stop(workers: dict[Any, int], reaped: set[int]) -> None:
    """Close every connection and end every worker not yet reaped (killed, then reaped)."""
    for conn, pid in workers.items():
        conn.close()
        if pid in reaped:
            continue
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)  # one that already left is a zombie until reaped just below: the pid is still its
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def _serve(conn: Any, work: Callable[[int], Any]) -> None:
    """A worker's loop: a task number in, its result (or the exception it raised) out, until told to stop."""
    while True:
        try:
            task = conn.recv()
        except EOFError:
            return
        if task is None:
            return
        try:
            reply: tuple[bool, Any] = (True, work(task))
        except Exception as exc:
            reply = (False, exc)
        try:
            conn.send(reply)
        except Exception as exc:  # an exception that does not pickle: its text crosses instead
            conn.send((False, RuntimeError(f"{type(exc).__name__}: {exc}")))


def _how_it_ended(pid: int) -> str:
    """How the worker ``pid`` ended, in words (``killed by SIGKILL``); it is reaped."""
    try:
        _pid, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return "ended"
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return f"killed by {name}"
    return f"exited with status {os.WEXITSTATUS(status)}"
