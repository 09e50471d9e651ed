"""Build settings in one place: the public base URLs of the static site and the forms app.

Both come from the environment so a county sets them once per deployment; the defaults are the
embedded run's localhost addresses (`scripts/run.sh` serves the site on 8000, the forms on 5000).
"""
from __future__ import annotations

import os

DEFAULT_SITE_URL = "http://127.0.0.1:8000"
DEFAULT_FORMS_URL = "http://127.0.0.1:5000"


def site_url() -> str:
    return os.environ.get("SITE_URL", DEFAULT_SITE_URL).rstrip("/")


def forms_url() -> str:
    return os.environ.get("FORMS_URL", DEFAULT_FORMS_URL).rstrip("/")
