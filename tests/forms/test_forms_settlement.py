"""A complaint with a checked settlement slip (the slip check page's button, or the Open311
attribute `settlement`): the figures are checked again by the engine, stored on the case as
structured data (forms_app/settlement.py, migration 0007_settlement), and the staff case page
shows them as a table. Differences sent by a client are never taken as they are."""
from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from forms_app.models import Case
from policy.settlement import run_check
from .formhelpers import complaint_data, csrf
from .staffhelpers import staff_client

API = "/api/open311/v2"
# The second stay of the year: the funds after basic insurance paid nothing, the person paid it all.
SLIPS = [
    {"date": "2020-03-02", "kind": "inpatient", "hospital_level": "county", "total": "9000.00",
     "paid": {"basic": "6960.00", "supplementary": "1836.00", "assistance": "112.20"}, "self_pay": "91.80"},
    {"date": "2020-06-01", "kind": "inpatient", "hospital_level": "county", "total": "20000.00",
     "paid": {"basic": "15760.00"}, "self_pay": "4240.00"},
]
ATTACHED = {"category": "poverty", "slips": SLIPS}


@pytest.fixture
def app(module_app):
    """The cases these tests file go to a database of their own (conftest.py module_sqlite_url)."""
    return module_app


def _case(app, number) -> Case:
    with app.extensions["forms_db"].reading() as s:
        return s.scalars(select(Case).where(Case.number == number)).one()


def _expected(policy):
    return run_check(policy.service, {"jurisdiction": "zixi", "person": {"category": "poverty"}, "slips": SLIPS},
                     explain=False)


def _link():
    return "/zixi/complaint?" + urlencode({"village": "gaofu-gaofu", "category": "reimbursed_less",
                                           "settlement": json.dumps(ATTACHED, ensure_ascii=False)})


def test_the_link_fills_the_form_with_the_figures_and_the_engines_differences(app, policy):
    client = app.test_client()
    page = client.get(_link()).get_data(as_text=True)
    want = _expected(policy)
    assert 'id="settlement"' in page and 'name="settlement"' in page
    assert f"各项基金少报 <strong>{want['underpaid']} 元</strong>" in page
    rows = re.findall(r'<tr data-item="([a-z_]+)"><th scope="row">[^<]+</th><td class="num">([^<]+)</td>'
                      r'<td class="num">([^<]+)</td>', page)
    assert rows == [(d["item"], d["expected"], d["recorded"]) for s in want["slips"] for d in s["differences"]]
    assert re.search(r'value="reimbursed_less"[^>]*checked', page)
    assert f"少报了 {want['underpaid']} 元" in page  # the description, started for the resident


def test_the_complaint_stores_the_slip_and_the_staff_page_shows_the_table(app, policy):
    client = app.test_client()
    page = client.get(_link()).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    raw = re.search(r'type="hidden" name="settlement" value="([^"]+)"', page)
    assert raw
    data = complaint_data(category="reimbursed_less", institution="county_peoples",
                          description="出院结算时救助和补充保险都没有报。", csrf_token=token,
                          settlement=json.dumps(ATTACHED, ensure_ascii=False))
    response = client.post("/zixi/complaint", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    receipt = client.get(response.headers["Location"]).get_data(as_text=True)
    number = re.search(r'id="case-number">([^<]+)<', receipt).group(1)
    case = _case(app, number)
    assert case.settlement["answer"] == json.loads(json.dumps(_expected(policy)))
    assert case.settlement["slips"][1]["paid"] == {"basic": "15760.00"}
    staff, _ = staff_client(app, "admin")
    shown = staff.get(f"/staff/zixi/case/{number}").get_data(as_text=True)
    assert "附带的结算单核对" in shown
    table = re.findall(r'<tr data-item="([a-z_]+)"><th scope="row">([^<]+)</th><td class="num">([^<]+)</td>'
                       r'<td class="num">([^<]+)</td><td class="num">([^<]+)</td>', shown)
    want = [d for s in _expected(policy)["slips"] for d in s["differences"]]
    assert table == [(d["item"], d["name"], d["expected"], d["recorded"], d["difference"]) for d in want]


@pytest.mark.parametrize("attached, message", [
    ({"category": "poverty", "slips": SLIPS, "answer": {"underpaid": "99999.00"}}, "结算单数字应是"),
    ({"category": "poverty", "slips": [{**SLIPS[0], "self_pay": "1.234"}]}, "结算单数字有问题：slips[0].self_pay"),
    ({"category": "nobody", "slips": SLIPS}, "person.category"),
    ({"category": "poverty", "slips": [{**SLIPS[0], "paid": {"nosuch": "1"}}]}, "不认识的保障线"),
])
def test_bad_figures_are_refused_with_a_message(app, attached, message):
    client = app.test_client()
    data = complaint_data(category="reimbursed_less", institution="county_peoples", csrf_token=csrf(client, "/zixi/complaint"),
                          settlement=json.dumps(attached, ensure_ascii=False))
    response = client.post("/zixi/complaint", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.extensions["forms_db"].reading() as s:
        assert s.scalars(select(Case).where(Case.settlement.is_not(None), Case.description == data["description"])).all() == []


def test_the_api_takes_the_slip_as_an_attribute(app, policy):
    client = app.test_client()
    definition = client.get(f"{API}/services/reimbursed_less.json?jurisdiction_id=zixi").json
    assert "settlement" in [a["code"] for a in definition["attributes"]]
    created = client.post(f"{API}/requests.json", data={
        "jurisdiction_id": "zixi", "service_code": "reimbursed_less", "address_id": "gaofu-gaofu",
        "description": "结算单上医疗救助是 0 元", "attribute[settlement]": json.dumps(ATTACHED)})
    assert created.status_code == 201, created.json
    case = _case(app, created.json[0]["service_request_id"])
    assert case.settlement["answer"]["underpaid"] == _expected(policy)["underpaid"]
    bad = client.post(f"{API}/requests.json", data={
        "jurisdiction_id": "zixi", "service_code": "reimbursed_less", "address_id": "gaofu-gaofu",
        "description": "结算单上医疗救助是 0 元", "attribute[settlement]": "{not json"})
    assert bad.status_code == 400 and bad.json[0]["description"].startswith("attribute[settlement]: ")
