"""What the printed sheets say, gathered from the loaded policy data and the engine.

Everything here is plain data (str, int, lists, dicts) so a template can show it and a
fingerprint can hash it. No number is typed here: values come from the jurisdiction's
parameters, worked examples from `policy.cases.run_calc` (what `build.py calc` runs).
A village or jurisdiction without what a sheet needs raises `PrintDataError` naming
jurisdiction, village and field.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import yaml

from policy.cases import Service, run_calc
from policy.china_time import china_today
from policy.coverage import layer_params
from policy.model import Jurisdiction
from policy.money import fmt, fmt_ratio
from policy.params import Keys, Param
from policy.problems import PolicyError
from policy.readings import label as reading_label

from . import currency, urls

PRINT_DIR = Path(__file__).resolve().parent.parent / "site" / "print"
SCENARIOS_FILE = PRINT_DIR / "scenarios.yaml"
LABEL_ORDER = ("", "按本县理解", "示例数字")  # a worked example carries its least sure input's mark


class PrintDataError(Exception):
    """The data lacks something a sheet needs: names where, for the data officer."""

    def __init__(self, jid: str, village: str | None, field: str, message: str):
        self.jid, self.village, self.field = jid, village, field
        where = f"辖区 {jid}" + (f"，村 {village}" if village else "")
        self.message = message
        super().__init__(f"{where}，字段 {field}：{message}")

    def __reduce__(self):  # raised in worker processes: must cross back to the parent
        return type(self), (self.jid, self.village, self.field, self.message)


# ------------------------------------------------------------------ values

def yuan(fen: int) -> str:
    """Integer fen -> "300" or "5946.30": whole yuan without decimals, read more easily on a wall."""
    text = fmt(fen)
    return text[:-3] if text.endswith(".00") else text


def show_value(param: Param, value, bonus: bool = False) -> str:
    if bonus:
        return f"多报{format((value.value * 100).normalize(), 'f')}个百分点"
    if param.unit == "yuan":
        return f"{yuan(value.value)}元"
    if param.unit == "ratio":
        return fmt_ratio(value.value)
    return str(value.value)


def worst_label(labels) -> str:
    return max(labels, key=LABEL_ORDER.index, default="")


def effective_date(jur: Jurisdiction, as_of: dt.date) -> dt.date:
    """The day the newest layer value in force on `as_of` started: the notice's 生效日期."""
    starts = [v.start for raw in jur.layers for p in layer_params(raw) for _, s in p.series()
              for v in s.values if v.start <= as_of]
    if not starts:
        raise PrintDataError(jur.id, None, "layers", f"{as_of.isoformat()} 没有生效的报销政策")
    return max(starts)


# ------------------------------------------------------------------ guarantee-line table

def _keys(jur: Jurisdiction, category: str, level: str | None) -> Keys:
    return Keys(category, jur.groups_of.get(category, ()), level=level)


def _applies(raw: dict, jur: Jurisdiction, category: str) -> bool:
    wanted = (raw["applies_to"] or {}).get("categories")
    return not wanted or category in wanted or any(g in wanted for g in jur.groups_of.get(category, ()))


def describe_param(jur: Jurisdiction, param: Param, categories: list[str], levels: list[str],
                   date: dt.date, bonus: bool = False) -> list[dict]:
    """One parameter for some categories and levels, merged where the values agree:
    [{"who": "低保对象" or "", "values": [{"where": "县级医院" or "", "text": "80%", "label": ""}]}]."""
    by_category: list[tuple[list[str], list]] = []
    for cat in categories:
        found = []
        for level in levels:
            try:
                value, _ = param.lookup(_keys(jur, cat, level), date)
            except PolicyError:
                continue
            if bonus and not value.value:
                continue  # "多报0个百分点" says nothing
            found.append((level, show_value(param, value, bonus), reading_label(value)))
        if not found:
            continue
        merged = _merge_levels(jur, found, len(levels))
        for names, shown in by_category:
            if shown == merged:
                names.append(cat)
                break
        else:
            by_category.append(([cat], merged))
    out = []
    for names, shown in by_category:
        who = "" if len(by_category) == 1 else "、".join(jur.categories[c]["name"] for c in names)
        marks = {v["label"] for v in shown}
        if len(marks) == 1:  # one mark for the whole line instead of one per value: less clutter
            shown = [{**v, "label": ""} for v in shown]
        out.append({"who": who, "values": shown, "label": marks.pop() if len(marks) == 1 else ""})
    if len(out) > 1 and out[0]["label"] and all(g["label"] == out[0]["label"] for g in out):
        # the groups share one line of the cell: one mark at its end covers them all
        out = [{**g, "label": ""} for g in out[:-1]] + [out[-1]]
    return out


