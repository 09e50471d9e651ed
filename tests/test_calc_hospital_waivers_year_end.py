"""The calc contract's additions for issue 6: the hospital on a claim, hospital-specific values,
fee waivers for every outpatient kind, fee items no layer uses refused, and the discretionary
year-end compensation shown as a range beside the result, never added to it."""
from __future__ import annotations

from test_calc_contract import calc

POOR_STAY = {"date": "2020-05-06", "kind": "inpatient", "total": "10000.00", "fee_items": {"bed": "1000.00"}}


def case(jid, category, *claims):
    return {"jurisdiction": jid, "person": {"category": category}, "claims": list(claims)}


def layer(answer, lid, i=0):
    return next(x for x in answer["claims"][i]["layers"] if x["id"] == lid)


def test_the_bed_fee_waiver_is_30_percent_at_the_city_peoples_hospital_and_20_elsewhere(cli):
    _, at_city_peoples, _ = calc(cli, case("jixian", "poverty", {**POOR_STAY, "hospital": "city_peoples"}))
    _, other_city, _ = calc(cli, case("jixian", "poverty", {**POOR_STAY, "hospital_level": "city"}))
    assert layer(at_city_peoples, "fee_waiver")["paid"] == "300.00"
    assert layer(other_city, "fee_waiver")["paid"] == "200.00"
    explained = layer(at_city_peoples, "fee_waiver")["explanation"]
    assert explained["readings"][0]["label"] == "按本县理解" and "按本县理解：住院床位费减收比例" in explained["text"]
    assert at_city_peoples["claims"][0]["hospital"] == "city_peoples"
    assert at_city_peoples["claims"][0]["hospital_level"] == "city"  # the hospital says its level


def test_a_named_hospital_must_exist_and_agree_with_the_level(cli):
    code, out, err = calc(cli, case("jixian", "poverty", {**POOR_STAY, "hospital": "nowhere"}))
    assert (code, out) == (2, None) and "claims[0].hospital: 不认识的医院“nowhere”" in err
    code, out, err = calc(cli, case("jixian", "poverty", {**POOR_STAY, "hospital": "city_peoples",
                                                          "hospital_level": "county"}))
    assert (code, out) == (2, None)
    assert "claims[0].hospital_level: 双鸭山市人民医院是“" in err and "不一致" in err


def test_a_hospital_in_the_county_makes_the_stay_in_county_unless_the_claim_says_otherwise(cli):
    _, answer, _ = calc(cli, case("zixi", "poverty", {"date": "2020-05-06", "kind": "inpatient",
                                                      "hospital": "hecheng_hc", "total": "1000.00"}))
    assert answer["claims"][0]["in_county"] is True and answer["claims"][0]["hospital_level"] == "township"
    _, answer, _ = calc(cli, case("zixi", "poverty", {"date": "2020-05-06", "kind": "inpatient",
                                                      "hospital": "city_first", "total": "1000.00"}))
    assert answer["claims"][0]["in_county"] is False


def test_zixi_outpatient_pooling_pays_50_percent_at_the_county_tcm_hospital_only(cli):
    visit = {"date": "2020-05-06", "kind": "outpatient_general", "total": "200.00"}
    _, tcm, _ = calc(cli, case("zixi", "dibao", {**visit, "hospital": "county_tcm"}))
    _, peoples, _ = calc(cli, case("zixi", "dibao", {**visit, "hospital": "county_peoples"}))
    _, township, _ = calc(cli, case("zixi", "dibao", {**visit, "hospital_level": "township"}))
    assert layer(tcm, "outpatient_general")["paid"] == "100.00"
    assert layer(peoples, "outpatient_general")["paid"] == "0.00"
    assert "资溪县中医院" in layer(peoples, "outpatient_general")["reason"]
    assert layer(township, "outpatient_general")["paid"] == "156.00"


