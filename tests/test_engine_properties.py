"""Properties the engine must hold for any claims, found by hypothesis rather than by example."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from conftest import DATA
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from policy.claims import Claim
from policy.engine import Engine
from policy.loader import load_all
from policy.money import half_up
from policy.params import Keys

JURISDICTIONS, _ = load_all(DATA, run_examples=False)
ENGINES = {jid: Engine(j) for jid, j in JURISDICTIONS.items()}
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def fen(text: str) -> int:
    whole, cents = text.split(".")
    return int(whole) * 100 + int(cents)


# The strategies that depend only on the jurisdiction (and level) are made once, not at every
# draw: making them again for each of 2,400 cases of up to six claims was most of this file's time.
KINDS = st.sampled_from(["inpatient", "inpatient", "outpatient_general", "outpatient_chronic"])
LEVELS = {jid: st.sampled_from(sorted(j.levels)) for jid, j in JURISDICTIONS.items()}
CHRONIC = {jid: st.sampled_from(sorted(j.chronic_classes)) for jid, j in JURISDICTIONS.items()}
IN_COUNTY = {(jid, level): st.one_of(st.just(body["in_county"]), st.booleans())
             for jid, j in JURISDICTIONS.items() for level, body in j.levels.items()}
HOSPITALS = {(jid, level): st.one_of(st.none(), st.sampled_from(at_level))
             for jid, j in JURISDICTIONS.items() for level in j.levels
             if (at_level := sorted(h for h, body in j.hospitals.items() if body["level"] == level))}
DAYS = st.integers(0, 729)
JIDS = st.sampled_from(sorted(JURISDICTIONS))
CATEGORIES = {jid: st.sampled_from(sorted(j.categories)) for jid, j in JURISDICTIONS.items()}


@st.composite
def claim_st(draw, j, index):
    kind = draw(KINDS)
    level = draw(LEVELS[j.id])
    total = draw(st.integers(0, 60_000_000 if kind == "inpatient" else 2_000_000))
    ooc = draw(st.integers(0, total))
    sf = draw(st.integers(0, total - ooc))
    in_catalog = total - ooc - sf
    class_b = draw(st.integers(0, in_catalog)) if kind == "outpatient_general" else 0
    chronic = draw(CHRONIC[j.id]) if kind == "outpatient_chronic" else None
    in_county = draw(IN_COUNTY[j.id, level])
    day = dt.date(2019, 1, 1) + dt.timedelta(days=draw(DAYS))
    hospital = draw(HOSPITALS[j.id, level]) if (j.id, level) in HOSPITALS else None
    fee_items = {}
    waiver_items = ENGINES[j.id].waiver_items[kind]
    if waiver_items and in_catalog:
        for item in sorted(waiver_items):
            if draw(st.booleans()):
                fee_items[item] = draw(st.integers(0, max(0, in_catalog - sum(fee_items.values()))))
    return Claim(index, day, kind, level, in_county, total, ooc, sf, class_b, chronic, (), fee_items, None, hospital)


@st.composite
def case_st(draw, max_claims=6):
    j = JURISDICTIONS[draw(JIDS)]
    category = draw(CATEGORIES[j.id])
    n = draw(st.integers(1, max_claims))
    return j, category, [draw(claim_st(j, i)) for i in range(n)]


def compute(j, category, claims):
    return ENGINES[j.id].compute(category, claims, explain=False)


@SETTINGS
@given(case_st())
def test_reimbursed_plus_self_pay_is_the_total_to_the_fen(case):
    j, category, claims = case
    answer = compute(j, category, claims)
    for claim, out in zip(claims, answer["claims"], strict=True):
        layers = sum(fen(layer["paid"]) for layer in out["layers"])
        assert layers == fen(out["reimbursed"])
        assert fen(out["reimbursed"]) + fen(out["self_pay"]) == claim.total
    for year, totals in answer["year"].items():
        mine = [c for c in claims if str(c.date.year) == year]
        assert fen(totals["total"]) == sum(c.total for c in mine)
        assert fen(totals["reimbursed"]) + fen(totals["self_pay"]) == fen(totals["total"])


@SETTINGS
@given(case_st())
def test_no_layer_pays_a_negative_amount_or_more_than_the_claim(case):
    j, category, claims = case
    for claim, out in zip(claims, compute(j, category, claims)["claims"], strict=True):
        for layer in out["layers"]:
            assert 0 <= fen(layer["paid"]) <= claim.total
        assert fen(out["self_pay"]) >= 0


@SETTINGS
@given(case_st(max_claims=8))
def test_no_annual_cap_is_exceeded_over_a_year_of_claims(case):
    j, category, claims = case
    engine = ENGINES[j.id]
    answer = compute(j, category, claims)
    paid_by_pool: dict = {}
    limit_by_pool: dict = {}
    groups = j.groups_of[category]
    for claim, out in zip(claims, answer["claims"], strict=True):
        for layer, result in zip([x for x in engine.layers if claim.kind in x.kinds], out["layers"], strict=True):
            assert layer.id == result["id"]
            if layer.cap is None or layer.cap.extra["per"] != "year" or not result["applied"]:
                continue
            key = (claim.date.year, layer.pool("cap"))
            paid_by_pool[key] = paid_by_pool.get(key, 0) + fen(result["paid"])
            value, _ = layer.cap.lookup(Keys(category, groups, claim.level, claim.chronic_class, (),
                                             hospital=claim.hospital), claim.date)
            limit_by_pool[key] = min(limit_by_pool.get(key, value.value), value.value)
    for key, paid in paid_by_pool.items():
        assert paid <= limit_by_pool[key], key


@SETTINGS
@given(case_st(max_claims=6))
def test_the_poor_in_zixi_never_pay_more_than_ten_percent_of_a_stay_in_or_out_of_county(case):
    _, _, claims = case
    zixi = JURISDICTIONS["zixi"]
    # every inpatient stay (the backstop names no county limit) and class I chronic outpatient care
    claims = [replace(c, hospital=None) for c in claims if c.level in zixi.levels and not c.fee_items and (
        c.kind == "inpatient" or (c.kind == "outpatient_chronic" and c.chronic_class == "class1"))]
    for category in zixi.groups["poor"]["members"]:
        answer = compute(zixi, category, claims) if claims else {"claims": []}
        for claim, out in zip(claims, answer["claims"], strict=True):
            assert fen(out["self_pay"]) <= half_up(claim.total * 10, 100)


@SETTINGS
@given(case_st(max_claims=4), st.data())
def test_raising_a_claims_cost_never_lowers_what_is_reimbursed(case, data):
    j, category, claims = case
    i = data.draw(st.integers(0, len(claims) - 1))
    extra = data.draw(st.integers(1, 5_000_000))
    where = data.draw(st.sampled_from(["in_catalog", "out_of_catalog_necessary", "self_funded"]))
    before = compute(j, category, claims)
    c = claims[i]
    raised = replace(c, total=c.total + extra,
                     out_of_catalog_necessary=c.out_of_catalog_necessary + (extra if where == "out_of_catalog_necessary" else 0),
                     self_funded=c.self_funded + (extra if where == "self_funded" else 0))
    after = compute(j, category, claims[:i] + [raised] + claims[i + 1:])
    assert fen(after["claims"][i]["reimbursed"]) >= fen(before["claims"][i]["reimbursed"])
    year = str(c.date.year)
    assert fen(after["year"][year]["reimbursed"]) >= fen(before["year"][year]["reimbursed"])


@SETTINGS
@given(case_st(max_claims=5))
def test_results_do_not_depend_on_the_order_claims_are_listed_in(case):
    j, category, claims = case
    if len({c.date for c in claims}) < len(claims):
        return  # same-day claims are taken in input order, so order may matter there
    forward = compute(j, category, claims)
    flipped = [replace(c, index=i) for i, c in enumerate(reversed(claims))]
    backward = compute(j, category, flipped)
    for i, out in enumerate(forward["claims"]):
        twin = backward["claims"][len(claims) - 1 - i]
        assert [x["paid"] for x in out["layers"]] == [x["paid"] for x in twin["layers"]]
    assert forward["year"] == backward["year"]


@SETTINGS
@given(case_st(max_claims=5))
def test_explanations_never_change_the_money(case):
    j, category, claims = case
    plain = ENGINES[j.id].compute(category, claims, explain=False)
    explained = ENGINES[j.id].compute(category, claims, explain=True)
    compact = ENGINES[j.id].compute(category, claims, explain=False, compact=True)
    for a, b, c in zip(plain["claims"], explained["claims"], compact["claims"], strict=True):
        assert [x["paid"] for x in a["layers"]] == [x["paid"] for x in b["layers"]] == list(c["layers"].values())
        assert [x["id"] for x in a["layers"]] == list(c["layers"])
        assert a["self_pay"] == b["self_pay"] == c["self_pay"]
    assert plain["year"] == explained["year"] == compact["year"]
    payments = ENGINES[j.id].payments(category, claims)  # what the audit compares a slip with, in fen
    for (ids, pays, self_pay), c in zip(payments, compact["claims"], strict=True):
        assert dict(zip(ids, pays)) == {lid: fen(paid) for lid, paid in c["layers"].items()}
        assert self_pay == fen(c["self_pay"])


@SETTINGS
@given(case_st(max_claims=4))
def test_each_share_layer_explanation_adds_up_to_what_it_paid(case):
    j, category, claims = case
    answer = ENGINES[j.id].compute(category, claims, explain=True)
    for out in answer["claims"]:
        for layer in out["layers"]:
            explanation = layer.get("explanation")
            if not explanation or explanation["method"] != "share":
                continue
            assert sum(fen(p["paid"]) for p in explanation["parts"]) == fen(layer["paid"])
            if "cap" in explanation:
                cap = explanation["cap"]
                assert fen(cap["left_before"]) - fen(cap["left_after"]) == fen(layer["paid"])
            for key in explanation["parameters"]:
                assert key in answer["parameters"]
