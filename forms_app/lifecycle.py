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


def status_name(status: str) -> str:
    return STATUSES.get(status, (status, "open"))[0]


def open311_status(status: str) -> str:
    return STATUSES.get(status, (status, "open"))[1]


def can_move(old: str, new: str) -> bool:
    return new in TRANSITIONS.get(old, set())


def current_deadline(case) -> tuple[str, object, str] | None:
    """(what is due, the day, the commitment it comes from) for a case's status; None once it is
    closed or declined."""
    if case.status == "submitted" and case.decide_by:
        return "决定是否受理", case.decide_by, "decide"
    if case.status in ("accepted", "in_progress", "extended", "reopened") and case.reply_by:
        return "办结并答复", case.reply_by, "reply"
    return None


def public_timeline(events) -> list[dict]:
    """What the filer and the API may see of a timeline: time, status, public text. No staff names."""
    out = []
    for e in events:
        if not e.public:
            continue
        out.append({"at": e.at, "kind": e.kind, "status": e.status_to,
                    "status_name": status_name(e.status_to) if e.status_to else None, "text": e.body or ""})
    return out
