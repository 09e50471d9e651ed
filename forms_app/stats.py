"""Public statistics per jurisdiction and month (interfaces.md's complaint-stats.json).

Only counts, ids of categories and statuses, and day counts: no number, name, place, date of a
single case or free text leaves through here. Complaints only: eligibility queries are answered
on the spot and would make the handling figures meaningless. A case counts in the month it was
received (Beijing time); `by_status` is its status at the time of the export; it is closed on
time when it was closed on or before its reply deadline (for a case closed before it was ever
accepted, its decision deadline). Days to close are calendar days from receipt to closing.
`status_names` carries the statuses' words, so the public page says what the staff pages say.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import select

from . import audit_chain
from .db import Database
from .lifecycle import STATUSES, status_name
from .models import CHINA, Case, local_date


def month_figures(cases: list[Case]) -> dict:
    by_category = Counter(c.category or "other" for c in cases)
    by_status = Counter(c.status for c in cases)
    on_time = late = 0
    days = []
    for c in cases:
        if c.status != "closed" or c.closed_at is None:
            continue
        closed = local_date(c.closed_at)
        due = c.reply_by or c.decide_by
        if due is None or closed <= due:
            on_time += 1
        else:
            late += 1
        days.append((closed - local_date(c.submitted_at)).days)
    return {"received": len(cases), "by_category": dict(sorted(by_category.items())),
            "by_status": dict(sorted(by_status.items())), "closed_on_time": on_time, "closed_late": late,
            "median_days_to_close": median(days)}


def median(values: list[int]) -> int | float | None:
    if not values:
        return None
    values = sorted(values)
    mid = len(values) // 2
    if len(values) % 2:
        return values[mid]
    total = values[mid - 1] + values[mid]
    return total // 2 if total % 2 == 0 else total / 2


def jurisdiction_stats(db: Database, jurisdiction: str, now: dt.datetime | None = None) -> dict:
    with db.reading() as session:
        cases = list(session.scalars(select(Case).where(Case.jurisdiction == jurisdiction, Case.kind == "complaint")
                                     .order_by(Case.submitted_at)))
        # The audit log's length and last hash, published so a later rewrite of the log shows
        # against what the site printed (audit_chain.py; `flask --app forms_app audit verify`).
        chain = audit_chain.published(session)
    months: dict[str, list[Case]] = defaultdict(list)
    for c in cases:
        months[local_date(c.submitted_at).strftime("%Y-%m")].append(c)
    generated = (now or dt.datetime.now(dt.UTC)).astimezone(CHINA).replace(microsecond=0)
    return {"jurisdiction": jurisdiction, "generated": generated.isoformat(),
            "months": [{"month": m, **month_figures(cs)} for m, cs in sorted(months.items())],
            "audit_chain": chain,
            # The staff pages' status names, in the lifecycle's order: the site (which cannot import
            # this package) shows the same words (issue 27 point 15).
            "status_names": {s: status_name(s) for s in STATUSES}}


def export(db: Database, jurisdictions: list[str], out: Path, now: dt.datetime | None = None) -> list[Path]:
    """Write out/<jid>/complaint-stats.json for each jurisdiction (atomically: a reader never sees half)."""
    written = []
    for jid in jurisdictions:
        path = out / jid / "complaint-stats.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(jurisdiction_stats(db, jid, now), ensure_ascii=False, indent=1) + "\n",
                       encoding="utf-8")
        tmp.replace(path)
        written.append(path)
    return written
