"""Two shortcuts in WeasyPrint's page making, for documents of many pages (a county pack: one
page per village) whose pages have no margin boxes (the village pages).

- `set_page_type_computed_styles` looked for the margin boxes' styles of each new page by
  walking all cascaded page styles made so far, which grow by a few entries with every page:
  a walk per page that grows with the document. Here only the (page, margin box) pairs the style
  sheets' @page rules can produce are looked up.
- `make_margin_boxes` built and sized all 16 margin boxes of every page, then kept the ones whose
  `content` generates something. A page where none does (every village page: only the base page
  has a footer) gets none straight away.

tests/test_printing.py checks that every sheet is byte for byte what WeasyPrint makes without them.
Checked against WeasyPrint's source (builder/weasyprint_pins.py): with another WeasyPrint the
block does nothing. The same change against WeasyPrint: docs/upstream/fast-pages.patch.
"""
from __future__ import annotations

from contextlib import contextmanager

from weasyprint import layout as wlayout
from weasyprint.layout import page as wpage

from . import weasyprint_pins

weasyprint_pins.allowed("fast_pages")  # checked at import: its warning now, not halfway through a build


def _margin_pseudos(style_for) -> tuple:
    """The pseudo types (e.g. '@bottom-center') of every @page rule of the style sheets, in order."""
    found = style_for.__dict__.get("_hpt_margin_pseudos")
    if found is None:
        seen = {}
        for sheet, _origin, _specificity in style_for._sheets:
            for _rule, selector_list, _declarations in sheet.page_rules:
                for _specificity2, pseudo_type, _page_selector in selector_list:
                    if pseudo_type:
                        seen.setdefault(pseudo_type, None)
        found = style_for.__dict__["_hpt_margin_pseudos"] = tuple(seen)
    return found


def set_page_type_computed_styles(page_type, html, style_for):
    """`weasyprint.layout.page.set_page_type_computed_styles`, without the walk over the document."""
    style_for.add_page_declarations(page_type)
    style_for.set_computed_styles(page_type, root=html.etree_element, parent=html.etree_element,
                                  base_url=html.base_url)
    cascaded = style_for.get_cascaded_styles()
    for pseudo_type in _margin_pseudos(style_for):
        if (page_type, pseudo_type) in cascaded:
            style_for.set_computed_styles(page_type, pseudo_type=pseudo_type, root=html.etree_element,
                                          parent=page_type, base_url=html.base_url)


MARGIN_BOXES = tuple(f"@{side}-{where}" for side, wheres in (
    ("top", ("left-corner", "left", "center", "right", "right-corner")),
    ("bottom", ("left-corner", "left", "center", "right", "right-corner")),
    ("left", ("top", "middle", "bottom")), ("right", ("top", "middle", "bottom"))) for where in wheres)
NOT_GENERATED = ("normal", "inhibit", "none")  # make_margin_boxes: a box with such content is not drawn


def _fast_margin_boxes(own):
    def make_margin_boxes(context, page, state):
        # WeasyPrint's own style sheet styles every margin box of every page, but only a box
        # whose `content` says something is generated (make_margin_boxes' own test).
        style_for = context.style_for
        for keyword in MARGIN_BOXES:
            style = style_for(page.page_type, keyword)
            if style is not None and style["content"] not in NOT_GENERATED:
                return own(context, page, state)
        return iter(())
    return make_margin_boxes


@contextmanager
def fast_pages():
    """Inside this block WeasyPrint makes pages with the two shortcuts above."""
    if not weasyprint_pins.allowed("fast_pages"):  # another WeasyPrint: its own path
        yield
        return
    # layout/__init__.py calls make_margin_boxes by the name it imported from layout/page.py
    own_styles, own_boxes = wpage.set_page_type_computed_styles, wlayout.make_margin_boxes
    wpage.set_page_type_computed_styles = set_page_type_computed_styles
    wlayout.make_margin_boxes = _fast_margin_boxes(own_boxes)
    try:
        yield
    finally:
        wpage.set_page_type_computed_styles, wlayout.make_margin_boxes = own_styles, own_boxes
