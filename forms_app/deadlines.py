"""Deadlines from the jurisdiction's commitments (commitments.yaml), in working days of its calendar.

A year the calendar does not list yet is counted with weekends only, and the answer says so, so a
deadline is never silently wrong when the State Council's holiday notice is not in the data yet.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from policy.model import Calendar, Jurisdiction
from policy.readings import label


@dataclass(frozen=True)
class Deadline:
    day: dt.date
    days: int
    unit: str  # working_days | days
    estimated: bool  # counted over a year the calendar does not cover
    reading: str = ""  # policy.readings.label of the commitment's value: "" | 按本县理解 | 示例数字


def add_working_days(calendar: Calendar, start: dt.date, n: int) -> tuple[dt.date, bool]:
    """The n-th working day after `start` (start itself not counted); and whether it was estimated."""
    day, left, estimated = start, n, False
    while left > 0:
        day += dt.timedelta(days=1)
        if not calendar.covers(day):
            estimated = True
            if day.isoweekday() not in calendar.weekend:
                left -= 1
        elif calendar.is_working_day(day):
            left -= 1
    return day, estimated


def deadline(j: Jurisdiction, commitment: str, start: dt.date, extra_days: int = 0) -> Deadline | None:
    """When `commitment` (decide, reply, ...) falls due for something started on `start`."""
    param = j.commitments.get(commitment)
    if param is None:
        return None
    value = param.root.at(start) if hasattr(param.root, "at") else None
    if value is None:
        return None
    days = int(value.value) + extra_days
    if param.unit == "working_days" and j.calendar is not None:
        day, estimated = add_working_days(j.calendar, start, days)
    else:
        day, estimated = start + dt.timedelta(days=days), False
    return Deadline(day, days, param.unit, estimated, label(value))


def reading(j: Jurisdiction, commitment: str, on: dt.date) -> str:
    """The mark residents see beside a deadline from `commitment` (see policy/readings.py)."""
    param = j.commitments.get(commitment)
    value = param.root.at(on) if param is not None and hasattr(param.root, "at") else None
    return label(value) if value is not None else ""
