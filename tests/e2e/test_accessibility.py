"""Accessibility of the pages residents and clerks use, in Debian's Chromium.

- axe-core (npm, pinned in tests/package-lock.json, installed by scripts/setup.sh) is run inside
  each page: no serious or critical violation. No rule is switched off.
- The complaint form is filled and sent with the keyboard alone.
- Text at 200 %, on a 360 px-wide phone: the main column never scrolls sideways (see ZOOM).
"""
from __future__ import annotations

import re
import uuid

import pytest
from .e2e_helpers import AXE, DESKTOP, PHONE, Watched, axe_violations, host
from calc_browser import choose_category
from chromium import click_and_load

JID = "zixi"
SITE_PAGES = {
    "home": f"{JID}/",
    "guarantee-line": f"{JID}/lines/basic/",
    "village": f"{JID}/villages/hecheng/hecheng-dajue/",
    "calculator": f"{JID}/calculator/",
    "screener": f"{JID}/screener/",
}
# The forms tests here do not depend on the database: run them on SQLite only.
sqlite_only = pytest.mark.parametrize("forms", ["sqlite"], indirect=True)


def watched(browser, urls, name, viewport=PHONE, **context) -> Watched:
    return Watched(browser, viewport, {host(urls["site"]), host(urls["forms"])}, name, **context)


def test_axe_core_is_installed():
    assert AXE.is_file(), "tests/node_modules/axe-core is missing: run scripts/setup.sh (npm ci in tests/)"


@pytest.mark.parametrize("name", SITE_PAGES)
def test_site_page_has_no_serious_axe_violation(browser, site_url, urls, name):
    w = watched(browser, urls, f"axe-{name}")
    w.page.goto(f"{site_url}/{SITE_PAGES[name]}")
    if name == "calculator":  # the result table is part of the page a resident reads
        choose_category(w.page, "poverty")
        box = w.page.locator("fieldset.hc-claim-input").first
        box.locator("input[name=date]").fill("2020-06-01")
        box.locator("select[name=level]").select_option("county")
        box.locator("input[name=total]").fill("20000")
        w.page.click("button.hc-go")
        w.page.wait_for_selector("section.hc-claim")
    assert axe_violations(w.page) == []
    assert w.problems == []
    w.close()


@sqlite_only
def test_forms_pages_have_no_serious_axe_violation(browser, urls, forms):
    w = watched(browser, urls, "axe-forms")
    page = w.page
    page.goto(f"{urls['forms']}/{JID}/complaint")
    click_and_load(page, "#submit")  # nothing filled in: the error summary and each field's error
    assert page.locator("#error-summary").is_visible()
    assert axe_violations(page) == [], "complaint form with errors"
    page.goto(f"{urls['forms']}/{JID}/track")
    assert axe_violations(page) == [], "lookup"
    page.fill("#number", "ZX-2026-999999")
    page.fill("#code", "12345678")
    click_and_load(page, "#submit")
    assert axe_violations(page) == [], "lookup, not found"
    page.goto(f"{urls['forms']}/{JID}/query")
    assert axe_violations(page) == [], "query form"
    w.close()


@sqlite_only
def test_staff_queue_has_no_serious_axe_violation(browser, urls, forms):
    name = f"axe{uuid.uuid4().hex[:6]}"
    forms.flask("staff", "add", name, "--jurisdiction", JID, "--role", "admin", "--name", "王管理员",
                "--password-stdin", input="axe-admin-password-1\n")
    w = watched(browser, urls, "axe-staff", DESKTOP)
    page = w.page
    page.goto(f"{urls['forms']}/{JID}/complaint?village=hecheng-dajue")  # the queue is not empty
    page.check("input[name=category][value=deposit_charged]")
    page.select_option("#institution", "hecheng_hc")
    page.fill("#description", "卫生院收了押金。")
    page.fill("#phone", "13912345678")
    click_and_load(page, "#submit")
    number = page.locator("#case-number").inner_text()
    page.goto(f"{urls['forms']}/staff/login")
    assert axe_violations(page) == [], "staff login"
    page.fill("#username", name)
    page.fill("#password", "axe-admin-password-1")
    click_and_load(page, "#submit")
    page.goto(f"{urls['forms']}/staff/{JID}/")
    page.wait_for_selector(f"a.case-no:text-is('{number}')")
    assert axe_violations(page) == [], "staff queue"
    page.click(f"a.case-no:text-is('{number}')")
    assert axe_violations(page) == [], "staff case page"
    page.goto(f"{urls['forms']}/staff/{JID}/users")
    assert axe_violations(page) == [], "accounts"
    page.set_viewport_size(PHONE)  # one card per account: still a table to a screen reader
    assert axe_violations(page) == [], "accounts on a phone"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.get_by_role("cell", name=name).count() == 1
    w.shot("accounts-phone")
    assert w.problems == []
    w.close()


