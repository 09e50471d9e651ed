"""A stamp drawn with the font files of the sheet it is drawn on (builder/printing.py, issue 25).

A sheet's stamp (its data version, dates and staleness warning) is laid out in a small document
of its own and drawn over the sheet's cached layer. WeasyPrint subsets fonts with HarfBuzz keeping
the glyph ids (RETAIN_GIDS), so any subset of Noto Sans CJK costs 80–140 KB however few glyphs
it holds: a stamp that brought its own would make every sheet 220–280 KB bigger. Because the
glyph ids are kept, a subset of the layer's that holds all of the stamp's glyphs (the layer's
glyph reserve page puts them there) draws the stamp as its own would.
"""
from __future__ import annotations

import re
from contextlib import contextmanager

import pikepdf

from . import weasyprint_pins

# What a stamp laid out without_font_files() embeds instead of each font file: the first four
# bytes of the file a subset would be ("OTTO" for CFF outlines, as Noto Sans CJK has; WeasyPrint
# chooses /FontFile3 or /FontFile2 and the CID font's subtype by them), then this mark.
NO_FILE = b" (no font file: the stamp is drawn with the layer's, builder/stamp_fonts.py)"


class StampNeedsItsFonts(Exception):
    """A stamp laid out without its font files has a glyph the layer's files lack."""


@contextmanager
def without_font_files():
    """Inside, the PDFs WeasyPrint writes hold every font's dictionaries (its /W and /ToUnicode,
    its descriptor) but not its file, which would be a HarfBuzz subset of a CJK font: 0.04 s each,
    two fonts a stamp, 0.2 s of the officer's loop in all. A stamp is drawn with the layer's font
    files (stamp_form), so its own are never saved; where the layer lacks one of its glyphs,
    stamp_form raises StampNeedsItsFonts and the stamp is laid out again with them
    (printing.Stamps.drawn). Checked against WeasyPrint's source (builder/weasyprint_pins.py):
    with another WeasyPrint the block does nothing and the stamps bring their subsets as before."""
    if not weasyprint_pins.allowed("stamp_fonts"):
        yield
        return
    from weasyprint.pdf import fonts

    own = fonts.Font.clean

    def clean(self, to_unicode, hinting):
        # Font.subset (HarfBuzz) makes an OpenType file of CFF outlines ("OTTO") from a font that
        # has them, a TrueType one otherwise; WeasyPrint reads the type from the first bytes.
        cff = "CFF " in self.tables or "CFF2" in self.tables
        self.file_content = (b"OTTO" if cff else b"\0\1\0\0") + NO_FILE

    fonts.Font.clean = clean
    try:
        yield
    finally:
        fonts.Font.clean = own


def drawn_text(font: pikepdf.Object) -> set[str]:
    """The characters a font of WeasyPrint's draws: its /ToUnicode's bfchar entries."""
    try:
        cmap = font.ToUnicode.read_bytes().decode("latin-1")
    except (AttributeError, KeyError, pikepdf.PdfError):
        return set()
    chars = set()
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, flags=re.S):
        for target in re.findall(r"<[0-9a-fA-F]+>\s*<([0-9a-fA-F]+)>", block):
            chars.update(bytes.fromhex(target).decode("utf-16-be", errors="ignore"))
    return chars


