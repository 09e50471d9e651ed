"""What staff do to a case — and what the filer does with the lookup code — each in one transaction
with its timeline entry, its audit entry and the SMS it triggers.

Every staff action names the row version the person was looking at; if someone else changed the
case in between, the action is refused with a message instead of silently overwriting.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from .. import audit, deadlines, notify
from ..db import Database
from ..lifecycle import TRANSITIONS, can_move, status_name
from ..models import Case, CaseEvent, StaffUser, local_date, utcnow
from .access import can_act, can_see

MAX_TEXT = 2000
STAFF_TARGETS = {"accepted", "declined", "in_progress", "extended", "closed"}  # reopened: only the filer


class WorkflowError(ValueError):
    """The action cannot be done; the message says why in Chinese."""


@dataclass(frozen=True)
class Actor:
    user: StaffUser
    address: str | None = None


def _load(session, actor: Actor, number: str, version: int | None) -> Case:
    case = session.scalars(select(Case).where(Case.number == number)).first()
    if case is None or not can_see(actor.user, case):
        raise LookupError(number)
    if not can_act(actor.user):
        raise WorkflowError("只读账号不能修改案件")
    if version is not None and case.row_version != version:
        raise WorkflowError("这件案子刚被别人改过。请看一下最新的情况，再重新操作")
    return case


def _text(text: str | None, what: str, least: int = 0) -> str:
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise WorkflowError(f"{what}最多 {MAX_TEXT} 个字，现在有 {len(text)} 个字")
    if len(text) < least:
        raise WorkflowError(f"请写{what}（至少 {least} 个字）")
    return text


def allowed_targets(case: Case) -> list[str]:
    order = ["accepted", "declined", "in_progress", "extended", "closed"]
    return [s for s in order if s in TRANSITIONS.get(case.status, set()) and s in STAFF_TARGETS]


def extension_left(j, case: Case) -> int:
    d = deadlines.deadline(j, "extend_max", local_date(case.accepted_at or case.submitted_at))
    return max(0, (d.days if d else 0) - (case.extended_days or 0))


def change_status(db: Database, j, actor: Actor, number: str, version: int | None, new: str, *,
                  text: str = "", days: int | None = None, now: dt.datetime | None = None) -> Case:
    now = now or utcnow()
    with db.writing() as session:
        case = _load(session, actor, number, version)
        old = case.status
        if new not in STAFF_TARGETS:
            raise WorkflowError("复查只能由投诉人凭查询码申请" if new == "reopened" else "没有这个状态")
        if not can_move(old, new):
            raise WorkflowError(f"不能从“{status_name(old)}”改为“{status_name(new)}”")
        before = {"status": old, "reply_by": case.reply_by, "extended_days": case.extended_days}
        today = local_date(now)
        if new == "accepted":
            case.accepted_at = now
            d = deadlines.deadline(j, "reply", today)
            case.reply_by = d.day if d else None
            text = _text(text, "说明")
        elif new == "declined":
            text = _text(text, "不予受理的理由", 5)
            case.closed_at = now
        elif new == "extended":
            text = _text(text, "延期的理由", 5)
            left = extension_left(j, case)
            if not isinstance(days, int) or days < 1:
                raise WorkflowError("请填写延长多少天（1 以上的整数）")
            if days > left:
                raise WorkflowError(f"最多还能延长 {left} 天（承诺的延期上限）")
            param = j.commitments.get("extend_max")
            start = case.reply_by or today
            if param is not None and param.unit == "working_days" and j.calendar is not None:
                case.reply_by = deadlines.add_working_days(j.calendar, start, days)[0]
            else:
                case.reply_by = start + dt.timedelta(days=days)
            case.extended_days = (case.extended_days or 0) + days
        elif new == "closed":
            text = _text(text, "给投诉人的答复", 5)
            case.closed_at = now
        else:
            text = _text(text, "说明")
        case.status = new
        case.updated_at = now
        event = CaseEvent(case_id=case.id, at=now, kind="status", actor_kind="staff", actor_id=actor.user.id,
                          status_from=old, status_to=new, body=text or None, public=True)
        session.add(event)
        session.flush()
        after = {"status": new, "reply_by": case.reply_by, "extended_days": case.extended_days}
        if text:
            after["text"] = text
        audit.record(session, "status", actor_id=actor.user.id, case_id=case.id, before=before, after=after,
                     address=actor.address, at=now, jurisdiction=case.jurisdiction)
        notify.enqueue(session, case, event.id, notify.sms_text(j.name, case, new), now)
    return case


def assign(db: Database, actor: Actor, number: str, version: int | None, assignee_id: int | None,
           now: dt.datetime | None = None) -> Case:
    now = now or utcnow()
    with db.writing() as session:
        case = _load(session, actor, number, version)
        if assignee_id is not None:
            who = session.get(StaffUser, assignee_id)
            if who is None or not who.active or who.role == "auditor" or not can_see(who, case):
                raise WorkflowError("只能分派给能办理这个乡镇案件的在职人员")
            if actor.user.role == "handler" and assignee_id != actor.user.id:
                raise WorkflowError("经办人只能把案件分派给自己；分派给别人请找县级管理员")
        before = {"assigned_to": case.assigned_to}
        case.assigned_to = assignee_id
        case.updated_at = now
        session.add(CaseEvent(case_id=case.id, at=now, kind="assigned", actor_kind="staff", actor_id=actor.user.id,
                              body=str(assignee_id) if assignee_id else None, public=False))
        audit.record(session, "assign", actor_id=actor.user.id, case_id=case.id, before=before,
                     after={"assigned_to": assignee_id}, address=actor.address, at=now, jurisdiction=case.jurisdiction)
    return case


def add_note(db: Database, actor: Actor, number: str, text: str, *, public: bool, county: str = "",
             now: dt.datetime | None = None) -> Case:
    """An internal note (staff only) or a public reply (the filer sees it; an SMS tells them)."""
    now = now or utcnow()
    with db.writing() as session:
        case = _load(session, actor, number, None)
        text = _text(text, "答复" if public else "备注", 1)
        event = CaseEvent(case_id=case.id, at=now, kind="reply" if public else "note", actor_kind="staff",
                          actor_id=actor.user.id, body=text, public=public)
        session.add(event)
        case.updated_at = now
        session.flush()
        audit.record(session, "reply" if public else "note", actor_id=actor.user.id, case_id=case.id,
                     after={"text": text}, address=actor.address, at=now, jurisdiction=case.jurisdiction)
        if public:
            notify.enqueue(session, case, event.id, notify.sms_text(county, case, reply=True), now)
    return case


def reveal_phone(db: Database, actor: Actor, number: str, decrypt, now: dt.datetime | None = None) -> str | None:
    """The full phone number for a call-back; every look is audited."""
    with db.writing() as session:
        case = _load(session, actor, number, None)
        audit.record(session, "reveal_phone", actor_id=actor.user.id, case_id=case.id, address=actor.address,
                     at=now, jurisdiction=case.jurisdiction)
        return decrypt(case.phone_enc) if case.phone_enc else None


# ------------------------------------------------------------------ the filer, with the lookup code

def filer_rate(db: Database, case_id: int, rating: int, now: dt.datetime | None = None) -> Case:
    now = now or utcnow()
    with db.writing() as session:
        case = session.get(Case, case_id)
        if case.status != "closed":
            raise WorkflowError("办结以后才能评价")
        if case.rating is not None:
            raise WorkflowError("这件事已经评价过了")
        if rating not in range(1, 6):
            raise WorkflowError("请选 1 到 5 颗星")
        case.rating = rating
        session.add(CaseEvent(case_id=case.id, at=now, kind="rating", actor_kind="filer",
                              body=f"投诉人评价：{rating} 星", public=True))
        audit.record(session, "filer_rating", case_id=case.id, after={"rating": rating}, at=now,
                     jurisdiction=case.jurisdiction)
    return case


def filer_review(db: Database, j, case_id: int, reason: str, now: dt.datetime | None = None) -> Case:
    """复查: the filer is not satisfied; the case reopens with a new reply deadline."""
    now = now or utcnow()
    with db.writing() as session:
        case = session.get(Case, case_id)
        if not can_move(case.status, "reopened"):
            raise WorkflowError("办结或不予受理以后才能申请复查")
        reason = _text(reason, "申请复查的理由", 5)
        limit = deadlines.deadline(j, "review", local_date(case.closed_at or now))
        if limit is not None and local_date(now) > limit.day:
            raise WorkflowError(f"申请复查的期限（{limit.day.isoformat()}）已过；请打县里的投诉电话")
        before = {"status": case.status, "reply_by": case.reply_by}
        old = case.status
        case.status = "reopened"
        d = deadlines.deadline(j, "reply", local_date(now))
        case.reply_by = d.day if d else None
        case.extended_days = 0
        case.closed_at = None
        case.updated_at = now
        session.add(CaseEvent(case_id=case.id, at=now, kind="review", actor_kind="filer", status_from=old,
                              status_to="reopened", body=reason, public=True))
        audit.record(session, "filer_review", case_id=case.id, before=before,
                     after={"status": "reopened", "reply_by": case.reply_by}, at=now, jurisdiction=case.jurisdiction)
    return case
