"""Every database read and write of the residents' side (fetch_* / save_*); views never query.

Each save_* runs in one transaction (Database.writing): the case, its number and its first
timeline entry are stored together or not at all.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from .db import Database
from .models import Case, CaseEvent, local_date, utcnow
from .numbers import format_number, next_serial


@dataclass
class NewCase:
    jurisdiction: str
    prefix: str
    kind: str  # complaint | query
    status: str
    data_version: str
    channel: str = "web"
    category: str | None = None
    township: str | None = None
    village: str | None = None
    institution: str | None = None
    event_date: dt.date | None = None
    description: str = ""
    anonymous: bool = False
    filer_name: str | None = None
    phone_enc: str | None = None
    phone_masked: str | None = None
    id_number_enc: str | None = None
    id_number_masked: str | None = None
    callback_requested: bool = False
    eligibility_input: dict | None = None
    eligibility_answer: dict | None = None
    drug: str | None = None  # a wrong drug price: the drug (drugs.yaml id) ...
    drug_price_charged_fen: int | None = None  # ... what the filer paid ...
    drug_price_posted_fen: int | None = None  # ... and what the clinic posted on the day (None: no posted price)
    first_event: str = "已收到"


def save_case(db: Database, new: NewCase, lookup_hash_for, deadline_for, now: dt.datetime | None = None) -> Case:
    """Store a new case with the next number of its jurisdiction and year.

    `lookup_hash_for(number)` and `deadline_for(date)` are called inside the transaction, once the
    number is known (the lookup hash binds the code to the number).
    """
    now = now or utcnow()
    with db.writing() as session:
        serial = next_serial(session, new.jurisdiction, now.year)
        number = format_number(new.prefix, now.year, serial)
        fields = {k: v for k, v in vars(new).items() if k not in ("prefix", "first_event")}
        case = Case(number=number, lookup_hash=lookup_hash_for(number), submitted_at=now, updated_at=now,
                    decide_by=deadline_for(local_date(now)) if new.status == "submitted" else None,
                    closed_at=now if new.status == "closed" else None, **fields)
        session.add(case)
        session.flush()
        session.add(CaseEvent(case_id=case.id, at=now, kind="submitted", actor_kind="filer",
                              status_to=new.status, body=new.first_event, public=True))
    return case


def fetch_case_by_number(db: Database, jurisdiction: str, number: str) -> Case | None:
    with db.reading() as session:
        return session.scalars(select(Case).where(Case.number == number, Case.jurisdiction == jurisdiction)).first()


def fetch_public_events(db: Database, case_id: int) -> list[CaseEvent]:
    """The timeline entries the filer and the public may see (never internal notes)."""
    with db.reading() as session:
        return list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.public.is_(True))
                                    .order_by(CaseEvent.id)))


def fetch_case_count(db: Database, jurisdiction: str | None = None) -> int:
    with db.reading() as session:
        q = select(func.count(Case.id))
        if jurisdiction:
            q = q.where(Case.jurisdiction == jurisdiction)
        return session.scalar(q)
