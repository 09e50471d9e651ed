"""Debian's Chromium for the browser tests: where it is and how it is started, in one place."""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

# Debian's package `chromium-headless-shell` (scripts/setup.sh): Chromium's "old" headless mode,
# the one Playwright itself picks for headless runs, without the full browser's user interface.
# The same Blink draws the pages; on the staff and calculator browser tests it used 37 % less CPU
# (40 → 25 s) and starts in 0.2 s instead of 0.6 s, and the suite is bound by CPU (issue 25).
# It lays some text out a pixel apart from the full browser (a line may wrap one word earlier), so
# the guides' pictures are taken with the full `chromium` (scripts/guide-images.sh sets
# TEST_CHROMIUM=/usr/bin/chromium), as a resident's phone would show them.
CHROMIUM = os.environ.get("TEST_CHROMIUM", "/usr/bin/chromium-headless-shell")
# No sandbox (tests may run as root in a container), no GPU on a headless machine, and no
# traffic of the browser's own: the tests count every request a page makes to another host.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


_shared: dict = {}  # this process's Playwright and Chromium, once a test has asked for them


@contextmanager
def running_chromium():
    """A headless Chromium under Playwright; fails (not skips) when it is missing.

    One per test process, started by the first test that asks and kept for the next ones: each
    start took 0.6 s of CPU (Playwright's driver and the browser), eleven times a run, and a
    worker runs several browser modules in turn. What a test opened (its contexts and their
    pages) is closed when it is done with the browser, so the next one finds it as new; a browser
    that has gone away is started again. `stop_shared` closes it when the tests end."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium-headless-shell and chromium")
    browser = _shared.get("browser")
    if browser is None or not browser.is_connected():
        stop_shared()
        _shared["playwright"] = sync_api.sync_playwright().start()
        browser = _shared["browser"] = _shared["playwright"].chromium.launch(executable_path=CHROMIUM, args=ARGS)
    before = set(browser.contexts)
    try:
        yield browser
    finally:
        for context in browser.contexts:
            if context not in before:
                context.close()


def stop_shared() -> None:
    """Close this process's browser and Playwright, if started (tests/conftest.py, at the end)."""
    browser, playwright = _shared.pop("browser", None), _shared.pop("playwright", None)
    try:
        if browser is not None and browser.is_connected():
            browser.close()
    finally:
        if playwright is not None:
            playwright.stop()


def click_and_load(page, selector: str) -> None:
    """Click what submits a form or follows a link, and wait until the next page has loaded.

    Without the wait, the next step may read the old page (a locator that both pages have, an
    evaluate, an axe scan), or a `goto` may cut the POST short (a login that never happened).
    Under a loaded machine these raced and failed now and then."""
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_load_state("load")
