"""Running `build` in-process for the site tests, capturing what it reports."""
from __future__ import annotations

from pathlib import Path


class Log:
    def __init__(self):
        self.out, self.err = [], []

    def __call__(self, *parts, file=None):
        (self.err if file is not None else self.out).append(" ".join(str(p) for p in parts))


def run_build(data: Path, out: Path, **kwargs) -> tuple[int, Log]:
    """`build` as the command runs it; a preview unless `preview=False` (the samples' addresses
    are example domains, refused for publishing)."""
    from builder.pipeline import build
    log = Log()
    kwargs.setdefault("preview", True)
    return build(data, out, log=log, **kwargs), log
