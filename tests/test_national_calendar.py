"""`check` compares each calendar.yaml with the national holidays (chinese-calendar) for the years
both cover, and reports every day they disagree on, unless the data marks it a local exception."""
from __future__ import annotations

from pathlib import Path

import pytest

from policy.loader import load_jurisdiction
from policy.national_calendar import national_years

pytest.importorskip("chinese_calendar")


def _problems(folder: Path) -> list[str]:
    _, problems = load_jurisdiction(folder, run_examples=False)
    return [str(p) for p in problems]


def _edit(folder: Path, old: str, new: str) -> None:
    path = folder / "calendar.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_samples_agree_with_the_national_calendar(data_copy):
    assert {2019, 2024, 2026} <= national_years()
    for jid in ("zixi", "jixian"):
        assert not [p for p in _problems(data_copy / jid) if "国务院" in p]


def test_a_missing_holiday_is_reported_day_by_day_with_its_line(data_copy):
    folder = data_copy / "zixi"
    _edit(folder, "{name: 国庆节, from: 2024-10-01, until: 2024-10-07}", "{name: 国庆节, from: 2024-10-01, until: 2024-10-03}")
    problems = [p for p in _problems(folder) if "国务院" in p]
    assert len(problems) == 2  # 10-04 (Fri) and 10-07 (Mon); the 5th and 6th are a weekend anyway
    assert all("calendar.yaml" in p for p in problems)
    assert "2024-10-04" in problems[0] and "2024-10-07" in problems[1] and "放假" in problems[0]


def test_a_missing_make_up_day_is_reported(data_copy):
    folder = data_copy / "zixi"
    _edit(folder, "workdays: [2024-02-04, 2024-02-18,", "workdays: [2024-02-18,")
    problems = [p for p in _problems(folder) if "国务院" in p]
    assert len(problems) == 1 and "2024-02-04" in problems[0] and "上班" in problems[0]


def test_a_local_holiday_marked_local_passes_unmarked_fails(data_copy):
    folder = data_copy / "zixi"
    unmarked = "{name: 端午节, from: 2024-06-10, until: 2024-06-10}\n      - {name: 本县庙会, from: 2024-07-01, until: 2024-07-01}"
    _edit(folder, "{name: 端午节, from: 2024-06-10, until: 2024-06-10}", unmarked)
    problems = [p for p in _problems(folder) if "国务院" in p]
    assert len(problems) == 1 and "2024-07-01" in problems[0] and "local: true" in problems[0]
    _edit(folder, "{name: 本县庙会, from: 2024-07-01, until: 2024-07-01}",
          "{name: 本县庙会, from: 2024-07-01, until: 2024-07-01, local: true}")
    assert _problems(folder) == []


def test_local_exceptions_excuse_a_day_with_a_reason(data_copy):
    folder = data_copy / "zixi"
    _edit(folder, "workdays: [2024-02-04, 2024-02-18,", "workdays: [2024-02-18,")
    _edit(folder, "workdays: [2024-02-18,",
          "local_exceptions: [{date: 2024-02-04, reason: 本县春节前一天不调休}]\n    workdays: [2024-02-18,")
    assert _problems(folder) == []
    _edit(folder, "reason: 本县春节前一天不调休", "reason: ")
    assert any("reason" in p for p in _problems(folder))


def test_years_the_package_does_not_cover_are_not_compared(data_copy):
    folder = data_copy / "zixi"
    path = folder / "calendar.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "  2099:\n    holidays:\n      - {name: 元旦, from: 2099-01-01, until: 2099-01-09}\n",
                    encoding="utf-8")
    assert 2099 not in national_years()
    assert _problems(folder) == []


def test_reading_the_tables_directly_agrees_with_the_package_on_every_covered_day():
    import datetime as dt

    import chinese_calendar

    from policy.national_calendar import is_national_workday
    for year in sorted(national_years()):
        day = dt.date(year, 1, 1)
        while day.year == year:
            assert is_national_workday(day) == chinese_calendar.is_workday(day), day
            day += dt.timedelta(days=1)


@pytest.mark.parametrize(("today", "reminded"), [("2026-06-01", False), ("2026-10-02", False), ("2026-10-03", True),
                                                 ("2026-12-06", True)])
def test_check_reminds_the_officer_when_deadlines_set_today_may_fall_after_the_calendar(monkeypatch, today, reminded):
    """A complaint filed today is answered within 60 days (90 with an extension): from early
    October, deadlines reach a year calendar.yaml does not have, and are only estimates until
    the officer adds the State Council's notice for that year (issue 27)."""
    import datetime as dt

    import policy.china_time

    monkeypatch.setattr(policy.china_time, "china_today", lambda: dt.date.fromisoformat(today))
    j, problems = load_jurisdiction(Path(__file__).resolve().parent.parent / "policy_data" / "zixi", run_examples=False)
    assert list(problems) == []
    horizon = [w for w in j.warnings if w.path == "years"]
    assert bool(horizon) == reminded
    if reminded:
        assert horizon[0].line == 9 and horizon[0].file.endswith("zixi/calendar.yaml")
        assert "只写到 2026 年" in horizon[0].message and "《关于2027年部分节假日安排的通知》" in horizon[0].message
