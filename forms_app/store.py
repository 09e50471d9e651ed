"""Every database read and write of the residents' side (fetch_* / save_*); views never query.

Each save_* runs in one transaction (Database.writing): the case, its number and its first
timeline entry are stored together or not at all.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from .db import Database
from .models import Case, CaseEvent, Resubmission, local_date, utcnow
from .numbers import format_number, take_serial


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


@dataclass(frozen=True)
class Once:
    """A submission's resubmission id, as stored: the id's HMAC and the submitted values' HMAC."""
    key_hash: str
    fingerprint: str


# A retry later than this is not answered with the first receipt any more (the form itself
# expires after WTF_CSRF_TIME_LIMIT, 6 hours; an API client retries within minutes).
REPLAY_HOURS = 24


class ResubmissionConflict(Exception):
    """The id was used before for different values (or too long ago): no new case, no receipt."""

    def __init__(self, number: str, reason: str):
        super().__init__(number, reason)
        self.number, self.reason = number, reason  # reason: "changed" | "expired"


def save_case_once(db: Database, new: NewCase, once: Once, lookup_hash_for, deadline_for,
                   now: dt.datetime | None = None) -> tuple[Case, bool]:
    """(case, replayed): the case stored for this resubmission id before, or a new one.

    Race-safe on both databases: SQLite's writers are serialised (BEGIN IMMEDIATE), so the check
    inside the transaction sees any earlier retry; on PostgreSQL two retries in flight at once can
    both pass the check, and the unique constraint on `resubmissions.key_hash` makes the second
    INSERT fail once the first commits: its whole transaction (case, number, timeline) rolls back
    and it answers with the first one's case.
    """
    now = now or utcnow()
    try:
        with db.writing() as session:
            earlier = _earlier(session, once, now)
            if earlier is not None:
                return earlier, True
            case = _insert_case(session, new, lookup_hash_for, deadline_for, now, also=lambda case: Resubmission(
                key_hash=once.key_hash, case_id=case.id, fingerprint=once.fingerprint, created_at=now))
    except IntegrityError:
        with db.reading() as session:
            earlier = _earlier(session, once, now)
        if earlier is None:
            raise
        return earlier, True
    return case, False


def _earlier(session, once: Once, now: dt.datetime) -> Case | None:
    row = session.execute(select(Resubmission, Case).join(Case, Case.id == Resubmission.case_id)
                          .where(Resubmission.key_hash == once.key_hash)).first()
    if row is None:
        return None
    kept, case = row
    if kept.fingerprint != once.fingerprint:
        raise ResubmissionConflict(case.number, "changed")
    if now - kept.created_at > dt.timedelta(hours=REPLAY_HOURS):
        raise ResubmissionConflict(case.number, "expired")
    return case


def save_case(db: Database, new: NewCase, lookup_hash_for, deadline_for, now: dt.datetime | None = None) -> Case:
    """Store a new case with the next number of its jurisdiction and year.

    `lookup_hash_for(number)` and `deadline_for(date)` are called inside the transaction, once the
    number is known (the lookup hash binds the code to the number).
    """
    now = now or utcnow()
    with db.writing() as session:
        return _insert_case(session, new, lookup_hash_for, deadline_for, now)


def _insert_case(session, new: NewCase, lookup_hash_for, deadline_for, now: dt.datetime, also=None) -> Case:
    """The case, its first timeline entry (and `also(case)`, a row that refers to it), then its number.

    The counter row is locked from the moment a number is taken until the commit, and every
    submission of the county waits for that lock; so the number is taken last: the rows go in under
    a provisional number no one ever sees (the transaction is not committed with it), then one
    UPDATE sets the real number and the lookup hash that binds the code to it, and the commit
    follows at once. Everything before (the inserts, the deadline, the uniqueness check of a
    resubmission id) runs without holding the lock.
    """
    fields = {k: v for k, v in vars(new).items() if k not in ("prefix", "first_event")}
    case = Case(number="~" + secrets.token_hex(11), lookup_hash="", submitted_at=now, updated_at=now,
                decide_by=deadline_for(local_date(now)) if new.status == "submitted" else None,
                closed_at=now if new.status == "closed" else None, **fields)
    session.add(case)
    session.flush()
    session.add(CaseEvent(case_id=case.id, at=now, kind="submitted", actor_kind="filer",
                          status_to=new.status, body=new.first_event, public=True))
    if also is not None:
        session.add(also(case))
    session.flush()
    number = format_number(new.prefix, now.year, take_serial(session, new.jurisdiction, now.year))
    lookup_hash = lookup_hash_for(number)
    session.execute(update(Case).where(Case.id == case.id).values(number=number, lookup_hash=lookup_hash, updated_at=now)
                    .execution_options(synchronize_session=False))
    set_committed_value(case, "number", number)
    set_committed_value(case, "lookup_hash", lookup_hash)
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
