"""How current the published policy is on the build's as-of date.

One place answers, for the pages, the calculator and the sheets alike:
- which programs are in force on the as-of date (an ended program is listed nowhere as current);
- which dated values and programs take effect after it (shown as 即将调整);
- whether the data may be out of date: the as-of date is past every source's `covers` period,
  or more than a year after the officer's `reviewed:` date (`staleness`).
"""
from __future__ import annotations

import datetime as dt

from policy.model import Jurisdiction

REVIEW_DAYS = 366  # "more than 12 months after reviewed"


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def parse_as_of(text: str) -> dt.date:
    """`--as-of YYYY-MM-DD` (argparse type): a clear message for anything else."""
    import argparse

    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应写成 YYYY-MM-DD，例如 2027-01-01，这里是“{text}”") from None


def review_overdue(reviewed: dt.date, as_of: dt.date) -> bool:
    return (as_of - reviewed).days > REVIEW_DAYS


def in_force(program: dict, as_of: dt.date) -> bool:
    valid = program.get("valid")
    return not valid or (valid["from"] <= as_of and (valid["until"] is None or as_of <= valid["until"]))


def ended(program: dict, as_of: dt.date) -> bool:
    valid = program.get("valid")
    return bool(valid and valid["until"] is not None and valid["until"] < as_of)


def current_programs(j: Jurisdiction, as_of: dt.date) -> list[dict]:
    """The programs a resident can use on `as_of` (not ended, already started), in listed order."""
    return [p for p in j.programs if in_force(p, as_of)]


def staleness(j: Jurisdiction, as_of: dt.date, short: bool = False) -> str:
    """A plain-words warning when the data may be out of date on `as_of`; "" when it is not.
    `short`: the sheets' footer form (it shares two lines of the A3 notice's bottom margin)."""
    parts = []
    covered = [s["covers"] for s in j.sources.values() if s.get("covers")]
    if covered:
        last = max(c["until"] for c in covered)
        if as_of > last:
            first = min(c["from"] for c in covered).year
            years = f"{first}" if first == last.year else f"{first}—{last.year}"
            parts.append(f"数字依据 {years} 年的文件" if short else
                         f"本页数字依据 {years} 年的文件；{last.year + 1} 年以后的文件还没有录入，"
                         f"请以县医保局最新规定为准")
    if j.reviewed is not None and review_overdue(j.reviewed, as_of):
        parts.append(f"{cn_date(j.reviewed)}核对后已超过一年" if short else
                     f"这些数字最后一次对照县里文件核对是在 {cn_date(j.reviewed)}，已超过一年，"
                     f"请以县医保局最新规定为准")
    if short and parts:
        return "、".join(parts) + "，以县医保局最新规定为准"
    return "；".join(parts)


def reviewed_text(j: Jurisdiction) -> str:
    """The footer's word on the officer's last check; its absence said plainly."""
    return f"数据核对于 {cn_date(j.reviewed)}" if j.reviewed else "数据未注明核对日期"


def upcoming_label(day: dt.date) -> str:
    return f"即将调整：自{cn_date(day)}起"


def upcoming(j: Jurisdiction, as_of: dt.date, horizon_days: int | None = None) -> list[dict]:
    """Every dated value and program start or end after `as_of` (within `horizon_days` when
    given), soonest first: {"date", "label", "what", "who", "text", "page"}."""
    from .facts import all_params, key_name, show_value

    last = as_of + dt.timedelta(days=horizon_days) if horizon_days is not None else dt.date.max
    seen, out = set(), []
    for page, param in all_params(j):
        for keys, series in param.series():
            who = " · ".join(key_name(j, by, key) for by, key in keys)
            for v in series.values:
                if not as_of < v.start <= last:
                    continue
                text = "不再执行" if v.value is None else show_value(v.value, param.unit)
                row = (param.description, who, v.start, text)
                if row not in seen:
                    seen.add(row)
                    out.append({"date": v.start, "what": param.description, "who": who, "text": text,
                                "page": page})
    for p in j.programs:
        valid = p.get("valid")
        if not valid:
            continue
        if as_of < valid["from"] <= last:
            out.append({"date": valid["from"], "what": p["name"], "who": "", "text": "开始实施",
                        "page": f"programs/{p['id']}/"})
        end = valid["until"] + dt.timedelta(days=1) if valid["until"] else None
        if end and as_of < end <= last:
            out.append({"date": end, "what": p["name"], "who": "", "text": "停止执行",
                        "page": f"programs/{p['id']}/"})
    out.sort(key=lambda u: (u["date"], u["what"]))
    for u in out:
        u["label"] = upcoming_label(u["date"])
        u["date_text"] = cn_date(u["date"])
    return out
