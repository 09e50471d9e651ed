"""The calculator and screener pages in Debian's Chromium, at 360×640, as a resident uses them.

Three calculator cases are typed into the form; the breakdown read from the page must equal what
`build.py calc` answers (each line, totals, the general-resident comparison). The screener is
answered question by question and must list what `build.py eligible` lists. Then the page is
reloaded from file:// with every network request refused and computes again. No console
errors; no request to any host. Screenshots go to test-artifacts/calculator/ (ignored by git).
"""
from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import threading

import pytest
from calc_browser import answer_screener, choose_category, fill_claims
from chromium import running_chromium
from calc_site import build_site
from conftest import ROOT

from builder.cli import respond
from policy.china_time import china_today

ARTIFACTS = ROOT / "test-artifacts" / "calculator"


@pytest.fixture(scope="module")
def sites(jurisdictions, tmp_path_factory):
    root = tmp_path_factory.mktemp("calcsite")
    return {jid: build_site(jurisdictions[jid], root / jid) for jid in ("zixi", "jixian")}


@pytest.fixture(scope="module")
def server(sites):
    """The built sites over http://127.0.0.1 (as `build.py serve` would), on a free port."""
    root = next(iter(sites.values())).parent.parent
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(root))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_chromium() as b:
        yield b


class Watched:
    """A 360×640 page that records console errors and every request that is not a local file or server."""

    def __init__(self, browser, allowed_prefix: str):
        self.context = browser.new_context(viewport={"width": 360, "height": 640}, locale="zh-CN")
        self.page = self.context.new_page()
        self.errors, self.outside = [], []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: None if r.url.startswith((allowed_prefix, "file://", "data:"))
                     else self.outside.append(r.url))

    def close(self):
        assert self.errors == [], self.errors
        assert self.outside == [], self.outside
        self.context.close()


def python_calc(service, case) -> dict:
    code, out, errors = respond("calc", service, json.dumps(case, ensure_ascii=False))
    assert code == 0, errors
    return json.loads(out)


def read_breakdown(page) -> list[dict]:
    """What the page shows for each claim: each line's payment, the totals, the comparison."""
    return page.evaluate("""() => [...document.querySelectorAll('section.hc-claim')].map(sec => ({
        layers: Object.fromEntries([...sec.querySelectorAll('tr[data-layer]')].map(
            tr => [tr.dataset.layer, tr.querySelector('.hc-num').textContent])),
        totals: [...sec.querySelectorAll('tr.hc-total .hc-num')].map(td => td.textContent),
        marks: Object.fromEntries([...sec.querySelectorAll('tr[data-layer]')].map(
            tr => [tr.dataset.layer, [...tr.querySelectorAll('.mark-illustrative, .mark-interpreted')].map(m => m.textContent).sort()])),
        compare: (sec.querySelector('.hc-compare') || {}).textContent || null }))""")


def computed(browser, server, jid: str, category: str, claims: list[dict]) -> Watched:
    """The calculator filled in as a resident would and its answer shown."""
    w = Watched(browser, server)
    w.page.goto(f"{server}/{jid}/site/calculator/")
    choose_category(w.page, category)
    fill_claims(w.page, claims)
    w.page.click("button.hc-go")
    w.page.wait_for_selector("section.hc-claim")
    return w


CASES = [
    ("zixi", {"category": "poverty"}, [
        {"date": "2020-06-01", "kind": "inpatient", "hospital_level": "county", "total": "20000.00",
         "out_of_catalog_necessary": "1000.00", "self_funded": "500.00"}]),
    ("zixi", {"category": "dibao"}, [
        {"date": "2020-03-05", "kind": "inpatient", "hospital_level": "city", "total": "86000.55",
         "out_of_catalog_necessary": "9000.00", "self_funded": "3000.00"},
        {"date": "2020-09-20", "kind": "outpatient_chronic", "hospital_level": "township", "total": "3210.07",
         "chronic_class": "class1"}]),
    ("jixian", {"category": "poverty"}, [  # the bed fee is waived 30% at 市人民医院 (按本县理解)
        {"date": "2020-05-10", "kind": "inpatient", "hospital": "city_peoples", "hospital_level": "city",
         "total": "12345.67", "out_of_catalog_necessary": "800.00",
         "fee_items": {"bed": "300.00", "large_equipment": "215.55"}}]),
]


