"""The leaflet's multi-column parts, split into columns before WeasyPrint lays them out (issue 25).

leaflet.css sets the programs (two columns) and the glossary (three) side by side as floats, one
float per column, and the leaflet's template asks `columns` which entries go into each. CSS
columns did this before, but WeasyPrint balances them by laying their content out again and again:
0.45 s of the leaflet's 0.7 s, which the officer waits for after every change. The split is made
on estimated heights, in lines of the part's type, whole entries in order.
"""
from __future__ import annotations

import itertools
import math


def _width(text: str) -> float:
    """In widths of a CJK character: Latin letters, digits and spaces about half of one."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text)


def _lines(text: str, per_line: float) -> int:
    return max(1, math.ceil(_width(text) / per_line))


ESTIMATED_LINES = {
    # a term and its plain words, one run at 9 pt in a third of the page: 18 characters a line
    "terms": lambda e: _lines(f"{e['term']}：{e['plain']}", 18),
    # a program: its name at 12.5 pt (with its mark), its summary at 11.5 pt, in half the page
    # (21 characters a line), and the space below it
    "programs": lambda p: 1.1 * _lines(p["name"] + (p.get("label") or ""), 19) + _lines(p["summary"], 21) + 0.4,
}


def columns(entries: list[dict], count: int, kind: str) -> list[list[dict]]:
    """`entries` in `count` columns, whole and in order, as even as their ESTIMATED_LINES[kind]
    allow: the split with the shortest longest column, the first columns the longer ones on a tie,
    as CSS columns fill."""
    heights = [ESTIMATED_LINES[kind](e) for e in entries]
    best: tuple | None = None
    for cuts in itertools.combinations_with_replacement(range(len(entries) + 1), count - 1):
        bounds = [0, *cuts, len(entries)]
        column_heights = [sum(heights[a:b]) for a, b in zip(bounds, bounds[1:])]
        key = (round(max(column_heights), 6), [-round(h, 6) for h in column_heights])
        if best is None or key < best[0]:
            best = (key, bounds)
    bounds = best[1] if best else [0] * (count + 1)
    return [entries[a:b] for a, b in zip(bounds, bounds[1:])]
