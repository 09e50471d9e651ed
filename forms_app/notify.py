"""Short Chinese SMS texts to filers when their case moves, through a pluggable sender.

Every message is first written to the `outbox` table in the same transaction as the change it
reports, so nothing is silently dropped: staff see each message as pending, sent or failed.
`deliver_due()` hands due messages to the configured sender (config `SMS_SENDER`: an object with
`send(phone, text)`, or "module:attribute"); a failure is recorded and retried later with a
growing delay, and after MAX_ATTEMPTS the message stays `failed` and visible until a staff member
retries it. The default sender is None: messages wait in the outbox for someone to send them.
"""
from __future__ import annotations

import datetime as dt
import importlib

from sqlalchemy import or_, select

from .db import Database
from .lifecycle import status_name
from .models import Case, OutboxMessage, utcnow

MAX_ATTEMPTS = 5
BACKOFF_MINUTES = (1, 5, 30, 120)  # before the 2nd, 3rd, 4th and 5th attempt
OUTBOX_STATUS = {"pending": "待发送", "sent": "已发送", "failed": "发送失败", "cancelled": "已撤销（没有发出）",
                 "manual": "已人工通知"}


class SendError(RuntimeError):
    """Raised by a sender when the message did not go out (the text is kept for the outbox)."""


FIRST_WORDS = 40  # how much of a reason or a reply the SMS quotes


def _first_words(text: str) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= FIRST_WORDS else text[:FIRST_WORDS] + "……"


def _day(day, estimated: bool) -> str:
    return f"{day.month}月{day.day}日" + ("（估算，节假日未公布）" if estimated else "")


def sms_text(county: str, case: Case, status: str | None = None, reply: bool = False, link: str = "", *,
             text: str = "", track: str = "", estimated: bool = False) -> str:
    """The SMS for a change of `case`: what happened in words the filer can act on — the decline
    reason or the reply's first words, the new date after an extension (marked when it is an
    estimate), and the lookup address (`track`, or `link`: the case lookup page, forms_app/addresses.py).
    A call-back gets a call-back's wording, never a complaint's."""
    status = status or case.status
    track = track or link
    if case.kind == "query":
        head = f"【{county}健康扶贫】您的咨询{case.number}："
        news = "工作人员已按您的要求给您回了电话" if status == "closed" else f"状态：{status_name(status, case)}"
        if text:
            news += f"。{'答复' if reply else '说明'}：{_first_words(text)}"
    else:
        head = f"【{county}健康扶贫】您的投诉{case.number}"
        if reply:
            news = f"有了新的答复：{_first_words(text)}" if text else "有了新的答复"
        elif status in ("accepted", "reopened") and case.reply_by:
            news = f"{status_name(status)}，{_day(case.reply_by, estimated)}前办结答复"
        elif status == "extended" and case.reply_by:
            news = f"延期办理，新的期限是{_day(case.reply_by, estimated)}。理由：{_first_words(text)}"
        elif status == "declined":
            news = f"不予受理。理由：{_first_words(text)}"
        elif status == "closed":
            news = f"已办结。答复：{_first_words(text)}"
        else:
            news = f"状态：{status_name(status)}"
    where = f"凭编号和查询码可在网上查看：{track}" if track else "凭编号和查询码可在网上查看"
    return f"{head}{news}。{where}。"


def enqueue(session, case: Case, event_id: int | None, text: str, now: dt.datetime | None = None) -> OutboxMessage | None:
    """Queue an SMS to the filer of `case` if they gave a phone and are not anonymous."""
    if case.anonymous or not case.phone_enc:
        return None
    msg = OutboxMessage(case_id=case.id, event_id=event_id, channel="sms", recipient_enc=case.phone_enc,
                        body=text[:500], status="pending", attempts=0, created_at=now or utcnow(),
                        next_attempt_at=now or utcnow())
    session.add(msg)
    return msg


def load_sender(spec):
    """None, a sender object, or "package.module:attribute" (a class is instantiated)."""
    if spec is None or spec == "" or spec == "outbox":
        return None
    if isinstance(spec, str):
        module, _, attr = spec.partition(":")
        obj = getattr(importlib.import_module(module), attr)
        return obj() if isinstance(obj, type) else obj
    return spec


def deliver_due(db: Database, sender, decrypt, now: dt.datetime | None = None, limit: int = 100) -> dict:
    """Try every due pending message once; returns counts by outcome. No sender: nothing happens."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    if sender is None:
        return counts
    now = now or utcnow()
    with db.reading() as session:
        ids = list(session.scalars(select(OutboxMessage.id).where(
            OutboxMessage.status == "pending",
            or_(OutboxMessage.next_attempt_at.is_(None), OutboxMessage.next_attempt_at <= now))
            .order_by(OutboxMessage.id).limit(limit)))
    for mid in ids:
        counts[_deliver_one(db, sender, decrypt, mid, now)] += 1
    return counts


def _deliver_one(db: Database, sender, decrypt, mid: int, now: dt.datetime) -> str:
    with db.writing() as session:
        msg = session.get(OutboxMessage, mid)
        if msg is None or msg.status != "pending":
            return "sent" if msg is not None and msg.status == "sent" else "retry"
        phone = decrypt(msg.recipient_enc)
        msg.attempts += 1
        try:
            if phone is None:
                raise SendError("电话号码无法解密（加密密钥已更换？）")
            sender.send(phone, msg.body)
        except Exception as exc:  # noqa: BLE001 - any sender failure is recorded, never lost
            msg.last_error = f"{type(exc).__name__}: {exc}"[:500]
            if msg.attempts >= MAX_ATTEMPTS:
                msg.status, msg.next_attempt_at = "failed", None
                return "failed"
            delay = BACKOFF_MINUTES[min(msg.attempts - 1, len(BACKOFF_MINUTES) - 1)]
            msg.next_attempt_at = now + dt.timedelta(minutes=delay)
            return "retry"
        msg.status, msg.sent_at, msg.last_error, msg.next_attempt_at = "sent", now, None, None
        return "sent"


def retry(session, msg: OutboxMessage, now: dt.datetime | None = None) -> None:
    """Staff put a failed message back in the queue (audited by the caller)."""
    msg.status, msg.attempts, msg.next_attempt_at = "pending", 0, now or utcnow()


FILTERS = {"todo": "要人工通知的（待发送、发送失败）", "pending": "待发送", "failed": "发送失败", "sent": "已发送",
           "manual": "已人工通知", "cancelled": "已撤销"}


def fetch_outbox(db: Database, case_filter, limit: int = 200, status: str = "", number: str = "") -> list[tuple[OutboxMessage, Case]]:
    """Messages newest first; `status` one of FILTERS ("todo": waiting for a person when no
    sender is configured), `number` part of a case number."""
    with db.reading() as session:
        q = select(OutboxMessage, Case).join(Case, OutboxMessage.case_id == Case.id).where(case_filter)
        if status == "todo":
            q = q.where(OutboxMessage.status.in_(("pending", "failed")))
        elif status in FILTERS:
            q = q.where(OutboxMessage.status == status)
        if number:
            q = q.where(Case.number.contains(number, autoescape=True))
        q = q.order_by(OutboxMessage.id.desc()).limit(limit)
        return [(m, c) for m, c in session.execute(q)]


def mark_manual(session, msg: OutboxMessage, now: dt.datetime | None = None) -> None:
    """A person told the filer by phone (no SMS sender, or it failed): the message is done and
    never sent by a sender configured later (audited by the caller)."""
    msg.status, msg.next_attempt_at, msg.sent_at = "manual", None, now or utcnow()
