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
from ..lifecycle import TRANSITIONS, can_move, is_callback, status_name
from ..models import Case, CaseEvent, OutboxMessage, StaffUser, local_date, utcnow
from .access import can_act, can_see

MAX_TEXT = 2000
STAFF_TARGETS = {"accepted", "declined", "in_progress", "extended", "closed"}  # reopened: the filer, or reopen()
# Steps the filer is told about and cannot take back: asked to confirm, their SMS held for the undo window.
IRREVERSIBLE = {"declined", "closed"}
UNDO_MINUTES = 10
REPLY_LEAST = 5  # docs/guide-staff.md: replies and reasons at least 5 characters


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
        raise WorkflowError("这件案子刚被别人改过" + _last_change(session, case) + "。请看一下最新的情况，再重新操作（您写的内容还在）")
    return case


def _last_change(session, case: Case) -> str:
    """Who changed what last, for the edit-conflict message: "（张三 14:05 改为“已受理”）"."""
    from ..models import local_time
    e = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.actor_kind != "filer")
                        .order_by(CaseEvent.id.desc())).first()
    if e is None:
        return ""
    who = session.get(StaffUser, e.actor_id).display_name if e.actor_id else "系统"
    what = {"status": f"改为“{status_name(e.status_to or '', case)}”", "assigned": "改了经办人",
            "undo": "撤销了上一步", "note": "写了内部备注", "reply": "发了公开答复"}.get(e.kind, "改了这件案子")
    return f"：{who} 在 {local_time(e.at).strftime('%H:%M')} {what}"


def _text(text: str | None, what: str, least: int = 0) -> str:
    text = (text or "").strip()
    if len(text) > MAX_TEXT:
        raise WorkflowError(f"{what}最多 {MAX_TEXT} 个字，现在有 {len(text)} 个字")
    if len(text) < least:
        raise WorkflowError(f"请写{what}（至少 {least} 个字）")
    return text


def allowed_targets(case: Case) -> list[str]:
    if case.kind == "query":  # a call-back: 待回电 -> 已回电, nothing else
        return ["closed"] if case.status == "submitted" and is_callback(case) else []
    order = ["accepted", "declined", "in_progress", "extended", "closed"]
    return [s for s in order if s in TRANSITIONS.get(case.status, set()) and s in STAFF_TARGETS]


def extension_left(j, case: Case) -> int:
    d = deadlines.deadline(j, "extend_max", local_date(case.accepted_at or case.submitted_at))
    return max(0, (d.days if d else 0) - (case.extended_days or 0))


