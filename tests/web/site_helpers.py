"""Running `build` in-process for the site tests, capturing what it reports."""
from __future__ import annotations

from pathlib import Path


class Log:
    def __init__(self):
        self.out, self.err = [], []

    def __call__(self, *parts, file=None):
        (self.err if file is not None else self.out).append(" ".join(str(p) for p in parts))


def run_build(data: Path, out: Path, **kwargs) -> tuple[int, Log]:
    from builder.pipeline import build
    log = Log()
    return build(data, out, log=log, **kwargs), log
