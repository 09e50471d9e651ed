"""`build.py eligible`: which programs apply to a person, why, what to do, and where."""
from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_calc_contract import JSON_VALUES

from builder.cli import respond


def ask(cli, case):
    code, out, err = cli(["eligible"], json.dumps(case, ensure_ascii=False))
    assert (code, err) == (0, ""), err
    return json.loads(out)


def ids(answer, key):
    return {p["id"] for p in answer[key]}


ELDER = {"jurisdiction": "zixi", "date": "2020-06-01",
         "person": {"category": "poverty", "age": 70, "sex": "male", "village": "hecheng-dajue"}}


def test_a_poor_elder_gets_family_doctor_and_moxibustion_with_the_reasons(cli):
    answer = ask(cli, ELDER)
    assert {"family_doctor", "free_checkup", "moxibustion_elderly"} <= ids(answer, "eligible")
    moxa = next(p for p in answer["eligible"] if p["id"] == "moxibustion_elderly")
    why = "；".join(moxa["why"])
    assert "其他建档立卡贫困人口" in why and "70周岁" in why


def test_what_to_do_names_the_persons_own_village_clinic_doctor_and_phone(cli):
    answer = ask(cli, ELDER)
    doctor = next(p for p in answer["eligible"] if p["id"] == "family_doctor")
    clinic = next(w for w in doctor["what_to_do"]["where"] if w["kind"] == "village_clinic")
    assert clinic["name"] == "大觉村卫生室" and clinic["phone"] == "13800000001"
    assert "王某甲" in clinic["doctors"] and clinic["township"] == "鹤城镇"
    centre = next(w for w in doctor["what_to_do"]["where"] if w["kind"] == "township_health_center")
    assert centre["name"]  # the township comes from the village
    assert doctor["reference"]["clause"] and doctor["reference"]["title"]


def test_a_man_is_told_why_the_two_cancer_screening_is_not_for_him(cli):
    answer = ask(cli, ELDER)
    screening = next(p for p in answer["not_eligible"] if p["id"] == "two_cancer_screening")
    assert any("女性" in reason for reason in screening["why"])


def test_a_missing_age_asks_for_it_instead_of_saying_no(cli):
    answer = ask(cli, {"jurisdiction": "zixi", "date": "2020-06-01",
                       "person": {"category": "dibao", "sex": "female"}})
    waiting = {p["id"]: p for p in answer["need_more_info"]}
    assert "two_cancer_screening" in waiting
    assert any("年龄" in m for m in waiting["two_cancer_screening"]["missing"])


def test_age_limits_are_inclusive_at_both_ends(cli):
    base = {"jurisdiction": "jixian", "date": "2020-06-01"}  # folic acid: women 18–49 (按本县理解)
    for age, expected in ((17, False), (18, True), (49, True), (50, False)):
        answer = ask(cli, {**base, "person": {"category": "poverty", "sex": "female", "age": age}})
        assert ("folic_acid" in ids(answer, "eligible")) is expected, age


def test_a_disabled_child_of_any_category_gets_rehabilitation(cli):
    answer = ask(cli, {"jurisdiction": "zixi", "date": "2020-06-01",
                       "person": {"category": "general", "age": 5, "disabilities": ["hearing"]}})
    assert "disabled_children_rehab" in ids(answer, "eligible")
    assert "family_doctor" in ids(answer, "not_eligible")  # for the poor in this county


def test_a_household_is_answered_member_by_member(cli):
    answer = ask(cli, {"jurisdiction": "zixi", "date": "2020-06-01", "household": [
        {"name": "户主", "category": "dibao", "age": 66, "sex": "male"},
        {"name": "女儿", "category": "dibao", "age": 40, "sex": "female"}]})
    head, daughter = answer["household"]
    assert head["name"] == "户主" and "moxibustion_elderly" in ids(head, "eligible")
    assert "two_cancer_screening" in ids(daughter, "eligible")
    assert "moxibustion_elderly" not in ids(daughter, "eligible")


BAD = [
    ("unknown village", {"person": {"category": "poverty", "village": "nowhere"}}, "person.village"),
    ("village outside the township", {"person": {"category": "poverty", "township": "gaofu",
                                                 "village": "hecheng-dajue"}}, "person.village"),
    ("age as text", {"person": {"category": "poverty", "age": "seventy"}}, "person.age"),
    ("unknown disability", {"person": {"category": "poverty", "disabilities": ["wings"]}}, "person.disabilities"),
    ("unknown disease", {"person": {"category": "poverty", "diseases": ["flu"]}}, "person.diseases"),
    ("both person and household", {"person": {"category": "poverty"}, "household": []}, "person"),
    ("bad date", {"date": "2020-02-30", "person": {"category": "poverty"}}, "date"),
]


@pytest.mark.parametrize("what, case, field", BAD, ids=[b[0] for b in BAD])
def test_bad_input_exits_2_naming_the_field_with_nothing_on_stdout(cli, what, case, field):
    code, out, err = cli(["eligible"], json.dumps({"jurisdiction": "zixi", **case}))
    assert code == 2 and out == ""
    assert field in err
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["jurisdiction", "date", "person", "household", "extra"] + [f"person.{k}" for k in (
    "category", "age", "sex", "diseases", "chronic_class", "disabilities", "pregnant", "township", "village",
    "name")]), JSON_VALUES)
def test_any_garbage_in_any_field_is_answered_or_refused_never_crashes(service, field, value):
    case = json.loads(json.dumps(ELDER))
    if field.startswith("person."):
        case["person"][field.split(".", 1)[1]] = value
    else:
        case[field] = value
    code, out, errors = respond("eligible", service, json.dumps(case, ensure_ascii=False))
    assert code in (0, 2)
    assert (out == "" and errors) if code == 2 else json.loads(out)["jurisdiction"] == "zixi"
