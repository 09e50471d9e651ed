"""Debian's Chromium for the browser tests: where it is and how it is started, in one place."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"  # Debian's package `chromium`, installed by scripts/setup.sh
# No sandbox (tests may run as root in a container), no GPU on a headless machine, and no
# traffic of the browser's own: the tests count every request a page makes to another host.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


@contextmanager
def running_chromium():
    """A headless Chromium under Playwright, closed afterwards; fails (not skips) when it is missing."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def click_and_load(page, selector: str) -> None:
    """Click what submits a form or follows a link, and wait until the next page has loaded.

    Without the wait, the next step may read the old page (a locator that both pages have, an
    evaluate, an axe scan), or a `goto` may cut the POST short (a login that never happened).
    Under a loaded machine these raced and failed now and then."""
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_load_state("load")
