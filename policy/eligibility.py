"""Which programs and services apply to a person, why, and what to do next.

Conditions are three-valued: a fact the person did not give (age, sex, ...) makes a condition
unknown rather than false, so the screener can say "tell us your age" instead of "no".
"""
from __future__ import annotations

import datetime as dt

from .claims import Person
from .formats import DISABILITIES
from .model import Jurisdiction
from .readings import LABELS

SEX = {"female": "女性", "male": "男性"}


def screen(j: Jurisdiction, person: Person, date: dt.date) -> dict:
    eligible, not_eligible, unknown = [], [], []
    for program in j.programs:
        valid = program["valid"]
        if valid and (date < valid["from"] or (valid["until"] and date > valid["until"])):
            until = valid["until"].isoformat() if valid["until"] else "现在"
            not_eligible.append(_brief(program, [f"该项目实施时间为 {valid['from']} 至 {until}，{date} 不在实施期内"]))
            continue
        cond = program["when"]
        if cond is None:
            state, reasons = True, ["所有居民都可以享受"]
        else:
            state, reasons = evaluate(j, cond, person)
        if state is True:
            eligible.append(_full(j, program, person, reasons))
        elif state is False:
            not_eligible.append(_brief(program, reasons))
        else:
            entry = _brief(program, [])
            entry["missing"] = reasons
            unknown.append(entry)
    return {"eligible": eligible, "not_eligible": not_eligible, "need_more_info": unknown}


def _brief(program, reasons):
    return {"id": program["id"], "name": program["name"], "summary": program["summary"], "why": reasons}


def _full(j, program, person, reasons):
    how = program["how"]
    ref = program["reference"]
    source = j.sources.get(ref.source, {})
    return {
        "id": program["id"], "name": program["name"], "summary": program["summary"],
        "benefits": program["benefits"], "why": reasons,
        "what_to_do": {"where": [_place(j, w, person) for w in how["where"]],
                       "steps": how["steps"], "bring": how["bring"]},
        "reference": {"source": ref.source, "title": source.get("title"), "clause": ref.clause,
                      "url": ref.url or source.get("url"), "note": ref.note},
        "illustrative": program["illustrative"],
        # how sure the program's description is: "按本县理解" / "示例数字" beside it, or nothing
        "status": program["status"], "label": LABELS[program["status"]],
    }


def _place(j: Jurisdiction, where: str, person: Person) -> dict:
    if where == "village_clinic":
        if person.village:
            township, village = j.villages[person.village]
            clinic = village["clinic"]
            return {"kind": where, "name": clinic["name"], "phone": clinic["phone"], "hours": clinic["hours"],
                    "doctors": [d["name"] for d in clinic["doctors"]], "township": township["name"]}
        return {"kind": where, "name": "您所在村的村卫生室"}
    if where == "township_health_center":
        if person.township:
            h = j.hospitals[j.townships[person.township]["health_center"]]
            return {"kind": where, "name": h["name"], "phone": h.get("phone")}
        return {"kind": where, "name": "您所在乡镇的卫生院"}
    h = j.hospitals[where.split(":", 1)[1]]
    return {"kind": "hospital", "id": h["id"], "name": h["name"], "phone": h.get("phone")}


def evaluate(j: Jurisdiction, cond, person: Person):
    """-> (True | False | None, reasons). Reasons explain a yes, a no, or what is missing."""
    key, arg = cond
    if key == "all":
        met, missing = [], []
        for sub in arg:
            state, reasons = evaluate(j, sub, person)
            if state is False:
                return False, reasons
            (met if state else missing).extend(reasons)
        return (None, missing) if missing else (True, met)
    if key == "any":
        missing, failed = [], []
        for sub in arg:
            state, reasons = evaluate(j, sub, person)
            if state is True:
                return True, reasons
            (missing if state is None else failed).extend(reasons)
        return (None, missing) if missing else (False, ["以下条件都不符合：" + "；".join(failed)])
    if key == "not":
        state, reasons = evaluate(j, arg, person)
        if state is None:
            return None, reasons
        return (not state), [("不" if state else "并非") + "符合：" + "；".join(reasons)]
    return _leaf(j, key, arg, person)


def _names(j, kind, ids):
    return "、".join(j.name_of(kind, i) for i in ids)


def _leaf(j: Jurisdiction, key, arg, p: Person):
    if key == "category":
        groups = j.groups_of.get(p.category, ())
        hit = p.category in arg or any(g in arg for g in groups)
        me = j.categories[p.category]["name"]
        wanted = "、".join(j.category_or_group_name(c) for c in arg)
        if hit:
            via = next((g for g in groups if g in arg), None)
            return True, [f"属于{me}" + (f"（{j.groups[via]['name']}）" if via and p.category not in arg else "")]
        return False, [f"只限{wanted}，您是{me}"]
    if key == "age":
        lo, hi = arg["min"], arg["max"]
        want = (f"{lo}至{hi}周岁" if lo is not None and hi is not None else
                f"年满{lo}周岁" if lo is not None else f"{hi}周岁及以下")
        if p.age is None:
            return None, [f"需要知道年龄（条件：{want}）"]
        ok = (lo is None or p.age >= lo) and (hi is None or p.age <= hi)
        return ok, [f"{p.age}周岁，符合“{want}”" if ok else f"只限{want}，您{p.age}周岁"]
    if key == "sex":
        if p.sex is None:
            return None, [f"需要知道性别（只限{SEX[arg]}）"]
        return p.sex == arg, [f"是{SEX[arg]}" if p.sex == arg else f"只限{SEX[arg]}"]
    if key in ("disease", "disease_group"):
        if key == "disease":
            hits = [d for d in p.diseases if d in arg]
            wanted = _names(j, "disease", arg)
        else:
            hits = [d for d in p.diseases if any(g in arg for g in j.diseases[d]["groups"])]
            wanted = _names(j, "disease_group", arg)
        if hits:
            return True, [f"患有{_names(j, 'disease', hits)}"]
        return False, [f"只限患有{wanted}的人"]
    if key == "chronic_class":
        classes = {p.chronic_class} if p.chronic_class else set()
        classes |= {j.diseases[d]["chronic_class"] for d in p.diseases if j.diseases[d]["chronic_class"]}
        hits = [c for c in arg if c in classes]
        if hits:
            return True, [f"患有{_names(j, 'chronic_class', hits)}"]
        return False, [f"只限患有{_names(j, 'chronic_class', arg)}的人"]
    if key == "disability":
        wanted = list(DISABILITIES) if arg == "any" else arg
        hits = [d for d in p.disabilities if d in wanted]
        if hits:
            return True, ["有" + "、".join(DISABILITIES[d] for d in hits)]
        label = "残疾" if arg == "any" else "、".join(DISABILITIES[d] for d in arg)
        return False, [f"只限有{label}的人"]
    if key == "pregnant":
        if p.pregnant is None:
            return None, ["需要知道是否怀孕"]
        ok = p.pregnant == arg
        return ok, [("正在怀孕" if arg else "没有怀孕") if ok else ("只限孕妇" if arg else "不适用于孕妇")]
    if key == "township":
        if p.township is None:
            return None, ["需要知道住在哪个乡镇"]
        ok = p.township in arg
        return ok, [f"住在{j.name_of('township', p.township)}" if ok else f"只限住在{_names(j, 'township', arg)}的人"]
    raise AssertionError(key)  # the schema admits no other condition
