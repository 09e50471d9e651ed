"""End to end, in Debian's Chromium, as a resident and a clerk would: from the paper on the wall to
the reply on the phone. The site is the one `build.py build` writes, served statically; the forms
app runs under gunicorn as scripts/run.sh starts it, on SQLite and again on PostgreSQL.

Every flow runs at both sizes, a 360×640 phone and a 1280×800 desktop: the complaint once with the
resident on the phone and the clerk at a desktop, once the other way round (a clerk on a phone can
log in, filter the queue, accept a case and reply). Each database runs each flow at one of the
sizes, paired so that every flow meets both sizes and both databases (conftest.py PAIRED). Every step leaves a screenshot in
tests/artifacts/e2e/ (git-ignored); GUIDE_IMAGES=<dir> also saves the guides' pictures there
(scripts/guide-images.sh), taken from the residents' phone and the clerk's desktop only.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from calc_browser import answer_screener, choose_category, fill_claims
from chromium import click_and_load
from .e2e_helpers import DESKTOP, PHONE, Watched, build, build_py, host, save_guide_image, squash

JID, TOWNSHIP, VILLAGE = "zixi", "hecheng", "hecheng-dajue"
PASSWORD = "e2e-clerk-password-7"
PERSON = {"category": "poverty"}
# A two-claim year: a county hospital stay and a chronic-disease visit at the township centre.
CLAIMS = [
    {"date": "2020-06-01", "kind": "inpatient", "hospital_level": "county", "total": "20000.00",
     "out_of_catalog_necessary": "1000.00", "self_funded": "500.00"},
    {"date": "2020-09-20", "kind": "outpatient_chronic", "hospital_level": "township", "total": "3210.07",
     "chronic_class": "class1"},
]


def beijing_today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()


@pytest.fixture(scope="module")
def zixi():
    from policy.loader import load_jurisdiction

    jur, problems = load_jurisdiction(Path(__file__).resolve().parents[2] / "policy_data" / JID,
                                      run_examples=False)
    assert problems == []
    return jur


SIZES = pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])


def watched(browser, viewport, urls, name) -> Watched:
    return Watched(browser, viewport, {host(urls["site"]), host(urls["forms"])}, name)


def size_name(viewport: dict) -> str:
    return f"{viewport['width']}x{viewport['height']}"


def guide(name: str | None, viewport: dict, taken_at: dict) -> str | None:
    """A guide picture's name if this is the size the guides show (residents: the phone; the clerk:
    the desktop), so that docs/img/guide stays as it was; else None."""
    return name if viewport is taken_at else None


def fits(page, viewport: dict) -> None:
    """No sideways scroll at this width."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= viewport["width"], f"{page.url}: {width} px wide at {viewport['width']} px"


def file_anonymously(page, category: str, text: str) -> str:
    """Fill the open complaint form quickly, without name or phone; the case number."""
    page.check(f"input[name=category][value={category}]")
    page.select_option("#institution", "hecheng_hc")
    page.fill("#description", text)
    page.check("#anonymous")
    page.click("#submit")
    return page.locator("#case-number").inner_text().strip()


# ------------------------------------------------------------------ the notice, the village, the calculator

