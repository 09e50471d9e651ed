"""The forms app's tables. The residents' side writes cases; the staff side (issue 11) works them.

Times are naive UTC (`utcnow()`), the same on SQLite and PostgreSQL; dates (deadlines, the event)
are calendar dates in the jurisdiction. Personal data that identifies a filer (phone, ID number)
is stored only encrypted, next to a masked copy for lists.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (JSON, Boolean, Date, DateTime, Float, ForeignKey, Index, Integer, MetaData, String, Text,
                        UniqueConstraint, false)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship, validates

from policy.china_time import CHINA

# Named constraints, so Alembic migrations name them the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)




def local_time(utc: dt.datetime) -> dt.datetime:
    """A stored (naive UTC) time in Beijing time, as staff read it."""
    return utc.replace(tzinfo=dt.UTC).astimezone(CHINA)


def local_date(utc: dt.datetime) -> dt.date:
    """The calendar day in China of a stored (naive UTC) time: what deadlines count from."""
    return local_time(utc).date()


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class StaffUser(Base):
    """A county or township staff member (logins and roles are issue 11's)."""

    __tablename__ = "staff_users"
    id: Mapped[int] = mapped_column(primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(40))
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # admin | handler | auditor
    townships: Mapped[list] = mapped_column(JSON, default=list)  # a handler's townships
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Set when the administrator gave a temporary password: the next login must choose a new one.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    # Raised by logout, a password change or reset, disabling/enabling and a lock: every session
    # cookie carries the generation it was made under, and an older one is refused (migration 0006).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    @validates("townships")
    def _townships_are_a_list(self, _key, value):
        # A string here would make `case.township in user.townships` match by substring.
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            raise ValueError("townships must be a list of township ids")
        return value


def townships_of(user) -> list[str]:
    """A handler's townships, as a list whatever the stored JSON holds (anything else: none)."""
    value = user.townships
    if isinstance(value, list) and all(isinstance(t, str) for t in value):
        return list(value)
    return []


class CaseCounter(Base):
    """The last case number given per jurisdiction and year; incremented under a row lock."""

    __tablename__ = "case_counters"
    jurisdiction: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Case(Base):
    """A complaint (投诉) or an eligibility query (资格咨询), from submission to closing."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_queue", "jurisdiction", "status", "township"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(24), unique=True)  # ZX-2026-000123
    jurisdiction: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(12))  # complaint | query
    channel: Mapped[str] = mapped_column(String(8), default="web")  # web | api
    status: Mapped[str] = mapped_column(String(16))  # see lifecycle.STATUSES
    category: Mapped[str | None] = mapped_column(String(40))  # complaint category id
    township: Mapped[str | None] = mapped_column(String(40))
    village: Mapped[str | None] = mapped_column(String(60))
    institution: Mapped[str | None] = mapped_column(String(80))  # hospital id | "clinic:<village id>"
    event_date: Mapped[dt.date | None] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text, default="")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    filer_name: Mapped[str | None] = mapped_column(String(50))
    phone_enc: Mapped[str | None] = mapped_column(Text)
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    id_number_enc: Mapped[str | None] = mapped_column(Text)
    id_number_masked: Mapped[str | None] = mapped_column(String(20))
    lookup_hash: Mapped[str] = mapped_column(String(64))
    callback_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    eligibility_input: Mapped[dict | None] = mapped_column(JSON)
    eligibility_answer: Mapped[dict | None] = mapped_column(JSON)
    # A wrong drug price (category drug_price): the drug, the price charged and the one posted, in fen.
    drug: Mapped[str | None] = mapped_column(String(60))
    drug_price_charged_fen: Mapped[int | None] = mapped_column(Integer)
    drug_price_posted_fen: Mapped[int | None] = mapped_column(Integer)
    data_version: Mapped[str] = mapped_column(String(16))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    decide_by: Mapped[dt.date | None] = mapped_column(Date)  # accept or decline by this day
    accepted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    reply_by: Mapped[dt.date | None] = mapped_column(Date)  # set on acceptance, moved by an extension
    extended_days: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    rating: Mapped[int | None] = mapped_column(Integer)  # the filer's 1-5 rating of the reply
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # Optimistic locking: two staff saving the same case at once cannot silently overwrite.
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": row_version}

    events: Mapped[list[CaseEvent]] = relationship(back_populates="case", order_by="CaseEvent.id")


class CaseEvent(Base):
    """One entry of a case's timeline: submission, status change, assignment, note, public reply.

    `public` entries (the submission, status changes, public replies) are what the lookup page and
    the API show; internal notes and assignments are `public=False` and never leave the staff side.
    """

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))  # submitted | status | assigned | note | reply | rating | review
    actor_kind: Mapped[str] = mapped_column(String(10))  # filer | staff | system
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    status_from: Mapped[str | None] = mapped_column(String(16))
    status_to: Mapped[str | None] = mapped_column(String(16))
    body: Mapped[str | None] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=False)

    case: Mapped[Case] = relationship(back_populates="events")


class Resubmission(Base):
    """The resubmission id a submission carried (the form's hidden field, the API's Idempotency-Key).

    A retry with the same id gets the case stored the first time instead of a second case: the
    unique constraint on `key_hash` decides between concurrent retries. Only HMACs are stored: the
    id (scoped by channel, kind and jurisdiction) and the submitted values, so the row reveals
    neither the id nor what was typed; the lookup code is derived from the id (protect.py).
    """

    __tablename__ = "resubmissions"
    id: Mapped[int] = mapped_column(primary_key=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class AuditEntry(Base):
    """Append-only log of staff actions (who, what, when, before/after); never updated or deleted."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # The jurisdiction whose log this is (a staff member's, or the case's); added in migration 0002.
    jurisdiction: Mapped[str | None] = mapped_column(String(40), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    action: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    address: Mapped[str | None] = mapped_column(String(64))
    # The tamper-evident chain (audit_chain.py, migration 0006): the entry's place in the log, the
    # previous entry's hash and the hash over this entry's content and that previous hash.
    seq: Mapped[int | None] = mapped_column(Integer, index=True, unique=True)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    entry_hash: Mapped[str | None] = mapped_column(String(64))


class AuditChainHead(Base):
    """One row: the audit log's length and last hash, locked by every append so the chain is a line."""

    __tablename__ = "audit_chain"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    length: Mapped[int] = mapped_column(Integer, default=0)
    head: Mapped[str] = mapped_column(String(64))


class RateCounter(Base):
    """Rate-limit counters when there is no Redis (rate_storage.py): one row per key and window,
    incremented in one statement, so every worker of the embedded run shares one budget."""

    __tablename__ = "rate_limits"
    key: Mapped[str] = mapped_column(String(250), primary_key=True)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    expires_at: Mapped[float] = mapped_column(Float)


class OutboxMessage(Base):
    """A message to a filer (an SMS when the status changes). The default sender only writes here,
    so nothing is silently dropped: staff see what is pending, sent or failed."""

    __tablename__ = "outbox"
    __table_args__ = (UniqueConstraint("case_id", "event_id", "channel"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("case_events.id"))
    channel: Mapped[str] = mapped_column(String(10), default="sms")
    recipient_enc: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
