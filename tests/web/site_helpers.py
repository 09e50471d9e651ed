"""Running `build` in-process for the site tests, capturing what it reports; what search should find."""
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


def names_to_pages(site, jid: str) -> dict[str, set[str]]:
    """Each name a resident types → the entries of the built site's search index it should find
    (search_terms.page_names of that index)."""
    import json

    from builder import search_terms
    from builder.pipeline import _load
    index = json.loads((site[0] / jid / "search" / "search_index.json").read_text(encoding="utf-8"))
    where: dict[str, set[str]] = {}
    for loc, names in search_terms.page_names(index, _load(site[1] / jid)).items():
        for name in names:
            where.setdefault(name, set()).add(loc)
    return where