def _merge_levels(jur, found, level_count) -> list[dict]:
    texts = {(t, lab) for _, t, lab in found}
    if len(texts) == 1 and len(found) == level_count:
        text, lab = texts.pop()
        return [{"where": "", "text": text, "label": lab}]
    return [{"where": short_level_name(jur, level), "text": text, "label": lab} for level, text, lab in found]


def short_level_name(jur: Jurisdiction, level: str) -> str:
    """"二级（县级医院）" -> "县级医院": the plain words in brackets, when a name has them."""
    name = jur.levels[level]["name"]
    if "（" in name and name.endswith("）"):
        return name[name.index("（") + 1:-1]
    return name


PARAM_CAPTIONS = {"deductible": "起付线", "ratio": "报销比例", "ratio_bonus": "本类人员",
                  "cap": "一年最多报", "ceiling_ratio": "个人自付最多占总费用"}
PER = {"claim": "每次", "year": "每年累计"}


def table_columns(jur: Jurisdiction) -> list[dict]:
    """The categories that matter here: every group a layer is limited to, then the baseline category."""
    columns, seen = [], set()
    for raw in jur.layers:
        for ident in (raw["applies_to"] or {}).get("categories") or ():
            if ident in seen:
                continue
            seen.add(ident)
            members = list(jur.groups[ident]["members"]) if ident in jur.groups else [ident]
            columns.append({"id": ident, "name": jur.category_or_group_name(ident), "categories": members})
    base = jur.baseline_category
    if base and base not in seen and not any(base in c["categories"] for c in columns):
        columns.append({"id": base, "name": jur.categories[base]["name"], "categories": [base]})
    if not columns:
        columns.append({"id": "all", "name": "参保居民", "categories": list(jur.categories)})
    # Width: a group's cells list values per member category, so they get more room.
    weights = [3 if len(c["categories"]) > 1 else 2 for c in columns]
    for col, weight in zip(columns, weights):
        col["width"] = round(87 * weight / sum(weights), 1)
    return columns


def guarantee_table(jur: Jurisdiction, date: dt.date) -> dict:
    """The inpatient guarantee lines (rows) for each column of categories."""
    columns = table_columns(jur)
    rows = []
    for raw in jur.layers:
        if "inpatient" not in raw["kinds"] or raw["method"] == "waiver":
            continue
        cond = raw["applies_to"] or {}
        levels = [lv for lv in jur.levels if not cond.get("levels") or lv in cond["levels"]]
        cells = []
        for col in columns:
            cats = [c for c in col["categories"] if _applies(raw, jur, c)]
            if not cats:
                cells.append({"applies": False, "lines": [], "span": 1, "same": False})
                continue
            lines = []
            for which in ("deductible", "ratio", "ratio_bonus", "cap", "ceiling_ratio"):
                param = raw[which]
                if param is None:
                    continue
                caption = PARAM_CAPTIONS[which]
                if which == "deductible" and param.extra.get("per"):
                    caption = f"{caption}（{PER[param.extra['per']]}）"
                groups = describe_param(jur, param, cats, levels, date, bonus=which == "ratio_bonus")
                if groups:
                    lines.append({"caption": caption, "groups": groups})
            for part in raw["parts"] or ():
                groups = describe_param(jur, part["ratio"], cats, levels, date)
                if groups:
                    lines.append({"caption": f"{part['name']}报销", "groups": groups})
            cells.append({"applies": bool(lines), "lines": lines, "span": 1, "same": False})
        notes = []
        if cond.get("in_county"):
            notes.append("限县域内住院")
        if cond.get("levels"):
            notes.append("限" + "、".join(jur.levels[lv]["name"] for lv in cond["levels"]))
        if len(cells) > 1 and all(c == cells[0] for c in cells):
            # The same for everyone: one wide cell is shorter and says so.
            cells = [{**cells[0], "span": len(cells), "same": True}]
        rows.append({"id": raw["id"], "name": raw["name"], "description": raw["description"],
                     "notes": notes, "cells": cells})
    if not rows:
        raise PrintDataError(jur.id, None, "layers", "没有住院的保障线，公示栏无法列出报销表")
    return {"columns": columns, "rows": rows}


def _table_values(table: dict) -> dict:
    """Each value of a guarantee table by where it stands: (row, cell, caption, who, where)."""
    return {(row["id"], i, line["caption"], g["who"], v["where"]): v
            for row in table["rows"] for i, cell in enumerate(row["cells"]) for line in cell["lines"]
            for g in line["groups"] for v in g["values"]}


