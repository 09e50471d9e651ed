"""Problems found in policy data or in input: where (file, line, field) and why (plain Chinese)."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int | None
    path: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class PolicyError(Exception):
    """The policy cannot answer: no value in force, no matching breakdown, inconsistent data."""


class InputError(Exception):
    """Bad input to calc/eligible; carries every problem found, each naming the field."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems
