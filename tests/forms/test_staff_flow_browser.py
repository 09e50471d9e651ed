"""Issue 27's flows in Debian's Chromium, at the desk (1280×800) and in a village (360×640): the
queue keeps its place, a call-back is recorded as a call, typed text survives an expired login,
a decline is confirmed and undone, cases are assigned in bulk. No sideways scrolling, no console
errors, no request to another host."""
from __future__ import annotations

import re
import threading
import time
from urllib.parse import urlsplit

import pytest
from chromium import click_and_load, running_chromium
from werkzeug.serving import make_server

from .formhelpers import csrf, file_complaint
from .staffhelpers import PASSWORD, make_staff

SIZES = {"desk": (1280, 800), "phone": (360, 640)}


@pytest.fixture(scope="module")
def browser():
    with running_chromium() as b:
        yield b


@pytest.fixture
def site(sqlite_app):
    server = make_server("127.0.0.1", 0, sqlite_app, threaded=True)
    # A server per test: shutdown() waits for the loop's next poll, 0.5 s by default, idle each time.
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    yield sqlite_app, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


class Clerk:
    """One browser page, watched for console errors, outside requests and sideways scrolling."""

    def __init__(self, browser, base, size):
        w, h = SIZES[size]
        self.width, self.base, self.problems = w, base, []
        self.context = browser.new_context(viewport={"width": w, "height": h}, locale="zh-CN")
        self.page = self.context.new_page()
        # A page answered 401/409 on purpose (login again, not saved) is logged by Chromium as a
        # failed resource; anything else on the console is a problem.
        self.page.on("console", lambda m: m.type == "error" and not re.search(r"status of (401|409)", m.text)
                     and self.problems.append(m.text))
        self.page.on("request", lambda r: urlsplit(r.url).netloc not in ("", urlsplit(base).netloc)
                     and not r.url.startswith("data:") and self.problems.append("outside: " + r.url))

    def login(self, name):
        self.page.goto(f"{self.base}/staff/login")
        self.page.fill("#username", name)
        self.page.fill("#password", PASSWORD)
        # Until the next page has loaded: its scripts (forms.js folds the queue's filters on a
        # phone) have run before anything is read.
        click_and_load(self.page, "#submit")

    def fits(self):
        # After a click that submits a form, the next page may still be loading: wait for it, so
        # the measure is of the new page (not of a document torn down mid-navigation).
        self.page.wait_for_load_state()
        assert self.page.evaluate("document.documentElement.scrollWidth") <= self.width

    def close(self):
        self.context.close()
        assert self.problems == []

    def filters(self):
        """On a phone the filters fold behind one summary; open it first."""
        if not self.page.is_visible("select[name=status]"):
            self.page.click(".filter-box > summary")


@pytest.mark.parametrize("size", SIZES)
def test_queue_keeps_its_filter_and_place(browser, site, size):
    app, base = site
    numbers = [file_complaint(app.test_client())[0] for _ in range(3)]
    clerk = Clerk(browser, base, size)
    clerk.login(make_staff(app, "admin"))
    if size == "phone":  # the first screen shows cases, not a wall of filters
        assert not clerk.page.is_visible("select[name=status]") and clerk.page.is_visible(".case-card")
    clerk.filters()
    clerk.page.select_option("select[name=township]", "gaofu")
    clerk.page.click(".filters button[type=submit]")
    clerk.fits()
    clerk.page.click(f"text={numbers[1]}")
    clerk.page.check("#status-accepted")
    clerk.page.click("#status-form button")
    assert "已保存" in clerk.page.inner_text("#notice")
    clerk.page.click("#back")
    assert "township=gaofu" in clerk.page.url and clerk.page.url.endswith(f"#c-{numbers[1]}")
    clerk.filters()
    assert clerk.page.input_value("select[name=township]") == "gaofu"
    clerk.fits()
    clerk.close()


def _reveals(app) -> int:
    """How many times a full phone number was looked at (audited), in this test's database."""
    from forms_app.models import AuditEntry
    from sqlalchemy import func, select
    with app.extensions["forms_db"].reading() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "reveal_phone"))


