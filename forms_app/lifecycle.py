"""Case statuses (forms.md's lifecycle) and what the public is told about each.

The residents' side only creates cases (`submitted`, or `closed` for a query answered on the
spot); the staff side moves them along `TRANSITIONS`.
"""
from __future__ import annotations

# status -> (Chinese name for residents, Open311 open/closed)
STATUSES = {
    "submitted": ("已收到，等待受理", "open"),
    "accepted": ("已受理", "open"),
    "declined": ("不予受理", "closed"),
    "in_progress": ("正在办理", "open"),
    "extended": ("已延期办理", "open"),
    "closed": ("已办结", "closed"),
    "reopened": ("复查中", "open"),
}

TRANSITIONS = {
    "submitted": {"accepted", "declined"},
    "accepted": {"in_progress", "extended", "closed"},
    "in_progress": {"extended", "closed"},
    "extended": {"closed"},
    "declined": {"reopened"},
    "closed": {"reopened"},
    "reopened": {"in_progress", "extended", "closed"},
}


# A call-back is not a complaint (issue 27): an eligibility query asking for a call waits for the
# call (待回电) and is done once someone has called (已回电); one answered on the page needs nothing.
QUERY_NAMES = {"submitted": "待回电", "closed": "已回电"}


def status_name(status: str, case=None) -> str:
    """The status in words; `case` (anything with kind and callback_requested) names a call-back's
    statuses as a call-back's."""
    if case is not None and getattr(case, "kind", "") == "query" and status in QUERY_NAMES:
        if status == "closed" and not getattr(case, "callback_requested", False):
            return "已在网上自动答复"
        return QUERY_NAMES[status]
    return STATUSES.get(status, (status, "open"))[0]


def is_callback(case) -> bool:
    return getattr(case, "kind", "") == "query" and bool(getattr(case, "callback_requested", False))


def open311_status(status: str) -> str:
    return STATUSES.get(status, (status, "open"))[1]


def can_move(old: str, new: str) -> bool:
    return new in TRANSITIONS.get(old, set())


def current_deadline(case) -> tuple[str, object, str] | None:
    """(what is due, the day, the commitment it comes from) for a case's status; None once it is
    closed or declined."""
    if case.status == "submitted" and case.decide_by:
        if is_callback(case):
            return "回电", case.decide_by, "callback"
        return "决定是否受理", case.decide_by, "decide"
    if case.status in ("accepted", "in_progress", "extended", "reopened") and case.reply_by:
        return "办结并答复", case.reply_by, "reply"
    return None


def public_timeline(events, case=None) -> list[dict]:
    """What the filer and the API may see of a timeline: time, status, public text. No staff names."""
    out = []
    for e in events:
        if not e.public:
            continue
        out.append({"at": e.at, "kind": e.kind, "status": e.status_to,
                    "status_name": status_name(e.status_to, case) if e.status_to else None, "text": e.body or ""})
    return out


def lateness(case, local_date) -> dict:
    """How late each decision was (days past its deadline, 0 on time, None not decided yet):
    "decision" (accepted or declined vs decide_by) and "closing" (closed vs reply_by)."""
    out = {"decision": None, "closing": None}
    decided = case.accepted_at or (case.closed_at if case.status == "declined" else None)
    if decided is not None and case.decide_by is not None:
        out["decision"] = max(0, (local_date(decided) - case.decide_by).days)
    if case.status == "closed" and case.closed_at is not None and case.reply_by is not None:
        out["closing"] = max(0, (local_date(case.closed_at) - case.reply_by).days)
    return out
