"""QR codes for the printed notices: segno computes the code, drawn straight into the PDF page.

The notice's two codes (the village page, the complaint form) differ on every village, so they
are drawn on every page of the county pack. As inline SVG, WeasyPrint spent about 6.8 ms per
notice on them (parsing the SVG while laying out, its path and dash array while drawing) out of
a budget of 12.5 ms for the whole notice (issue 8: 1,600 notices in 20 s on 2 cores). Here each
dark run of a row becomes one filled rectangle in the page's own content stream (about 0.3 ms
per notice): still vector, exactly segno's modules, scaled to any printer without blur.
`builder.printing.stack` adds the operators to each village's page, on the base page's empty
QR slot.
"""
from __future__ import annotations

import segno

from .qr_masks import fast_masks

BORDER = 4  # the quiet zone the QR standard asks for, in modules
# Each rectangle 2 % of a module taller, centred on its row: printers and viewers that smooth
# edges leave no hairline gaps between rows (the next row's dark run covers the overlap).
OVERLAP = 0.02


def qr_matrix(data: str) -> list[list[bool]]:
    """segno's code for `data` (error correction M), dark modules True, without the quiet zone."""
    with fast_masks():  # segno's own mask choice, ~2.5x faster (qr_masks.py)
        code = segno.make(data, error="m")
    return [[bool(m) for m in row] for row in code.matrix]


def dark_runs(matrix: list[list[bool]]) -> list[tuple[int, int, int]]:
    """(row, first column, length) of every horizontal run of dark modules."""
    runs = []
    for y, row in enumerate(matrix):
        x, n = 0, len(row)
        while x < n:
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                runs.append((y, start, x - start))
            else:
                x += 1
    return runs


def pdf_ops(matrix: list[list[bool]], left: float, top: float, side: float) -> str:
    """PDF content operators that paint `matrix` black, its quiet zone included in a square of
    `side` points whose top-left corner is (`left`, `top`) in PDF user space (y grows upwards).

    One transform puts a module at 1 × 1 with y growing downwards from the code's top-left
    corner, so every rectangle is written in whole modules (fast to format, short to store)."""
    module = side / (len(matrix) + 2 * BORDER)
    # x' = left + module * (x + BORDER); y' = top - module * (y + BORDER), shifted by half the
    # overlap so that each 1 + OVERLAP tall rectangle is centred on its row.
    ops = [f"q 0 g {module:.5f} 0 0 {-module:.5f} {left + BORDER * module:.3f} "
           f"{top - (BORDER - OVERLAP / 2) * module:.3f} cm"]
    height = f"{1 + OVERLAP:g}"
    ops.extend(f"{x} {y} {length} {height} re" for y, x, length in dark_runs(matrix))
    ops.append("f Q\n")
    return "\n".join(ops)
