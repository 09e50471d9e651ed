"""Issue 23, causes 9-12: every audit CSV cell through the formula guard; NUL in any field or
path is 400 (never a 500 on PostgreSQL); the number of form parts is capped before parsing;
invisible characters are stripped from every text."""
from __future__ import annotations

import csv
import io
import time

import pytest
from sqlalchemy import select

from forms_app.formkit import clean_text
from forms_app.models import Case

from .formhelpers import complaint_data, csrf, file_complaint, make_app
from .staffhelpers import make_staff, staff_client


def test_every_audit_csv_cell_goes_through_the_formula_guard(policy, sqlite_url):
    app = make_app(policy, sqlite_url, PROXIES=1)
    try:
        evil = "=cmd|' /C calc'!A0"  # what an address can be behind a proxy (X-Forwarded-For)
        name = make_staff(app, "auditor")
        auditor = app.test_client()
        from .staffhelpers import token
        r = auditor.post("/staff/login", data={"username": name, "password": "correct-horse-battery",
                                               "csrf_token": token(auditor, "/staff/login")},
                         headers={"X-Forwarded-For": evil})
        assert r.status_code == 303
        export = auditor.get("/staff/zixi/audit.csv").get_data(as_text=True).lstrip("\ufeff")
        rows = list(csv.reader(io.StringIO(export)))
        addresses = [row[7] for row in rows[1:]]
        assert any(evil in a for a in addresses)
        for row in rows[1:]:
            for value in row:
                assert value[:1] not in ("=", "+", "-", "@"), row
    finally:
        app.extensions["forms_db"].dispose()


@pytest.mark.parametrize("path", ["/staff/zixi/case/ZX-2026-0%001", "/zixi/track%00", "/api/open311/v2/requests/ZX%00.json",
                                  "/staff/zixi/?status=%00&township=a%00", "/api/open311/v2/services.json?jurisdiction_id=zixi%00"])
def test_nul_in_a_path_or_query_is_400(app, path):
    client, _ = staff_client(app, "admin")
    assert client.get(path).status_code == 400


@pytest.mark.parametrize("path", ["/zixi/complaint", "/zixi/query", "/zixi/track", "/staff/login",
                                  "/api/open311/v2/requests.json", "/zixi/track/feedback"])
def test_nul_in_a_form_field_is_400(app, path):
    data = complaint_data(description="押金\x00问题")
    data.update(jurisdiction_id="zixi", service_code="other", address_id="gaofu-gaofu", number="ZX\x00",
                code="1234\x00", username="admin\x00", password="x")
    data["csrf_token"] = csrf(app.test_client(), "/zixi/complaint")
    assert app.test_client().post(path, data=data).status_code == 400


def test_nul_in_a_staff_form_is_400(app):
    number, _ = file_complaint(app.test_client())
    client, _ = staff_client(app, "admin")
    from .staffhelpers import act
    assert act(client, "zixi", number, "note", text="备注\x00").status_code == 400


def test_a_body_with_too_many_parts_is_refused_before_parsing(page_client):
    body = "&".join(f"p{i}=" for i in range(300_000)).encode()
    start = time.perf_counter()
    response = page_client.post("/zixi/complaint", data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert time.perf_counter() - start < 0.5  # parsing 300,000 parameters takes about a second
    api = page_client.post("/api/open311/v2/requests.json", data=body,
                           content_type="application/x-www-form-urlencoded")
    assert api.status_code == 413 and api.json[0]["code"] == 413


def test_an_honest_long_form_is_not_capped(page_client):
    data = {"person_category": "poverty", "csrf_token": csrf(page_client, "/zixi/query"),
            "diseases": ["hypertension", "diabetes"] * 20, "disabilities": ["physical"] * 10}
    assert page_client.post("/zixi/query", data=data).status_code in (200, 303)


INVISIBLE = ["\u061c", "\u2060", "\u3164", "\U000e0041", "\U000e007f", "\ufff9", "\ufffa", "\ufffb", "\u200b",
             "\u202e", "\u2066", "\ufeff", "\ue000", "\u115f", "\uffa0", "\u00ad", "\u180e"]


@pytest.mark.parametrize("ch", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_invisible_characters_are_stripped(ch):
    assert clean_text(f"押{ch}金问题") == "押金问题"


def test_line_separators_become_newlines_and_chinese_text_stays():
    assert clean_text("第一行\u2028第二行\u2029第三行") == "第一行\n第二行\n第三行"
    kept = "县医院（住院部）收了２０００元押金——“先诊疗后付费”呢？\u3000葛\U000e0100 😀 a\tb"
    assert clean_text(kept) == kept.replace("\U000e0100", "\U000e0100")


def test_invisible_characters_never_reach_the_database(app):
    client = app.test_client()
    response = client.post("/api/open311/v2/requests.json", data={
        "jurisdiction_id": "zixi", "service_code": "other", "address_id": "gaofu-gaofu",
        "description": "押\u2060金\u061c问\U000e0041题\ufffb很严重\u3164", "first_name": "王\u2028某"})
    number = response.json[0]["service_request_id"]
    with app.extensions["forms_db"].reading() as s:
        assert s.scalars(select(Case.description).where(Case.number == number)).one() == "押金问题很严重"
