"""A wrong drug price (category drug_price): the resident picks the drug from the village clinic's
posted list, without script, and says what was charged, to the fen; staff see both prices."""
from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from sqlalchemy import create_engine, select, text

from forms_app.cli import upgrade
from forms_app.models import Case
from policy.drugs import clinic_list
from .formhelpers import complaint_data, csrf, file_complaint, main_text
from .staffhelpers import staff_client


@pytest.fixture
def app(module_app):
    """The cases these tests file go to a database of their own (conftest.py module_sqlite_url)."""
    return module_app


@pytest.fixture
def page_client(app):
    return app.test_client()

# The day the data gives the county price 7.80 for amoxicillin (8.50 before 2020-07-01).
DRUG = {"category": "drug_price", "village": "gaofu-gaofu", "institution": "village_clinic",
        "drug": "amoxicillin_caps", "charged": "9.50", "event_date": "2026-03-15",
        "description": "村卫生室买阿莫西林胶囊收了 9.5 元，公示栏上写的是 7.80 元。"}


def _case(app, number) -> Case:
    with app.extensions["forms_db"].reading() as s:
        return s.scalars(select(Case).where(Case.number == number)).one()


def _options(page: str) -> list[str]:
    select_html = re.search(r'<select class="select" id="drug".*?</select>', page, re.S).group(0)
    return re.findall(r'<option value="([^"]+)"', select_html)


def test_the_drug_select_of_a_preselected_village_is_its_clinics_posted_list(page_client, policy):
    page = page_client.get("/zixi/complaint?village=gaofu-gaofu&category=drug_price").get_data(as_text=True)
    j = policy.get("zixi")
    posted = clinic_list(j.drugs, "gaofu-gaofu", dt.date.today())
    assert _options(page) == [d["id"] for d in posted]  # every drug it posts, in the notice's order
    assert "glucose_250" not in _options(page)  # this clinic does not stock it
    assert "板蓝根颗粒 10g×20袋（公示 11.80 元/包）" in page  # the clinic's own price
    assert "<script" not in main_text(page_client.get("/zixi/complaint?village=gaofu-gaofu"))


def test_without_a_village_the_select_offers_the_county_list(page_client, policy):
    page = page_client.get("/zixi/complaint?category=drug_price").get_data(as_text=True)
    assert _options(page) == [d["id"] for d in policy.get("zixi").drugs["drugs"]]


def test_a_drug_price_complaint_stores_drug_charged_and_posted_price_in_fen(app, client):
    number, _ = file_complaint(client, **DRUG)
    case = _case(app, number)
    assert (case.drug, case.drug_price_charged_fen, case.drug_price_posted_fen) == ("amoxicillin_caps", 950, 780)


def test_the_posted_price_is_the_one_in_force_on_the_day_it_happened(app, client):
    number, _ = file_complaint(client, **{**DRUG, "event_date": "2020-06-30", "charged": "9"})
    assert (_case(app, number).drug_price_charged_fen, _case(app, number).drug_price_posted_fen) == (900, 850)


def test_another_category_stores_no_drug_even_if_one_was_chosen(app, client):
    number, _ = file_complaint(client, **{**DRUG, "category": "clinic_closed", "charged": "abc"})
    case = _case(app, number)
    assert (case.drug, case.drug_price_charged_fen, case.drug_price_posted_fen) == (None, None, None)


@pytest.mark.parametrize("charged, message", [
    ("", "请填写这种药实际收了多少钱"),
    ("九块五", "“九块五”不是金额：请只写数字"),
    ("9.505", "金额最多到分（元后面最多两位小数）"),
    ("0", "钱数要大于 0"),
    ("-3", "“-3”不是金额"),
    ("9，50", "逗号只能用来分千位"),
    ("200000", "钱数太大了"),
])
def test_a_bad_price_is_refused_with_a_chinese_message_and_keeps_the_values(page_client, charged, message):
    data = {**complaint_data(**DRUG), "charged": charged, "csrf_token": csrf(page_client, "/zixi/complaint")}
    response = page_client.post("/zixi/complaint", data=data)
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 200 and message in page
    assert 'href="#charged"' in page  # the error summary links to the field
    assert '<option value="amoxicillin_caps" selected>' in page


@pytest.mark.parametrize("charged, fen", [("9.5", 950), ("９．５０元", 950), (" 12 ", 1200), ("7.800", 780),
                                           ("1,200", 120000), ("0.12万", 120000), ("￥9.5", 950)])
def test_prices_are_read_to_the_fen(app, client, charged, fen):
    number, _ = file_complaint(client, **{**DRUG, "charged": charged})
    assert _case(app, number).drug_price_charged_fen == fen