@pytest.mark.parametrize("n", range(len(CASES)))
def test_calculator_page_shows_what_build_py_calc_answers(n, browser, server, sites, service):
    jid, person, claims = CASES[n]
    expected = python_calc(service, {"jurisdiction": jid, "person": person, "claims": claims})
    w = computed(browser, server, jid, person["category"], claims)
    page = w.page
    page.screenshot(path=str(ARTIFACTS / f"calculator-{n}-{jid}.png"), full_page=True)

    def check(pg):
        shown = read_breakdown(pg)
        assert len(shown) == len(expected["claims"])
        for got, want, base in zip(shown, expected["claims"], expected["baseline"]["claims"], strict=True):
            assert got["layers"] == {layer["id"]: layer["paid"] for layer in want["layers"]}
            # the interpreted and illustrative values a line used are marked beside it, as calc marks them
            assert got["marks"] == {layer["id"]: sorted({r["label"] for r in layer.get("explanation", {}).get("readings", [])})
                                    for layer in want["layers"]}
            assert got["totals"] == [want["reimbursed"], want["self_pay"]]
            assert f"能报 {base['reimbursed']} 元，自己付 {base['self_pay']} 元" in got["compare"]
        years = pg.locator(".hc-year").all_inner_texts()
        for year, totals in expected["year"].items():
            assert any(year in text and totals["self_pay"] in text for text in years)
            assert any(("防止因病返贫监测" in text) == totals["monitoring_alert"] for text in years if year in text)

    check(page)
    # The inputs are in the address: opening it again, from the built files with every network
    # request refused, computes the same answer.
    address = page.url.split("#", 1)[1]
    assert address.startswith("c=")
    offline = Watched(browser, "file://")
    offline.context.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file://")
                          else route.abort())
    offline.context.set_offline(True)
    page2 = offline.page
    page2.goto(f"{(sites[jid] / 'calculator' / 'index.html').as_uri()}#{address}")
    page2.wait_for_selector("section.hc-claim")
    page2.reload()
    page2.wait_for_selector("section.hc-claim")
    check(page2)
    page2.screenshot(path=str(ARTIFACTS / f"calculator-{n}-{jid}-offline.png"), full_page=True)
    offline.close()
    w.close()


def test_a_refused_input_is_explained_in_plain_chinese(browser, server):
    w = Watched(browser, server)
    page = w.page
    page.goto(f"{server}/zixi/site/calculator/")
    fill_claims(page, [{"date": "2020-06-01", "kind": "inpatient", "hospital_level": "county",
                        "total": "100.00", "out_of_catalog_necessary": "-5"}])
    page.click("button.hc-go")
    text = page.locator(".hc-errors").inner_text()
    assert "第 1 次看病 · 目录外必需费用：“-5”不是金额" in text
    w.close()


def test_no_category_is_assumed_and_each_says_who_it_is_for(browser, server, jurisdictions):
    """Left on the most generous category, a farmer was told he pays 0.00 for a 20,000-yuan stay."""
    w = Watched(browser, server)
    page = w.page
    page.goto(f"{server}/zixi/site/calculator/")
    assert page.locator("input[name=category]:checked").count() == 0
    shown = page.locator("fieldset.hc-category label.hc-choice").all_inner_texts()
    want = jurisdictions["zixi"].categories
    assert len(shown) == len(want)
    for text, category in zip(shown, want.values(), strict=True):
        assert category["name"] in text and category["description"] in text
    fill_claims(page, [{"date": "2020-06-01", "kind": "inpatient", "hospital_level": "county", "total": "20000"}])
    page.click("button.hc-go")
    assert "请先选“看病的人属于哪一类”" in page.locator(".hc-errors").inner_text()
    assert page.locator("section.hc-claim").count() == 0
    page.screenshot(path=str(ARTIFACTS / "calculator-no-category.png"), full_page=True)
    w.close()


