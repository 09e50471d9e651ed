"""Every worked example in policy_data/*/examples runs against the Python engine."""
import pytest
from conftest import DATA

from policy.examples import run_example
from policy.loader import load_all

JURISDICTIONS, PROBLEMS = load_all(DATA, run_examples=False)
EXAMPLES = [(j, ex) for j in JURISDICTIONS.values() for ex in j.examples]


def test_sample_data_loads_without_problems():
    assert PROBLEMS == []


@pytest.mark.parametrize("jurisdiction, example", EXAMPLES,
                         ids=[f"{j.id}:{ex['name']}" for j, ex in EXAMPLES])
def test_worked_example_matches_engine(jurisdiction, example):
    _, mismatches = run_example(jurisdiction, example)
    assert mismatches == []


def test_issue_minimums_of_worked_examples_are_met():
    def count(jid, kind):
        return sum(1 for ex in JURISDICTIONS[jid].examples if ex["kind"] == kind)
    assert count("zixi", "calc") >= 30
    assert count("jixian", "calc") >= 10


def test_zixi_examples_cover_every_layer_category_and_level():
    zixi = JURISDICTIONS["zixi"]
    layers_paid, categories, levels, in_county = set(), set(), set(), set()
    for ex in zixi.examples:
        if ex["kind"] != "calc":
            continue
        answer, _ = run_example(zixi, ex)
        categories.add(answer["category"])
        for claim in answer["claims"]:
            levels.add(claim["hospital_level"])
            in_county.add(claim["in_county"])
            layers_paid |= {layer["id"] for layer in claim["layers"] if layer["paid"] != "0.00"}
    assert layers_paid == {layer["id"] for layer in zixi.layers}
    assert categories == set(zixi.categories)
    assert levels == set(zixi.levels)
    assert in_county == {True, False}


def test_a_changed_expectation_is_reported(jurisdictions):
    zixi = jurisdictions["zixi"]
    example = next(ex for ex in zixi.examples if ex["kind"] == "calc" and ex["output"].get("claims"))
    broken = {**example, "output": {"claims": [{"reimbursed": "0.01"}]}}
    _, mismatches = run_example(zixi, broken)
    assert any("claims[0].reimbursed" in m and "0.01" in m for m in mismatches)
