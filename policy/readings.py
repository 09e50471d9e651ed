"""How sure a value is, and how outputs mark it for residents.

Every dated value is one of: official (stated in the source), derived (follows from the source
by stated arithmetic or cross-reference), interpreted (one reading of an ambiguous clause) or
illustrative (a placeholder in no source). Official and derived values are shown plainly; the
other two carry a visible mark on every page, notice and calculator result.

The data says which in `status` (see docs/data-format.md, "Readings"); `policy.params.Value`
carries it with the `quote`, `alternatives` and `reason` that back it.
"""
from __future__ import annotations

STATUSES = ("official", "derived", "interpreted", "illustrative")
# A derived value is the county's own inference from the source (e.g. the inpatient rates read off
# "提高到住院水平"): residents are told, as for any other reading of the text.
LABELS = {"official": "", "derived": "按本县理解", "interpreted": "按本县理解", "illustrative": "示例数字"}


def status_of(value) -> str:
    """The reading of a dated value (a `policy.params.Value`, a program dict, or anything with
    a `status`); values written before `status` existed fall back on their `illustrative` flag."""
    status = value.get("status") if isinstance(value, dict) else getattr(value, "status", None)
    if status:
        return status
    flag = value.get("illustrative") if isinstance(value, dict) else getattr(value, "illustrative", False)
    return "illustrative" if flag else "official"


def label(value) -> str:
    """The mark residents see beside the value: "" for official values only."""
    return LABELS[status_of(value)]


def badge_class(mark: str) -> str:
    """The one badge style of every output (site, calculator, forms app, paper): its CSS class."""
    return "mark-illustrative" if mark == LABELS["illustrative"] else "mark-interpreted"
