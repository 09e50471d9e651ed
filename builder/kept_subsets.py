"""Font subsets kept from one document, and one print, to the next (issue 25).

Writing a sheet's PDF, WeasyPrint subsets each font it uses with HarfBuzz (Font.subset): for Noto
Sans CJK, a 20 MB collection, about 0.05 s a font, so 0.1 s of every layer written. A subset is
a function of the font file, the face in it, the glyphs kept, and two flags (hinting, whether a
glyph is missing), made by one HarfBuzz: a layer laid out again after a change that brings no
new character (a doctor's telephone number, the bureau's hours) needs the very subsets the last
print made. The officer's loop lays out the leaflet in a process of its own, on its longest path.

Inside `kept_subsets(folder)`, Font.subset looks for its subset first among those kept in this
process, then in `folder` (the print's cache, never published), and keeps what HarfBuzz made in
both. A kept file starts with the sha256 of the rest: a file that does not match is made again.
The folder holds the MAX_FILES used last; the process, MAX_BYTES of subsets.

The font file is known by its length and the sha256 of its first and last 64 KiB (an OpenType
collection's header and table directories, which hold every table's checksum), HarfBuzz by the
files of its two libraries this process has mapped (path, size, time). Where that cannot be read
(not Linux), subsets are kept in the process only.

tests/test_print_incremental.py checks that sheets printed with kept subsets are byte for byte
those printed without. Checked against WeasyPrint's source (builder/weasyprint_pins.py): with
another WeasyPrint the block does nothing. Ours alone, like stamp_fonts: WeasyPrint makes one
document per run and has nothing to keep them for (docs/upstream/README.md).
"""
from __future__ import annotations

import hashlib
import os
from collections import OrderedDict
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from . import weasyprint_pins
from .print_state import write_atomic

MAX_FILES = 24  # three layers (notices, cards, leaflet), two weights, the last print's and this one's, twice over
MAX_BYTES = 64 << 20
EDGE = 64 << 10
SUFFIX = ".subset"

_kept: OrderedDict[str, bytes] = OrderedDict()  # this process's subsets, the least recently used first


@cache
def harfbuzz_files() -> str | None:
    """The HarfBuzz libraries this process has mapped, as (path, size, time); None where unknown."""
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as maps:
            paths = sorted({line.split(None, 5)[5].strip() for line in maps
                            if "libharfbuzz" in line and len(line.split(None, 5)) == 6})
    except OSError:
        return None
    found = []
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            return None
        found.append(f"{path}:{st.st_size}:{st.st_mtime_ns}")
    return "|".join(found) if len(found) >= 2 else None  # libharfbuzz and libharfbuzz-subset


def font_identity(content: bytes) -> str:
    return f"{len(content)}:{hashlib.sha256(content[:EDGE] + content[-EDGE:]).hexdigest()}"


def subset_key(font, to_unicode, hinting, library: str) -> str:
    import weasyprint

    parts = (weasyprint.__version__, library, font_identity(font.file_content), font.index, bool(hinting),
             bool(font.missing), ",".join(map(str, sorted(to_unicode))))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _remember(key: str, data: bytes) -> None:
    _kept[key] = data
    _kept.move_to_end(key)
    total = sum(map(len, _kept.values()))
    while total > MAX_BYTES and len(_kept) > 1:
        total -= len(_kept.popitem(last=False)[1])


def _read(folder: Path, key: str) -> bytes | None:
    path = folder / f"{key}{SUFFIX}"
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    data = raw[32:]
    if len(raw) <= 32 or hashlib.sha256(data).digest() != raw[:32]:
        return None
    _touch(folder, key)
    return data


def _touch(folder: Path, key: str) -> bool:
    """Mark the kept file used now (the last to go); False when there is none."""
    try:
        os.utime(folder / f"{key}{SUFFIX}")
    except OSError:
        return False
    return True


def _write(folder: Path, key: str, data: bytes) -> None:
    """Kept beside the others (written whole, then renamed); the oldest beyond MAX_FILES go."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / f"{key}{SUFFIX}", hashlib.sha256(data).digest() + data)
        files = sorted(folder.glob(f"*{SUFFIX}"), key=lambda p: p.stat().st_mtime_ns)
        for old in files[:-MAX_FILES]:
            old.unlink(missing_ok=True)
    except OSError:  # a folder that cannot be written: kept in this process only
        pass


@contextmanager
def kept_subsets(folder: Path | None):
    """Inside, WeasyPrint's Font.subset keeps its subsets (see above); `folder`: where they are
    kept for the next print, None for this process only."""
    if not weasyprint_pins.allowed("kept_subsets"):
        yield
        return
    from weasyprint.pdf import fonts

    own = fonts.Font.subset
    library = harfbuzz_files()
    if library is None:
        folder = None  # which HarfBuzz made a kept file cannot be told: this process's only
    library = library or f"pid {os.getpid()}"

    def subset(self, to_unicode, hinting):
        if not to_unicode:
            return own(self, to_unicode, hinting)
        key = subset_key(self, to_unicode, hinting, library)
        data = _kept.get(key)
        if folder is not None:
            if data is None:
                data = _read(folder, key)
            elif not _touch(folder, key):  # kept in the process only: in the folder too, for the next print
                _write(folder, key, data)
        if data is not None:
            self.file_content = data
            _remember(key, data)
            return None
        whole = self.file_content
        own(self, to_unicode, hinting)
        if self.file_content is not whole and len(self.file_content) < len(whole):  # HarfBuzz made one
            _remember(key, self.file_content)
            if folder is not None:
                _write(folder, key, self.file_content)
        return None

    fonts.Font.subset = subset
    try:
        yield
    finally:
        fonts.Font.subset = own
