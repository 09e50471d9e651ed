"""The staff queue: filters, overdue / due-soon marks, and the masked CSV export."""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from sqlalchemy import and_, case, func, or_, select

from .. import deadlines
from ..audit import cell, safe_csv
from ..db import Database
from ..lifecycle import STATUSES, current_deadline, lateness, status_name
from ..models import Case, StaffUser, local_date
from ..policy_source import category, place_label
from .access import visible

PAGE = 50
AFTER_ACCEPT = ("accepted", "in_progress", "extended", "reopened")
DUE_SOON_WORKING_DAYS = 3
LOW_RATING = 2  # 1 or 2 stars: the filer was not satisfied


@dataclass
class Filters:
    status: str = ""
    category: str = ""
    township: str = ""
    kind: str = ""
    due: str = ""  # overdue | soon
    unassigned: bool = False
    assignee: int | None = None
    orphaned: bool = False  # assigned to an account that has since been disabled
    low: bool = False  # rated 1 or 2 stars by the filer
    open_only: bool = True  # the queue opens on the cases still to do
    number: str = ""  # part of a case number, as a filer reads it out on the phone
    phone: str = ""  # the last 4 digits of the filer's phone (what the masked copy shows); audited
    page: int = 1

    @classmethod
    def from_args(cls, args, j) -> "Filters":
        """Unknown values are ignored (a stale bookmark still opens the queue). Without any
        argument the queue shows open cases; the filter form sends f=1, so an unticked
        "只看未办结" then means all cases."""
        f = cls()
        f.status = args.get("status", "") if args.get("status", "") in STATUSES else ""
        f.category = args.get("category", "") if any(c["id"] == args.get("category") for c in j.complaint_categories) else ""
        f.township = args.get("township", "") if args.get("township", "") in j.townships else ""
        f.kind = args.get("kind", "") if args.get("kind") in ("complaint", "query") else ""
        f.due = args.get("due", "") if args.get("due") in ("overdue", "soon") else ""
        if args.get("overdue") == "1":  # the older link
            f.due = "overdue"
        f.unassigned = args.get("unassigned") == "1"
        raw = str(args.get("assignee", ""))
        f.assignee = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
        f.orphaned = args.get("orphaned") == "1"
        f.low = args.get("low") == "1"
        explicit = args.get("f") == "1" or "open" in args
        f.open_only = args.get("open") == "1" if explicit else not f.status
        f.number = _number_part(args.get("number", ""))
        tail = str(args.get("phone", "")).strip()
        f.phone = tail if len(tail) == 4 and tail.isascii() and tail.isdigit() else ""
        try:
            f.page = max(1, min(10_000, int(args.get("page", "1"))))
        except (TypeError, ValueError):
            f.page = 1
        return f

    def query_args(self, **change) -> dict:
        out = {"status": self.status, "category": self.category, "township": self.township, "kind": self.kind,
               "due": self.due, "unassigned": "1" if self.unassigned else "", "assignee": self.assignee or "",
               "orphaned": "1" if self.orphaned else "", "low": "1" if self.low else "",
               "open": "1" if self.open_only else "0", "number": self.number, "phone": self.phone, "page": self.page}
        out.update(change)
        return {k: v for k, v in out.items() if v not in ("", None, 1) or (k == "page" and v != 1)}


OPEN = ("submitted", *AFTER_ACCEPT)


def due_day():
    """The deadline that counts now: the decision's while submitted, the reply's once accepted;
    none once declined or closed (an old decision deadline must not put a declined case on top)."""
    return case((Case.status == "submitted", Case.decide_by), (Case.status.in_(AFTER_ACCEPT), Case.reply_by), else_=None)


def overdue_condition(today: dt.date):
    return or_(and_(Case.status == "submitted", Case.decide_by < today),
               and_(Case.status.in_(AFTER_ACCEPT), Case.reply_by < today))


def soon_condition(today: dt.date, limit: dt.date):
    return and_(Case.status.in_(OPEN), due_day() >= today, due_day() <= limit)


def soon_limit(j, today: dt.date) -> dt.date:
    if j is None or j.calendar is None:
        return today + dt.timedelta(days=DUE_SOON_WORKING_DAYS)
    return deadlines.add_working_days(j.calendar, today, DUE_SOON_WORKING_DAYS)[0]


def _disabled_ids(user: StaffUser):
    return select(StaffUser.id).where(StaffUser.jurisdiction == user.jurisdiction, StaffUser.active.is_(False))


def _query(user: StaffUser, f: Filters, today: dt.date, j=None):
    q = select(Case).where(visible(user))
    if f.status:
        q = q.where(Case.status == f.status)
    if f.category:
        q = q.where(Case.category == f.category)
    if f.township:
        q = q.where(Case.township == f.township)
    if f.kind:
        q = q.where(Case.kind == f.kind)
    if f.open_only:
        q = q.where(Case.status.in_(OPEN))
    if f.due == "overdue":
        q = q.where(overdue_condition(today))
    elif f.due == "soon":
        q = q.where(soon_condition(today, soon_limit(j, today)))
    if f.unassigned:
        q = q.where(Case.assigned_to.is_(None))
    if f.assignee:
        q = q.where(Case.assigned_to == f.assignee)
    if f.orphaned:
        q = q.where(Case.assigned_to.in_(_disabled_ids(user)))
    if f.low:
        q = q.where(Case.rating.is_not(None), Case.rating <= LOW_RATING)
    if f.number:
        q = q.where(Case.number.contains(f.number, autoescape=True))
    if f.phone:
        q = q.where(Case.anonymous.is_(False), Case.phone_masked.endswith(f.phone, autoescape=True))
    return q


