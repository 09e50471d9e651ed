"""The jurisdiction's working-day calendar against the national one (the `chinese-calendar` package,
which carries the State Council's yearly holiday notices).

For every year both cover, every day on which they disagree is a problem, unless the data marks it
as a local exception: a holiday entry with `local: true` (a county's own day off), or a date in the
year's `local_exceptions` (e.g. a national make-up working day the county does not keep). A year
counts as covered by the package when it lists that year's Spring Festival, so a package released
before the next notice (with only New Year's Day of the next year, say) is not compared.
"""
from __future__ import annotations

import datetime as dt
import functools

from .model import Calendar
from .problems import Problem


def _package():
    try:
        import chinese_calendar
    except ImportError:  # the forms deps are not installed: nothing to compare with
        return None
    return chinese_calendar


@functools.cache
def national_years() -> frozenset[int]:
    cc = _package()
    if cc is None:
        return set()
    return frozenset(day.year for day, name in cc.holidays.items() if "Spring Festival" in str(name))


def is_national_workday(day: dt.date) -> bool:
    """The package's `is_workday`, read from its tables directly: `is_workday` validates the date
    against min() and max() of the whole table on every call, which made `check` of a prefecture
    three times slower (2,922 calls per county)."""
    cc = _package()
    return day in cc.workdays or (day.weekday() < 5 and day not in cc.holidays)


@functools.cache
def national_days_off(year: int) -> frozenset[dt.date]:
    """The days of `year` that are not national working days (every county checks every year)."""
    day, off = dt.date(year, 1, 1), set()
    while day.year == year:
        if not is_national_workday(day):
            off.add(day)
        day += dt.timedelta(days=1)
    return frozenset(off)


def disagreements(calendar: Calendar, cal: dict, shown: str, year_lines: dict[int, int]) -> list[Problem]:
    """One problem per day on which `calendar` and the national calendar disagree, unmarked."""
    problems = []
    for year in sorted(set(cal["years"]) & national_years()):
        national_off = national_days_off(year)
        body = cal["years"][year]
        local = {e["date"] for e in body.get("local_exceptions") or ()}
        holiday_line = {}
        for h in body["holidays"]:
            day = h["from"]
            while day <= h["until"]:
                if h.get("local"):
                    local.add(day)
                holiday_line[day] = h.get("_line")
                day += dt.timedelta(days=1)
        day = dt.date(year, 1, 1)
        while day.year == year:
            ours, national = calendar.is_working_day(day), day not in national_off
            if ours != national and day not in local:
                line = holiday_line.get(day) or year_lines.get(year)
                ours_text = "工作日" if ours else "放假"
                theirs = "上班（调休或平常工作日）" if national else "放假"
                problems.append(Problem(shown, line, f"years.{year}", (
                    f"{day.isoformat()}（{'一二三四五六日'[day.weekday()]}）这里是{ours_text}，国务院的节假日安排是{theirs}；"
                    "请改正，或者如果这是本地特有的安排，在假日上写 local: true，或把日期写进 local_exceptions")))
            day += dt.timedelta(days=1)
    return problems
