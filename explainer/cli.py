"""Command-line interface: ``build``, ``check`` and ``serve`` (names and flags are a contract)."""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

from .errors import BuildError, Interrupted, visible
from .model import TranslationNote

ROOT = Path(__file__).resolve().parent.parent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description="Build the bilingual explainer site.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="{build,check,serve}")
    b = sub.add_parser("build", help="write the site")
    b.add_argument("--out", default="_site", help="output folder (default: _site/)")
    sub.add_parser("check", help="validate everything; write nothing")
    r = sub.add_parser("review", help="mark English translations as reviewed (writes their Arabic's hash)")
    r.add_argument(
        "targets", nargs="*", metavar="FILE[:ID]", help="content/events.yaml or content/events.yaml:joint-statement (default: everything)"
    )
    s = sub.add_parser("serve", help="live preview with automatic reload")
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
        lines.append("  after checking an item's English: python build.py review FILE[:ID]")
    return "\n".join(lines)


def main(argv: list[str], root: Path = ROOT) -> int:
    """Run one command; return the process exit code.

    Ctrl+C and SIGTERM (a CI time-out) stop it with one line and the exit code of the signal
    (130, 143), after the build has removed what it was writing and stopped its workers. An
    error of the system (a disk that fails) is one line too, never a traceback.
    """
    previous = signal.signal(signal.SIGTERM, _terminate)
    left = ": the output folder was left as it was" if argv[:1] == ["build"] else ""
    try:
        return _run(argv, root)
    except Interrupted as exc:  # before KeyboardInterrupt, which it is
        print(f"stopped by {signal.Signals(exc.signum).name}{left}", file=sys.stderr)
        return 128 + exc.signum
    except KeyboardInterrupt:
        print(f"interrupted{left}", file=sys.stderr)
        return 128 + signal.SIGINT
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        print(visible(f"error: {where}{exc.strerror or exc}"), file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous)


def _terminate(signum: int, _frame: object) -> None:
    raise Interrupted(signum)


def _run(argv: list[str], root: Path) -> int:
    args = _parser().parse_args(argv)
    from .project import Project

    project = Project(root)
    if args.command == "serve":
        from .serve import serve

        return serve(project, host=args.host, port=args.port)
    if args.command == "review":
        from .review import review

        try:
            for line in review(project, args.targets):
                print(line)
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
    except BuildError as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    print(f"{verb} in {time.perf_counter() - started:.2f} s")
    return 0
