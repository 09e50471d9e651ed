"""Plain facts about a loaded jurisdiction, shaped for page templates and open data.

Everything a page shows is computed here from the loaded data (never typed), as dicts and
strings; the Markdown itself lives in Jinja templates under `site/mkdocs/pages/`. A value that
cannot be shown raises `Unshowable`, which stops the build naming the jurisdiction.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from policy import formats
from policy.coverage import layer_params
from policy.model import Jurisdiction
from policy.params import OTHER, Breakdown, Param, Value
from policy.readings import label

ROLE_NAMES = {"deductible": "起付线", "ratio": "报销比例", "ratio_bonus": "贫困人口多报的比例",
              "cap": "最高支付限额", "ceiling_ratio": "个人自付比例上限"}
PER_NAMES = {"claim": "每次", "year": "每年累计"}
COUNT_UNITS = {"count": "次", "days": "天", "working_days": "个工作日"}
WHERE_NAMES = {"village_clinic": "本村卫生室", "township_health_center": "本乡镇卫生院"}


class Unshowable(ValueError):
    """A data value the pages cannot show (the build stops and names it)."""


# ------------------------------------------------------------------ single values

def yuan(fen: int) -> str:
    """Integer fen -> "5946.30 元" / "5000 元" (whole yuan without ".00": easier to read)."""
    whole, cents = divmod(fen, 100)
    return f"{whole} 元" if cents == 0 else f"{whole}.{cents:02d} 元"


def cn_date(day: dt.date) -> str:
    """2020-01-01 -> "2020年1月1日": how residents write dates (and it wraps well on a phone)."""
    return f"{day.year}年{day.month}月{day.day}日"


def percent(ratio: Decimal) -> str:
    text = format((Decimal(ratio) * 100).normalize(), "f")
    return f"{text}%"


def show_value(value, unit: str) -> str:
    """One dated value in plain words; None means the rule stopped applying."""
    if value is None:
        return "不再执行"
    if unit == "yuan" and isinstance(value, int):
        return yuan(value)
    if unit == "ratio" and isinstance(value, Decimal):
        return percent(value)
    if unit in COUNT_UNITS and isinstance(value, int):
        return f"{value} {COUNT_UNITS[unit]}"
    raise Unshowable(f"无法显示的数值 {value!r}（单位 {unit}）")


def source_text(j: Jurisdiction, ref) -> str:
    """Title and clause of a reference, as printed beside a value."""
    source = j.sources.get(ref.source)
    if source is None:
        raise Unshowable(f"出处“{ref.source}”没有列在 jurisdiction.yaml 的 sources 里")
    text = f"《{source['title']}》"
    if ref.clause:
        text += f" {ref.clause}"
    return text


def key_name(j: Jurisdiction, by: str, key: str) -> str:
    if key == OTHER:
        return {"category": "其他人员", "hospital_level": "其他级别", "chronic_class": "其他",
                "disease_group": "其他疾病", "hospital": "其他医院"}.get(by, "其他")
    if by == "category":
        return j.category_or_group_name(key)
    if by == "hospital":
        if key not in j.hospitals:
            raise Unshowable(f"医院“{key}”不在 hospitals.yaml 里")
        return j.hospitals[key]["name"]
    if by not in ("hospital_level", "chronic_class", "disease_group"):
        raise Unshowable(f"不认识的区分方式 by: {by}")
    kind = {"hospital_level": "level", "chronic_class": "chronic_class", "disease_group": "disease_group"}[by]
    return j.name_of(kind, key)


# ------------------------------------------------------------------ parameters

def value_rows(j: Jurisdiction, param: Param) -> list[dict]:
    """One row per dated value of every branch: who/where, value, mark, from, until, source."""
    rows = []
    for keys, series in param.series():
        who = " · ".join(key_name(j, by, key) for by, key in keys) or "一律"
        for i, v in enumerate(series.values):
            if v.value is None:
                continue
            nxt = series.values[i + 1].start if i + 1 < len(series.values) else None
            rows.append({
                "who": who, "value": show_value(v.value, param.unit), "mark": label(v),
                "from": cn_date(v.start), "start": v.start.isoformat(),
                "until": cn_date(nxt - dt.timedelta(days=1)) if nxt else "",
                "source": source_text(j, v.reference), "note": value_note(v),
            })
    return rows


def value_note(v: Value) -> str:
    """What a reader should know about one value: the source's words, or why it is read this way."""
    parts = []
    if getattr(v, "quote", None):
        parts.append(f"原文：“{v.quote}”")
    if getattr(v, "reason", None):
        parts.append(f"本县理解：{v.reason}")
    note = v.note or v.reference.note
    if note and not any(note in p for p in parts):
        parts.append(note)
    return "；".join(parts)


def param_view(j: Jurisdiction, param: Param, title: str) -> dict:
    return {"title": title, "description": param.description,
            "per": PER_NAMES.get(param.extra.get("per", ""), ""),
            "rows": value_rows(j, param), "by": _by_names(param)}


def _by_names(param: Param) -> list[str]:
    from policy.params import BY_LABEL
    out, node = [], param.root
    while isinstance(node, Breakdown):
        out.append(BY_LABEL[node.by])
        node = node.branches[0][1]
    return out


