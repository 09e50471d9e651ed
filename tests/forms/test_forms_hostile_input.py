"""Hostile input in every form and API field: script and markup, 100 KB strings, control
characters, bad encodings, missing and duplicated fields. The answer is always a page or an error
list with a message — never a 500 — and nothing unsafe is rendered."""
from __future__ import annotations

import pytest

from .formhelpers import complaint_data, csrf

PAYLOADS = {
    "script": '<script>alert("x")</script>',
    "markup": '"><img src=x onerror=alert(1)><b>粗</b>',
    "controls": "押金\x00\x01\x1b[31m\u202e\ufeff",
}
HUGE = "长" * 34_000  # 102 KB of UTF-8 (about 300 KB once form-encoded), into every field of a form at once
COMPLAINT_FIELDS = ["category", "village", "institution", "event_date", "description", "name", "phone",
                    "id_number", "anonymous", "website", "csrf_token"]
QUERY_FIELDS = ["person_category", "age", "sex", "village", "diseases", "disabilities", "pregnant", "callback",
                "name", "phone"]
API_FIELDS = ["jurisdiction_id", "service_code", "address_id", "description", "first_name", "last_name", "phone",
              "attribute[institution]", "attribute[event_date]", "attribute[id_number]"]


def _assert_safe(response):
    assert response.status_code < 500
    body = response.get_data(as_text=True)
    assert "<script>alert" not in body and "<img src=x" not in body and "\x00" not in body


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
@pytest.mark.parametrize("field", COMPLAINT_FIELDS)
def test_complaint_form_fields(page_client, field, payload):
    data = complaint_data()
    data["csrf_token"] = csrf(page_client, "/zixi/complaint")
    data[field] = payload
    response = page_client.post("/zixi/complaint", data=data)
    _assert_safe(response)
    if response.status_code == 303:
        # Free text is accepted as typed (it is escaped wherever shown); the receipt is safe too.
        assert field in ("description", "name", "anonymous") or payload == PAYLOADS["controls"]
        _assert_safe(page_client.get(response.headers["Location"]))
    elif response.status_code == 200:
        assert "需要改一下" in response.get_data(as_text=True)
    else:  # the honeypot; and NUL anywhere is refused outright (request_guard.py)
        assert response.status_code == 400 and (field == "website" or "\x00" in payload)


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
@pytest.mark.parametrize("field", QUERY_FIELDS)
def test_query_form_fields(page_client, field, payload):
    data = {"person_category": "poverty", "csrf_token": csrf(page_client, "/zixi/query"), field: payload}
    _assert_safe(page_client.post("/zixi/query", data=data))


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
@pytest.mark.parametrize("field", ["number", "code"])
def test_track_form_fields(page_client, field, payload):
    data = {"number": "ZX-2026-000001", "code": "12345678", "csrf_token": csrf(page_client, "/zixi/track")}
    data[field] = payload
    _assert_safe(page_client.post("/zixi/track", data=data))


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=PAYLOADS.keys())
@pytest.mark.parametrize("field", API_FIELDS)
def test_api_fields(page_client, field, payload):
    data = {"jurisdiction_id": "zixi", "service_code": "other", "address_id": "gaofu-gaofu",
            "description": "合理的描述文字", field: payload}
    response = page_client.post("/api/open311/v2/requests.json", data=data)
    assert response.status_code in (201, 400, 404)
    assert isinstance(response.json, list)
    _assert_safe(response)


@pytest.mark.parametrize("path, fields", [("/zixi/complaint", COMPLAINT_FIELDS), ("/zixi/query", QUERY_FIELDS),
                                          ("/zixi/track", ["number", "code"])])
def test_huge_strings_in_every_field_of_a_form(page_client, path, fields):
    data = {field: HUGE for field in fields if field not in ("csrf_token", "website")}
    data["csrf_token"] = csrf(page_client, path)
    response = page_client.post(path, data=data)
    _assert_safe(response)
    assert response.status_code in (200, 404) and "需要改一下" in response.get_data(as_text=True)


