"""The complaint form: deep links, filing, receipt, personal data, messages that keep every value."""
from __future__ import annotations

import html

from sqlalchemy import select

from forms_app.models import Case, CaseEvent
from .formhelpers import complaint_data, csrf, file_complaint, file_complaint_page, main_text


def _case(app, number) -> Case:
    with app.extensions["forms_db"].reading() as s:
        return s.scalars(select(Case).where(Case.number == number)).one()


def test_deep_link_preselects_category_and_village(page_client):
    page = page_client.get("/zixi/complaint?village=gaofu-juzhou&category=drug_price").get_data(as_text=True)
    assert 'value="drug_price" checked' in page
    assert '<option value="gaofu-juzhou" selected>' in page
    # The commitment behind the category and the site page about it are shown.
    assert "村卫生室公开药品价格" in page and 'href="http://site.invalid/zixi/drugs/"' in page


def test_unknown_deep_link_values_are_ignored(page_client):
    page = page_client.get("/zixi/complaint?village=nowhere&category=<b>x</b>").get_data(as_text=True)
    assert " checked" not in page and " selected" not in page and "<b>x</b>" not in page


def test_unknown_jurisdiction_is_a_chinese_404(page_client):
    response = page_client.get("/atlantis/complaint")
    assert response.status_code == 404 and "没有这个页面" in response.get_data(as_text=True)


def test_filing_gives_a_case_number_and_a_code_and_stores_the_case_whole(app, client):
    number, code = file_complaint(client)
    assert number.startswith("ZX-2026-") or number.startswith("ZX-20")
    assert len(code) == 8 and code.isdigit()
    case = _case(app, number)
    assert (case.category, case.township, case.village, case.institution) == (
        "deposit_charged", "gaofu", "gaofu-gaofu", "gaofu_hc")
    assert case.status == "submitted" and case.decide_by > case.submitted_at.date()
    assert case.data_version == app.extensions["forms_policy"].versions["zixi"]
    with app.extensions["forms_db"].reading() as s:
        events = s.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id)).all()
    assert [(e.kind, e.status_to, e.public) for e in events] == [("submitted", "submitted", True)]


def test_the_code_is_not_stored_anywhere_in_plain_form(app, client):
    number, code = file_complaint(client)
    case = _case(app, number)
    assert code not in repr(vars(case)) and len(case.lookup_hash) == 64


def test_phone_and_id_number_are_stored_encrypted_and_shown_masked(app, client):
    number, _ = file_complaint(client, phone="139 1234 5678", id_number="11010519491231002x")
    case = _case(app, number)
    protect = app.extensions["forms_protector"]
    assert "13912345678" not in case.phone_enc and "11010519491231002" not in case.id_number_enc
    assert protect.decrypt(case.phone_enc) == "+8613912345678"
    assert protect.decrypt(case.id_number_enc) == "11010519491231002X"
    assert case.phone_masked == "139****5678" and case.id_number_masked == "110105********002X"


def test_the_village_clinic_choice_means_the_chosen_villages_clinic(app, client):
    number, _ = file_complaint(client, village="gaofu-juzhou", institution="village_clinic", category="clinic_closed")
    assert _case(app, number).institution == "clinic:gaofu-juzhou"


def test_anonymous_filing_stores_no_personal_data_even_if_typed(app, client):
    number, _ = file_complaint(client, anonymous="y", name="王某乙", phone="13912345678")
    case = _case(app, number)
    assert case.anonymous is True
    assert (case.filer_name, case.phone_enc, case.phone_masked, case.id_number_enc) == (None, None, None, None)


def test_a_named_filer_must_give_a_phone(page_client):
    data = complaint_data(phone="")
    data["csrf_token"] = csrf(page_client, "/zixi/complaint")
    page = page_client.post("/zixi/complaint", data=data).get_data(as_text=True)
    assert 'href="#phone"' in page and "请留一个电话" in page


def test_failed_submit_links_every_error_and_keeps_every_value(page_client):
    data = complaint_data(category="", village="", phone="12345", id_number="110105194912310021",
                          event_date="2099-01-01", description="短")
    data["csrf_token"] = csrf(page_client, "/zixi/complaint")
    response = page_client.post("/zixi/complaint", data=data)
    page = main_text(response)
    assert response.status_code == 200 and "有 6 处需要改一下" in page
    for field in ("category", "village", "event_date", "description", "phone", "id_number"):
        assert f'href="#{field}"' in page and f'id="{field}"' in page
    assert "校验位对不上" in page and "日期不能晚于今天" in page and "至少写 5 个字" in page
    # Everything typed comes back.
    for value in ("12345", "110105194912310021", "2099-01-01", "王某甲"):
        assert f'value="{value}"' in page
    assert ">短</textarea>" in page
    assert '<option value="gaofu_hc" selected>' in page


def test_a_missing_csrf_token_is_a_message_not_a_lost_form(page_client):
    data = complaint_data(description="没有令牌的提交也不能丢掉内容")
    response = page_client.post("/zixi/complaint", data=data)
    page = main_text(response)
    assert response.status_code == 200 and "页面已过期" in page and "没有令牌的提交也不能丢掉内容" in page


def test_the_honeypot_refuses_and_stores_nothing(app, client):
    before = _count(app)
    data = complaint_data(website="http://spam.example")
    data["csrf_token"] = csrf(client, "/zixi/complaint")
    response = client.post("/zixi/complaint", data=data)
    assert response.status_code == 400 and "没有提交成功" in response.get_data(as_text=True)
    assert _count(app) == before


def test_too_many_submissions_from_one_address_get_a_chinese_429(policy, sqlite_url):
    from .formhelpers import make_app

    app = make_app(policy, sqlite_url, LIMIT_SUBMIT="2 per hour")
    client = app.test_client()
    file_complaint(client)
    file_complaint(client)
    data = complaint_data()
    data["csrf_token"] = csrf(client, "/zixi/complaint")
    response = client.post("/zixi/complaint", data=data)
    assert response.status_code == 429 and "尝试次数太多" in response.get_data(as_text=True)
    assert client.get("/zixi/complaint").status_code == 200  # reading the form is never limited


def test_receipt_without_a_submission_sends_to_the_lookup_page(page_client):
    response = page_client.get("/zixi/receipt")
    assert response.status_code == 303 and response.headers["Location"].endswith("/zixi/track")


def test_description_is_stored_exactly_and_never_rendered_raw(app, client):
    text = '<script>alert("x")</script> 押金 & <b>粗</b>'
    number, _, page = file_complaint_page(client, description=text)
    assert _case(app, number).description == text
    assert "<script>alert" not in page and "<b>粗</b>" not in page
    assert html.escape(text) not in page  # the receipt shows no free text at all


def _count(app) -> int:
    from forms_app.store import fetch_case_count

    return fetch_case_count(app.extensions["forms_db"])


def test_today_in_beijing_is_not_a_future_event_date(app, client, monkeypatch):
    """01:30 in Beijing on 26 November: the UTC clock still says the 25th; a resident who writes
    the 26th as the day it happened is not told the date is in the future."""
    import datetime as dt
    from forms_app.complaints import forms
    monkeypatch.setattr(forms, "utcnow", lambda: dt.datetime(2026, 11, 25, 17, 30))
    number, _code = file_complaint(client, event_date="2026-11-26")
    assert number
    data = complaint_data(event_date="2026-11-27")
    data["csrf_token"] = csrf(client, "/zixi/complaint")
    assert "日期不能晚于今天" in main_text(client.post("/zixi/complaint", data=data))