def test_the_first_visit_starts_on_the_day_the_pages_describe_when_that_is_later(browser, server, jurisdictions,
                                                                                tmp_path):
    """A site built ahead of a change (or previewed: build --as-of) shows that day's rates; the
    calculator's first visit and the screener's answers start on that day, not on the phone's
    today (the calculator computed today's rules under a table of later ones). Once the day has
    passed, they start on today."""
    later = china_today() + dt.timedelta(days=400)
    ahead = build_site(jurisdictions["zixi"], tmp_path / "ahead", as_of=later)
    w = Watched(browser, server)
    page = w.page
    page.goto((ahead / "calculator" / "index.html").as_uri())
    assert page.locator("input[name=date]").first.input_value() == later.isoformat()
    page.goto((ahead / "screener" / "index.html").as_uri())
    assert page.evaluate("() => window.HealthPage.startDate(document.getElementById('screen-app'), '2020-01-01')") == \
        later.isoformat()
    page.goto(f"{server}/zixi/site/calculator/")  # built as of today
    phone_today = page.evaluate("() => window.HealthCalc.localToday()")
    assert page.locator("input[name=date]").first.input_value() == phone_today
    assert page.evaluate("() => window.HealthPage.startDate(document.getElementById('calc-app'), '2999-01-01')") == \
        "2999-01-01"
    w.close()


@pytest.mark.parametrize("typed", ["2万", "20,000", "２００００元", "2.0万元", "20000 元"])
def test_amounts_are_read_as_residents_type_them(typed, browser, server, service):
    claim = {"date": "2020-06-01", "kind": "inpatient", "hospital_level": "county", "total": "20000.00"}
    expected = python_calc(service, {"jurisdiction": "zixi", "person": {"category": "poverty"}, "claims": [claim]})
    w = computed(browser, server, "zixi", "poverty", [dict(claim, total=typed)])
    page = w.page
    assert read_breakdown(page)[0]["totals"] == [expected["claims"][0]["reimbursed"], expected["claims"][0]["self_pay"]]
    w.close()


def test_screener_lists_what_build_py_eligible_answers(browser, server, sites, service, jurisdictions):
    j = jurisdictions["zixi"]
    village = next(iter(j.villages))
    township = j.villages[village][0]["id"]
    person = {"category": "poverty", "age": 70, "sex": "male", "township": township, "village": village}
    code, out, errors = respond("eligible", service, json.dumps({"jurisdiction": "zixi", "person": person}))
    expected = json.loads(out)
    w = Watched(browser, server)
    page = w.page
    page.goto(f"{server}/zixi/site/screener/")
    answer_screener(page, "poverty", 70, "male", township, village)
    page.screenshot(path=str(ARTIFACTS / "screener-zixi.png"), full_page=True)

    def shown(selector):
        return page.eval_on_selector_all(selector, "els => els.map(e => e.dataset.program)")

    assert shown("section.hc-program") == [p["id"] for p in expected["eligible"]]
    assert shown("ul.hc-more li") == [p["id"] for p in expected["need_more_info"]]
    assert shown("details.hc-not li") == [p["id"] for p in expected["not_eligible"]]
    clinic = j.villages[village][1]["clinic"]
    assert clinic["name"] in page.locator("section.hc-program").first.inner_text() or any(
        clinic["name"] in t for t in page.locator("section.hc-program").all_inner_texts())
    w.close()