@pytest.mark.parametrize("size", SIZES)
def test_a_call_back_is_recorded_as_a_call(browser, site, size):
    app, base = site
    resident = app.test_client()
    data = {"person_category": "poverty", "age": "72", "sex": "male", "village": "gaofu-gaofu",
            "callback": "y", "name": "李大爷", "phone": "13912340000", "csrf_token": csrf(resident, "/zixi/query")}
    assert resident.post("/zixi/query", data=data).status_code == 303
    clerk = Clerk(browser, base, size)
    clerk.login(make_staff(app, "admin"))
    clerk.page.goto(f"{base}/staff/zixi/?kind=query&f=1&open=1")
    clerk.page.click(".case-card .case-no >> nth=0")
    main = clerk.page.inner_text("main")
    assert "待回电" in main and "72 岁" in main and "poverty" not in main and "他在网上看到的自动答复" in main
    before = _reveals(app)
    clerk.page.click("text=显示完整电话")
    assert clerk.page.get_attribute("#phone", "href").startswith("tel:+86")
    clerk.page.reload()  # a refresh neither asks again (no re-sent POST, no second audit entry) nor keeps the number
    assert clerk.page.locator("#phone").count() == 0 and "139****0000" in clerk.page.inner_text("main")
    assert _reveals(app) == before + 1
    clerk.page.fill("#status-text", "已电话告知可以办慢病卡")
    clerk.page.click("#callback-form button")
    assert "已回电" in clerk.page.inner_text("h1")
    clerk.fits()
    clerk.close()


@pytest.mark.parametrize("size", SIZES)
def test_typed_text_survives_an_expired_login(browser, site, size):
    app, base = site
    number, _ = file_complaint(app.test_client())
    clerk = Clerk(browser, base, size)
    name = make_staff(app, "admin")
    clerk.login(name)
    clerk.page.goto(f"{base}/staff/zixi/case/{number}")
    typed = "您反映的押金问题，卫生院已承认，三日内退还。"
    clerk.page.fill("#reply-text", typed)
    app.config["STAFF_IDLE_MINUTES"] = 0
    time.sleep(1.1)
    try:
        clerk.page.click("#reply-text ~ button")
    finally:
        app.config["STAFF_IDLE_MINUTES"] = 30
    assert "登录已过期" in clerk.page.inner_text("main") and typed in clerk.page.inner_text("main")
    clerk.page.fill("#password", PASSWORD)
    click_and_load(clerk.page, "#submit")
    assert clerk.page.input_value("#reply-text") == typed
    clerk.page.click("#reply-text ~ button")
    assert typed in clerk.page.inner_text(".timeline")
    clerk.fits()
    clerk.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_decline_is_confirmed_then_undone(browser, site, size):
    app, base = site
    number, _ = file_complaint(app.test_client())
    clerk = Clerk(browser, base, size)
    clerk.login(make_staff(app, "admin"))
    clerk.page.goto(f"{base}/staff/zixi/case/{number}")
    clerk.page.check("#status-declined")
    clerk.page.fill("#status-text", "不属于卫生健康部门的职责")
    clerk.page.click("#status-form button")
    confirm = clerk.page.inner_text("#confirm")
    assert "请确认" in confirm and "理由：不属于卫生健康部门的职责" in confirm
    assert "已收到" in clerk.page.inner_text("h1")  # nothing changed yet
    clerk.fits()
    clerk.page.click("#confirm-button")
    assert "不予受理" in clerk.page.inner_text("h1") and clerk.page.is_visible("#undo")
    clerk.page.click("#undo button")
    assert "已撤销" in clerk.page.inner_text("#notice") and "已收到" in clerk.page.inner_text("h1")
    assert "已撤销（没有发出）" in clerk.page.inner_text("main")
    clerk.fits()
    clerk.close()


