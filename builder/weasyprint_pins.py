"""The WeasyPrint internals that the print shortcuts replace or copy, as they were checked.

`fast_pages`, `fast_percentages` and `shared_styles` swap private WeasyPrint functions for
faster ones that lay out the same pages (tests/test_printing.py compares every sheet byte for
byte); `stamp_fonts` writes a stamp without the font files that the layer's replace anyway
(tests/test_print_incremental.py compares every sheet with the stamps' subsets made);
`kept_subsets` keeps the font subsets HarfBuzz made for the next document and print (the same
test file compares every sheet with the subsets made afresh). They
were written against the source of WeasyPrint `CHECKED_VERSION` (pinned in pyproject.toml). At
import, each shortcut asks `allowed(name)`: the source of every WeasyPrint function it replaces,
wraps or copies must hash to the value recorded here. If one does not
(another WeasyPrint version, a local patch), that shortcut is left out, the stock path prints the
same sheets only slower, and ONE warning per process names what changed.

The first three, written against WeasyPrint's own source, are in docs/upstream/ (ready to send);
when WeasyPrint takes them, the shortcut can go. `stamp_fonts` and `kept_subsets` are ours alone:
a document that needs no font files, and subsets kept between runs, are not something WeasyPrint
makes (docs/upstream/README.md says why).

To re-check after upgrading WeasyPrint: read the functions named below against their patch in
docs/upstream/, run tests/test_printing.py, then record the new hashes from
`python -m builder.weasyprint_pins`.
"""
from __future__ import annotations

import hashlib
import importlib
import inspect
import sys
import warnings
from functools import cache

CHECKED_VERSION = "69.0"

# shortcut -> {"module:qualified.name": first 16 hex digits of sha256(source)}
EXPECTED: dict[str, dict[str, str]] = {
    "fast_pages": {
        # replaced
        "weasyprint.layout.page:set_page_type_computed_styles": "4e68b396b35c4a06",
        # wrapped: a page whose margin boxes all have content normal/inhibit/none gets none
        "weasyprint.layout.page:make_margin_boxes": "9f233e0a54c1ab6e",
        # calls make_margin_boxes by the name it imported (the name the shortcut swaps)
        "weasyprint.layout:layout_document": "8378772373a7ae67",
    },
    "fast_percentages": {
        # replaced (and its results copied for plain px and % lengths)
        "weasyprint.layout.percent:percentage": "17f1358c802678b4",
    },
    "stamp_fonts": {
        # replaced while a stamp is written: no subset is made, a placeholder file is embedded
        "weasyprint.pdf.fonts:Font.clean": "f2c256845b97a3ee",
        # what the placeholder must satisfy: Font.type's first bytes, /FontFile3 or 2 and the
        # CID font's subtype chosen by them; the file embedded as clean() left it; the font's
        # table tags (Font.__init__: self.tables), which tell CFF outlines
        "weasyprint.pdf.fonts:Font.type.fget": "31376bf9b326ac58",
        "weasyprint.pdf.fonts:Font.__init__": "6979a02ed3601d89",
        "weasyprint.pdf.fonts:build_fonts_dictionary": "fc551bef35d0d6c3",
        "weasyprint.pdf.fonts:_build_vector_font_dictionary": "aa6eea312c6e3375",
    },
    "kept_subsets": {
        # replaced: the subset looked for among those kept first
        "weasyprint.pdf.fonts:Font.subset": "5e9d4bda7365daaa",
        # what a subset depends on: the font's file, its face index, the glyphs, hinting, missing
        "weasyprint.pdf.fonts:Font._harfbuzz_subset": "e46e50fad824ff18",
        "weasyprint.pdf.fonts:Font._fonttools_subset": "c8ea5e2b50b019bd",
        # where file_content, index and missing come from; clean() subsets first, then reads file_content
        "weasyprint.pdf.fonts:Font.__init__": "6979a02ed3601d89",
        "weasyprint.pdf.fonts:Font.clean": "f2c256845b97a3ee",
    },
    "shared_styles": {
        # replaced
        "weasyprint.css:StyleFor.set_computed_styles": "b1204790194deec2",
        # the properties it computes (which ones depend on the element itself)
        "weasyprint.css:ComputedStyle.__missing__": "09b8cc13387998c8",
    },
}


class ShortcutWarning(RuntimeWarning):
    """A WeasyPrint function a shortcut relies on is not the one it was checked against."""


def source_hash(target: str) -> str | None:
    """sha256 of the source of `module:qualified.name`, or None when it is gone or unreadable."""
    module_name, _, qualname = target.partition(":")
    try:
        obj = importlib.import_module(module_name)
        for part in qualname.split("."):
            obj = getattr(obj, part)
        source = inspect.getsource(obj)
    except (ImportError, AttributeError, OSError, TypeError):
        return None
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def changed() -> dict[str, list[str]]:
    """shortcut -> the functions it relies on whose source is not the one checked."""
    out = {}
    for shortcut, targets in EXPECTED.items():
        bad = [t for t, digest in targets.items() if source_hash(t) != digest]
        if bad:
            out[shortcut] = bad
    return out


@cache
def _verdict() -> dict[str, list[str]]:
    found = changed()
    if found:
        import weasyprint

        names = "; ".join(f"{s} ({', '.join(t)})" for s, t in found.items())
        warnings.warn(f"WeasyPrint {weasyprint.__version__} is not the {CHECKED_VERSION} the print shortcuts "
                      f"were checked against; left out, printing the same sheets more slowly: {names}. "
                      "See builder/weasyprint_pins.py.", ShortcutWarning, stacklevel=3)
    return found


def allowed(shortcut: str) -> bool:
    """True when every WeasyPrint function `shortcut` relies on is the one it was checked against.
    The first call checks all of them (and warns once); later calls reuse the verdict."""
    return shortcut not in _verdict()


def recheck() -> None:
    """Forget the verdict (tests change WeasyPrint's functions and check again)."""
    _verdict.cache_clear()


if __name__ == "__main__":
    for shortcut, targets in EXPECTED.items():
        for target in targets:
            print(f'{shortcut}: "{target}": "{source_hash(target)}",')
    sys.exit(0)
