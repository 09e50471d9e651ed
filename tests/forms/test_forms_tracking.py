"""Case lookup: number + code -> status, deadline, public replies; never personal data."""
from __future__ import annotations

import re

import pytest

from sqlalchemy import select

from .formhelpers import make_app
from forms_app.models import Case, CaseEvent
from .formhelpers import csrf, file_complaint, main_text


def _look(client, number, code):
    return client.post("/zixi/track", data={"csrf_token": csrf(client, "/zixi/track"), "number": number, "code": code})


def _add_events(app, number):
    with app.extensions["forms_db"].writing() as s:
        case = s.scalars(select(Case).where(Case.number == number)).one()
        case.status = "in_progress"
        case.reply_by = case.decide_by
        s.add_all([
            CaseEvent(case_id=case.id, kind="status", actor_kind="staff", status_from="submitted",
                      status_to="in_progress", body="已受理，正在调查", public=True),
            CaseEvent(case_id=case.id, kind="note", actor_kind="staff", body="内部：院长说是误会", public=False),
            CaseEvent(case_id=case.id, kind="reply", actor_kind="staff", body="医院已退还押金", public=True),
        ])


def test_lookup_shows_status_deadline_and_public_replies_only(app, client):
    number, code = file_complaint(client)
    _add_events(app, number)
    page = main_text(_look(client, number, code))
    assert "正在办理" in page and "办结并答复的期限" in page
    assert "已受理，正在调查" in page and "医院已退还押金" in page
    assert "院长说是误会" not in page


def test_lookup_never_shows_personal_data_or_the_description(client):
    number, code = file_complaint(client, name="王某丁", phone="13912345678", description="押金的事情很复杂要写清楚")
    page = main_text(_look(client, number, code))
    for secret in ("王某丁", "13912345678", "5678", "1101051949", "押金的事情很复杂"):
        assert secret not in page


def test_number_and_code_are_read_as_residents_type_them(client):
    number, code = file_complaint(client)
    typed = " " + number.lower().replace("-", "－") + " "
    response = _look(client, typed, f"{code[:4]} {code[4:]}".translate(str.maketrans("0123456789", "０１２３４５６７８９")))
    assert response.status_code == 200 and number in main_text(response)


@pytest.mark.parametrize("how", [lambda n: n.replace("-", ""), lambda n: n.replace("-", "").lower(),
                                 lambda n: n.replace("-", " "), lambda n: n.replace("-", "\u2014").lower()])
def test_the_number_is_found_without_dashes_and_in_lower_case(client, how):
    number, code = file_complaint(client)
    response = _look(client, how(number), code)
    assert response.status_code == 200 and number in main_text(response)


def test_lookup_with_wrong_code_reveals_nothing(client):
    number, code = file_complaint(client)
    wrong = f"{(int(code) + 1) % 10**8:08d}"
    wrong_code = _look(client, number, wrong)
    unknown_number = _look(client, "ZX-2000-999999", wrong)
    assert wrong_code.status_code == unknown_number.status_code == 404
    # The CSRF token carries a timestamp: under load the two pages can be a second apart.
    def same(page):
        return re.sub(r'<input[^>]*name="csrf_token"[^>]*>', "", main_text(page))
    assert same(wrong_code) == same(unknown_number).replace("ZX-2000-999999", number)
    assert "没有查到" in main_text(wrong_code)


def test_wrong_codes_are_rate_limited_but_right_ones_are_not_counted(policy, sqlite_url):
    app = make_app(policy, sqlite_url, LIMIT_LOOKUP_FAIL="3 per hour")
    client = app.test_client()
    number, code = file_complaint(client)
    for _ in range(5):
        assert _look(client, number, code).status_code == 200
    assert [_look(client, number, "00000000").status_code for _ in range(4)] == [404, 404, 404, 429]
    assert "尝试次数太多" in _look(client, number, code).get_data(as_text=True)


def test_malformed_numbers_and_codes_get_messages(page_client):
    page = main_text(_look(page_client, "12345", "12"))
    assert 'href="#number"' in page and 'href="#code"' in page and "8 位数字，这里是 2 位" in page


def test_behind_a_proxy_each_resident_has_their_own_limit_only_when_told(policy, sqlite_url):
    """FORMS_PROXIES=1 (nginx in front): the address comes from X-Forwarded-For, so one resident's
    wrong codes do not lock out the next; without the setting the header is not trusted."""
    def wrong_codes(client, address):
        return [client.post("/zixi/track", headers={"X-Forwarded-For": address},
                            data={"csrf_token": csrf(client, "/zixi/track"), "number": number,
                                  "code": "00000000"}).status_code for _ in range(3)]

    app = make_app(policy, sqlite_url, LIMIT_LOOKUP_FAIL="2 per hour", PROXIES=1)
    client = app.test_client()
    number, _code = file_complaint(client)
    assert wrong_codes(client, "10.0.0.1") == [404, 404, 429]
    assert wrong_codes(client, "10.0.0.2") == [404, 404, 429]

    app = make_app(policy, sqlite_url, LIMIT_LOOKUP_FAIL="2 per hour",
                   RATELIMIT_KEY_PREFIX="noproxy")
    client = app.test_client()
    assert wrong_codes(client, "10.0.0.3") == [404, 404, 429]
    assert wrong_codes(client, "10.0.0.4") == [429, 429, 429]


def test_a_proxy_count_that_is_not_a_number_is_refused(monkeypatch, policy):
    import pytest
    from forms_app import ConfigError, create_app
    monkeypatch.setenv("FORMS_PROXIES", "yes")
    with pytest.raises(ConfigError, match="FORMS_PROXIES 应是 0 或正整数"):
        create_app({"POLICY": policy})
