"""The staff pages in Debian's Chromium at 360×640: a clerk logs in, filters the queue and closes a
case by clicking; no sideways scrolling, no console errors (the CSP forbids inline script), no
request to another host."""
from __future__ import annotations

import threading
from urllib.parse import urlsplit

from chromium import click_and_load, running_chromium
from werkzeug.serving import make_server

from .formhelpers import file_complaint
from .staffhelpers import PASSWORD, make_staff



def test_a_clerk_closes_a_case_on_a_small_phone(sqlite_app):
    number, _ = file_complaint(sqlite_app.test_client())
    name = make_staff(sqlite_app, "handler", ["gaofu"])
    server = make_server("127.0.0.1", 0, sqlite_app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    problems: list[str] = []
    try:
        with running_chromium() as browser:
            page = browser.new_page(viewport={"width": 360, "height": 640}, locale="zh-CN")
            page.on("console", lambda m: m.type == "error" and problems.append(m.text))
            page.on("request", lambda r: urlsplit(r.url).netloc not in ("", urlsplit(base).netloc)
                    and not r.url.startswith("data:") and problems.append("outside: " + r.url))
            page.goto(f"{base}/staff/login")
            page.fill("#username", name)
            page.fill("#password", PASSWORD)

            # Each click that loads a page waits for it (and its scripts: the queue's folds the
            # filters on a phone) before the next step reads it.
            click_and_load(page, "#submit")
            page.click(".filter-box > summary")  # on a phone the filters fold away behind one button
            page.select_option("select[name=status]", "submitted")
            page.fill("input[name=number]", number[-6:])  # as a filer reads the number out
            click_and_load(page, ".filters button[type=submit]")
            widths = [page.evaluate("document.documentElement.scrollWidth")]
            click_and_load(page, f"text={number}")
            widths.append(page.evaluate("document.documentElement.scrollWidth"))
            for target, text in (("accepted", ""), ("closed", "经核实，押金已退还给您。")):
                page.check(f"#status-{target}")
                page.fill("#status-text", text)
                click_and_load(page, "#status-form button")
            click_and_load(page, "#confirm-button")  # closing ends the case: asked once more
            assert "已办结" in page.inner_text("h1")
            assert "押金已退还给您" in page.inner_text(".timeline")
            widths.append(page.evaluate("document.documentElement.scrollWidth"))
    finally:
        server.shutdown()
    assert widths == [360, 360, 360]
    assert problems == []
