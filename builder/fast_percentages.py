"""WeasyPrint's `percentage()` without its calc() check for values that cannot hold calc().

Laying out a village's band, WeasyPrint turns each box's computed lengths into used lengths
about 1,200 times (`layout.percent.percentage`), and each time first asks `check_math()`
whether the value is a calc()/min()/max() function, which builds a `Function` object to find
out. A `Dimension` (a number and a unit), "auto" and None never are: for them this returns what
WeasyPrint's own function returns, without the check (about 8 % of the band's layout time).
Anything else goes to WeasyPrint's function. tests/test_printing.py checks that every sheet is
byte for byte what WeasyPrint makes without it. Checked against WeasyPrint's source
(builder/weasyprint_pins.py): with another WeasyPrint the block does nothing. The same change
against WeasyPrint: docs/upstream/fast-percentages.patch.
"""
from __future__ import annotations

from contextlib import contextmanager

from weasyprint.css.properties import Dimension
from weasyprint.layout import percent

from . import weasyprint_pins

weasyprint_pins.allowed("fast_percentages")  # checked at import: its warning now, not halfway through a build


def _fast(own):
    def percentage(value, computed, refer_to):
        kind = type(value)
        if kind is Dimension:
            if value.unit == "px" or value.unit.lower() == "px":
                return value.value
            if value.unit == "%":
                return refer_to * value.value / 100
        elif value is None or (kind is str and value == "auto"):
            return value
        return own(value, computed, refer_to)
    return percentage


@contextmanager
def fast_percentages():
    """Inside this block, WeasyPrint's layout resolves plain lengths without the calc() check."""
    if not weasyprint_pins.allowed("fast_percentages"):  # another WeasyPrint: its own path
        yield
        return
    own = percent.percentage
    percent.percentage = _fast(own)
    try:
        yield
    finally:
        percent.percentage = own