def upcoming_in_table(jur: Jurisdiction, table: dict, as_of: dt.date) -> dict:
    """Mark each value that changes within the notice's horizon (jurisdiction.yaml
    `notice_horizon_days`) with its next value, beside it: 即将调整：自YYYY年M月D日起 85%."""
    now = _table_values(table)
    dates = sorted({u["date"] for u in currency.upcoming(jur, as_of, jur.notice_horizon_days)
                    if u["page"].startswith("lines/")})
    for day in dates:
        for key, later in _table_values(guarantee_table(jur, day)).items():
            value = now.get(key)
            if value is not None and "later" not in value and later["text"] != value["text"]:
                value["later"] = f"{currency.upcoming_label(day)} {later['text']}"
    return table


# ------------------------------------------------------------------ promises

PROMISE_PROGRAMS = ("treat_first_pay_later", "one_stop_settlement")


def promises(jur: Jurisdiction, date: dt.date) -> list[dict]:
    """先诊疗后付费 and 一站式结算 where the data has them, the self-pay ceiling, fee waivers."""
    out = []
    for program in jur.programs:
        if program["id"] in PROMISE_PROGRAMS:
            out.append({"title": program["name"], "text": program["summary"], "items": [],
                        "label": reading_label(program)})
    for raw in jur.layers:
        if raw["method"] == "ceiling" and raw["ceiling_ratio"] is not None:
            value = _first_value(jur, raw, raw["ceiling_ratio"], date)
            if value is not None:
                who = _who(jur, raw)
                out.append({"title": f"个人自付不超过{fmt_ratio(value.value)}", "layer": raw["name"],
                            "text": f"{who}{raw['description']}", "items": [], "label": reading_label(value)})
        if raw["method"] == "waiver":
            items = []
            for item in raw["items"] or ():
                value = _first_value(jur, raw, item["rate"], date)
                if value is None:
                    continue
                rate = value.value
                how = "全免" if rate == 1 else f"减收{fmt_ratio(rate)}"
                items.append({"name": item["name"], "how": how, "label": reading_label(value)})
            if items:
                out.append({"title": raw["name"], "text": raw["description"], "items": items,
                            "label": worst_label(i["label"] for i in items)})
    merged: dict[str, dict] = {}
    for item in out:
        if item["title"] in merged and not item["items"]:
            first = merged[item["title"]]
            first["text"] += f"{item['layer']}也一样。"  # the same promise for another line: name it, keep it short
            first["label"] = worst_label((first["label"], item["label"]))
        else:
            merged[item["title"]] = item
    for item in merged.values():
        # How much room a promise gets on the notice: by its length, none too narrow.
        item["text_length"] = max(40, len(item["text"]) + sum(len(i["name"]) + 4 for i in item["items"]))
    return list(merged.values())


def _who(jur, raw) -> str:
    wanted = (raw["applies_to"] or {}).get("categories")
    return "" if not wanted else "适用：" + "、".join(jur.category_or_group_name(c) for c in wanted) + "。"


def _first_value(jur, raw, param: Param, date):
    """The value for the first category and level the layer applies to (ceilings and waiver
    rates are not broken down in the samples; a breakdown would show its first branch)."""
    cats = [c for c in jur.categories if _applies(raw, jur, c)]
    levels = (raw["applies_to"] or {}).get("levels") or list(jur.levels)
    for cat in cats:
        for level in levels:
            try:
                return param.lookup(_keys(jur, cat, level), date)[0]
            except PolicyError:
                continue
    return None


# ------------------------------------------------------------------ worked examples

def load_scenarios(path: Path = SCENARIOS_FILE) -> dict:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PrintDataError("-", None, "site/print/scenarios.yaml", f"读不到算例设置：{exc}") from None


def calc_input(jid: str, category: str, scenario: dict, date: dt.date) -> dict:
    """The `build.py calc` input of one worked example (also what the tests feed `calc`)."""
    return {"jurisdiction": jid, "person": {"category": category},
            "claims": [{"date": date.isoformat(), "kind": "inpatient",
                        "hospital_level": scenario["hospital_level"], "total": str(scenario["total"])}]}


