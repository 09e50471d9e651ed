"""`build.py calc` follows the contract of policy-model.md §3 exactly: other tools call it."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builder.cli import respond

DESIGN_CASE = {
    "jurisdiction": "zixi",
    "person": {"category": "poverty"},
    "claims": [{"date": "2020-06-01", "kind": "inpatient", "hospital_level": "county", "in_county": True,
                "total": "20000.00", "out_of_catalog_necessary": "1000.00", "self_funded": "500.00"}],
}


def calc(cli, case, *args):
    code, out, err = cli(["calc", *args], json.dumps(case, ensure_ascii=False))
    return code, (json.loads(out) if out else None), err


def test_the_design_documents_case_is_answered_layer_by_layer(cli):
    code, answer, err = calc(cli, DESIGN_CASE)
    assert (code, err) == (0, "")
    claim = answer["claims"][0]
    assert {layer["id"]: layer["paid"] for layer in claim["layers"]} == {
        "basic": "14560.00", "critical": "0.00", "supplementary": "4296.00",
        "assistance": "216.70", "backstop": "0.00"}
    assert (claim["reimbursed"], claim["self_pay"]) == ("19072.70", "927.30")
    assert answer["year"]["2020"]["self_pay"] == "927.30"
    assert answer["year"]["2020"]["monitoring_alert"] is False


def test_an_array_of_cases_is_answered_with_an_array_in_the_same_order(cli):
    general = {**DESIGN_CASE, "person": {"category": "general"}}
    code, answer, _ = calc(cli, [general, DESIGN_CASE])
    assert code == 0 and isinstance(answer, list) and len(answer) == 2
    assert [a["category"] for a in answer] == ["general", "poverty"]
    assert answer[1]["claims"][0]["reimbursed"] == "19072.70"


def test_money_comes_out_as_strings_with_exactly_two_decimals(cli):
    code, answer, _ = calc(cli, DESIGN_CASE)

    def money_fields(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("paid", "reimbursed", "self_pay", "total", "in_catalog"):
                    yield value
                yield from money_fields(value)
        elif isinstance(node, list):
            for item in node:
                yield from money_fields(item)

    values = list(money_fields(answer))
    assert values and all(isinstance(v, str) and v.count(".") == 1 and len(v.split(".")[1]) == 2 for v in values)


def test_money_may_come_in_as_json_numbers_and_is_read_exactly(cli):
    as_numbers = json.loads(json.dumps(DESIGN_CASE))
    claim = as_numbers["claims"][0]
    claim["total"], claim["out_of_catalog_necessary"], claim["self_funded"] = 20000, 1000.0, 500.00
    code, answer, _ = calc(cli, as_numbers)
    assert code == 0
    assert answer["claims"][0]["reimbursed"] == "19072.70"
    # 0.1 + 0.2 style amounts stay exact: 100.10 is not 100.09999…
    claim["total"], claim["out_of_catalog_necessary"], claim["self_funded"] = 100.10, 0, 0
    code, answer, _ = calc(cli, as_numbers)
    assert answer["claims"][0]["total"] == "100.10"


def test_in_county_defaults_by_hospital_level_and_can_be_overridden(cli):
    case = json.loads(json.dumps(DESIGN_CASE))
    del case["claims"][0]["in_county"]
    for level, default in (("township", True), ("county", True), ("city", False), ("outside", False)):
        case["claims"][0]["hospital_level"] = level
        _, answer, _ = calc(cli, case)
        assert answer["claims"][0]["in_county"] is default
    case["claims"][0]["in_county"] = True
    _, answer, _ = calc(cli, case)
    assert answer["claims"][0]["in_county"] is True


def test_claims_come_back_in_input_order_but_are_computed_in_date_order(cli):
    early = {"date": "2020-03-01", "kind": "inpatient", "hospital_level": "county", "total": "30000.00"}
    late = {**early, "date": "2020-09-01"}
    base = {"jurisdiction": "zixi", "person": {"category": "general"}}
    _, forward, _ = calc(cli, {**base, "claims": [early, late]})
    _, backward, _ = calc(cli, {**base, "claims": [late, early]})
    assert [c["date"] for c in backward["claims"]] == ["2020-09-01", "2020-03-01"]
    assert backward["claims"][0]["reimbursed"] == forward["claims"][1]["reimbursed"]
    assert backward["claims"][1]["reimbursed"] == forward["claims"][0]["reimbursed"]
    # the annual critical-illness deductible is used up by the March stay, not the September one
    assert forward["claims"][0]["reimbursed"] != forward["claims"][1]["reimbursed"]


def test_each_layer_explains_its_arithmetic_and_cites_its_parameters(cli):
    _, answer, _ = calc(cli, DESIGN_CASE)
    basic = answer["claims"][0]["layers"][0]["explanation"]
    part = basic["parts"][0]
    assert (part["base"], part["deductible_used"], part["ratio"], part["paid"]) == ("18500.00", "300.00", "0.80", "14560.00")
    assert basic["cap"] == {"amount": "150000.00", "per": "year", "left_before": "150000.00", "left_after": "135440.00"}
    cited = [answer["parameters"][key] for key in basic["parameters"]]
    ratio = next(p for p in cited if p["name"] == "layers.basic.ratio")
    assert ratio["from"] == "2019-01-01" and ratio["status"] == "derived" and ratio["label"] == ""
    assert ratio["quote"].startswith("三是将门诊特殊慢性病报销比例提高到住院水平")
    deductible = next(p for p in cited if p["name"] == "layers.basic.deductible")
    assert deductible["illustrative"] is True and deductible["label"] == "示例数字"
    assert {"what": deductible["description"], "label": "示例数字", "status": "illustrative",
            "parameter": next(k for k in basic["parameters"] if k.startswith("layers.basic.deductible"))} in basic["readings"]
    assert basic["text"].endswith("）") and "示例数字：基本医疗保险住院起付线" in basic["text"]
    critical = answer["claims"][0]["layers"][1]["explanation"]
    assert critical["deductible"]["left_after"] == "2006.30"  # 5946.30 − 3940.00
    ref = next(answer["parameters"][k] for k in critical["parameters"] if k.startswith("layers.critical.deductible"))
    assert ref["reference"]["clause"] == "二(一)1" and ref["value"] == "5946.30"
    # an interpreted value says so, and carries the readings it was chosen over
    assert ref["status"] == "interpreted" and ref["label"] == "按本县理解"
    assert ref["alternatives"][0] == {"value": "50000.00", "reading": ref["alternatives"][0]["reading"]}
    assert ref["alternatives"][1]["value"] == "5946.30" and "60%" in ref["alternatives"][1]["reading"]
    assert "5946.3" in ref["quote"] and ref["reason"]


def test_the_answer_shows_what_a_general_resident_would_get(cli):
    _, answer, _ = calc(cli, DESIGN_CASE)
    baseline = answer["baseline"]
    assert baseline["category"] == "general"
    # general: basic 14560.00; critical: (3940 − 11892.60 deductible) → 0; nothing else
    assert baseline["claims"][0]["reimbursed"] == "14560.00"
    assert baseline["year"]["2020"]["monitoring_alert"] is True  # 5440.00 > 5000.00


def test_no_explain_leaves_out_the_arithmetic_but_not_the_money(cli):
    _, full, _ = calc(cli, DESIGN_CASE)
    _, brief, _ = calc(cli, DESIGN_CASE, "--no-explain")
    assert "explanation" not in json.dumps(brief)
    assert [x["paid"] for x in brief["claims"][0]["layers"]] == [x["paid"] for x in full["claims"][0]["layers"]]


BAD = [
    ("not json", "{", "JSON"),
    ("unknown jurisdiction", {**DESIGN_CASE, "jurisdiction": "nowhere"}, "jurisdiction"),
    ("unknown category", {**DESIGN_CASE, "person": {"category": "rich"}}, "person.category"),
    ("unknown level", {**DESIGN_CASE, "claims": [{**DESIGN_CASE["claims"][0], "hospital_level": "moon"}]},
     "claims[0].hospital_level"),
    ("negative amount", {**DESIGN_CASE, "claims": [{**DESIGN_CASE["claims"][0], "total": "-1.00"}]},
     "claims[0].total"),
    ("three decimals", {**DESIGN_CASE, "claims": [{**DESIGN_CASE["claims"][0], "self_funded": "1.005"}]},
     "claims[0].self_funded"),
    ("parts larger than total", {**DESIGN_CASE, "claims": [{**DESIGN_CASE["claims"][0], "self_funded": "19500.00"}]},
     "claims[0].total"),
    ("no policy in force", {**DESIGN_CASE, "claims": [{**DESIGN_CASE["claims"][0], "date": "2010-01-01"}]},
     "2010-01-01"),
    ("bad date", {**DESIGN_CASE, "claims": [{**DESIGN_CASE["claims"][0], "date": "2020-02-30"}]}, "claims[0].date"),
    ("unknown field", {**DESIGN_CASE, "claims": [{**DESIGN_CASE["claims"][0], "totl": "5.00"}]}, "claims[0].totl"),
    ("boolean money", {**DESIGN_CASE, "claims": [{**DESIGN_CASE["claims"][0], "total": True}]}, "claims[0].total"),
    ("empty claims", {**DESIGN_CASE, "claims": []}, "claims"),
    ("fee items where none are waived", {**DESIGN_CASE, "claims": [{**DESIGN_CASE["claims"][0],
                                                                     "fee_items": {"bed": "10.00"}}]},
     "claims[0].fee_items"),
]


@pytest.mark.parametrize("what, case, field", BAD, ids=[b[0] for b in BAD])
def test_bad_input_exits_2_naming_the_field_and_prints_nothing_on_stdout(cli, what, case, field):
    text = case if isinstance(case, str) else json.dumps(case, ensure_ascii=False)
    code, out, err = cli(["calc"], text)
    assert code == 2
    assert out == ""
    assert field in err
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err)  # a Chinese explanation


def test_every_problem_is_listed_not_just_the_first(cli):
    claim = {**DESIGN_CASE["claims"][0], "total": "-5", "hospital_level": "moon", "kind": "dental"}
    code, out, err = cli(["calc"], json.dumps({**DESIGN_CASE, "person": {"category": "rich"}, "claims": [claim]}))
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    for field in ("person.category", "claims[0].total", "claims[0].hospital_level", "claims[0].kind"):
        assert sum(field in line for line in lines) == 1, (field, lines)


def test_a_bad_case_in_an_array_is_named_by_its_position_and_nothing_is_computed(cli):
    bad = {**DESIGN_CASE, "person": {"category": "rich"}}
    code, out, err = cli(["calc"], json.dumps([DESIGN_CASE, bad]))
    assert code == 2 and out == ""
    assert "[1].person.category" in err


def test_the_real_command_line_reads_stdin_and_exits_2_on_bad_input():
    run = subprocess.run([sys.executable, "build.py", "calc"], cwd=ROOT, capture_output=True, text=True,
                         input=json.dumps(DESIGN_CASE))
    assert run.returncode == 0 and json.loads(run.stdout)["claims"][0]["self_pay"] == "927.30"
    bad = subprocess.run([sys.executable, "build.py", "calc"], cwd=ROOT, capture_output=True, text=True,
                         input='{"jurisdiction": "zixi"}')
    assert bad.returncode == 2 and bad.stdout == "" and "person" in bad.stderr and "claims" in bad.stderr


@pytest.mark.parametrize("stdin, phrase", [
    (b"", "空"),
    (b"\xff\xfe{}", "UTF-8"),
    (b"[" * 100_000 + b"]" * 100_000, "JSON"),
    (b'{"jurisdiction": "zixi", "claims": NaN}', "JSON"),
], ids=["empty", "not utf-8", "nested too deep", "NaN"])
def test_unreadable_input_is_refused_with_exit_2_and_no_traceback(stdin, phrase):
    run = subprocess.run([sys.executable, "build.py", "calc"], cwd=ROOT, capture_output=True, input=stdin)
    assert run.returncode == 2 and run.stdout == b""
    err = run.stderr.decode("utf-8")
    assert phrase in err and "Traceback" not in err


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**12, 10**12) | st.text(max_size=12)
    | st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_any_garbage_in_any_field_is_answered_or_refused_never_crashes(service, data):
    case = json.loads(json.dumps(DESIGN_CASE))
    where = data.draw(st.sampled_from(["case", "person", "claim"]))
    target = {"case": case, "person": case["person"], "claim": case["claims"][0]}[where]
    key = data.draw(st.sampled_from(sorted(target) + ["extra"]))
    target[key] = data.draw(JSON_VALUES)
    code, out, errors = respond("calc", service, json.dumps(case, ensure_ascii=False))
    assert code in (0, 2)
    if code == 2:
        assert out == "" and errors and all(isinstance(e, str) and e for e in errors)
    else:
        assert json.loads(out)["claims"]


def test_no_compare_leaves_out_the_general_resident_comparison_only(cli):
    _, full, _ = calc(cli, DESIGN_CASE, "--no-explain")
    _, bare, _ = calc(cli, DESIGN_CASE, "--no-explain", "--no-compare")
    assert "baseline" in full and "baseline" not in bare
    assert bare["claims"] == full["claims"] and bare["year"] == full["year"]