def test_chronic_outpatients_get_the_registration_and_diagnosis_waiver(cli):
    visit = {"date": "2020-05-06", "kind": "outpatient_chronic", "chronic_class": "class2",
             "hospital_level": "county", "total": "300.00", "fee_items": {"registration": "5.00", "diagnosis": "20.00"}}
    code, answer, err = calc(cli, case("jixian", "dibao", visit))
    assert (code, err) == (0, "")
    assert layer(answer, "fee_waiver")["paid"] == "25.00" and answer["claims"][0]["self_pay"] == "275.00"


def test_a_fee_item_no_layer_waives_for_that_kind_of_visit_is_refused(cli):
    code, out, err = calc(cli, case("jixian", "poverty", {**POOR_STAY, "hospital_level": "county",
                                                          "fee_items": {"registration": "5.00"}}))
    assert (code, out) == (2, None)
    assert "claims[0].fee_items.registration: 没有哪道保障线减免这一项（住院可填：bed、interventional、large_equipment）" in err
    code, out, err = calc(cli, case("zixi", "poverty", {**POOR_STAY, "hospital_level": "county"}))
    assert (code, out) == (2, None) and "claims[0].fee_items.bed" in err and "资溪县住院没有费用减免项目" in err


def test_a_fee_item_where_the_layer_does_not_apply_is_kept_and_not_waived(cli):
    # a general resident (the comparison too) may list fee items: nothing is waived, nothing refused
    code, answer, _ = calc(cli, case("jixian", "general", {**POOR_STAY, "hospital_level": "county"}))
    assert code == 0 and layer(answer, "fee_waiver")["paid"] == "0.00"


def test_the_year_end_compensation_is_shown_as_a_range_and_never_added(cli):
    _, answer, _ = calc(cli, case("jixian", "poverty", {**POOR_STAY, "hospital_level": "county"}))
    year = answer["year"]["2020"]
    assert year["discretionary"] == [{
        "id": "year_end", "name": "年底再补偿", "ratio_min": "0.05", "ratio_max": "0.10",
        "text": "年底可能再补偿5%–10%，视资金结余", "status": "official", "label": ""}]
    paid = sum(int(x["paid"].replace(".", "")) for x in answer["claims"][0]["layers"])
    assert int(answer["claims"][0]["reimbursed"].replace(".", "")) == paid  # nothing added
    # the general-resident comparison gets none, and neither does a year without inpatient care
    assert answer["baseline"]["year"]["2020"]["discretionary"] == []
    _, outpatient, _ = calc(cli, case("jixian", "poverty", {"date": "2020-05-06", "kind": "outpatient_general",
                                                            "hospital_level": "county", "total": "50.00"}))
    assert outpatient["year"]["2020"]["discretionary"] == []


def test_the_year_end_range_is_the_same_without_explanations(cli):
    _, plain, _ = calc(cli, case("jixian", "dibao", {**POOR_STAY, "hospital_level": "county"}), "--no-explain")
    assert plain["year"]["2020"]["discretionary"][0]["text"] == "年底可能再补偿5%–10%，视资金结余"


def test_a_breakdown_by_hospital_must_say_what_other_hospitals_get(cli, data_copy):
    from test_check_errors import check, plant
    plant(data_copy, "jixian/layers.yaml", "            other: {2019-01-01: {value: 0.20, quote: 减收住院床费20﹪}}\n", "")
    code, lines = check(cli, data_copy)
    assert code == 1
    assert any("jixian/layers.yaml" in x and "layers[0].items[2].rate" in x and "按医院区分时要写 other" in x
               for x in lines)


def test_a_hospital_named_in_the_data_must_exist(cli, data_copy):
    from test_check_errors import check, plant
    line = plant(data_copy, "zixi/layers.yaml", "      hospitals: [county_tcm, chronic_clinic]", "      hospitals: [county_tmc, chronic_clinic]")
    code, lines = check(cli, data_copy)
    assert code == 1
    assert any(f"zixi/layers.yaml:{line}: layers[11].applies_to.hospitals[0]: “county_tmc”没有定义" in x for x in lines)
