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
OUTBOX_STATUS = {"pending": "待发送", "sent": "已发送", "failed": "发送失败"}


class SendError(RuntimeError):
    """Raised by a sender when the message did not go out (the text is kept for the outbox)."""


def sms_text(county: str, case: Case, status: str | None = None, reply: bool = False) -> str:
    what = "投诉" if case.kind == "complaint" else "咨询"
    if reply:
        news = "有了新的答复"
    else:
        news = f"状态：{status_name(status or case.status)}"
        if (status or case.status) == "accepted" and case.reply_by:
            news += f"，{case.reply_by.month}月{case.reply_by.day}日前办结答复"
    return f"【{county}健康扶贫】您的{what}{case.number}{news}。凭编号和查询码可在网上查看。"


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


def fetch_outbox(db: Database, case_filter, limit: int = 200) -> list[tuple[OutboxMessage, Case]]:
    with db.reading() as session:
        q = (select(OutboxMessage, Case).join(Case, OutboxMessage.case_id == Case.id).where(case_filter)
             .order_by(OutboxMessage.id.desc()).limit(limit))
        return [(m, c) for m, c in session.execute(q)]
