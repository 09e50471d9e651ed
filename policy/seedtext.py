"""The text of the source documents (`shared/seeds/`), made comparable with quotes in the data.

Quotes are compared after removing whitespace only. Seed 004 was scraped in traditional
characters with pinyin glosses after some characters ("發(fā)"): the glosses are stripped and
the text converted with OpenCC (t2s), so the data quotes it in simplified characters without
anyone retyping it.
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

_GLOSS = re.compile(r"\([a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ]{1,8}\)")
_SPACE = re.compile(r"\s+")


def seeds_dir(repo_root: Path) -> Path | None:
    """`<repo>/../shared/seeds` (where the project keeps them), or None when it is absent."""
    for candidate in (Path(repo_root).resolve().parent / "shared" / "seeds", Path("/work/shared/seeds")):
        if candidate.is_dir():
            return candidate
    return None


def squeeze(text: str) -> str:
    return _SPACE.sub("", text)


@lru_cache(maxsize=16)
def seed_text(path: Path) -> str:
    """The seed's text, glosses stripped, in simplified characters, without whitespace."""
    raw = Path(path).read_text(encoding="utf-8")
    if _GLOSS.search(raw):
        import opencc  # only needed for the traditional-character seed

        raw = opencc.OpenCC("t2s").convert(_GLOSS.sub("", raw))
    return squeeze(raw)


def quote_found(quote: str, path: Path) -> bool:
    return squeeze(quote) in seed_text(path)


def params_of(j):
    """Every parameter of a jurisdiction, with a name to report it by."""
    from .coverage import layer_params

    for raw in j.layers:
        for param in layer_params(raw):
            yield param
    for d in j.discretionary:
        yield d["ratio_min"]
        yield d["ratio_max"]
    if j.monitoring_threshold is not None:
        yield j.monitoring_threshold
    for param in (j.commitments or {}).values():
        if param is not None and hasattr(param, "series"):
            yield param


def all_quotes(j):
    """(where, source id, quote) for every quote in a jurisdiction's data."""
    for param in params_of(j):
        for keys, series in param.series():
            for v in series.values:
                if v.quote:
                    at = "/".join(k for _, k in keys)
                    yield f"{param.file}: {param.name} {at} {v.start}", v.reference.source, v.quote
    for raw in j.layers:
        scope = raw.get("scope")
        if scope and scope.get("quote"):
            source = scope["reference"].source if scope.get("reference") else None
            yield f"layers.{raw['id']}.scope", source, scope["quote"]
    for program in j.programs:
        if program.get("quote"):
            yield f"programs.{program['id']}", program["reference"].source, program["quote"]
    for step in j.process:
        if step.get("quote"):
            yield f"process.{step['id']}", step["reference"].source, step["quote"]
    if j.drugs and j.drugs.get("quote"):
        yield "drugs", j.drugs["reference"].source, j.drugs["quote"]
