"""Located, explained errors: what went wrong, where, and how to fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One mistake in the input, with its place (1-based line and column) and a hint."""

    path: str
    line: int
    col: int
    message: str
    hint: str = ""

    def format(self) -> str:
        """``path:line:col: message`` and, on the next line, the hint."""
        head = f"{self.path}:{self.line}:{self.col}: {self.message}"
        return f"{head}\n    hint: {self.hint}" if self.hint else head


class BuildError(Exception):
    """Raised with every problem found in one run; the caller prints them and exits."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = tuple(sorted(set(problems)))
        super().__init__(self.report())

    def report(self) -> str:
        """All problems, one block each, then a count."""
        lines = [p.format() for p in self.problems]
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
