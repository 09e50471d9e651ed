"""The URLs the parts give each other (shared/design/interfaces.md), built in one place.

Pages of a jurisdiction's site, relative to `{SITE_URL}/<jid>/`:
  ""                               home
  lines/<layer id>/                one guarantee line (基本医保, 大病保险, ...)
  programs/<program id>/           one program or service (先诊疗后付费, 家庭医生签约, ...)
  examples/ diseases/ hospitals/ changes/ open-data/ stats/ complain/
  villages/ · villages/<township>/<village>/
  drugs/                           the drug prices village clinics post (when the data has drugs.yaml)
  calculator/ · screener/
"""
from __future__ import annotations

from urllib.parse import urlencode

from . import settings


def page_url(jid: str, path: str = "", site_url: str | None = None) -> str:
    base = settings.site_url() if site_url is None else site_url.rstrip("/")
    return f"{base}/{jid}/{path}"


def village_url(jid: str, township: str, village: str, site_url: str | None = None) -> str:
    return page_url(jid, f"villages/{township}/{village}/", site_url)


def complaint_url(jid: str, village: str | None = None, category: str | None = None,
                  forms_url: str | None = None) -> str:
    base = settings.forms_url() if forms_url is None else forms_url.rstrip("/")
    query = {k: v for k, v in (("village", village), ("category", category)) if v}
    return f"{base}/{jid}/complaint" + (f"?{urlencode(query)}" if query else "")


def query_url(jid: str, forms_url: str | None = None) -> str:
    base = settings.forms_url() if forms_url is None else forms_url.rstrip("/")
    return f"{base}/{jid}/query"


def track_url(jid: str, forms_url: str | None = None) -> str:
    base = settings.forms_url() if forms_url is None else forms_url.rstrip("/")
    return f"{base}/{jid}/track"