def test_pages_without_javascript_show_the_rates_table_and_where_to_ask(browser, sites):
    context = browser.new_context(viewport={"width": 360, "height": 640}, java_script_enabled=False)
    page = context.new_page()
    page.goto((sites["zixi"] / "calculator" / "index.html").as_uri())
    assert page.locator("#calc-nojs").is_visible()
    assert not page.locator("#calc-app").is_visible()
    table = page.locator("table").first.inner_text()
    assert "大病保险" in table and "5946.30 元" in table and "示例数字" in table
    assert "哪里可以问" in page.content()
    page.screenshot(path=str(ARTIFACTS / "calculator-nojs.png"), full_page=True)
    context.close()


def test_artifacts_folder_is_ignored_by_git():
    assert "/test-artifacts/" in (ROOT / ".gitignore").read_text().splitlines()


def test_each_base_is_named_for_what_it_is(browser, server, service):
    """After basic insurance has paid, what the next line works on is what is left of the
    catalogue costs, not "目录内费用" (which a resident reads as the whole of them)."""
    person, claims = CASES[0][1], CASES[0][2]
    expected = python_calc(service, {"jurisdiction": "zixi", "person": person, "claims": claims})
    w = computed(browser, server, "zixi", person["category"], claims)
    page = w.page
    layers = expected["claims"][0]["layers"]
    full = "18500.00"  # 20000 − 1000 目录外必需 − 500 自费
    checked = 0
    for k, layer in enumerate(layers):
        if not layer["applied"] or layer["explanation"]["method"] != "share":
            continue
        why = page.locator(f"tr[data-layer={layer['id']}] .hc-why").inner_text()
        for part in layer["explanation"]["parts"]:
            if part["name"] != "目录内费用":
                continue
            if part["base"] == full:
                assert f"（目录内费用 {full} 元" in why
            else:
                paid_before = [x["name"] for x in layers[:k] if x["applied"] and x["paid"] != "0.00" and (
                    x["explanation"]["method"] != "share" or any(
                        p["name"] == "目录内费用" and p["paid"] != "0.00" for p in x["explanation"]["parts"]))]
                assert f"（{'、'.join(paid_before)}报销后还剩的目录内费用 {part['base']} 元" in why, why
                checked += 1
    assert checked >= 1
    w.close()


def test_screener_assumes_no_category_and_answers_not_knowing_it(browser, server, service, jurisdictions):
    """The screener started on 普通城乡居民 and the query page advised choosing it when unsure: a
    poor resident who did not know was shown less than he gets. "不清楚" lists what each adds."""
    j = jurisdictions["zixi"]
    w = Watched(browser, server)
    page = w.page
    page.goto(f"{server}/zixi/site/screener/")
    assert page.locator("input[name=c]:checked").count() == 0
    page.click("button.hc-next")
    assert "请选一项" in page.locator(".hc-errors").inner_text()
    page.check("input[name=c][value=unknown]")
    page.click("button.hc-next")
    page.fill("input[name=a]", "70")
    page.click("button.hc-next")
    page.check("input[name=s][value=male]")
    while page.locator("button.hc-next").count():
        page.click("button.hc-next")
    page.wait_for_selector("section.hc-if-category")

    def eligible(category):
        code, out, _ = respond("eligible", service, json.dumps(
            {"jurisdiction": "zixi", "person": {"category": category, "age": 70, "sex": "male"}}))
        return [p for p in json.loads(out)["eligible"]]

    base = {p["id"] for p in eligible(j.baseline_category)}
    shown = page.eval_on_selector_all("section.hc-program", "els => els.map(e => e.dataset.program)")
    assert set(shown) == base
    extra = [p["name"] for p in eligible("poverty") if p["id"] not in base]
    text = page.locator("li[data-category=poverty]").inner_text()
    assert extra and all(name in text for name in extra)
    page.screenshot(path=str(ARTIFACTS / "screener-unknown.png"), full_page=True)
    w.close()
