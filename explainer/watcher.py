"""The preview's watch on the project's inputs (review s5, attack 9).

Each real folder of the inputs is watched on its own (inotify, one watch a folder), found without
following symbolic links: a link in ``static/`` to ``/usr`` made the recursive watch hold 15,752
watches, and one to a tree with an unreadable folder, or with more folders than the system's watch
limit, ended the watch with a traceback, after which saves no longer rebuilt. (The build refuses a
link out of the project anyway; what it reads is inside the input folders, which are watched.)

When the system's watch fails (its limit reached, a folder that cannot be read), the preview says
so once and checks the folders for saves by polling instead; should that fail too, it says that it
stopped watching.

The folders are found without recursion, at most :data:`MAX_DEPTH` below each input folder (review s9, attack 9:
``os.walk`` recurses on Python 3.11, and a chain of 1,100 folders in ``seeds/`` ended the watch with a
RecursionError). A folder whose name is not UTF-8 is not watched (attack 10: the system's watch takes only UTF-8
paths, and one such folder ended the whole watch); the preview names it once.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .errors import shown_name, visible
from .write import MAX_OUT_DEPTH

MAX_WATCHED_FOLDERS = 2_000
"""At most this many folders are watched (the project has a few dozen); saves in the others are not
seen, and the preview says so at start-up."""
POLL_MS = 300
"""How often the folders are checked for saves once the system's watch has failed."""
MAX_DEPTH = MAX_OUT_DEPTH
"""Folders more than this deep below an input folder are not watched (the build reads none that deep): as deep as
the output folder may be."""


def input_folders(tops: Iterable[Path], notes: list[str] | None = None) -> list[Path]:
    """The folders of ``tops`` and every real folder below them, at most :data:`MAX_DEPTH` deep (links are not
    followed; folders that cannot be read are left out), at most :data:`MAX_WATCHED_FOLDERS` + 1. Without recursion.

    ``notes`` receives a line for the folders left out that the editor may save into: those deeper than
    :data:`MAX_DEPTH`, and those whose name is not UTF-8 (and what they hold)."""
    out: list[Path] = []
    deeper: str | None = None
    unnamed: list[str] = []
    for top in tops:
        if not _utf8(os.fspath(top)):  # (the project's own path)
            unnamed.append(os.fspath(top))
            continue
        stack = [(os.fspath(top), 0)]
        while stack and len(out) <= MAX_WATCHED_FOLDERS:
            here, depth = stack.pop()
            out.append(Path(here))
            for sub in reversed(_subfolders(here)):
                if not _utf8(sub):
                    unnamed.append(os.path.relpath(sub, os.path.dirname(top)))
                elif depth >= MAX_DEPTH:
                    deeper = deeper or os.path.relpath(sub, os.path.dirname(top))
                else:
                    stack.append((sub, depth + 1))
    if notes is not None and deeper is not None:
        shown = shown_name(deeper[:60]) + "…"
        notes.append(f"the input folders hold folders more than {MAX_DEPTH} deep ({shown}); saves in them are not seen")
    if notes is not None and unnamed:
        more = f" and {len(unnamed) - 3} more folders" if len(unnamed) > 3 else ""
        shown = ", ".join(shown_name(u) for u in unnamed[:3]) + more
        its, it = ("its name is", "it") if len(unnamed) == 1 else ("their names are", "them")
        notes.append(f"saves in {shown} are not seen ({its} not UTF-8, which the system's file watch cannot take); rename {it}")
    return out


def _subfolders(folder: str) -> list[str]:
    """The real folders directly in ``folder`` (not links), in name order; none if it cannot be read."""
    found = []
    try:
        with os.scandir(folder) as entries:
            for entry in entries:
                try:
                    if entry.is_dir(follow_symlinks=False):
                        found.append(entry.path)
                except OSError:
                    continue
    except OSError:
        return []
    return sorted(found)


def _utf8(path: str) -> bool:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:  # (a name that is not UTF-8 is listed with lone surrogates)
        return False
    return True


def watch_saves(tops: Iterable[Path], keep: Callable[[Any, str], bool], saved: Callable[[], None]) -> None:
    """Call ``saved`` after each save of a file under ``tops`` that ``keep`` accepts; runs until the
    process ends (or the watch cannot go on, which it says)."""
    from watchfiles import Change, watch

    tops, polling, said, fresh = list(tops), False, set(), False
    while True:
        try:  # a save is acted on a few milliseconds after its last file event
            notes: list[str] = []
            folders = input_folders(tops, notes)
            if len(folders) > MAX_WATCHED_FOLDERS:
                notes.append(f"the input folders hold more than {MAX_WATCHED_FOLDERS:,} folders; saves in those past them are not seen")
            for note in notes:
                if note not in said:  # said once, not again as the watch starts again (a new folder)
                    said.add(note)
                    _say(note)
            saves = watch(
                *folders[:MAX_WATCHED_FOLDERS],
                watch_filter=keep,
                debounce=40,
                step=4,
                rust_timeout=500,
                yield_on_timeout=True,
                recursive=False,
                ignore_permission_denied=True,
                force_polling=polling,
                poll_delay_ms=POLL_MS,
            )
            for changes in saves:
                if not changes:  # (half a second without a save: the watch is in place)
                    if fresh:  # what was saved into a new folder before it was watched is built now
                        fresh = False
                        saved()
                    continue
                saved()
                if any(change == Change.added and _is_folder(path) for change, path in changes):
                    fresh = True
                    break  # a new folder: watched too, from now on
        except Exception as exc:  # the system's watch failed (its limit, a folder it cannot read): never a traceback
            if _not_utf8_saved(exc):  # the save of a name that is not UTF-8, which the watch cannot name: a save all the same
                saved()
                fresh = True  # (and what is saved before the watch is in place again)
                continue
            what = f"{type(exc).__name__}: {exc}"
            if polling:
                _say(f"stopped watching for saves ({what}); restart the preview to see saves again")
                return
            _say(f"the system's file watch failed ({what}); checking for saves every {POLL_MS} ms instead")
            polling = True


def _not_utf8_saved(exc: Exception) -> bool:
    """Whether ``exc`` is watchfiles' for a file event whose path is not UTF-8 (it ends the watch, which started again
    works as before: review s9, attack 10)."""
    from watchfiles._rust_notify import WatchfilesRustInternalError

    return isinstance(exc, WatchfilesRustInternalError) and str(exc).startswith("Unable to decode path")


def _is_folder(path: str) -> bool:
    return os.path.isdir(path) and not os.path.islink(path)


def _say(line: str) -> None:
    print(visible(f"preview: {line}").replace("\n", " ")[:600], file=sys.stderr, flush=True)
