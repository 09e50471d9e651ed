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


def problems() -> list[str]:
    """Each setting that cannot be a public address, in words: it would be printed in QR codes."""
    from urllib.parse import urlsplit

    out = []
    for name, value in (("SITE_URL", site_url()), ("FORMS_URL", forms_url())):
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            out.append(f"{name} 应是完整的网址，以 http:// 或 https:// 开头，例如 https://zixi.example.gov.cn，"
                       f"这里是“{value}”")
    return out
