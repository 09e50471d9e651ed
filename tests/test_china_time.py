"""The build's "today" is the day in Beijing, not the server's: at 20:00 UTC on 31 March it is
already 1 April in China, and the notice's drug prices, the calculator's default day and
`eligible` without a date all say so."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import policy.china_time as china_time

ROOT = Path(__file__).resolve().parents[1]
INSTANT = dt.datetime(2026, 3, 31, 20, 0, tzinfo=dt.UTC)  # 2026-04-01 04:00 in Beijing


class _Clock(dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return INSTANT.astimezone(tz) if tz else INSTANT.replace(tzinfo=None)


@pytest.fixture
def evening_in_utc(monkeypatch):
    fake = type("dt", (), {"datetime": _Clock, "timezone": dt.timezone, "timedelta": dt.timedelta, "date": dt.date})
    monkeypatch.setattr(china_time, "dt", fake)


def test_china_today_is_the_day_in_beijing(evening_in_utc):
    assert china_time.china_today() == dt.date(2026, 4, 1)


def test_the_notices_drug_prices_are_dated_by_the_day_in_beijing(evening_in_utc):
    from builder.print_facts import village_facts
    from policy.loader import load_jurisdiction

    jur, problems = load_jurisdiction(ROOT / "policy_data" / "zixi", run_examples=False)
    assert problems == []
    v = village_facts(jur, next(iter(jur.villages)), site_url="http://s", forms_url="http://f")
    # The list in force on the day in Beijing, dated by when it took effect (its newest price
    # change, 2021-01-01), not by the print date (issue 20).
    same_day = village_facts(jur, next(iter(jur.villages)), site_url="http://s", forms_url="http://f",
                             as_of=dt.date(2026, 4, 1))
    assert v["drugs"] == same_day["drugs"] and v["drugs_date_cn"] == "2021年1月1日"


def test_eligible_without_a_date_screens_on_the_day_in_beijing(evening_in_utc):
    from policy import cases
    from policy.loader import load_jurisdiction

    jur, problems = load_jurisdiction(ROOT / "policy_data" / "zixi", run_examples=False)
    assert problems == []
    answer = cases.run_eligible(cases.Service({"zixi": jur}),
                                {"jurisdiction": "zixi", "person": {"category": "poverty", "age": 70}})
    assert answer["date"] == "2026-04-01"
