"""Debian's Chromium for the browser tests: where it is and how it is started, in one place."""
from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"  # Debian's package `chromium`, installed by scripts/setup.sh
# No sandbox (tests may run as root in a container), no GPU on a headless machine, and no
# traffic of the browser's own: the tests count every request a page makes to another host.
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]


def launch(playwright):
    """A headless Chromium from a `sync_playwright()` context; fails (not skips) when it is missing."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: scripts/setup.sh installs Debian's chromium")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
