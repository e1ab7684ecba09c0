"""Command-line interface: ``build``, ``check`` and ``serve`` (names and flags are a contract)."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from .catalogs import Coverage as CatalogCoverage
from .errors import BuildError, Interrupted, shown_name, visible
from .model import Coverage, Draft, TranslationNote
from .project import Project
from .write import SWAPPED_IN


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description="Build the bilingual explainer site.")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--root", type=Path, help="the project's folder (default: the nearest folder holding content/, from the working directory up)"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="{build,check,serve}")
    b = sub.add_parser("build", help="write the site", parents=[common])
    b.add_argument("--out", default="_site", help="output folder (default: _site/, in the working directory)")
    sub.add_parser("check", help="validate everything; write nothing", parents=[common])
    r = sub.add_parser("review", help="mark translations as reviewed (writes the hash of their source text)", parents=[common])
    r.add_argument(
        "targets", nargs="*", metavar="FILE[:ID]", help="content/events.yaml or content/events.yaml:joint-statement (default: everything)"
    )
    s = sub.add_parser("serve", help="live preview with automatic reload", parents=[common])
    s.add_argument("--port", type=_port, default=8000, help="port on 127.0.0.1 (default: 8000)")
    s.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1 only)")
    return parser


def _port(text: str) -> int:
    """A TCP port to listen on: 1 to 65535 (0 would be a port chosen by the system, not the one announced)."""
    try:
        number = int(text)
    except ValueError:
        number = -1
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(visible(f"{text!r} is not a port number (1 to 65535)"))
    return number


def translation_summary(notes: tuple[TranslationNote, ...]) -> str:
    """The translation status that ``check`` prints (it does not fail the check)."""
    counts = {kind: sum(1 for n in notes if n.kind == kind) for kind in ("stale", "unreviewed", "parity")}
    lines = [
        f"translation status: {counts['stale']} stale, {counts['unreviewed']} not yet reviewed, {counts['parity']} number/month mismatches"
    ]
    lines += [f"  {n.format()}" for n in notes]
    if counts["stale"] or counts["unreviewed"]:
        lines.append("  after checking an item's translations: python build.py review FILE[:ID]")
    return "\n".join(lines)


def language_summary(texts: tuple[Coverage, ...], catalogs: tuple[CatalogCoverage, ...]) -> str:
    """Each language's share of the content's texts, and whether it has a UI catalog of its own."""
    if not texts:
        return ""
    source = texts[0].lang
    ui = {c.lang: c for c in catalogs}
    lines = [f"languages (the first is the source; a text not yet translated is shown in {source.code}, marked):"]
    for c in texts:
        share = f"{c.translated} of {c.total} texts ({100 * c.translated // max(c.total, 1)}%)"
        own = ui.get(c.lang.code)
        strings = "UI catalog" if own is not None and own.compiled else f"no UI catalog: its pages use the UI strings of {source.code}"
        lines.append(f"  {c.lang.code}: {share}; {strings}")
    return "\n".join(lines)


def draft_summary(drafts: tuple[Draft, ...]) -> str:
    """The drafts that ``check`` lists (left out of the published site; shown, marked, in the preview)."""
    lines = [f"drafts (left out of the published site, shown marked in the preview): {len(drafts)}"]
    return "\n".join(lines + [f"  {draft.format()}" for draft in drafts])


def main(argv: list[str]) -> int:
    """Run one command on the project of the working directory (or ``--root``); return the process exit code.

    Ctrl+C and SIGTERM (a CI time-out) stop it with one line and the exit code of the signal
    (130, 143), after the build has removed what it was writing and stopped its workers. An
    error of the system (a disk that fails) is one line too, never a traceback, and so is an error
    the generator did not expect (a bug), unless :data:`DEBUG_VARIABLE` is 1.
    """
    previous = signal.signal(signal.SIGTERM, _terminate)
    with contextlib.suppress(AttributeError, ValueError):  # a terminal that cannot show a character gets its escape, as on stderr
        sys.stdout.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    left = ""
    try:
        return _run(argv)
    except Interrupted as exc:  # before KeyboardInterrupt, which it is
        print(f"stopped by {signal.Signals(exc.signum).name}{_left(argv, exc)}", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt as exc:
        print(f"interrupted{_left(argv, exc)}", file=sys.stderr)
        return 128 + signal.SIGINT
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(visible(f"error: {where}{exc.strerror or exc}"), file=sys.stderr)
        return 1
    except MemoryError as exc:
        left = _left(argv, exc)  # reported below: this block still holds whatever filled the memory
    except Exception as exc:  # a mistake of the generator (or an input its checks missed): one line, not a traceback
        if os.environ.get(DEBUG_VARIABLE) == "1":
            raise
        print(bug_report(argv[0] if argv else "", exc, _left(argv, exc)), file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)
    print(visible(f"error: {argv[0] if argv else 'the command'} ran out of memory{left}; {OUT_OF_MEMORY}"), file=sys.stderr)
    return 1


def _left(argv: list[str], exc: BaseException) -> str:
    """What became of the output folder, for the line that ends a ``build`` stopped by ``exc``: the new site is
    in place once it has been swapped in (``exc`` then carries :data:`~explainer.write.SWAPPED_IN`), else
    the folder was left as it was."""
    if argv[:1] != ["build"]:
        return ""
    if SWAPPED_IN in getattr(exc, "__notes__", ()):
        return ": the new site is in place, written in full"
    return ": the output folder was left as it was"


OUT_OF_MEMORY = "look for a very large file in content/, seeds/ or static/ (or one that repeats a small part millions of times)"


DEBUG_VARIABLE = "EXPLAINER_DEBUG"
"""Set to 1, an error the generator did not expect ends the command with its traceback (for developers)."""


def bug_report(command: str, exc: Exception, left: str = "") -> str:
    """The one line that an unexpected error ends a command with: what stopped, that it is a bug, and how to see where."""
    what = f"{type(exc).__name__}: {exc}"
    what = what if len(what) <= 300 else what[:299] + "…"
    line = (
        f"error: {command or 'the command'} stopped on an error it did not expect ({what}){left}; this is a bug, please report it"
        f" (run it again with {DEBUG_VARIABLE}=1 to see where it happened)"
    )
    return visible(line).replace("\n", "\\n")


def _terminate(signum: int, _frame: object) -> None:
    raise Interrupted(signum)


TEMPORARY_FOLDERS = ("/tmp", "/var/tmp", "/usr/tmp")
"""Where temporary files go when ``TMPDIR`` is inside the project (Python's own choices after the variables)."""


def _temporaries_outside(project: Project, out: Path | None) -> None:
    """Keep the command's temporary files (Jinja's compiled templates, Pagefind's folder) out of the project and the
    output folder: ``TMPDIR=$PWD/static`` had the build publish them (review s9, D02). Another temporary folder is
    used, for this process and the programs it runs, with a note; Jinja's cache is never used inside the project."""
    try:
        here = tempfile.gettempdir()
    except OSError:  # (none at all: a temporary file is an error where it is needed)
        return

    def inside(folder: str) -> bool:
        real = Path(os.path.realpath(folder))
        return project.holds(real) or (out is not None and real.is_relative_to(os.path.realpath(out)))

    if not inside(here):
        return
    for folder in TEMPORARY_FOLDERS:
        if os.path.isdir(folder) and os.access(folder, os.W_OK | os.X_OK) and not inside(folder):
            os.environ["TMPDIR"] = tempfile.tempdir = folder
            where = "the output folder" if not project.holds(here) else "the project"
            note = f"note: the temporary folder {shown_name(here)} is inside {where}; temporary files go to {folder} instead"
            print(visible(note), file=sys.stderr)
            return


def _run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    project = Project(args.root.absolute()) if args.root is not None else Project.find(Path.cwd())
    _temporaries_outside(project, Path(args.out) if args.command == "build" else None)
    if args.command == "serve":
        from .serve import serve

        return serve(project, host=args.host, port=args.port)
    if args.command == "review":
        from .review import review

        try:
            for line in review(project, args.targets):
                print(visible(line))  # ids and paths come from the content
        except BuildError as exc:
            print(exc.report(), file=sys.stderr)
            return 1
        return 0
    from .site import build, check

    started = time.perf_counter()
    try:
        if args.command == "build":
            out = Path(args.out)
            result = build(project, out if out.is_absolute() else Path.cwd() / out)
            verb = visible(f"built {len(result.outputs)} files ({len(result.pages)} pages) into {args.out}")
        else:
            result = check(project)
            verb = f"checked: {len(result.pages)} pages, no errors"
            print(translation_summary(result.model.translation))
            print(draft_summary(result.model.drafts))
            print(language_summary(result.model.coverage, result.catalogs))
    except BuildError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    try:
        _said(result.kept, f"{verb} in {time.perf_counter() - started:.2f} s", getattr(args, "out", ""))  # (check has no --out)
    except BaseException as exc:
        if args.command == "build":  # the new site is in place: an error now must not say the folder was left as it was
            exc.add_note(SWAPPED_IN)
        raise
    return 0


def _said(kept: Sequence[str], done: str, out: str) -> None:
    """The lines that end a command that succeeded: what it did, and the files a build kept from the output folder."""
    print(done)
    if kept:  # a repository can ship its output folder, with a forged manifest, to publish a page of its own
        where = shown_name(str(out))
        print(f"kept in {where} as they were, not written by the build (a repository can ship them: delete what you did not put there):")
        print("\n".join("  " + shown_name(rel) for rel in kept))  # one line each, whatever the name
