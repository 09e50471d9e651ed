"""The forms app's resident pages look like the county's site (issue 22): the site's header
colour and title, a dark footer with a way back to the site, the site's badge style; at 360×640."""
from __future__ import annotations

import re
import threading

from chromium import running_chromium
from conftest import ROOT
from werkzeug.serving import make_server

SITE_PRIMARY = "rgb(0, 105, 92)"  # site/mkdocs/assets/site.css: --md-primary-fg-color #00695c


def test_the_site_and_the_forms_app_share_the_header_colour():
    site_css = (ROOT / "site/mkdocs/assets/site.css").read_text(encoding="utf-8")
    assert "--md-primary-fg-color: #00695c" in site_css
    assert re.search(r"--brand: #00695c", (ROOT / "forms_app/static/forms.css").read_text(encoding="utf-8"))


def test_resident_pages_look_like_the_site_and_link_back_to_it(sqlite_app):
    server = make_server("127.0.0.1", 0, sqlite_app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = sqlite_app.config["SITE_URL"].rstrip("/")
    try:
        with running_chromium() as browser:
            page = browser.new_context(viewport={"width": 360, "height": 640}, locale="zh-CN").new_page()
            for path in ("/zixi/complaint", "/zixi/query", "/zixi/track"):
                page.goto(base + path)
                header = page.locator("header.top")
                assert header.evaluate("e => getComputedStyle(e).backgroundColor") == SITE_PRIMARY, path
                assert header.inner_text().strip() == "资溪县看病报销和健康扶贫政策"
                back = page.locator("footer .back a")
                assert back.get_attribute("href").rstrip("/") == f"{site}/zixi"
                assert "回到资溪县看病报销和健康扶贫政策网站" in back.inner_text()
                assert page.locator("footer").evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(0, 0, 0)"
                assert page.evaluate("document.documentElement.scrollWidth") <= 360
                page.screenshot(path=str(ROOT / "test-artifacts" / f"forms-look{path.replace('/', '-')}.png"), full_page=True)
    finally:
        server.shutdown()