def layer_view(j: Jurisdiction, raw: dict) -> dict:
    cond = raw["applies_to"] or {}
    params = []
    for role in ("deductible", "ratio", "ratio_bonus", "cap", "ceiling_ratio"):
        if raw[role] is not None:
            params.append(param_view(j, raw[role], ROLE_NAMES[role]))
    for part in raw["parts"] or ():
        params.append(param_view(j, part["ratio"], f"{part['name']}报销比例"))
    if raw["personal_share"]:
        params.append(param_view(j, raw["personal_share"]["rate"],
                                 f"{formats.SHARE_OF[raw['personal_share']['of']]}个人先付比例"))
    for item in raw["items"] or ():
        params.append(param_view(j, item["rate"], f"{item['name']}减免比例"))
    return {
        "id": raw["id"], "name": raw["name"], "description": raw["description"],
        "kinds": [formats.CLAIM_KINDS[k] for k in raw["kinds"]],
        "who": [j.category_or_group_name(c) for c in cond.get("categories") or ()],
        "levels": [j.name_of("level", lv) for lv in cond.get("levels") or ()],
        "in_county": cond.get("in_county"),
        "chronic_classes": [j.name_of("chronic_class", c) for c in cond.get("chronic_classes") or ()],
        "params": params,
    }


def all_params(j: Jurisdiction) -> list[tuple[str, Param]]:
    """Every dated parameter with the page it belongs to (for changes and open data)."""
    out = [(f"lines/{raw['id']}/", p) for raw in j.layers for p in layer_params(raw)]
    if j.monitoring_threshold is not None:
        out.append(("", j.monitoring_threshold))
    out += [("complain/", p) for p in j.commitments.values() if isinstance(p, Param)]
    return out


def changes(j: Jurisdiction) -> list[dict]:
    """Every dated change: old value -> new value, from which date, on whose authority. Newest first."""
    seen, out = set(), []
    for page, param in all_params(j):
        for keys, series in param.series():
            who = " · ".join(key_name(j, by, key) for by, key in keys)
            for old, new in zip(series.values, series.values[1:]):
                row = (param.description, who, new.start, old.value, new.value)
                if row in seen:  # a value shared by two layers (YAML anchors) changes once
                    continue
                seen.add(row)
                out.append({"date": new.start.isoformat(), "date_text": cn_date(new.start), "what": param.description, "who": who,
                            "old": show_value(old.value, param.unit), "old_mark": label(old) if old.value is not None else "",
                            "new": show_value(new.value, param.unit), "new_mark": label(new) if new.value is not None else "",
                            "source": source_text(j, new.reference),
                            "note": new.note or "", "page": page})
    out.sort(key=lambda c: c["date"], reverse=True)
    return out


def current(param: Param, today: dt.date) -> Value | None:
    """The value in force today on a parameter without breakdowns (commitment deadlines)."""
    node = param.root
    return None if isinstance(node, Breakdown) else node.at(today)


# ------------------------------------------------------------------ programs

def condition_lines(j: Jurisdiction, cond) -> list:
    """A program's `when` as nested plain-words lines: a str, or (heading, [lines])."""
    if cond is None:
        return ["所有人都可以"]
    op, arg = cond
    if op == "all":
        return [line for c in arg for line in condition_lines(j, c)]
    if op == "any":
        return [("下面任意一条符合即可：", [line for c in arg for line in condition_lines(j, c)])]
    if op == "not":
        return [("不属于下面的情况：", condition_lines(j, arg))]
    names = {
        "category": lambda ids: "属于" + "、".join(j.category_or_group_name(i) for i in ids),
        "age": _age_text,
        "sex": lambda s: {"female": "女性", "male": "男性"}[s],
        "disease": lambda ids: "患有" + "、".join(j.name_of("disease", i) for i in ids),
        "disease_group": lambda ids: "患有" + "、".join(j.name_of("disease_group", i) for i in ids) + "中的一种",
        "chronic_class": lambda ids: "经鉴定患有" + "或".join(j.name_of("chronic_class", i) for i in ids),
        "disability": lambda ids: "有残疾" if ids == "any" else "有" + "、".join(formats.DISABILITIES[i] for i in ids),
        "pregnant": lambda flag: "正在怀孕" if flag else "没有怀孕",
        "township": lambda ids: "住在" + "、".join(j.name_of("township", i) for i in ids),
    }
    if op not in names:
        raise Unshowable(f"不认识的条件“{op}”")
    return [names[op](arg)]


def _age_text(age: dict) -> str:
    low, high = age.get("min"), age.get("max")
    if low is not None and high is not None:
        return f"年龄在 {low} 到 {high} 岁之间"
    return f"年满 {low} 岁" if low is not None else f"不超过 {high} 岁"


def where_list(j: Jurisdiction, where: list[str]) -> list[dict]:
    out = []
    for place in where:
        if place.startswith("hospital:"):
            h = j.hospitals.get(place.split(":", 1)[1])
            if h is None:
                raise Unshowable(f"办理地点“{place}”不是 hospitals.yaml 里的医院")
            out.append({"name": h["name"], "hospital": h["id"]})
        elif place in WHERE_NAMES:
            out.append({"name": WHERE_NAMES[place], "hospital": None})
        else:
            raise Unshowable(f"不认识的办理地点“{place}”")
    return out


def program_view(j: Jurisdiction, p: dict) -> dict:
    return {"id": p["id"], "name": p["name"], "summary": p["summary"], "benefits": p["benefits"],
            "who": condition_lines(j, p["when"]), "where": where_list(j, p["how"]["where"]),
            "steps": p["how"]["steps"], "bring": p["how"]["bring"],
            "valid": p.get("valid"), "illustrative": bool(p.get("illustrative")),
            "mark": label(p),  # 按本县理解 / 示例数字 from the program's status
            "source": source_text(j, p["reference"]), "note": p["reference"].note or ""}