@SIZES
def test_notice_qr_code_to_village_page_to_calculator(browser, site_url, urls, notice_pdf, zixi, tmp_path, viewport):
    import zxingcpp
    from PIL import Image

    # The notice on the wall, photographed: decode its QR codes from the rendered page.
    subprocess.run(["pdftoppm", "-png", "-r", "100", "-singlefile", str(notice_pdf), str(tmp_path / "notice")],
                   check=True)
    found = {r.text for r in zxingcpp.read_barcodes(Image.open(tmp_path / "notice.png"))}
    village_url = f"{urls['site']}/{JID}/villages/{TOWNSHIP}/{VILLAGE}/"
    assert found == {village_url, f"{urls['forms']}/{JID}/complaint?village={VILLAGE}"}
    if viewport is PHONE:
        subprocess.run(["pdftoppm", "-png", "-r", "40", "-singlefile", str(notice_pdf), str(tmp_path / "small")],
                       check=True)
        save_guide_image((tmp_path / "small.png").read_bytes(), "notice-a3.png")

    w = watched(browser, viewport, urls, f"calculator-{viewport['width']}")
    page = w.page
    page.goto(village_url)
    township, village = zixi.villages[VILLAGE]
    assert page.locator("h1").first.inner_text() == f"{township['name']}{village['name']}"
    assert village["clinic"]["name"] in page.locator("article").inner_text()
    fits(page, viewport)
    w.shot("1-village-page", guide("village-page.png", viewport, PHONE))

    # From the village page to the calculator through the site's menu (the drawer on a phone).
    if viewport is PHONE:
        page.click("label.md-header__button[for=__drawer]")
    page.locator("a.md-nav__link[href$='calculator/']:visible").first.click()
    page.wait_for_selector("button.hc-go")
    assert page.url == f"{urls['site']}/{JID}/calculator/"
    choose_category(page, PERSON["category"])
    fill_claims(page, CLAIMS)
    page.click("button.hc-go")
    page.wait_for_selector("section.hc-claim")

    expected = build_py("calc", "--no-compare", stdin={"jurisdiction": JID, "person": PERSON, "claims": CLAIMS})
    shown = page.evaluate("""() => [...document.querySelectorAll('section.hc-claim')].map(sec => ({
        layers: Object.fromEntries([...sec.querySelectorAll('tr[data-layer]')].map(
            tr => [tr.dataset.layer, tr.querySelector('.hc-num').textContent])),
        totals: [...sec.querySelectorAll('tr.hc-total .hc-num')].map(td => td.textContent)}))""")
    assert len(shown) == 2
    for got, want in zip(shown, expected["claims"], strict=True):
        assert got["layers"] == {layer["id"]: layer["paid"] for layer in want["layers"]}
        assert got["totals"] == [want["reimbursed"], want["self_pay"]]
    year = " ".join(page.locator(".hc-year").all_inner_texts())
    assert "2020" in year and expected["year"]["2020"]["self_pay"] in year
    fits(page, viewport)
    page.locator(".hc-year").first.scroll_into_view_if_needed()
    w.shot("2-calculator", guide("calculator.png", viewport, PHONE))
    assert w.problems == []
    w.close()


# ------------------------------------------------------------------ complaint, clerk, reply, SMS

@pytest.mark.parametrize(("resident_size", "clerk_size"), [(PHONE, DESKTOP), (DESKTOP, PHONE)],
                         ids=["resident-phone-clerk-desktop", "resident-desktop-clerk-phone"])