def stamp_form(pdf: pikepdf.Pdf, stamp: pikepdf.Pdf, index: int) -> pikepdf.Object:
    """Page `index` of `stamp` as a form XObject of `pdf`, its glyphs drawn from `pdf`'s embedded
    font files wherever they hold them (the layer's glyph reserve put them there).

    WeasyPrint subsets with HarfBuzz keeping the glyph ids (RETAIN_GIDS): a glyph has the same id
    in every subset of a font file, so a subset of the layer's that holds all of the stamp's
    glyphs draws the stamp as its own does, and every subset costs 80–140 KB however few glyphs
    it holds. The stamp's fonts keep their own /W and /ToUnicode (a few hundred bytes: the text
    extracted is the stamp's, even where the layer's text maps a shared glyph to another
    character, "·" and "•"); only their /FontDescriptor, which holds the font file, becomes the
    layer's. A font whose glyphs the layer's lacks keeps its own file: bigger, still right; if
    the stamp was laid out without_font_files(), StampNeedsItsFonts. What is no longer
    referenced is not saved."""
    form = pdf.copy_foreign(pikepdf.Page(stamp.pages[index]).as_form_xobject())
    resources = form.get("/Resources")
    if resources is None or "/Font" not in resources:
        return form
    layer_files = _font_files(pdf)
    for font in resources.Font.values():
        needed = _glyph_ids(font)
        descriptor, held = layer_files.get(base_name(font), (None, set()))
        if descriptor is not None and needed is not None and needed <= held:
            font.BaseFont = font.DescendantFonts[0].BaseFont = descriptor.FontName
            font.DescendantFonts[0].FontDescriptor = descriptor
        elif _has_no_file(font):
            raise StampNeedsItsFonts(base_name(font))
    return form


def _has_no_file(font: pikepdf.Object) -> bool:
    """The font was written without_font_files()."""
    _, font_file = _descriptor_and_file(font)
    try:
        return font_file is not None and font_file.read_bytes().endswith(NO_FILE)
    except pikepdf.PdfError:
        return False


def _descriptor_and_file(font: pikepdf.Object) -> tuple[pikepdf.Object | None, pikepdf.Object | None]:
    """A Type0 font's /FontDescriptor and the font file it embeds (CFF or TrueType), or Nones."""
    try:
        descriptor = font.DescendantFonts[0].FontDescriptor
        return descriptor, descriptor.get("/FontFile3") or descriptor.get("/FontFile2")
    except (AttributeError, KeyError, IndexError, TypeError):
        return None, None


def base_name(font: pikepdf.Object) -> str:
    """The font's BaseFont without the subset tag ("ABCDEF+")."""
    name = str(font.get("/BaseFont", ""))
    return name.split("+", 1)[1] if name[7:8] == "+" else name


def _font_files(pdf: pikepdf.Pdf) -> dict[str, tuple[pikepdf.Object, set[int]]]:
    """The embedded font files of `pdf`'s pages by base name: (a /FontDescriptor that holds it,
    the glyph ids it holds). WeasyPrint may write several font dictionaries for one font file
    (the glyph reserve's page has its own), each with the /W of its own glyphs, and embeds the
    file once with the glyphs of all of them. A name with two files is left out: which one
    would hold the stamp's glyphs is not known."""
    found: dict[str, tuple[pikepdf.Object, set[int]]] = {}
    files: dict[str, set] = {}
    seen = set()
    for page in pdf.pages:
        resources = page.obj.get("/Resources")
        if resources is None or "/Font" not in resources:
            continue
        for font in resources.Font.values():
            if font.objgen in seen:  # WeasyPrint's pages share their fonts: look at each once
                continue
            seen.add(font.objgen)
            descriptor, font_file = _descriptor_and_file(font)
            ids, name = _glyph_ids(font), base_name(font)
            if font_file is None or ids is None:
                continue
            files.setdefault(name, set()).add(font_file.objgen)
            first, held = found.get(name, (descriptor, set()))
            found[name] = first, held | ids
    return {name: file for name, file in found.items() if len(files[name]) == 1}


def _glyph_ids(font: pikepdf.Object) -> set[int] | None:
    """The CIDs (= glyph ids, CIDToGIDMap /Identity) a Type0 font of WeasyPrint's has glyphs for:
    its /W array lists the width of every glyph it uses, as `first [w1 w2 …]` runs."""
    try:
        descendant = font.DescendantFonts[0]
        if descendant.get("/CIDToGIDMap") != pikepdf.Name.Identity:
            return None  # another mapping: never shared
        widths, ids, i = list(descendant.W), set(), 0
        while i < len(widths):
            first = int(widths[i])
            if isinstance(widths[i + 1], pikepdf.Array):
                ids.update(range(first, first + len(widths[i + 1])))
                i += 2
            else:  # `first last w`
                ids.update(range(first, int(widths[i + 1]) + 1))
                i += 3
        return ids
    except (AttributeError, KeyError, IndexError, TypeError, ValueError):
        return None