def worked_examples(jur: Jurisdiction, service: Service, date: dt.date, scenarios: dict) -> list[dict]:
    """Three stays in hospital computed by the engine for each category the scenarios name."""
    cats = scenarios["categories"]
    for cat in cats:
        if cat not in jur.categories:
            raise PrintDataError(jur.id, None, "site/print/scenarios.yaml: categories",
                                 f"人员类别“{cat}”在本辖区的 categories.yaml 里没有")
    out = []
    for sc in scenarios["examples"]:
        level = sc["hospital_level"]
        if level not in jur.levels:
            raise PrintDataError(jur.id, None, "site/print/scenarios.yaml: hospital_level",
                                 f"医院级别“{level}”在本辖区的 levels.yaml 里没有")
        results, marks = [], []
        for cat in cats:
            case = calc_input(jur.id, cat, sc, date)
            answer = run_calc(service, case, explain=True, compare=False)
            claim = answer["claims"][0]
            used = answer.get("parameters", {})
            for layer in claim["layers"]:
                if layer.get("applied") and Decimal(layer["paid"]) > 0:
                    params = (layer.get("explanation") or {}).get("parameters", ())
                    marks.extend(_info_label(used.get(p, {})) for p in params)
            results.append({"category": cat, "category_name": jur.categories[cat]["name"],
                            "reimbursed": claim["reimbursed"], "self_pay": claim["self_pay"],
                            "input": case})
        total = Decimal(str(sc["total"]))
        out.append({"level_name": short_level_name(jur, level), "total": _plain(total),
                    "total_wan": _wan(total), "results": results, "label": worst_label(marks)})
    return out


def _plain(amount: Decimal) -> str:
    return format(amount.normalize(), "f")


def _wan(amount: Decimal) -> str:
    """20000 -> "2万元"; amounts under 1万 stay in 元."""
    if amount >= 10000 and amount % 1000 == 0:
        return f"{format((amount / 10000).normalize(), 'f')}万元"
    return f"{_plain(amount)}元"


def _info_label(info: dict) -> str:
    """The reading mark of one parameter as the calc answer describes it."""
    return reading_label(SimpleNamespace(status=info.get("status"), illustrative=info.get("illustrative")))


# ------------------------------------------------------------------ contacts, complaints

def contact(jur: Jurisdiction, role: str) -> dict | None:
    for c in jur.contacts:
        if c.get("role") == role:
            return {"name": c["name"], "phone": c["phone"], "hours": c.get("hours") or "",
                    "label": "示例数字" if c.get("illustrative") else ""}
    return None


def commitment_days(jur: Jurisdiction, date: dt.date) -> dict:
    out = {}
    for key in ("decide", "reply"):
        param = jur.commitments.get(key) if jur.commitments else None
        if isinstance(param, Param):
            try:
                value = param.lookup(_keys(jur, jur.baseline_category, None), date)[0]
            except PolicyError:
                continue
            unit = "个工作日" if param.unit == "working_days" else "天"
            out[key] = {"text": f"{value.value}{unit}", "label": reading_label(value)}
    return out


def jurisdiction_facts(jur: Jurisdiction, version: str, service: Service, *, as_of: dt.date,
                       site_url: str, forms_url: str, scenarios: dict | None = None) -> dict:
    date = effective_date(jur, as_of)
    hotline = contact(jur, "supervision")
    if not hotline or not hotline["phone"]:
        raise PrintDataError(jur.id, None, "contacts.yaml: role supervision",
                             "没有监督举报电话（role: supervision），公示栏必须写明")
    bring = []
    for program in currency.current_programs(jur, as_of):
        for item in (program.get("how") or {}).get("bring") or ():
            if item not in bring:
                bring.append(item)
    return {
        "jid": jur.id, "name": jur.name, "full_name": jur.full_name or jur.name,
        "version": version, "effective_date": date.isoformat(), "effective_date_cn": cn_date(date),
        # builder/currency.py: the build's date, what may be out of date, what changes soon
        "as_of": as_of.isoformat(), "as_of_cn": cn_date(as_of), "stale": currency.staleness(jur, as_of, short=True),
        "reviewed": currency.reviewed_text(jur), "preview": False,  # printing.py sets it for --preview
        "upcoming": [{k: u[k] for k in ("label", "what", "who", "text")}
                     for u in currency.upcoming(jur, as_of, jur.notice_horizon_days)],
        "table": upcoming_in_table(jur, guarantee_table(jur, date), as_of), "promises": promises(jur, date),
        "process": process_steps(jur), "has_drugs": bool(jur.drugs),
        "examples": worked_examples(jur, service, date, scenarios or load_scenarios()),
        "hotline": hotline, "public_hotline": contact(jur, "public_hotline"),
        "contacts": [{"name": c["name"], "phone": c["phone"], "hours": c.get("hours") or "",
                      "label": "示例数字" if c.get("illustrative") else ""} for c in jur.contacts],
        "commitment_days": commitment_days(jur, date),
        "complaint_categories": [{"id": c["id"], "name": c["name"]}
                                 for c in getattr(jur, "complaint_categories", None) or ()],
        "programs": [{"name": p["name"], "summary": p["summary"], "benefits": p.get("benefits") or [],
                      "label": reading_label(p)}
                     for p in currency.current_programs(jur, as_of)],
        "bring": bring,
        "site_home": urls.page_url(jur.id, "", site_url),
        "complaint_home": urls.complaint_url(jur.id, forms_url=forms_url),
        "notes": jur.notes or "",
    }