def change_status(db: Database, j, actor: Actor, number: str, version: int | None, new: str, *,
                  text: str = "", days: int | None = None, approver: str = "", approved_on: dt.date | None = None,
                  track: str = "", hold_minutes: int = UNDO_MINUTES, now: dt.datetime | None = None) -> Case:
    """Move a case on. An extension needs the approval the regulation asks for (who, on which day);
    a decline or a closing is held `hold_minutes` before its SMS goes, so it can be undone."""
    now = now or utcnow()
    with db.writing() as session:
        case = _load(session, actor, number, version)
        old = case.status
        if new not in STAFF_TARGETS:
            raise WorkflowError("复查只能由投诉人凭查询码申请，或由县级管理员重新打开" if new == "reopened" else "没有这个状态")
        if new not in allowed_targets(case):
            raise WorkflowError(f"不能从“{status_name(old, case)}”改为“{status_name(new, case)}”")
        before = {"status": old, "reply_by": case.reply_by, "extended_days": case.extended_days}
        today = local_date(now)
        extra = {}
        estimated = False
        public_text = None
        if is_callback(case):
            text = _text(text, "回电时说了什么（内部记录）", 5)
            case.closed_at = now
        elif new == "accepted":
            case.accepted_at = now
            d = deadlines.deadline(j, "reply", today)
            case.reply_by = d.day if d else None
            estimated = bool(d and d.estimated)
            text = _text(text, "说明")
        elif new == "declined":
            text = _text(text, "不予受理的理由", 5)
            case.closed_at = now
        elif new == "extended":
            text = _text(text, "延期的理由", 5)
            approver = _text(approver, "批准延期的负责人", 2)[:60]
            if approved_on is None or approved_on > today:
                raise WorkflowError("请填写负责人批准延期的日期（不能晚于今天）")
            left = extension_left(j, case)
            if not isinstance(days, int) or days < 1:
                raise WorkflowError("请填写延长多少天（1 以上的整数）")
            if days > left:
                raise WorkflowError(f"最多还能延长 {left} 天（承诺的延期上限）")
            d = deadlines.count(j, deadlines.unit_of(j, "extend_max"), case.reply_by or today, days)
            case.reply_by, estimated = d.day, d.estimated
            case.extended_days = (case.extended_days or 0) + days
            extra = {"approved_by": approver, "approved_on": approved_on}
        elif new == "closed":
            text = _text(text, "给投诉人的答复", REPLY_LEAST)
            case.closed_at = now
        else:
            text = _text(text, "说明")
        case.status = new
        case.updated_at = now
        body = text or None
        if new == "extended":
            body = f"{text}\n（经{approver}于{approved_on.isoformat()}批准，延长 {days} 天）"
        if is_callback(case):
            public_text, body = None, None  # what was said on the phone stays internal
        event = CaseEvent(case_id=case.id, at=now, kind="status", actor_kind="staff", actor_id=actor.user.id,
                          status_from=old, status_to=new, body=body, public=True)
        session.add(event)
        if is_callback(case):
            session.add(CaseEvent(case_id=case.id, at=now, kind="note", actor_kind="staff", actor_id=actor.user.id,
                                  body="回电记录：" + text, public=False))
        session.flush()
        after = {"status": new, "reply_by": case.reply_by, "extended_days": case.extended_days, **extra}
        if text:
            after["text"] = text
        audit.record(session, "status", actor_id=actor.user.id, case_id=case.id, before=before, after=after,
                     address=actor.address, at=now, jurisdiction=case.jurisdiction)
        msg = notify.enqueue(session, case, event.id, notify.sms_text(
            j.name, case, new, text=public_text if is_callback(case) else text, track=track or _track(case),
            estimated=estimated), now)
        if msg is not None and new in IRREVERSIBLE and hold_minutes > 0:
            msg.next_attempt_at = now + dt.timedelta(minutes=hold_minutes)
    return case


def undo_window(case: Case, events: list[CaseEvent], now: dt.datetime | None = None,
                minutes: int = UNDO_MINUTES) -> CaseEvent | None:
    """The decline or closing that may still be undone: the case's last status change, if it is
    irreversible, was made less than `minutes` ago and nothing happened since."""
    now = now or utcnow()
    last = [e for e in events if e.kind not in ("note",)]
    if not last:
        return None
    e = last[-1]
    if e.kind != "status" or e.status_to not in IRREVERSIBLE or case.status != e.status_to:
        return None
    return e if now - e.at <= dt.timedelta(minutes=minutes) else None


