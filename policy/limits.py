"""Bounds on input and data, and the one way hostile text is shown back in a message.

Every limit a caller can hit is here, with its number, so docs/data-format.md and the messages
quote the same figure. The forms app calls the same core on input from the internet, and county
offices run `check` on files that arrive by e-mail: nothing here may take unbounded time or
memory, and nothing echoed may forge a message line or drive a terminal.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal

# ------------------------------------------------------------------ calc / eligible input
MAX_INPUT_BYTES = 32 * 1024 * 1024  # one JSON document on stdin (use --jsonl for more)
MAX_CONTAINERS = 2_000_000  # objects and lists in one document, counted before parsing
MAX_JSON_DEPTH = 64  # objects and lists inside each other (a household case needs 6)
MAX_CASES = 100_000  # calc cases in one array
MAX_BATCH_CLAIMS = 200_000  # claims over all cases of one array
MAX_CLAIMS = 1_000  # claims of one person
MAX_ELIGIBLE_PEOPLE = 10_000  # persons over all eligible cases of one array (household members count)
MAX_HOUSEHOLD = 30
MAX_LINE_BYTES = 1024 * 1024  # one line of --jsonl input
MAX_NUMBER_CHARS = 30  # a number's spelling, before any arithmetic on it
MAX_MESSAGES = 200  # messages printed per run; the total is always given

# ------------------------------------------------------------------ policy data
MAX_FILE_BYTES = 16 * 1024 * 1024  # one YAML file
MAX_YAML_NODES = 200_000  # values in one file, counting every alias where it is used
MAX_YAML_DEPTH = 40  # nesting of mappings and lists (the format needs about 12)
MAX_RATIO_PLACES = 6  # 0.123456
MAX_EXPONENT = 20  # |exponent| of a number written with e (1.5e3)
MIN_YEAR, MAX_YEAR = 1900, 2199  # dates in data and input

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
DATE_RANGE_TEXT = f"{MIN_YEAR}-01-01 到 {MAX_YEAR}-12-31"


def parse_date(text) -> dt.date:
    """`YYYY-MM-DD` and nothing else (`fromisoformat` also takes week dates such as
    2020-W01-1 and compact 20200101), inside MIN_YEAR..MAX_YEAR. ValueError says why."""
    if type(text) is not str or len(text) != 10 or not _DATE.fullmatch(text):
        raise ValueError("应写成 YYYY-MM-DD")
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError("不是日历上的日期") from None
    if not in_range(day):
        raise ValueError(f"超出范围（{DATE_RANGE_TEXT}）")
    return day


def impossible_date(text) -> str | None:
    """For `YYYY-MM-DD` text that is no calendar day, why (in Chinese): 2021-02-30 ->
    "2021 年 2 月只有 28 天，没有 30 日". None for any other text."""
    if type(text) is not str or not _DATE.fullmatch(text):
        return None
    year, month, day = int(text[:4]), int(text[5:7]), int(text[8:])
    if not 1 <= month <= 12:
        return f"一年只有 12 个月，没有 {month} 月"
    if year == 0:
        return "没有 0 年"
    import calendar
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"{year} 年 {month} 月只有 {days} 天，没有 {day} 日" if day else "日不能是 00"
    return None


def strict_date(text) -> dt.date | None:
    """parse_date, or None."""
    try:
        return parse_date(text)
    except ValueError:
        return None


def in_range(day: dt.date) -> bool:
    return MIN_YEAR <= day.year <= MAX_YEAR



def number_in_bounds(value: Decimal) -> bool:
    """A finite Decimal whose exponent is small enough for exact arithmetic to stay cheap."""
    if not value.is_finite():
        return False
    exponent = value.as_tuple().exponent
    return -MAX_EXPONENT - MAX_NUMBER_CHARS <= exponent <= MAX_EXPONENT and len(value.as_tuple().digits) <= MAX_NUMBER_CHARS


# ------------------------------------------------------------------ showing input back
_SHOW_MAX = 40


def escape_controls(text: str) -> str:
    """Control and format characters (newlines, ANSI/OSC escapes, bidi overrides, lone
    surrogates) written as visible escapes, so echoed input cannot forge a line or drive a
    terminal."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch.isprintable() or (ch == " "):
            out.append(ch)
        elif unicodedata.category(ch) == "Zs":  # ideographic and other spaces are harmless
            out.append(ch)
        else:
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
    return "".join(out)


def clip(text: str, limit: int = _SHOW_MAX) -> str:
    """Escape and shorten a piece of input to show it in a message."""
    if len(text) > limit:
        text = text[:limit] + f"…（共 {len(text)} 字）"
    return escape_controls(text)


def shown(value) -> str:
    """A JSON/YAML value as a message shows it: text in quotes, escaped and shortened; other
    kinds by name (never a Python repr such as None or ['x'])."""
    if isinstance(value, str):
        return f"“{clip(value)}”"
    if value is None:
        return "空值（null）"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        text = str(value)
        return f"数字 {text if len(text) <= _SHOW_MAX else text[:_SHOW_MAX] + '…'}"
    if isinstance(value, dict):
        return "一个对象 {…}"
    if isinstance(value, list):
        return "一个列表 […]"
    return clip(str(value))
