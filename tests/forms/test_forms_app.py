"""The app as a whole: settings, security headers, pages without inline script or outside hosts,
deadlines in working days, numbers and masks."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from forms_app import ConfigError, create_app
from forms_app.deadlines import add_working_days, deadline
from forms_app.numbers import default_prefix
from forms_app.protect import mask_id_number, mask_phone, normalise_code
from .formhelpers import csrf, file_complaint, file_complaint_page

PAGES = ["/", "/zixi/", "/zixi/complaint", "/zixi/query", "/zixi/track", "/jixian/complaint"]


def test_production_refuses_weak_keys_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("FORMS_ENV", "production")
    for weak in ("x", "s" * 40, "dev-only-not-secret", "changeme"):
        monkeypatch.setenv("SECRET_KEY", weak)
        with pytest.raises(ConfigError, match="SECRET_KEY"):
            create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    monkeypatch.setenv("SECRET_KEY", STRONG)
    monkeypatch.setenv("FORMS_ENCRYPTION_KEY", "not-a-fernet-key")
    with pytest.raises(ConfigError, match="FORMS_ENCRYPTION_KEY"):
        create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})


STRONG = "Qm3v8-Zr0pT1_kW9yXe4LbN6sHc2jAu7"


def test_settings_come_from_the_environment(monkeypatch, policy):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.invalid/forms")
    monkeypatch.setenv("REDIS_URL", "redis://redis.invalid:6379/0")
    monkeypatch.setenv("SITE_URL", "https://zixi.example.org/")
    monkeypatch.setenv("SECRET_KEY", STRONG)
    app = create_app({"POLICY": policy})
    assert app.config["DATABASE_URL"] == "postgresql+psycopg://u@db.invalid/forms"
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://redis.invalid:6379/0"
    assert app.config["SITE_URL"] == "https://zixi.example.org" and app.config["SECRET_KEY"] == STRONG


@pytest.mark.parametrize("path", PAGES)
def test_every_page_has_strict_security_headers(page_client, path):
    response = page_client.get(path)
    assert response.status_code == 200
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", PAGES)
def test_pages_have_no_inline_script_or_style_and_load_nothing_from_outside(page_client, path):
    page = page_client.get(path).get_data(as_text=True)
    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == []
    assert " style=" not in page and "<style" not in page and " on" + "click=" not in page
    loaded = re.findall(r'<(?:script|img|link|iframe|video|audio|source)\b[^>]*(?:src|href)="([^"]+)"', page)
    assert loaded and all(url.startswith("/") and not url.startswith("//") for url in loaded), loaded
    assert 'lang="zh-CN"' in page and 'name="viewport"' in page


def test_every_form_field_has_a_label(page_client):
    for path in ("/zixi/complaint", "/zixi/query", "/zixi/track"):
        page = page_client.get(path).get_data(as_text=True)
        ids = re.findall(r'<(?:input(?! id="csrf_token")|select|textarea)[^>]*\bid="([^"]+)"', page)
        assert ids
        for field_id in ids:
            assert f'for="{field_id}"' in page, (path, field_id)


def test_the_receipt_is_printable_and_names_the_deadline(sqlite_app):
    client = sqlite_app.test_client()
    number, code, page = file_complaint_page(client)
    assert number in page and f"{code[:4]} {code[4:]}" in page
    assert "前（资溪县承诺的期限，按日历天数算，最后一天是节假日的顺延）" in page and "data-print hidden" in page
    # The calendar-day reading of "15日" is the county's interpretation, and says so.
    assert '<span class="mark-interpreted">按本县理解</span>' in page


def test_working_days_skip_holidays_and_count_make_up_days(policy):
    cal = policy.get("zixi").calendar
    # National Day 2026: 1-7 October off (the data), 10 October a Saturday make-up day if listed.
    day, estimated = add_working_days(cal, dt.date(2026, 9, 30), 1)
    assert not estimated and day > dt.date(2026, 10, 7)
    # Without holidays, 15 working days from a Monday are three weeks later.
    day, estimated = add_working_days(cal, dt.date(2026, 11, 2), 15)
    assert (day, estimated) == (dt.date(2026, 11, 23), False)


def test_deadlines_past_the_calendar_are_estimated_and_say_so(policy):
    d = deadline(policy.get("zixi"), "reply", dt.date(2026, 11, 25))
    # 60 calendar days: 2027-01-24, a Sunday -> Monday 25th; 2027's holidays are not in the data yet.
    assert d.days == 60 and d.unit == "days" and d.estimated and d.day == dt.date(2027, 1, 25)
    assert d.reading == "按本县理解"


def test_complaint_deadlines_count_calendar_days_and_move_off_holidays(policy):
    """Issue 21 item 4: "15日" is 15 calendar days; a last day on a holiday moves to the next
    working day of the county's calendar (2026-10-05 is in the National Day holiday)."""
    j = policy.get("zixi")
    d = deadline(j, "decide", dt.date(2026, 9, 20))
    assert (d.day, d.moved_from, d.estimated, d.unit) == (dt.date(2026, 10, 8), dt.date(2026, 10, 5), False, "days")
    # An ordinary day stays where 15 days put it (the old working-day count gave 2026-11-23).
    assert deadline(j, "decide", dt.date(2026, 11, 2)).day == dt.date(2026, 11, 17)
    # The working-day reading stays available, as the data's recorded alternative.
    alternatives = j.commitments["decide"].root.at(dt.date(2026, 11, 2)).alternatives
    assert any("工作日" in str(a) for a in alternatives)


def test_case_prefixes_come_from_the_pinyin_of_the_id():
    assert (default_prefix("zixi"), default_prefix("jixian"), default_prefix("shuangyashan")) == ("ZX", "JX", "SYS")
    assert default_prefix("x1") == "X"


def test_masks_and_codes():
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_phone("+8613912345678") == "139****5678"
    assert normalise_code("１２３４ ５６７８") == "12345678"


def test_csrf_tokens_are_on_every_form(page_client):
    for path in ("/zixi/complaint", "/zixi/query", "/zixi/track"):
        assert csrf(page_client, path)
