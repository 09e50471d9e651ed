"""Deadlines from the jurisdiction's commitments (commitments.yaml), counted as the data says.

`unit: days` counts calendar days, as the regulation writes them ("15日"), and a deadline that
falls on a holiday or weekend moves to the next working day of the jurisdiction's calendar
(issue 21 item 4: the reading a resident can hold the county to). `unit: working_days` is the
recorded alternative: only working days are counted.

A year the calendar does not list yet is counted with weekends only, and the answer says so
(`estimated`): staff pages, the lookup page and the SMS all mark such a deadline as an estimate,
so a deadline is never silently wrong when the State Council's holiday notice is not in the data.
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
    moved_from: dt.date | None = None  # calendar days: the day it fell on, when that was not a working day


def _working(calendar: Calendar, day: dt.date) -> tuple[bool, bool]:
    """(is a working day, was estimated): outside the calendar only weekends are known."""
    if not calendar.covers(day):
        return day.isoweekday() not in calendar.weekend, True
    return calendar.is_working_day(day), False


def add_working_days(calendar: Calendar, start: dt.date, n: int) -> tuple[dt.date, bool]:
    """The n-th working day after `start` (start itself not counted); and whether it was estimated."""
    day, left, estimated = start, n, False
    while left > 0:
        day += dt.timedelta(days=1)
        working, guessed = _working(calendar, day)
        estimated |= guessed
        if working:
            left -= 1
    return day, estimated


def add_calendar_days(calendar: Calendar | None, start: dt.date, n: int) -> tuple[dt.date, bool, dt.date | None]:
    """`start` + n calendar days, moved to the next working day when it falls on a day off;
    (day, estimated, the day it fell on if it was moved)."""
    day = start + dt.timedelta(days=n)
    if calendar is None:
        return day, True, None
    first, estimated = day, False
    while True:
        working, guessed = _working(calendar, day)
        estimated |= guessed
        if working:
            return day, estimated, (first if day != first else None)
        day += dt.timedelta(days=1)


def count(j: Jurisdiction, unit: str, start: dt.date, days: int) -> Deadline:
    """`days` of `unit` after `start`, by the jurisdiction's calendar."""
    if unit == "working_days" and j.calendar is not None:
        day, estimated = add_working_days(j.calendar, start, days)
        return Deadline(day, days, unit, estimated)
    day, estimated, moved = add_calendar_days(j.calendar, start, days)
    return Deadline(day, days, "days", estimated, moved_from=moved)


def unit_of(j: Jurisdiction, commitment: str) -> str:
    param = j.commitments.get(commitment)
    return param.unit if param is not None else "days"


def deadline(j: Jurisdiction, commitment: str, start: dt.date, extra_days: int = 0) -> Deadline | None:
    """When `commitment` (decide, reply, callback, ...) falls due for something started on `start`."""
    param = j.commitments.get(commitment)
    if param is None:
        return None
    value = param.root.at(start) if hasattr(param.root, "at") else None
    if value is None:
        return None
    d = count(j, param.unit, start, int(value.value) + extra_days)
    return Deadline(d.day, d.days, d.unit, d.estimated, label(value), d.moved_from)


def reading(j: Jurisdiction, commitment: str, on: dt.date) -> str:
    """The mark residents see beside a deadline from `commitment` (see policy/readings.py)."""
    param = j.commitments.get(commitment)
    value = param.root.at(on) if param is not None and hasattr(param.root, "at") else None
    return label(value) if value is not None else ""


def is_estimate(j: Jurisdiction, day: dt.date | None) -> bool:
    """A stored deadline on a day the calendar does not cover: its holidays were guessed (weekends only)."""
    return day is not None and (j.calendar is None or not j.calendar.covers(day))


ESTIMATE_NOTE = "估算：这一年的法定节假日还没有写进本县的工作日历，公布后可能变"


def unit_words(unit: str) -> str:
    return "个工作日（节假日、周末不算）" if unit == "working_days" else "天（自然日，最后一天是节假日或周末的顺延到下一个工作日）"


def how_counted(j: Jurisdiction, commitment: str, start: dt.date, extra_days: int = 0) -> str:
    """One sentence for the case page: from which day, how many days of what kind, moved or estimated."""
    d = deadline(j, commitment, start, extra_days)
    if d is None:
        return ""
    text = f"从 {start.isoformat()} 起算 {d.days} {unit_words(d.unit)}"
    if d.moved_from is not None:
        text += f"；{d.moved_from.isoformat()} 不是工作日，顺延到 {d.day.isoformat()}"
    if d.estimated:
        text += "；" + ESTIMATE_NOTE
    return text
