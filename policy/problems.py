"""Problems found in policy data or in input: where (file, line, field) and why (plain Chinese)."""
from __future__ import annotations

from dataclasses import dataclass

from .limits import escape_controls


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        # Paths and messages quote the data; a newline or terminal escape in a value must not
        # forge a second message line (check runs on files from pull requests).
        path, message = escape_controls(self.path), escape_controls(self.message)
        where = escape_controls(self.file) if self.line is None else f"{escape_controls(self.file)}:{self.line}"
        return f"{where}: {path}: {message}" if path else f"{where}: {message}"


def by_file_and_line(problems) -> list:
    """Problems grouped by file (files in the order they first appear) and sorted by line
    within each file (problems without a line first), so an officer reads a file top down."""
    order: dict = {}
    for p in problems:
        order.setdefault(p.file, len(order))
    return sorted(problems, key=lambda p: (order[p.file], p.line is not None, p.line or 0))


class ProblemList(list):
    """A list of problems that keeps the first `keep` and only counts the rest, so a file with
    a million bad entries costs a counter, not a million messages. `total` counts both."""

    def __init__(self, keep: int):
        super().__init__()
        self.keep, self.hidden = keep, 0

    def append(self, problem) -> None:
        if len(self) < self.keep:
            super().append(problem)
        else:
            self.hidden += 1

    def extend(self, problems) -> None:
        for problem in problems:
            self.append(problem)
        self.hidden += getattr(problems, "hidden", 0)

    @property
    def total(self) -> int:
        return len(self) + self.hidden


class PolicyError(Exception):
    """The policy cannot answer: no value in force, no matching breakdown, inconsistent data."""


class InputError(Exception):
    """Bad input to calc/eligible; carries the problems found (each naming the field), control
    characters escaped. `total` counts problems beyond those kept (see ProblemList)."""

    def __init__(self, problems: list[str], total: int | None = None):
        problems = [escape_controls(p) for p in problems]
        super().__init__("\n".join(problems))
        self.problems = problems
        self.total = max(total or 0, len(problems))
