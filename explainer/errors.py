"""Located, explained errors: what went wrong, where, and how to fix it."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b\u2028-\u202e\u2066-\u2069\ufeff\ufffe\uffff]")
"""Characters that a terminal would act on (escape sequences), break a line at (U+2028, U+2029) or that reorder or hide text."""

MAX_SHOWN_PER_FILE = 100
"""A report shows at most this many problems of one file, then how many more there are."""


def visible(text: str) -> str:
    """``text`` with control, bidi and invisible characters written as escapes (``\\u202e``)."""
    return _INVISIBLE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def shown_name(name: str) -> str:
    """A file name as one printable line: bytes that are not UTF-8 (lone surrogates, as Python lists such names)
    written ``\\xff``, and control, line-breaking, bidi and invisible characters escaped as :func:`visible` does."""
    text = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return visible(text).replace("\n", "\\n")


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in the input, with its place (1-based line and column) and a hint."""

    path: str
    line: int
    col: int
    message: str
    hint: str = ""

    def format(self) -> str:
        """``path:line:col: message`` and, on the next line, the hint.

        Messages quote the input; whatever in it could drive the terminal or reorder the line
        is shown escaped, and a message stays on its line.
        """
        head = visible(f"{self.path}:{self.line}:{self.col}: {self.message}").replace("\n", "\\n")
        hint = visible(self.hint).replace("\n", "\\n")  # a hint may quote input too (a schema's description)
        return f"{head}\n    hint: {hint}" if self.hint else head


class BuildError(Exception):
    """Raised with every problem found in one run; the caller prints them and exits."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(sorted(set(problems)))
        super().__init__(self.report())

    def __reduce__(self) -> tuple[type[BuildError], tuple[list[Problem]]]:
        """Pickled with its problems (it crosses from a worker process to the build whole)."""
        return (BuildError, (list(self.problems),))

    def report(self) -> str:
        """All problems, one block each, then a count."""
        lines = []
        shown: Counter[str] = Counter()
        for p in self.problems:
            shown[p.path] += 1
            if shown[p.path] <= MAX_SHOWN_PER_FILE:
                lines.append(p.format())
        for path, count in shown.items():
            if count > MAX_SHOWN_PER_FILE:
                lines.append(visible(f"{path}: {count - MAX_SHOWN_PER_FILE} more errors in this file are not shown"))
        n = len(self.problems)
        lines.append(f"{n} error{'s' if n != 1 else ''} found; nothing was written.")
        return "\n".join(lines)


class Collector:
    """Gathers problems during a stage so that all of them are reported at once."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, line: int, col: int, message: str, hint: str = "") -> None:
        """Record one problem."""
        self.problems.append(Problem(path, line, col, message, hint))

    def raise_if_any(self) -> None:
        """Raise a :class:`BuildError` if anything was recorded."""
        if self.problems:
            raise BuildError(self.problems)


class Interrupted(KeyboardInterrupt):
    """The command was asked to stop (SIGTERM), as Ctrl+C asks with KeyboardInterrupt: ``signum`` is the signal.

    A KeyboardInterrupt, since asyncio (under the preview's server) lets only that and SystemExit
    through a callback: any other exception raised by the signal handler there was logged and the
    preview went on running."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


HINT_CANDIDATES = 20
"""A "did you mean" hint compares a word with at most this many names (the likeliest by first letter and length)."""
MAX_HINTS = 10
"""At most this many different unknown names of one kind get a hint in one check; the rest say what to use instead."""


def closest(word: str, options: Iterable[str]) -> str | None:
    """The option most like ``word``, if one is close (for "did you mean …?" hints).

    Bounded: difflib compares ``word`` with every option it is given, so thousands of ids (a
    site with 20,000 sources) made each unknown id cost seconds; only the :data:`HINT_CANDIDATES`
    options that share its first letter and are nearest in length are compared."""
    import difflib
    import heapq

    names = options if isinstance(options, (list, tuple)) else sorted(options)
    if len(names) > HINT_CANDIDATES:
        names = heapq.nsmallest(HINT_CANDIDATES, names, key=lambda o: (o[:1] != word[:1], abs(len(o) - len(word)), o))
    found = difflib.get_close_matches(word, names, 1)
    return found[0] if found else None


class Hints:
    """Hints ("did you mean …?") for unknown names of one kind: each different name looked up once, and
    at most :data:`MAX_HINTS` of them (a file of a thousand unknown ids stays fast)."""

    def __init__(self, options: Iterable[str]) -> None:
        self.options = sorted(options)
        self.memo: dict[str, str | None] = {}

    def closest(self, word: str) -> str | None:
        if word not in self.memo:
            if len(self.memo) >= MAX_HINTS:
                return None
            self.memo[word] = closest(word, self.options)
        return self.memo[word]


_JSON_STRING_OR_NUMBER = re.compile(r'"(?:[^"\\]|\\.)*"|-?(\d+)(\.\d+)?([eE][-+]?\d+)?')
"""A JSON string or number, each matched whole (so without backtracking into it)."""


def long_number(text: str, shown: str, hint: str) -> Problem:
    """The problem of the JSON ``text``, which :func:`json.loads` refused with a plain ValueError: an integer
    with more digits than Python converts (``sys.get_int_max_str_digits``), located at the first one."""
    import sys

    most = sys.get_int_max_str_digits()
    for found in _JSON_STRING_OR_NUMBER.finditer(text):  # (strings are matched whole: digits in them are not numbers)
        whole = found.group(1) is not None and found.group(2) is None and found.group(3) is None  # (a float has no limit)
        if whole and most and len(found.group(1)) > most:
            at = found.start()
            line, col = text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)
            return Problem(shown, line, col, f"a number with more than {most:,} digits ({len(found.group(1)):,})", hint)
    return Problem(shown, 1, 1, f"a number that cannot be read (more than {most:,} digits)", hint)