@pytest.mark.parametrize("size", SIZES)
def test_bulk_assign_from_the_queue(browser, site, size):
    app, base = site
    numbers = [file_complaint(app.test_client())[0] for _ in range(2)]
    handler = make_staff(app, "handler", ["gaofu"])
    clerk = Clerk(browser, base, size)
    clerk.login(make_staff(app, "admin"))
    clerk.page.goto(f"{base}/staff/zixi/?unassigned=1")
    for n in numbers:
        clerk.page.check(f"[id='pick-{n}']")
    clerk.page.select_option("#bulk-assignee", label=handler)
    clerk.page.click("#bulk-submit")
    assert "已分派选中的案件" in clerk.page.inner_text("#notice")
    # Back on the same filter (未分派): the two are gone from it, and the handler's counter has them.
    assert "unassigned=1" in clerk.page.url and not any(n in clerk.page.inner_text(".cases") for n in numbers)
    assert f"{handler} 2" in clerk.page.inner_text(".per-handler")
    clerk.fits()
    clerk.close()


@pytest.mark.parametrize("size", SIZES)
def test_manual_notification_from_the_outbox(browser, site, size):
    app, base = site
    number, _ = file_complaint(app.test_client())
    clerk = Clerk(browser, base, size)
    clerk.login(make_staff(app, "admin"))
    clerk.page.goto(f"{base}/staff/zixi/case/{number}")
    clerk.page.check("#status-accepted")
    click_and_load(clerk.page, "#status-form button")
    clerk.page.goto(f"{base}/staff/zixi/outbox?status=todo&number={number}")
    card = clerk.page.locator(".case-card").first
    assert "139****5678" in card.inner_text() and "/zixi/track" in card.inner_text()
    before = _reveals(app)
    card.locator("text=显示号码").click()
    assert clerk.page.get_attribute(".revealed", "href") == "tel:+8613912345678"
    clerk.page.reload()
    assert clerk.page.locator(".revealed").count() == 0 and _reveals(app) == before + 1
    clerk.fits()
    clerk.page.locator(".case-card").first.locator("text=已人工通知").click()
    assert number not in clerk.page.inner_text(".cases")  # done: off the to-do filter
    clerk.page.goto(f"{base}/staff/zixi/outbox?status=manual&number={number}")
    assert "已人工通知" in clerk.page.inner_text(".cases")
    clerk.fits()
    clerk.close()


@pytest.mark.parametrize("size", SIZES)
def test_filer_history_and_search_by_phone_tail(browser, site, size):
    app, base = site
    earlier, _ = file_complaint(app.test_client(), phone="13700002468", id_number=None)
    later, _ = file_complaint(app.test_client(), phone="13700002468", id_number=None)
    clerk = Clerk(browser, base, size)
    clerk.login(make_staff(app, "admin"))
    clerk.filters()
    clerk.page.fill("input[name=phone]", "2468")
    clerk.page.click(".filters button[type=submit]")
    cases = clerk.page.inner_text(".cases")
    assert earlier in cases and later in cases and "13700002468" not in clerk.page.content()
    clerk.page.click(f"text={later}")
    assert earlier in clerk.page.inner_text("#same-filer")
    clerk.page.click(f"#same-filer >> text={earlier}")
    assert earlier in clerk.page.inner_text("h1") and later in clerk.page.inner_text("#same-filer")
    clerk.fits()
    clerk.close()


@pytest.mark.parametrize("size", SIZES)
def test_audit_filters_and_one_cases_history(browser, site, size):
    app, base = site
    one, _ = file_complaint(app.test_client())
    two, _ = file_complaint(app.test_client())
    clerk = Clerk(browser, base, size)
    clerk.login(make_staff(app, "admin"))
    for number, note in ((one, "第一件的内部备注"), (two, "第二件的内部备注")):
        clerk.page.goto(f"{base}/staff/zixi/case/{number}")
        clerk.page.fill("#note-text", note)
        click_and_load(clerk.page, "#note-text ~ button")
    clerk.page.goto(f"{base}/staff/zixi/audit")
    clerk.page.fill("#audit-filters input[name=case]", one)
    click_and_load(clerk.page, "#audit-filters button")
    log = clerk.page.inner_text(".audit")
    assert "第一件的内部备注" in log and "第二件的内部备注" not in log
    clerk.fits()
    clerk.page.click(f".audit >> text={one}")
    assert "全部审计记录" in clerk.page.inner_text("h1") and "第一件的内部备注" in clerk.page.inner_text(".audit")
    clerk.fits()
    clerk.close()
