"""The QR mask choice of segno, computed on whole rows at once.

segno (pure Python) spends about 80 % of `segno.make()` choosing the data mask: it applies each
of the 8 masks and scores the result module by module (ISO/IEC 18004 7.8.3), about 9 ms per
code here, two codes per village notice. This does the same with each row as one Python int
(one byte per module): a mask is one XOR per row and one per column (the columns are found
once per code and once per mask size), runs and finder-like patterns are searched in bytes, 2×2 blocks are counted with shifts. It returns exactly segno's choice and matrix
(tests/test_printing.py compares both on many inputs), so the codes are the ones segno makes.

Use `fast_masks()` around `segno.make()`; only full-size QR codes take this path, Micro QR
codes (and a mask given by the caller) go to segno's own function.
"""
from __future__ import annotations

import re
from contextlib import contextmanager
from functools import cache

from segno import encoder

_RUN = re.compile(rb"\x00\x00\x00\x00\x00+|\x01\x01\x01\x01\x01+")
_N3 = bytes((1, 0, 1, 1, 1, 0, 1))


@cache
def _mask_rows(size: int) -> tuple[tuple[int, ...], ...]:
    """For each of the 8 masks, one int per row: 1 in the byte of every module it flips."""
    function = encoder.make_matrix(size, size)
    encoder.add_finder_patterns(function, size, size)
    encoder.add_alignment_patterns(function, size, size)
    function[-8][8] = 0x1
    masks = []
    for pattern in encoder.get_data_mask_functions(False):
        masks.append(tuple(
            int.from_bytes(bytes(1 if function[i][j] > 0x1 and pattern(i, j) else 0 for j in range(size)), "big")
            for i in range(size)))
    return tuple(masks)


def _n3(lines: bytes, size: int) -> int:
    """segno's N3 points for rows or columns joined by b"\x02" (its rule for the light area and
    where it searches next, kept exactly: after a counted pattern from its end, else 4 on)."""
    points, line, allowed = 0, -1, 0
    where = lines.find(_N3)
    while where != -1:  # every start, overlapping ones too: segno may search on from 4 after one
        if where // (size + 1) != line:
            line, allowed = where // (size + 1), 0
        idx = where % (size + 1)
        if idx < allowed:
            where = lines.find(_N3, where + 1)
            continue
        seq = lines[line * (size + 1):line * (size + 1) + size]
        end = idx + 7
        if idx in (0, size - 7) or not any(seq[max(idx - 4, 0):idx]) or not any(seq[end:end + 4]):
            points += 40
            allowed = end
        else:
            allowed = idx + 4
        where = lines.find(_N3, where + 1)
    return points


def score(rows: list[bytes], size: int) -> int:
    """segno's `evaluate_mask` (N1 + N2 + N3 + N4) of a masked matrix given as rows of bytes."""
    ints = [int.from_bytes(r, "big") for r in rows]
    return _score(ints, _transpose(ints, size), size)


def _transpose(ints: list[int], size: int) -> list[int]:
    """The columns of a matrix given as rows (one int per row, one byte per module)."""
    return [int.from_bytes(bytes(col), "big") for col in zip(*(r.to_bytes(size, "big") for r in ints))]


def _score(ints: list[int], cols: list[int], size: int) -> int:
    """`score` of the matrix whose rows are `ints` and whose columns are `cols`."""
    lines = b"\x02".join([r.to_bytes(size, "big") for r in ints] + [c.to_bytes(size, "big") for c in cols])
    runs = _RUN.findall(lines)
    n1 = sum(map(len, runs)) - 2 * len(runs)
    # N2: a 2×2 block of one colour at columns j-1, j of rows i-1, i (1 <= j < size).
    inner = (1 << 8 * (size - 1)) - 1  # drops byte 0, which has no left neighbour
    blocks = 0
    for above, row in zip(ints, ints[1:]):
        differs = above ^ row
        mixed = (differs | differs >> 8 | row ^ row >> 8) & inner
        blocks += size - 1 - mixed.bit_count()
    dark = sum(r.bit_count() for r in ints)  # one bit per dark module: its byte is 0x01
    n4 = 10 * int(abs(float(dark) / size ** 2 * 100 - 50) / 5)
    return n1 + 3 * blocks + _n3(lines, size) + n4


def find_and_apply_best_mask(matrix, width, height, proposed_mask=None):
    """Drop-in for `segno.encoder.find_and_apply_best_mask` (same arguments, same result).

    The matrix's columns and each mask's columns are found once: a masked column is one XOR too."""
    if proposed_mask is not None or width != height or width < 21:
        return _segno_own(matrix, width, height, proposed_mask)
    size = width
    rows = [int.from_bytes(bytes(r), "big") for r in matrix]
    cols = _transpose(rows, size)
    best = None
    for number, (mask, mask_cols) in enumerate(zip(_mask_rows(size), _mask_cols(size))):
        masked = [r ^ m for r, m in zip(rows, mask)]
        points = _score(masked, [c ^ m for c, m in zip(cols, mask_cols)], size)
        if best is None or points < best[0]:
            best = (points, number, masked)
    return best[1], tuple(bytearray(r.to_bytes(size, "big")) for r in best[2])


@cache
def _mask_cols(size: int) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(_transpose(list(mask), size)) for mask in _mask_rows(size))


_segno_own = encoder.find_and_apply_best_mask


@contextmanager
def fast_masks():
    """segno.make() inside this block chooses its mask with `find_and_apply_best_mask` above."""
    encoder.find_and_apply_best_mask = find_and_apply_best_mask
    try:
        yield
    finally:
        encoder.find_and_apply_best_mask = _segno_own
