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
docs/upstream/, run tests/test_printing.py, then record the new hashes (the functions' and their
files') from `python -m builder.weasyprint_pins`.
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


# The files those functions are in, as checked: "package/path.py" -> sha256[:16] of the whole
# file. While a function is the one its module's file defines and that file is unchanged, its
# source is too, and is not read out: inspect.getsource tokenizes each function, 15–18 ms at the
# start of every print (on the officer's loop's longest path, builder/printer.py). Any other
# case (another file, a function swapped in from elsewhere) is checked function by function.
FILES: dict[str, str] = {
    "weasyprint/css/__init__.py": "11edd97744052cfd",
    "weasyprint/layout/__init__.py": "99496ca2a0486a68",
    "weasyprint/layout/page.py": "c8daedbec039ba7d",
    "weasyprint/layout/percent.py": "17690d70dcfb6fab",
    "weasyprint/pdf/fonts.py": "9790082447a4e8db",
}


class ShortcutWarning(RuntimeWarning):
    """A WeasyPrint function a shortcut relies on is not the one it was checked against."""


def source_hash(target: str) -> str | None:
    """sha256 of the source of `module:qualified.name`, or None when it is gone or unreadable."""
    try:
        source = inspect.getsource(_target(target)[1])
    except (ImportError, AttributeError, OSError, TypeError):
        return None
    return hashlib.sha256(source.encode()).hexdigest()[:16]


def _target(target: str):
    """(the module, the object) that `module:qualified.name` names."""
    module_name, _, qualname = target.partition(":")
    obj = module = importlib.import_module(module_name)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return module, obj


def file_key(path: str) -> str:
    """`…/site-packages/weasyprint/layout/page.py` -> `weasyprint/layout/page.py` (FILES' keys)."""
    parts = path.replace("\\", "/").split("/")
    return "/".join(parts[len(parts) - 1 - parts[::-1].index("weasyprint"):]) if "weasyprint" in parts else path


@cache
def file_hash(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()[:16]
    except OSError:
        return None


def in_checked_file(target: str) -> bool:
    """True when `target` is the function its module's file defines under that name and that file
    is the one checked (FILES): its source then is too. False says nothing: check the source."""
    try:
        module, obj = _target(target)
    except (ImportError, AttributeError):
        return False
    code, path = getattr(obj, "__code__", None), getattr(module, "__file__", None)
    qualname = target.partition(":")[2].removesuffix(".fget")  # a property's getter: Font.type
    if code is None or path is None or code.co_filename != path or getattr(code, "co_qualname", None) != qualname:
        return False
    return file_hash(path) == FILES.get(file_key(path))


def changed() -> dict[str, list[str]]:
    """shortcut -> the functions it relies on whose source is not the one checked."""
    out = {}
    for shortcut, targets in EXPECTED.items():
        bad = [t for t, digest in targets.items() if not in_checked_file(t) and source_hash(t) != digest]
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
    files = {_target(t)[0].__file__ for targets in EXPECTED.values() for t in targets}
    for path in sorted(files, key=file_key):
        print(f'FILES: "{file_key(path)}": "{file_hash(path)}",')
    sys.exit(0)
