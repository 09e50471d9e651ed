"""The audit page's filters (issue 27 point 9): by case, by person, by date in Beijing time.

Dates are calendar days in China; the log stores naive UTC, so a day is the UTC range from its
Beijing midnight to the next one.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from policy.china_time import CHINA

from ..models import AuditEntry, Case
from .queue import _number_part


def _day(text) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(text or "").strip()[:10])
    except ValueError:
        return None


def utc_start(day: dt.date) -> dt.datetime:
    """Beijing midnight of `day` as stored (naive UTC)."""
    return dt.datetime.combine(day, dt.time(), CHINA).astimezone(dt.UTC).replace(tzinfo=None)


@dataclass
class AuditFilters:
    case: str = ""
    actor: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None

    @classmethod
    def from_args(cls, args) -> "AuditFilters":
        raw = str(args.get("actor", ""))
        return cls(case=_number_part(args.get("case", "")),
                   actor=int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None,
                   since=_day(args.get("since")), until=_day(args.get("until")))

    def conditions(self) -> list:
        out = []
        if self.case:
            out.append(Case.number.contains(self.case, autoescape=True))
        if self.actor:
            out.append(AuditEntry.actor_id == self.actor)
        if self.since:
            out.append(AuditEntry.at >= utc_start(self.since))
        if self.until:
            out.append(AuditEntry.at < utc_start(self.until + dt.timedelta(days=1)))
        return out

    def args(self, **change) -> dict:
        out = {"case": self.case, "actor": self.actor or "", "since": self.since.isoformat() if self.since else "",
               "until": self.until.isoformat() if self.until else ""}
        out.update(change)
        return {k: v for k, v in out.items() if v not in ("", None)}