@sqlite_only
def test_complaint_form_filled_and_sent_with_the_keyboard_alone(browser, urls, forms):
    w = watched(browser, urls, "keyboard")
    page = w.page
    page.goto(f"{urls['forms']}/{JID}/complaint?village=hecheng-dajue")
    focused = []

    def tab_to(selector: str, limit: int = 40) -> None:
        """Press Tab until `selector` has the focus; what had it on the way is recorded."""
        for _ in range(limit):
            page.keyboard.press("Tab")
            focused.append(page.evaluate("document.activeElement.id || document.activeElement.name || ''"))
            if page.evaluate("s => document.activeElement.matches(s)", selector):
                return
        pytest.fail(f"Tab never reached {selector}: {focused}")

    def focus_ring() -> bool:
        """The focused element is visibly marked (outline or box shadow)."""
        return page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
            return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'; }""")

    tab_to("input[name=category]")
    assert focus_ring()
    page.keyboard.press("Space")  # the first category: deposit charged
    tab_to("#institution")
    assert focus_ring()
    page.keyboard.type("鹤")  # typing picks an option, as on a desktop browser
    for _ in range(30):
        if page.locator("#institution").input_value() == "hecheng_hc":
            break
        page.keyboard.press("ArrowDown")
    assert page.locator("#institution").input_value() == "hecheng_hc"
    tab_to("#description")
    page.keyboard.type("在卫生院看病被收了押金。")
    tab_to("#anonymous")
    page.keyboard.press("Space")
    tab_to("#submit")
    assert focus_ring()
    page.keyboard.press("Enter")
    number = page.locator("#case-number").inner_text()
    assert re.fullmatch(r"ZX-\d{4}-\d{6}", number), number
    assert "event_date" in focused and "name" in focused and "website" not in focused  # honeypot skipped
    w.shot("receipt")
    assert w.problems == []
    w.close()


# Text at 200 %: each page is laid out as Chromium lays it out at 200 % zoom on a 360 px-wide phone,
# a 180×320 CSS px viewport drawn at 2 device pixels per CSS px. Zoom enlarges all text (px sizes
# too, which a root font-size override would miss); a phone's own "text size" setting gives the same
# layout on these pages, whose sizes are in rem and em (checked by hand: identical overflow).
ZOOM = {"viewport": {"width": 180, "height": 320}, "device_scale_factor": 2}
OVERFLOW = """() => {
  const column = document.querySelector('article') || document.querySelector('main');
  const width = document.documentElement.clientWidth;
  return {page: document.documentElement.scrollWidth - width, column: column.scrollWidth - column.clientWidth,
          wider: [...column.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > width + 1)
                   .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))};
}"""
FORMS_PAGES = {"complaint": f"{JID}/complaint?village=hecheng-dajue", "lookup": f"{JID}/track", "query": f"{JID}/query"}


def test_site_pages_at_200_percent_text_do_not_scroll_sideways(browser, site_url, urls):
    w = Watched(browser, ZOOM["viewport"], {host(site_url)}, "zoom-site", device_scale_factor=2)
    for name, path in SITE_PAGES.items():
        w.page.goto(f"{site_url}/{path}")
        assert w.page.evaluate(OVERFLOW) == {"page": 0, "column": 0, "wider": []}, name
        w.shot(name, full_page=False)
    assert w.problems == []
    w.close()


@sqlite_only
def test_forms_pages_at_200_percent_text_do_not_scroll_sideways(browser, urls, forms):
    w = Watched(browser, ZOOM["viewport"], {host(urls["forms"]), host(urls["site"])}, "zoom-forms",
                device_scale_factor=2)
    for name, path in FORMS_PAGES.items():
        w.page.goto(f"{urls['forms']}/{path}")
        click_and_load(w.page, "#submit")  # with the error summary and the fields' errors shown
        assert w.page.evaluate(OVERFLOW) == {"page": 0, "column": 0, "wider": []}, name
        w.shot(name, full_page=False)
    assert w.problems == []
    w.close()
