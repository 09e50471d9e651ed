"""How sure a value is, and how outputs mark it for residents.

Every dated value is one of: official (stated in the source), derived (follows from the source
by stated arithmetic or cross-reference), interpreted (one reading of an ambiguous clause) or
illustrative (a placeholder in no source). Official and derived values are shown plainly; the
other two carry a visible mark on every page, notice and calculator result.
"""
from __future__ import annotations

STATUSES = ("official", "derived", "interpreted", "illustrative")
LABELS = {"official": "", "derived": "", "interpreted": "按本县理解", "illustrative": "示例数字"}


def status_of(value) -> str:
    """The reading of a dated value (a `policy.params.Value` or anything with the same fields)."""
    status = getattr(value, "status", None)
    if status:
        return status
    return "illustrative" if getattr(value, "illustrative", False) else "official"


def label(value) -> str:
    """The mark residents see beside the value: "" for official and derived values."""
    return LABELS[status_of(value)]
