"""Today's date where the policies apply: China keeps Beijing time (UTC+8, no daylight saving)
all year, whatever time zone the server that builds the pages or runs the forms is set to.

A build on a server in UTC between midnight and 8 a.m. Beijing time would otherwise print
yesterday's date on the notices ("…的价格"), take yesterday's drug prices and policy values, and
date the portal a day early.
"""
from __future__ import annotations

import datetime as dt

CHINA = dt.timezone(dt.timedelta(hours=8))


def china_today() -> dt.date:
    return dt.datetime.now(CHINA).date()
