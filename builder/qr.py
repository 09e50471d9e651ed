"""QR codes for the printed sheets: segno computes the code, drawn as inline SVG.

Drawing cost in WeasyPrint grows with the number of path commands and SVG elements: segno's own
`svg_inline()` (one path, two commands per dark run) cost about 30 ms of PDF drawing per page of
two codes here, one path per row about 44 ms (benchmarks in the issue-8b report). This draws
each code as ONE stroked line that snakes through the rows (right along a row, one step down in
the quiet zone, back left along the next) with a `stroke-dasharray` giving the dark and light
runs along it: about 80 path commands per code instead of ~600, about 9 ms per page.
The dash pattern runs on across the corners of one subpath (PDF and SVG both say so), and the
steps down lie in the light quiet zone, so only the dark modules are painted; butt caps end
each dash exactly on a module edge.
"""
from __future__ import annotations

import segno

from .qr_masks import fast_masks

BORDER = 4  # the quiet zone the QR standard asks for, in modules


def dash_pattern(matrix: list[list[bool]]) -> list[int]:
    """On/off lengths (in modules) along the snake through `matrix`, starting with an "on" dash."""
    dashes: list[int] = []
    dark_now, run = True, 0  # a first dash of length 0: the snake starts in the quiet zone

    def add(dark: bool, length: int) -> None:
        nonlocal dark_now, run
        if dark == dark_now:
            run += length
        else:
            dashes.append(run)
            dark_now, run = dark, length

    for y, row in enumerate(matrix):
        if y:
            add(False, 1)  # the step down, at the edge of the quiet zone
        add(False, BORDER)
        for dark in (row if y % 2 == 0 else row[::-1]):
            add(dark, 1)
        add(False, BORDER)
    dashes.append(run)
    if len(dashes) % 2:
        dashes.append(0)  # an even list: an odd one would repeat with on and off swapped
    return dashes


def _snake(data: str) -> tuple[int, str]:
    """(size in modules with the quiet zone, the attributes of the one path that draws the code)."""
    with fast_masks():  # segno's own mask choice, ~2.5x faster (qr_masks.py)
        code = segno.make(data, error="m")
    matrix = [[bool(m) for m in row] for row in code.matrix]
    n = len(matrix)
    size = n + 2 * BORDER
    d = [f"M0 {BORDER + 0.5}"]
    for y in range(n):
        d.append(f"h{size}" if y % 2 == 0 else f"h-{size}")
        if y < n - 1:
            d.append("v1")
    return size, f'd="{"".join(d)}" stroke-dasharray="{" ".join(map(str, dash_pattern(matrix)))}"'


# stroke-width a touch over 1: no hairline gaps between rows when printed.
STROKE = 'fill="none" stroke="#000" stroke-width="1.02" stroke-linecap="butt"'


def qr_svg(data: str) -> str:
    """One code as an inline SVG."""
    size, path = _snake(data)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" class="segno">'
            f'<path {path} {STROKE}/></svg>')


def qr_row_svg(datas: list[str], *, side: float, pitch: float) -> str:
    """Several codes side by side in ONE inline SVG (user units: mm): each `side` wide, one per
    `pitch`, centred in its pitch. One SVG instead of one per code: WeasyPrint re-parses every
    inline SVG as a document of its own, which cost about as much as drawing the code."""
    parts = []
    for i, data in enumerate(datas):
        size, path = _snake(data)
        x = i * pitch + (pitch - side) / 2
        parts.append(f'<path transform="translate({x:.3f} 0) scale({side / size:.5f})" {path} {STROKE}/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {pitch * len(datas):g} {side:g}" class="segno">'
            f'{"".join(parts)}</svg>')