def undo(db: Database, actor: Actor, number: str, version: int | None, minutes: int = UNDO_MINUTES,
         now: dt.datetime | None = None) -> Case:
    """Take back a decline or a closing within the undo window: the status before it comes back,
    its SMS is cancelled before it leaves, and the filer's page no longer shows it (the audit log
    and the internal timeline keep both steps)."""
    now = now or utcnow()
    with db.writing() as session:
        case = _load(session, actor, number, version)
        events = list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)))
        e = undo_window(case, events, now, minutes)
        if e is None:
            raise WorkflowError(f"只能在 {minutes} 分钟内撤销刚做的“不予受理”或“办结”；过了时间请县级管理员重新打开")
        if actor.user.role != "admin" and e.actor_id != actor.user.id:
            raise WorkflowError("只有做这一步的人或县级管理员能撤销")
        sent = list(session.scalars(select(OutboxMessage).where(OutboxMessage.event_id == e.id)))
        if any(m.status == "sent" for m in sent):
            raise WorkflowError("短信已经发出，不能撤销了；请县级管理员重新打开，并打电话告诉投诉人")
        for m in sent:
            m.status, m.next_attempt_at, m.last_error = "cancelled", None, "撤销了这一步"
        before = {"status": case.status}
        case.status = e.status_from
        case.closed_at = None
        case.updated_at = now
        e.public = False  # the filer never learns of a step taken back before its SMS left
        session.add(CaseEvent(case_id=case.id, at=now, kind="undo", actor_kind="staff", actor_id=actor.user.id,
                              status_from=e.status_to, status_to=e.status_from,
                              body=f"撤销了“{status_name(e.status_to, case)}”", public=False))
        audit.record(session, "undo", actor_id=actor.user.id, case_id=case.id, before=before,
                     after={"status": case.status}, address=actor.address, at=now, jurisdiction=case.jurisdiction)
    return case


def reopen(db: Database, j, actor: Actor, number: str, version: int | None, reason: str,
           now: dt.datetime | None = None) -> Case:
    """The county administrator reopens a declined or closed case (a mistake found later), with a
    reason; it gets a new reply deadline from today, as a review does."""
    now = now or utcnow()
    with db.writing() as session:
        case = _load(session, actor, number, version)
        if actor.user.role != "admin":
            raise WorkflowError("只有县级管理员能重新打开案件")
        if case.kind != "complaint" or case.status not in ("declined", "closed"):
            raise WorkflowError("只有不予受理或已办结的投诉能重新打开")
        reason = _text(reason, "重新打开的理由", 5)
        before = {"status": case.status, "reply_by": case.reply_by}
        old = case.status
        d = deadlines.deadline(j, "reply", local_date(now))
        case.status, case.reply_by, case.extended_days, case.closed_at = "reopened", d.day if d else None, 0, None
        if case.accepted_at is None:
            case.accepted_at = now
        case.updated_at = now
        event = CaseEvent(case_id=case.id, at=now, kind="status", actor_kind="staff", actor_id=actor.user.id,
                          status_from=old, status_to="reopened", body="县里重新办理这件投诉", public=True)
        session.add(event)
        session.add(CaseEvent(case_id=case.id, at=now, kind="note", actor_kind="staff", actor_id=actor.user.id,
                              body="重新打开的理由：" + reason, public=False))
        session.flush()
        audit.record(session, "reopen", actor_id=actor.user.id, case_id=case.id, before=before,
                     after={"status": "reopened", "reply_by": case.reply_by, "reason": reason},
                     address=actor.address, at=now, jurisdiction=case.jurisdiction)
        notify.enqueue(session, case, event.id, notify.sms_text(j.name, case, "reopened", track=_track(case),
                                                                estimated=bool(d and d.estimated)), now)
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
             track: str = "", now: dt.datetime | None = None) -> Case:
    """An internal note (staff only) or a public reply (the filer sees it; an SMS tells them)."""
    now = now or utcnow()
    with db.writing() as session:
        case = _load(session, actor, number, None)
        text = _text(text, "答复" if public else "备注", REPLY_LEAST if public else 1)
        event = CaseEvent(case_id=case.id, at=now, kind="reply" if public else "note", actor_kind="staff",
                          actor_id=actor.user.id, body=text, public=public)
        session.add(event)
        case.updated_at = now
        session.flush()
        audit.record(session, "reply" if public else "note", actor_id=actor.user.id, case_id=case.id,
                     after={"text": text}, address=actor.address, at=now, jurisdiction=case.jurisdiction)
        if public:
            notify.enqueue(session, case, event.id, notify.sms_text(county, case, reply=True, text=text,
                                                                    track=track or _track(case)), now)
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


def _track(case) -> str:
    """The case lookup page the SMS names, at this jurisdiction's public address."""
    from builder.urls import track_url

    from ..addresses import forms_root

    return track_url(case.jurisdiction, forms_root(case.jurisdiction))