def test_a_drug_the_clinic_does_not_post_or_no_drug_is_refused(page_client):
    for drug, message in (("glucose_250", "这个村的卫生室没有公示这种药的价格"), ("", "请选择是哪一种药"),
                          ("no_such_drug", "这个村的卫生室没有公示这种药的价格")):
        data = {**complaint_data(**{**DRUG, "drug": drug}), "csrf_token": csrf(page_client, "/zixi/complaint")}
        page = html.unescape(page_client.post("/zixi/complaint", data=data).get_data(as_text=True))
        assert message in page and 'href="#drug"' in page


def test_staff_case_page_shows_the_posted_price_beside_the_charged_price(app, client):
    number, _ = file_complaint(client, **DRUG)
    admin, _ = staff_client(app, "admin")
    page = admin.get(f"/staff/zixi/case/{number}").get_data(as_text=True)
    shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", re.search(r'id="drug-price">(.*?)</dd>', page, re.S).group(1)))
    assert "阿莫西林胶囊 0.25g×24粒：实收 9.50 元 · 公示 7.80 元 （比公示多收 1.70 元）" in shown
    assert "2026-03-15" in shown


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_a_database_of_the_previous_version_keeps_its_cases_through_the_migration(kind, tmp_path):
    from .test_forms_database import _drop, _empty_url
    from .formhelpers import PG
    if kind == "postgresql" and not PG:
        pytest.skip("PostgreSQL 不可达")
    url, schema = _empty_url(kind, tmp_path)
    try:
        upgrade(url, "0004")
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO cases (number, jurisdiction, kind, channel, status, description, anonymous, "
                              "lookup_hash, callback_requested, data_version, submitted_at, extended_days, "
                              "updated_at, row_version) VALUES ('ZX-2026-000001', 'zixi', 'complaint', 'web', "
                              "'submitted', '旧案件', false, 'h', false, 'v', '2026-01-01 00:00:00', 0, "
                              "'2026-01-01 00:00:00', 1)"))
        upgrade(url)
        with engine.begin() as conn:
            row = conn.execute(text("SELECT description, drug, drug_price_charged_fen FROM cases")).one()
            assert tuple(row) == ("旧案件", None, None)
            conn.execute(text("UPDATE cases SET drug = 'amoxicillin_caps', drug_price_charged_fen = 950"))
            assert conn.execute(text("SELECT drug_price_charged_fen FROM cases")).scalar() == 950
        engine.dispose()
    finally:
        _drop(schema)


API = "/api/open311/v2"
API_DRUG = {"jurisdiction_id": "zixi", "service_code": "drug_price", "address_id": "gaofu-gaofu",
            "attribute[institution]": "village_clinic", "attribute[event_date]": "2026-03-15",
            "attribute[drug]": "amoxicillin_caps", "attribute[drug_price_charged]": "9.50",
            "description": DRUG["description"]}


def test_the_api_describes_the_drug_and_price_attributes_of_a_drug_price_request(page_client, policy):
    attributes = page_client.get(f"{API}/services/drug_price.json?jurisdiction_id=zixi").json["attributes"]
    by_code = {a["code"]: a for a in attributes}
    assert by_code["drug"]["required"] and by_code["drug_price_charged"]["required"]
    assert [v["key"] for v in by_code["drug"]["values"]] == [d["id"] for d in policy.get("zixi").drugs["drugs"]]
    other = page_client.get(f"{API}/services/deposit_charged.json?jurisdiction_id=zixi").json["attributes"]
    assert "drug" not in {a["code"] for a in other}


def test_a_drug_price_request_through_the_api_stores_drug_and_both_prices(app, page_client):
    created = page_client.post(f"{API}/requests.json", data=API_DRUG)
    assert created.status_code == 201, created.get_data(as_text=True)
    case = _case(app, created.json[0]["service_request_id"])
    assert (case.channel, case.drug, case.drug_price_charged_fen, case.drug_price_posted_fen) == (
        "api", "amoxicillin_caps", 950, 780)


@pytest.mark.parametrize("change, field, phrase", [
    ({"attribute[drug]": ""}, "attribute[drug]", "请选择是哪一种药"),
    ({"attribute[drug]": "aspirin_gold"}, "attribute[drug]", "没有公示这种药"),
    ({"attribute[drug_price_charged]": "9.505"}, "attribute[drug_price_charged]", ""),
])
def test_a_drug_price_request_without_a_posted_drug_or_a_price_to_the_fen_is_refused(page_client, change, field, phrase):
    response = page_client.post(f"{API}/requests.json", data={**API_DRUG, **change})
    assert response.status_code == 400
    [error] = [e["description"] for e in response.json]
    assert error.startswith(f"{field}: ") and phrase in error