# ------------------------------------------------------------------ the process and drug prices

def process_steps(jur: Jurisdiction) -> list[dict]:
    """The numbered steps of process.yaml, as the notice prints them ([] without the file).

    What to do when a step fails is the same for every step (the hotline, the complaint QR code),
    so the templates add it as the last step."""
    names = {c["id"]: c["name"] for c in jur.complaint_categories}
    steps = [{"title": s["title"], "text": s["text"], "label": reading_label(s),
              "complaint": names.get(s["complaint"] or "", "")} for s in jur.process]
    return steps


NOTICE_DRUGS = 20  # the most common drugs printed on the notice; the village page lists them all


def drug_prices(jur: Jurisdiction, village_id: str, day: dt.date) -> dict:
    """The clinic's posted drug prices for the notice: the first NOTICE_DRUGS of its list (the
    list is in order of use) and how many more are on the village page."""
    from policy.drugs import clinic_list
    drugs = clinic_list(jur.drugs, village_id, day)
    shown = [{"name": d["name"], "spec": d["spec"], "unit": d["unit"], "price": fmt(d["fen"]),
              "own": d["own"]} for d in drugs[:NOTICE_DRUGS]]
    return {"drugs": shown, "drugs_more": len(drugs) - len(shown),
            "drugs_label": reading_label(jur.drugs) if jur.drugs else "",
            "drugs_date_cn": cn_date(prices_since(jur.drugs, village_id, day)) if jur.drugs else ""}


def prices_since(drugs: dict, village_id: str, day: dt.date) -> dt.date:
    """The day the clinic's list as posted on `day` took effect: its newest price change (the
    county's or the clinic's own) on or before `day`; not the print date."""
    starts = [p.start for d in drugs["drugs"] for p in d["prices"] if p.start <= day]
    for clinic in drugs.get("clinics") or ():
        if clinic["village"] == village_id:
            starts += [p.start for own in clinic["prices"] for p in own["prices"] if p.start <= day]
    return max(starts, default=day)


def cn_date(date: dt.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


# ------------------------------------------------------------------ villages

def village_facts(jur: Jurisdiction, village_id: str, *, site_url: str, forms_url: str,
                  as_of: dt.date | None = None) -> dict:
    township, village = jur.villages[village_id]

    def need(value, field, what):
        if value in (None, "", []):
            raise PrintDataError(jur.id, village_id, field, f"没有{what}，公示栏和联系卡必须写明")
        return value

    clinic = need(village.get("clinic"), "clinic", "村卫生室")
    need(clinic.get("name"), "clinic.name", "村卫生室名称")
    need(clinic.get("phone"), "clinic.phone", "村卫生室电话")
    need(clinic.get("hours"), "clinic.hours", "开诊时间")
    doctors = need(clinic.get("doctors"), "clinic.doctors", "村医")
    for i, doc in enumerate(doctors):
        need(doc.get("name"), f"clinic.doctors[{i}].name", "村医姓名")
        need(doc.get("qualification"), f"clinic.doctors[{i}].qualification", "村医执业资格")
    hc_id = need(township.get("health_center"), f"townships/{township['id']}.yaml: health_center", "乡镇卫生院")
    hc = jur.hospitals.get(hc_id)
    if not hc or not hc.get("phone"):
        raise PrintDataError(jur.id, village_id, f"hospitals.yaml: {hc_id}.phone", "乡镇卫生院没有电话")
    illustrative = bool(township.get("illustrative") or village.get("illustrative"))
    return {
        "id": village_id, "name": village["name"], "township_id": township["id"],
        "township": township["name"], "illustrative": illustrative,
        "clinic": {"name": clinic["name"], "address": clinic.get("address") or "",
                   "phone": clinic["phone"], "hours": clinic["hours"]},
        "doctors": [{"name": d["name"], "qualification": d["qualification"], "phone": d.get("phone") or ""}
                    for d in doctors],
        "health_center": {"name": hc["name"], "phone": hc["phone"]},
        "village_url": urls.village_url(jur.id, township["id"], village_id, site_url),
        "complaint_url": urls.complaint_url(jur.id, village_id, forms_url=forms_url),
        **drug_prices(jur, village_id, as_of or china_today()),
    }
