"""The preview's watch on the project's inputs (review s5, attack 9).

Each real folder of the inputs is watched on its own (inotify, one watch a folder), found without
following symbolic links: a link in ``static/`` to ``/usr`` made the recursive watch hold 15,752
watches, and one to a tree with an unreadable folder, or with more folders than the system's watch
limit, ended the watch with a traceback, after which saves no longer rebuilt. (The build refuses a
link out of the project anyway; what it reads is inside the input folders, which are watched.)

When the system's watch fails (its limit reached, a folder that cannot be read), the preview says
so once and checks the folders for saves by polling instead; should that fail too, it says that it
stopped watching.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .errors import visible

MAX_WATCHED_FOLDERS = 2_000
"""At most this many folders are watched (the project has a few dozen); saves in the others are not
seen, and the preview says so at start-up."""
POLL_MS = 300
"""How often the folders are checked for saves once the system's watch has failed."""


def input_folders(tops: Iterable[Path]) -> list[Path]:
    """The folders of ``tops`` and every real folder below them (links are not followed; folders
    that cannot be read are left out), at most :data:`MAX_WATCHED_FOLDERS` + 1."""
    out: list[Path] = []
    for top in tops:
        for folder, _subfolders, _files in os.walk(top, followlinks=False):  # (os.walk skips what it cannot read)
            out.append(Path(folder))
            if len(out) > MAX_WATCHED_FOLDERS:
                return out
    return out


def watch_saves(tops: Iterable[Path], keep: Callable[[Any, str], bool], saved: Callable[[], None]) -> None:
    """Call ``saved`` after each save of a file under ``tops`` that ``keep`` accepts; runs until the
    process ends (or the watch cannot go on, which it says)."""
    from watchfiles import Change, watch

    tops, polling, said, fresh = list(tops), False, False, False
    while True:
        folders = input_folders(tops)
        if len(folders) > MAX_WATCHED_FOLDERS and not said:
            said = True
            _say(f"the input folders hold more than {MAX_WATCHED_FOLDERS:,} folders; saves in those past them are not seen")
        try:  # a save is acted on a few milliseconds after its last file event
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
            what = f"{type(exc).__name__}: {exc}"
            if polling:
                _say(f"stopped watching for saves ({what}); restart the preview to see saves again")
                return
            _say(f"the system's file watch failed ({what}); checking for saves every {POLL_MS} ms instead")
            polling = True


def _is_folder(path: str) -> bool:
    return os.path.isdir(path) and not os.path.islink(path)


def _say(line: str) -> None:
    print(visible(f"preview: {line}").replace("\n", " ")[:600], file=sys.stderr, flush=True)