def _number_part(text: str) -> str:
    """What the clerk typed, kept to the letters, digits and dashes a case number has and
    upper-cased; it matches any part of a number ("000062" and "zx-2026-000062" both find
    ZX-2026-000062)."""
    kept = "".join(ch for ch in str(text)[:24].upper() if ch.isascii() and (ch.isalnum() or ch == "-"))
    return kept


def fetch_queue(db: Database, user: StaffUser, f: Filters, today: dt.date, page_size: int | None = PAGE, j=None):
    """(cases on this page, total matching); most urgent first: the nearest deadline that still
    counts (overdue ones first), cases without one (declined, closed) last, newest of those first."""
    q = _query(user, f, today, j)
    with db.reading() as session:
        total = session.scalar(select(func.count()).select_from(q.subquery()))
        due = due_day()
        q = q.order_by(due.is_(None), due, Case.id.desc())
        if page_size:
            q = q.limit(page_size).offset((f.page - 1) * page_size)
        return list(session.scalars(q)), total


def fetch_counts(db: Database, user: StaffUser, today: dt.date, j=None) -> dict:
    """The counters above the queue, each a link to its filter; and open cases per handler."""
    with db.reading() as session:
        base = select(func.count(Case.id)).where(visible(user))
        opened = base.where(Case.status.in_(OPEN))
        per = session.execute(select(Case.assigned_to, func.count(Case.id)).where(visible(user), Case.status.in_(OPEN),
                                                                                Case.assigned_to.is_not(None))
                              .group_by(Case.assigned_to)).all()
        return {"open": session.scalar(opened),
                "overdue": session.scalar(base.where(overdue_condition(today))),
                "soon": session.scalar(base.where(soon_condition(today, soon_limit(j, today)))),
                "unassigned": session.scalar(opened.where(Case.assigned_to.is_(None))),
                "orphaned": session.scalar(opened.where(Case.assigned_to.in_(_disabled_ids(user)))),
                "review": session.scalar(base.where(Case.status == "reopened")),
                "low": session.scalar(base.where(Case.rating.is_not(None), Case.rating <= LOW_RATING)),
                "per_handler": dict(per)}


def fetch_same_filer(db: Database, user: StaffUser, case: Case, limit: int = 20) -> list[Case]:
    """The same person's other cases (same phone or ID number, matched on their keyed hashes),
    within what `user` may see; newest first."""
    keys = []
    if case.phone_index:
        keys.append(Case.phone_index == case.phone_index)
    if case.id_number_index:
        keys.append(Case.id_number_index == case.id_number_index)
    if not keys or case.anonymous:
        return []
    with db.reading() as session:
        return list(session.scalars(select(Case).where(visible(user), Case.id != case.id, or_(*keys))
                                    .order_by(Case.id.desc()).limit(limit)))


def deadline_state(j, case: Case, today: dt.date) -> dict | None:
    """What is due, by when, and whether it is overdue or due soon — for the queue and case page."""
    due = current_deadline(case)
    if due is None:
        return None
    what, day, commitment = due
    state = "overdue" if day < today else "soon" if day <= soon_limit(j, today) else ""
    return {"what": what, "day": day, "state": state, "commitment": commitment,
            "estimate": deadlines.ESTIMATE_NOTE if deadlines.is_estimate(j, day) else "",
            "label": {"overdue": "已超期", "soon": "快到期", "": ""}[state]}


def queue_csv(j, cases: list[Case], names: dict[int, str], today: dt.date) -> str:
    """The filtered queue as CSV, personal data masked, no free text (descriptions may name people)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["案件编号", "类型", "问题类别", "地点", "状态", "提交日期", "期限", "期限状态", "经办人",
                "投诉人", "电话（遮盖）", "身份证（遮盖）", "受理日期", "办结日期", "是否按期"])
    for c in cases:
        d = deadline_state(j, c, today)
        cat = category(j, c.category)
        late = lateness(c, local_date)
        days = late["closing"] if late["closing"] is not None else late["decision"]
        on_time = "" if days is None else "按期" if days == 0 else f"晚了 {days} 天"
        w.writerow([cell(x) for x in (
            c.number, "投诉" if c.kind == "complaint" else "咨询", cat["name"] if cat else "",
            place_label(j, c.township, c.village, c.institution), status_name(c.status, c),
            local_date(c.submitted_at).isoformat(), d["day"].isoformat() if d else "",
            (d["label"] + ("（估算）" if d["estimate"] else "")) if d else "",
            names.get(c.assigned_to, ""), "匿名" if c.anonymous else "实名", c.phone_masked or "",
            c.id_number_masked or "", local_date(c.accepted_at).isoformat() if c.accepted_at else "",
            local_date(c.closed_at).isoformat() if c.closed_at and c.status in ("closed", "declined") else "", on_time)])
    return safe_csv(out.getvalue())