def test_a_huge_description_gets_a_message_and_keeps_the_rest(page_client):
    data = complaint_data(description=HUGE)
    data["csrf_token"] = csrf(page_client, "/zixi/complaint")
    page = page_client.post("/zixi/complaint", data=data).get_data(as_text=True)
    assert 'href="#description"' in page and "最多 2000 个字，现在有 34000 个字" in page
    assert 'value="13912345678"' in page and '<option value="gaofu_hc" selected>' in page


def test_huge_strings_in_every_api_field(page_client):
    response = page_client.post("/api/open311/v2/requests.json", data={field: HUGE for field in API_FIELDS})
    assert response.status_code in (400, 404) and response.json[0]["code"] == response.status_code


@pytest.mark.parametrize("payload", [*PAYLOADS.values(), HUGE], ids=[*PAYLOADS.keys(), "huge"])
def test_api_lookup_parameters(page_client, payload):
    from urllib.parse import quote

    for path in (f"/api/open311/v2/requests/{quote(payload[:3000], safe='')}.json?jurisdiction_id=zixi&token=1",
                 f"/api/open311/v2/requests/ZX-2026-000001.json?jurisdiction_id=zixi&token={quote(payload[:3000])}",
                 f"/api/open311/v2/services.json?jurisdiction_id={quote(payload[:3000])}"):
        response = page_client.get(path)
        assert response.status_code in (400, 404) and response.json[0]["code"] == response.status_code


@pytest.mark.parametrize("path", ["/zixi/complaint", "/zixi/query", "/zixi/track", "/api/open311/v2/requests.json"])
def test_bytes_that_are_not_utf8(page_client, path):
    body = b"description=%FF%FE%80abc&name=\xff\xfe&category=\xc3\x28&jurisdiction_id=zixi"
    response = page_client.post(path, data=body, content_type="application/x-www-form-urlencoded")
    _assert_safe(response)


@pytest.mark.parametrize("path", ["/zixi/complaint", "/zixi/query", "/zixi/track", "/api/open311/v2/requests.json"])
def test_an_empty_post(page_client, path):
    _assert_safe(page_client.post(path, data={}))


@pytest.mark.parametrize("path", ["/zixi/complaint", "/zixi/query", "/api/open311/v2/requests.json"])
def test_wrong_content_types(page_client, path):
    _assert_safe(page_client.post(path, data='{"description": "json"}', content_type="application/json"))
    _assert_safe(page_client.post(path, data="\x00" * 1000, content_type="multipart/form-data; boundary=x"))


def test_duplicated_fields_take_the_first_and_still_work(sqlite_app):
    from werkzeug.datastructures import MultiDict

    client = sqlite_app.test_client()
    data = MultiDict(complaint_data().items())
    data.add("category", "other")
    data.add("phone", "not a phone")
    data.add("csrf_token", csrf(client, "/zixi/complaint"))
    data.add("csrf_token", "forged")
    response = client.post("/zixi/complaint", data=data)
    assert response.status_code == 303


def test_a_body_over_the_size_limit_is_a_message(page_client):
    response = page_client.post("/zixi/complaint", data={"description": "x" * (5 * 1024 * 1024)})
    assert response.status_code == 413 and "太长" in response.get_data(as_text=True)


def test_control_characters_are_removed_before_storing(app):
    """Controls never reach the database (runs on both); NUL is refused before (test_forms_raw_input)."""
    from sqlalchemy import select

    from forms_app.models import Case

    client = app.test_client()
    response = client.post("/api/open311/v2/requests.json", data={
        "jurisdiction_id": "zixi", "service_code": "other", "address_id": "gaofu-gaofu",
        "description": "押金\x01问题\u202e很严重\x1b"})
    number = response.json[0]["service_request_id"]
    with app.extensions["forms_db"].reading() as s:
        assert s.scalars(select(Case.description).where(Case.number == number)).one() == "押金问题很严重"
