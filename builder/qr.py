"""QR codes for the printed sheets: segno computes the code, drawn as inline SVG.

segno's own `svg_inline()` draws the whole code as ONE path. WeasyPrint parses a path's `d`
by re-splitting the rest of the string at every command (quadratic in its length): measured
here at about 95 ms per code on a loaded machine, most of a notice's drawing time. One short
path per row draws the same squares and costs a small fraction of that.
"""
from __future__ import annotations

import segno

BORDER = 4  # the quiet zone the QR standard asks for, in modules


def qr_svg(data: str) -> str:
    code = segno.make(data, error="m")
    rows = list(code.matrix_iter(scale=1, border=BORDER))
    paths = []
    for y, row in enumerate(rows):
        d, x, n = [], 0, len(row)
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                d.append(f"M{start} {y + 0.5}h{x - start}")
            else:
                x += 1
        if d:
            paths.append(f'<path d="{"".join(d)}"/>')
    size = len(rows)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" class="segno">'
            f'<g stroke="#000" stroke-width="1.02">{"".join(paths)}</g></svg>')
