"""Issue 21: the sample data's second reading against seeds 001 and 004.

Readings stated as firmly as the seeds allow (interpreted, with the alternative computed in a
worked example), and the provisions that were missing: zixi's chronic-disease clinic at 78%,
class I chronic costs through 大病/补充/救助 "参照住院医疗待遇", jixian's outpatient pooling, the
maternal and newborn programmes, and no programme of another county on jixian's outputs.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from policy.alternatives import alternative_in_place, find_param
from policy.cases import Service, run_calc
from test_check_errors import check, plant


def calc(service, jid, category, *claims):
    return run_calc(service, {"jurisdiction": jid, "person": {"category": category}, "claims": list(claims)})


def paid(answer, i=0):
    return {layer["id"]: layer["paid"] for layer in answer["claims"][i]["layers"]}


# ------------------------------------------------------------------ readings

def test_jixian_ratio_bonus_is_interpreted_with_the_cumulative_reading(jurisdictions):
    param = find_param(jurisdictions["jixian"], "layers.basic.ratio_bonus")
    poor = {keys[-1][1]: series.values[0] for keys, series in param.series() if keys[0][1] == "poor"}
    assert {k: v.status for k, v in poor.items()} == dict.fromkeys(("township", "county", "city", "outside"), "interpreted")
    assert {k: v.alternatives[0].value for k, v in poor.items()} == {
        "township": Decimal("0.10"), "county": Decimal("0.15"), "city": Decimal("0.10"), "outside": Decimal("0.10")}


def test_an_alternative_is_put_back_after_computing_with_it(jurisdictions, service):
    j = jurisdictions["jixian"]
    stay = {"date": "2020-04-08", "kind": "inpatient", "hospital_level": "county", "total": "10000.00"}
    with alternative_in_place(j, "layers.basic.ratio_bonus", 1):
        assert paid(calc(Service({"jixian": j}), "jixian", "poverty", stay))["basic"] == "7680.00"
    assert paid(calc(Service({"jixian": j}), "jixian", "poverty", stay))["basic"] == "7200.00"


@pytest.mark.parametrize("jid, name", [("zixi", "layers.assistance.cap"), ("jixian", "layers.critical.cap")])
def test_caps_the_seed_gives_no_period_are_interpreted_per_year(jurisdictions, jid, name):
    param = find_param(jurisdictions[jid], name)
    values = [v for keys, series in param.series() for v in series.values
              if not keys or keys[0][1] not in ("general", "other")]
    assert values and all(v.status == "interpreted" for v in values)
    assert all("不按年重新计算" in v.alternatives[0].reading for v in values)


def test_a_worked_example_with_a_wrong_alternative_result_fails_the_check(cli, data_copy):
    line = plant(data_copy, "jixian/examples/readings.yaml",
                 '          - layers: {basic: "7680.00", critical: "0.00"}\n            reimbursed: "7680.00"',
                 '          - layers: {basic: "7700.00", critical: "0.00"}\n            reimbursed: "7680.00"')
    code, lines = check(cli, data_copy)
    assert code == 1
    assert any("reading.output.claims[0].layers.basic: 应为 7700.00，计算得 7680.00" in x for x in lines), lines
    assert line > 0


def test_a_reading_without_a_number_is_refused_by_name(cli, data_copy):
    # the II类 cap's second alternative ("平均" gives no per-disease number) cannot be computed
    plant(data_copy, "zixi/examples/outpatient.yaml",
          "      parameter: layers.chronic_class2.cap\n      alternative: 1",
          "      parameter: layers.chronic_class2.cap\n      alternative: 2")
    code, lines = check(cli, data_copy)
    assert code == 1
    assert any("第 2 种理解没有数字" in x for x in lines), lines


# ------------------------------------------------------------------ zixi provisions

def test_the_chronic_disease_clinic_pays_78_percent_not_the_tcm_hospitals_50(service):
    visit = {"date": "2020-06-09", "kind": "outpatient_general", "total": "300.00", "self_funded": "20.00",
             "class_b": "100.30"}
    # (280.00 − 10.03) × 0.78 = 210.5766 → 210.58; at 县中医院 × 0.50 = 134.985 → 134.99
    assert paid(calc(service, "zixi", "poverty", {**visit, "hospital": "chronic_clinic"}))["outpatient_general"] == "210.58"
    assert paid(calc(service, "zixi", "poverty", {**visit, "hospital": "county_tcm"}))["outpatient_general"] == "134.99"
    # 县人民医院 itself is still not named by the seed
    assert paid(calc(service, "zixi", "poverty", {**visit, "hospital": "county_peoples"}))["outpatient_general"] == "0.00"


def test_class_one_chronic_costs_go_through_critical_supplementary_and_assistance(service):
    visit = {"date": "2020-09-28", "kind": "outpatient_chronic", "hospital_level": "city", "total": "10000.00",
             "chronic_class": "class1", "diseases": ["cancer_outpatient"]}
    answer = calc(service, "zixi", "dibao", visit)
    # 6000 basic; 4000 into the yearly deductible; 90% supplementary; 75% assistance; no backstop needed
    assert paid(answer) == {"chronic_class1": "6000.00", "chronic_class2": "0.00", "chronic1_critical": "0.00",
                            "chronic1_supplementary": "3600.00", "chronic1_assistance": "300.00",
                            "chronic_backstop": "0.00"}
    # the old model: 6000 basic, then the backstop alone brought self-pay to 10% (1000.00)
    assert answer["claims"][0]["self_pay"] == "100.00"


def test_class_one_chronic_and_inpatient_share_one_critical_deductible(service):
    chronic = {"date": "2020-03-01", "kind": "outpatient_chronic", "hospital_level": "county", "total": "10000.00",
               "chronic_class": "class1", "diseases": ["uremia_dialysis"]}
    stay = {"date": "2020-06-01", "kind": "inpatient", "hospital_level": "county", "total": "40000.00"}
    alone = calc(service, "zixi", "general", stay)
    after = calc(service, "zixi", "general", chronic, stay)
    # general resident: the chronic visit leaves 10000 × 50% = 5000 in catalog, used against 11892.60
    assert after["claims"][0]["layers"][2]["explanation"]["deductible"]["used"] == "5000.00"
    # the stay leaves (40000 − 300) × 20% = 8240.00: alone below 11892.60, after the visit
    # (8240.00 − 6892.60) × 50% = 673.70
    assert paid(alone)["critical"] == "0.00"
    assert paid(after, 1)["critical"] == "673.70"


# ------------------------------------------------------------------ jixian provisions

def test_jixian_outpatient_claims_are_computed_and_marked_illustrative(service):
    answer = calc(service, "jixian", "poverty",
                  {"date": "2020-03-02", "kind": "outpatient_general", "hospital_level": "township", "total": "500.00"})
    layer = next(x for x in answer["claims"][0]["layers"] if x["id"] == "outpatient_general")
    assert layer["paid"] == "300.00"
    assert {r["label"] for r in layer["explanation"]["readings"]} == {"示例数字"}


def test_jixian_programs_are_this_countys_only(jurisdictions):
    programs = {p["id"]: p for p in jurisdictions["jixian"].programs}
    assert "two_cancer_screening" not in programs  # only 重庆市忠县's speech names it
    assert {"folic_acid", "delivery_subsidy", "newborn_screening"} <= set(programs)
    for p in programs.values():
        assert p["reference"].source != "speech_zhongxian", p["id"]
    major = programs["major_disease_treatment"]  # said of 饶河县: kept only as the province's scheme
    assert major["status"] == "interpreted" and "省" in major["reason"] and major["alternatives"]