def test_complaint_from_village_page_to_a_public_reply(browser, site_url, urls, forms, zixi, resident_size, clerk_size):
    today = beijing_today()
    resident = watched(browser, resident_size, urls, f"complaint-{forms.db}-{size_name(resident_size)}")
    page = resident.page
    page.goto(f"{site_url}/{JID}/villages/{TOWNSHIP}/{VILLAGE}/")
    page.click("a:text-is('我要投诉')")
    assert page.url == f"{urls['forms']}/{JID}/complaint?village={VILLAGE}"
    assert page.locator("#village").input_value() == VILLAGE  # pre-selected from the link
    page.check("input[name=category][value=deposit_charged]")
    page.select_option("#institution", "hecheng_hc")
    page.fill("#event_date", today.isoformat())
    description = f"住院时卫生院要先交 2000 元押金才给看病。（{uuid.uuid4().hex[:6]}）"
    page.fill("#description", description)
    page.fill("#name", "王某甲")
    page.fill("#phone", "13912345678")
    fits(page, resident_size)
    page.evaluate("document.querySelector('#village').closest('.group').scrollIntoView()")  # the village, chosen
    resident.shot("1-complaint-form", guide("complaint-form.png", resident_size, PHONE))
    click_and_load(page, "#submit")
    number = page.locator("#case-number").inner_text().strip()
    code = page.locator("#lookup-code").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z]+-?\d{4,}-?\d+", number.replace("-", "-")), number
    assert re.fullmatch(r"\d{8}", code), code
    fits(page, resident_size)
    resident.shot("2-receipt", guide("complaint-receipt.png", resident_size, PHONE))

    def look_up(step: str, name: str | None = None, show: str | None = None) -> str:
        page.goto(f"{urls['forms']}/{JID}/track")
        page.fill("#number", number)
        page.fill("#code", code)
        click_and_load(page, "#submit")
        text = page.locator("main").inner_text()
        if show and show in text:
            page.get_by_text(show).first.evaluate("e => e.scrollIntoView({block: 'center'})")
        fits(page, resident_size)
        resident.shot(step, guide(name, resident_size, PHONE))
        return text

    first = look_up("3-lookup")
    assert number in first and "已收到，等待受理" in first

    # A second, older case the clerk has let slip: its decision deadline passed last month.
    page.goto(f"{urls['forms']}/{JID}/complaint?village={VILLAGE}")
    late = file_anonymously(page, "deposit_charged", "上个月反映的押金问题。")
    forms.execute("UPDATE cases SET decide_by = :day WHERE number = :n", day=today - dt.timedelta(days=30), n=late)

    # The clerk: account made with the CLI, logs in at a desktop or on a phone.
    clerk_name = f"clerk{uuid.uuid4().hex[:6]}"
    forms.flask("staff", "add", clerk_name, "--jurisdiction", JID, "--role", "handler", "--township", TOWNSHIP,
                "--name", "李办事员", "--password-stdin", input=PASSWORD + "\n")
    clerk = watched(browser, clerk_size, urls, f"staff-{forms.db}-{size_name(clerk_size)}")
    staff = clerk.page
    staff.goto(f"{urls['forms']}/staff/login")
    staff.fill("#username", clerk_name)
    staff.fill("#password", PASSWORD)
    fits(staff, clerk_size)
    clerk.shot("1-login", guide("staff-login.png", clerk_size, DESKTOP))
    click_and_load(staff, "#submit")
    staff.goto(f"{urls['forms']}/staff/{JID}/")
    fits(staff, clerk_size)
    cards = {c.locator(".case-no").inner_text(): c.inner_text() for c in staff.locator("li.case-card").all()}
    assert number in cards and late in cards
    # The deadline is `decide` calendar days after today, moved off a day off to the next working day
    # of the county's calendar (outside the calendar's years: off weekends, and marked 估算).
    shown_day = dt.date.fromisoformat(re.search(r"决定是否受理：(\d{4}-\d\d-\d\d)", cards[number]).group(1))
    decide_days = int(zixi.commitments["decide"].root.at(today).value)
    first = today + dt.timedelta(days=decide_days)
    assert shown_day >= first and all(not zixi.calendar.is_working_day(first + dt.timedelta(days=n))
                                      for n in range((shown_day - first).days))
    assert zixi.calendar.is_working_day(shown_day) or not zixi.calendar.covers(shown_day)
    assert ("估算" in cards[number]) == (not zixi.calendar.covers(shown_day))
    assert "已超期" in cards[late] and "已超期" not in cards[number]
    clerk.shot("2-queue", guide("staff-queue.png", clerk_size, DESKTOP))
    if not staff.is_visible("select[name=due]"):  # on a phone the filters fold behind one button
        staff.click(".filter-box > summary")
    staff.select_option("select[name=due]", "overdue")
    staff.click(".filters button[type=submit]")
    overdue = staff.locator("li.case-card .case-no").all_inner_texts()
    assert late in overdue and number not in overdue
    fits(staff, clerk_size)
    clerk.shot("3-overdue")

    staff.goto(f"{urls['forms']}/staff/{JID}/")
    staff.click(f"a.case-no:text-is('{number}')")
    assert description in staff.locator(".citizen-text").first.inner_text()
    staff.check("#status-accepted")
    staff.click("form[action$='/status'] button")
    assert "已受理" in staff.locator("h1").inner_text()
    reply = "经核实，卫生院已退还押金 2000 元，并向您道歉。"
    staff.fill("#reply-text", reply)
    staff.click("form[action$='/reply'] button")
    assert reply in staff.locator("main").inner_text()
    fits(staff, clerk_size)
    clerk.shot("4-case", guide("staff-case.png", clerk_size, DESKTOP))

    # The resident sees the reply; the outbox holds the SMS telling them so.
    assert reply in look_up("4-lookup-reply", "track-reply.png", show=reply)
    staff.goto(f"{urls['forms']}/staff/{JID}/outbox")
    texts = staff.locator("li.case-card .what").all_inner_texts()
    # What happened, in words the filer can act on: the reply's first words, the date, where to look.
    assert any(t.startswith(f"【资溪县健康扶贫】您的投诉{number}有了新的答复：经核实，卫生院已退还押金")
               and f"{urls['forms']}/{JID}/track" in t for t in texts)
    assert any(t.startswith(f"【资溪县健康扶贫】您的投诉{number}已受理，") for t in texts)
    assert not any(late in t for t in texts)  # anonymous: no phone, no SMS
    fits(staff, clerk_size)
    clerk.shot("5-outbox")
    for w in (resident, clerk):
        assert w.problems == []
        w.close()


