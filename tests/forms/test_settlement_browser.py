"""The resident's whole slip flow in Chromium at 360×640: the slip check page (opened from the
built site) -> the differences -> the complaint form, filled in from the slip -> the receipt ->
the clerk's case page showing the slip as a table. No sideways scrolling, no console error, no
request to any other host."""
from __future__ import annotations

import re
import threading
from urllib.parse import urlsplit

from calc_site import build_site
from chromium import click_and_load, running_chromium
from conftest import ROOT
from werkzeug.serving import make_server

from policy.settlement import run_check
from .staffhelpers import PASSWORD, make_staff

ARTIFACTS = ROOT / "test-artifacts" / "calculator"
SLIP = {"date": "2020-06-01", "kind": "inpatient", "hospital_level": "county", "total": "20000.00",
        "paid": {"basic": "15760.00"}, "self_pay": "4240.00"}


def test_slip_to_complaint_to_case_page(sqlite_app, policy, tmp_path, monkeypatch):
    server = make_server("127.0.0.1", 0, sqlite_app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("FORMS_URL", base)
    site = build_site(policy.get("zixi"), tmp_path / "zixi")
    want = run_check(policy.service, {"jurisdiction": "zixi", "person": {"category": "poverty"}, "slips": [SLIP]},
                     explain=False)["slips"][0]["differences"]
    clerk = make_staff(sqlite_app, "admin")
    problems: list[str] = []
    widths = []
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        with running_chromium() as browser:
            page = browser.new_page(viewport={"width": 360, "height": 640}, locale="zh-CN")
            page.on("console", lambda m: m.type == "error" and problems.append(m.text))
            page.on("request", lambda r: urlsplit(r.url).netloc not in ("", urlsplit(base).netloc)
                    and not r.url.startswith(("data:", "file:")) and problems.append("outside: " + r.url))
            page.goto((site / "slip" / "index.html").as_uri())
            page.select_option("select[name=category]", "poverty")
            page.fill("input[name=date]", SLIP["date"])
            page.select_option("select[name=level]", "county")
            page.fill("input[name=total]", SLIP["total"])
            page.fill("input[name='paid:basic']", "15760.00")
            page.fill("input[name=self_pay]", "4240.00")
            page.click("button.hc-go")
            assert "少报了 233.20 元" in page.inner_text("li.hc-diff[data-item=assistance]")  # the example
            page.select_option("select[name=village]", "gaofu-gaofu")
            widths.append(page.evaluate("document.documentElement.scrollWidth"))
            page.click("a.hc-complain")
            page.wait_for_selector("#settlement")
            widths.append(page.evaluate("document.documentElement.scrollWidth"))
            page.screenshot(path=str(ARTIFACTS / "slip-complaint-360.png"), full_page=True)
            assert page.is_checked("input[name=category][value=reimbursed_less]")
            assert page.input_value("#village") == "gaofu-gaofu"
            assert "少报了" in page.input_value("#description")
            page.select_option("#institution", "county_peoples")
            page.fill("#name", "王某甲")
            page.fill("#phone", "13912345678")
            click_and_load(page, "#submit")
            number = page.inner_text("#case-number").strip()
            page.goto(f"{base}/staff/login")
            page.fill("#username", clerk)
            page.fill("#password", PASSWORD)
            click_and_load(page, "#submit")
            page.goto(f"{base}/staff/zixi/case/{number}")
            rows = page.locator("#settlement tr[data-item]").evaluate_all(
                "rs => rs.map(r => [r.dataset.item, ...[...r.querySelectorAll('td')].map(c => c.textContent)])")
            assert rows == [[d["item"], d["expected"], d["recorded"], d["difference"]] for d in want]
            widths.append(page.evaluate("document.documentElement.scrollWidth"))
            page.screenshot(path=str(ARTIFACTS / "slip-case-page-360.png"), full_page=True)
    finally:
        server.shutdown()
    assert widths == [360, 360, 360]
    assert problems == []
