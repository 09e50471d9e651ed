"""The slip check page (核对我的结算单) in Chromium at 360×640, opened from file:// with every
network request refused: a resident copies a slip on which funds paid too little, the page lists
each difference exactly as policy.settlement.run_check does, with the rule, its date, its quote
and its reading mark, and offers the complaint form with the figures in its address."""
from __future__ import annotations

import contextlib
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from calc_browser import claim_boxes, fill_claim
from calc_site import build_site
from chromium import running_chromium
from conftest import ROOT

from policy.settlement import run_check

ARTIFACTS = ROOT / "test-artifacts" / "calculator"

SLIPS = [  # two stays of one year: the critical-illness deductible carries from the first
    {"date": "2020-03-02", "kind": "inpatient", "hospital_level": "county", "total": "9000.00",
     "paid": {"basic": "6960.00", "supplementary": "1836.00", "assistance": "112.20"}, "self_pay": "91.80"},
    {"date": "2020-06-01", "kind": "inpatient", "hospital_level": "county", "total": "20000.00",
     "paid": {"basic": "15760.00"}, "self_pay": "4240.00"},
]


@pytest.fixture(scope="module")
def site(jurisdictions, tmp_path_factory):
    return build_site(jurisdictions["zixi"], tmp_path_factory.mktemp("slipsite") / "zixi")


@contextlib.contextmanager
def slip_page(site):
    """The page at 360×640 from file://, every network request refused; (page, its script errors)."""
    with running_chromium() as browser:
        context = browser.new_context(viewport={"width": 360, "height": 640}, locale="zh-CN")
        context.route("**/*", lambda route: route.abort() if not route.request.url.startswith("file://")
                      else route.continue_())
        page = context.new_page()
        errors = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto((site / "slip" / "index.html").as_uri())
        yield page, errors
        context.close()


def fill(page, slips):
    page.select_option("select[name=category]", "poverty")
    for box, s in claim_boxes(page, slips, "hc-slip-input"):
        fill_claim(box, s)
        for lid, amount in s["paid"].items():
            box.locator(f"input[name='paid:{lid}']").fill(amount)
        box.locator("input[name=self_pay]").fill(s["self_pay"])


def test_slip_check_on_a_phone(site, service):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    expected = run_check(service, {"jurisdiction": "zixi", "person": {"category": "poverty"}, "slips": SLIPS})
    assert expected["slips"][0]["differences"] == []  # the first slip is right
    with slip_page(site) as (page, errors):
        assert page.locator("#slip-nojs").is_hidden()
        fill(page, SLIPS)
        page.click("button.hc-go")
        page.wait_for_selector(".hc-summary")
        second = page.locator("section.hc-slip").nth(1)
        shown = second.locator("li.hc-diff").evaluate_all("els => els.map(e => [e.dataset.item, e.querySelector('b').textContent])")
        want = expected["slips"][1]["differences"]
        assert [item for item, _ in shown] == [d["item"] for d in want]
        for (_, text), d in zip(shown, want):
            assert f"{d['expected']} 元，结算单上是 {d['recorded']} 元" in text
        # the critical-illness deductible was partly used by the first stay: 283.65 is due now
        assert "按政策，大病保险应付 283.65 元，结算单上是 0.00 元：少报了 283.65 元。" in [t for _, t in shown]
        assert "按政策，医疗救助应付 217.60 元，结算单上是 0.00 元：少报了 217.60 元。" in [t for _, t in shown]
        assistance = second.locator("li.hc-diff[data-item=assistance]").inner_text()
        assert "自2019年1月1日起" in assistance and "予以全额救助" not in assistance  # poverty: 55%, its own quote
        assert "55%" in assistance
        basic_rule = page.locator("li.hc-diff[data-item=supplementary]").inner_text()
        assert "需个人自付的目录内医疗费用" in basic_rule  # the seed's words
        summary = page.locator(".hc-summary").inner_text()
        assert f"少报了 {expected['underpaid']} 元" in summary and f"多收了 {expected['overcharged']} 元" in summary
        assert page.locator("section.hc-slip").nth(0).locator(".hc-ok").count() == 1
        page.select_option("select[name=village]", index=1)
        href = page.locator("a.hc-complain").get_attribute("href")
        query = parse_qs(urlsplit(href).query)
        assert query["category"] == ["reimbursed_less"] and query["village"][0]
        sent = json.loads(query["settlement"][0])  # the figures typed; the forms app checks them again
        assert sent == {"category": "poverty", "slips": SLIPS}
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(ARTIFACTS / "slip-check-360.png"), full_page=True)
        page.locator(".hc-result").screenshot(path=str(ARTIFACTS / "slip-check-result-360.png"))
        assert errors == []


def test_amounts_typed_as_a_resident_writes_them(site, service):
    """"2万", "15,760", full-width digits, "￥…元": read by the one rule (amounts.mjs) into the same
    answer as the plain figures; an amount that is none is named, with its slip and line, in
    parseAmount's words."""
    from policy.amounts import NOT_AMOUNT
    typed = [dict(SLIPS[0]), {**SLIPS[1], "total": "2万", "paid": {"basic": "１５，７６０"}, "self_pay": "￥4240元"}]
    expected = run_check(service, {"jurisdiction": "zixi", "person": {"category": "poverty"}, "slips": SLIPS})
    with slip_page(site) as (page, errors):
        fill(page, typed)
        page.click("button.hc-go")
        page.wait_for_selector(".hc-summary")
        shown = page.locator("section.hc-slip").nth(1).locator("li.hc-diff b").all_inner_texts()
        assert shown and len(shown) == len(expected["slips"][1]["differences"])
        for text, d in zip(shown, expected["slips"][1]["differences"]):
            assert f"{d['expected']} 元，结算单上是 {d['recorded']} 元" in text
        summary = page.locator(".hc-summary").inner_text()
        assert f"少报了 {expected['underpaid']} 元" in summary
        page.select_option("select[name=village]", index=1)
        query = parse_qs(urlsplit(page.locator("a.hc-complain").get_attribute("href")).query)
        assert json.loads(query["settlement"][0])["slips"] == SLIPS  # the complaint gets the figures as read

        page.locator("fieldset.hc-slip-input").nth(1).locator("input[name=total]").fill("2万5")
        page.click("button.hc-go")
        alert = page.locator(".hc-errors[role=alert]")
        alert.wait_for()
        assert alert.locator("li").all_inner_texts() == ["第 2 张结算单 · 医疗总费用：" + NOT_AMOUNT.format(text="2万5")]
        assert page.locator(".hc-summary").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(ARTIFACTS / "slip-bad-amount-360.png"), full_page=True)
        alert.screenshot(path=str(ARTIFACTS / "slip-bad-amount-alert-360.png"))  # the message as the resident sees it
        assert errors == []