# ------------------------------------------------------------------ statistics published on the site

@SIZES
def test_statistics_export_and_rebuild_publish_the_month(browser, site, site_url, urls, forms, tmp_path, viewport):
    # At least one complaint this month, whatever ran before on this database.
    w = watched(browser, viewport, urls, f"stats-{forms.db}-{size_name(viewport)}")
    page = w.page
    page.goto(f"{urls['forms']}/{JID}/complaint?village={VILLAGE}")
    file_anonymously(page, "clinic_closed", "村卫生室在公示的时间里关着门。")

    stats = tmp_path / "stats"
    forms.flask("stats", "export", "--out", str(stats), "--only", JID)
    exported = json.loads((stats / JID / "complaint-stats.json").read_text(encoding="utf-8"))
    build(site, forms.env, "--stats", str(stats))

    today = dt.datetime.now(ZoneInfo("Asia/Shanghai"))
    month = today.strftime("%Y-%m")
    figures = next(m for m in exported["months"] if m["month"] == month)
    counted = forms.execute("SELECT count(*) FROM cases WHERE jurisdiction = :j AND kind = 'complaint'", j=JID)
    assert figures["received"] == counted >= 1
    page.goto(f"{site_url}/{JID}/stats/")
    in_words = f"{today.year}年{today.month}月"  # as residents write it (issue 27 point 15)
    row = page.locator(f"tr:has(td:has-text('{in_words}'))").first.locator("td").all_inner_texts()
    assert row[:2] == [in_words, str(counted)]
    cells = page.locator("table", has_text="投诉的事").first.locator(
        "tr:has-text('村卫生室在公布的时间关门或医生不在') td").all_inner_texts()
    assert cells == ["村卫生室在公布的时间关门或医生不在", str(figures["by_category"]["clinic_closed"])]
    fits(page, viewport)
    w.shot("stats-page", guide("stats-page.png", viewport, PHONE))
    assert w.problems == []
    w.close()


# ------------------------------------------------------------------ the eligibility question, three ways

@SIZES
def test_query_form_screener_and_build_py_eligible_agree(browser, site_url, urls, forms, zixi, viewport):
    person = {"category": "poverty", "age": 70, "sex": "male", "township": TOWNSHIP, "village": VILLAGE}
    expected = build_py("eligible", stdin={"jurisdiction": JID, "person": person})
    assert expected["eligible"], "the case should be one where something applies"

    w = watched(browser, viewport, urls, f"eligibility-{forms.db}-{size_name(viewport)}")
    page = w.page
    page.goto(f"{site_url}/{JID}/screener/")
    answer_screener(page, "poverty", 70, "male", TOWNSHIP, VILLAGE)
    ids = page.eval_on_selector_all("section.hc-program", "els => els.map(e => e.dataset.program)")
    assert ids == [p["id"] for p in expected["eligible"]]
    # Down to the first answer, below the site's sticky header: from the top, so that the theme's
    # "回到页面顶部" button (shown while scrolling up) is hidden again.
    page.evaluate("window.scrollTo(0, 0)")
    page.wait_for_timeout(300)
    page.evaluate("window.scrollTo(0, document.querySelector('section.hc-program').getBoundingClientRect().top - 70)")
    page.wait_for_timeout(500)
    fits(page, viewport)
    w.shot("1-screener", guide("screener.png", viewport, PHONE))

    page.goto(f"{urls['forms']}/{JID}/query")
    page.check("input[name=person_category][value=poverty]")
    page.fill("#age", "70")
    page.check("input[name=sex][value=male]")
    page.select_option("#village", VILLAGE)
    page.click("#submit")
    page.wait_for_selector("section.result")
    names = [squash(t).replace("示例数字", "").replace("按本县理解", "") for t in page.locator("section.result.yes h2").all_inner_texts()]
    assert names == [squash(p["name"]) for p in expected["eligible"]]
    more = page.locator("main").inner_text()
    for p in expected["need_more_info"]:
        assert p["name"] in more
    fits(page, viewport)
    w.shot("2-query-answer", guide("query-answer.png", viewport, PHONE))
    assert w.problems == []
    w.close()
