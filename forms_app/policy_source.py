"""The policy core as the forms app sees it: jurisdictions, places, categories, data versions.

Loaded once when the app starts; everything here reads `policy` objects, never a copy of them.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from builder.version import data_version
from policy.cases import Service
from policy.drugs import clinic_list
from policy.loader import load_all
from policy.money import fmt
from policy.model import Jurisdiction

from .models import local_date, utcnow
from .numbers import default_prefix

CLINIC = "village_clinic"  # the institution choice "the chosen village's clinic"
DRUG_PRICE = "drug_price"  # the complaint category "drug price differs from the posted one"
NO_INSTITUTION = "none"
LEVEL_GROUP = {"township": "乡镇卫生院", "county": "县级医院", "city": "市级及以上医院", "outside": "县外医院"}


class PolicyUnavailable(RuntimeError):
    pass


@dataclass
class PolicySource:
    jurisdictions: dict[str, Jurisdiction]
    service: Service
    versions: dict[str, str]
    prefixes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, data_dir: Path, prefix_overrides: dict[str, str] | None = None) -> "PolicySource":
        jurisdictions, problems = load_all(data_dir, run_examples=False)
        if problems:
            raise PolicyUnavailable("政策数据有问题，表单无法启动；请先运行 python build.py check：\n"
                                    + "\n".join(str(p) for p in problems[:20]))
        versions = {jid: data_version(j.folder) for jid, j in jurisdictions.items()}
        prefixes = {jid: (prefix_overrides or {}).get(jid) or default_prefix(jid) for jid in jurisdictions}
        if len(set(prefixes.values())) != len(prefixes):
            raise PolicyUnavailable(f"两个地区的案件编号前缀相同：{prefixes}；请用 FORMS_CASE_PREFIXES 指定")
        return cls(jurisdictions, Service(jurisdictions), versions, prefixes)

    def get(self, jid: str) -> Jurisdiction | None:
        return self.jurisdictions.get(jid)


# ------------------------------------------------------------------ choices for the forms

def category_choices(j: Jurisdiction) -> list[tuple[str, str]]:
    return [(c["id"], c["name"]) for c in j.complaint_categories]


def category(j: Jurisdiction, cid: str | None) -> dict | None:
    return next((c for c in j.complaint_categories if c["id"] == cid), None)


def village_choices(j: Jurisdiction) -> dict[str, list[tuple[str, str]]]:
    """Villages grouped by township (an <optgroup> each): one choice gives both, without script."""
    return {t["name"]: [(v["id"], v["name"]) for v in t["villages"]] for t in j.townships.values()}


def clinic_drugs(j: Jurisdiction, village: str | None, day: dt.date | None = None) -> list[dict]:
    """The drugs the village's clinic posts on `day` (default today in Beijing), in the notice's order."""
    return clinic_list(j.drugs, village, day or local_date(utcnow())) if village in j.villages else []


def drug_choices(j: Jurisdiction, village: str | None) -> dict[str, list[tuple[str, str]]]:
    """The drug select: the chosen village clinic's list with its posted prices; before a village
    is chosen, the county list (checked against the clinic's when the form is sent)."""
    if village in j.villages:
        name = j.villages[village][1]["clinic"]["name"]
        return {f"{name}公示的药品": [(d["id"], f"{d['name']} {d['spec']}（公示 {fmt(d['fen'])} 元/{d['unit']}）")
                                   for d in clinic_drugs(j, village)]}
    return {"全县村卫生室药品（选好村以后按本村清单核对）": [(d["id"], f"{d['name']} {d['spec']}")
                                                 for d in (j.drugs or {}).get("drugs", ())]}


def drug_label(j: Jurisdiction, drug: str | None) -> str:
    d = next((d for d in (j.drugs or {}).get("drugs", ()) if d["id"] == drug), None)
    return f"{d['name']} {d['spec']}" if d else (drug or "")


def institution_choices(j: Jurisdiction) -> dict[str, list[tuple[str, str]]]:
    groups: dict[str, list[tuple[str, str]]] = {"村卫生室": [(CLINIC, "我选的那个村的村卫生室")]}
    for h in j.hospitals.values():
        groups.setdefault(LEVEL_GROUP.get(h["level"], "其他医院"), []).append((h["id"], h["name"]))
    groups["其他"] = [(NO_INSTITUTION, "不涉及具体医院，或不清楚")]
    return groups


def resolve_place(j: Jurisdiction, village: str | None, institution: str | None):
    """(township id, village id, institution id) from the form's choices; None where not given."""
    township = j.villages[village][0]["id"] if village in j.villages else None
    if institution == CLINIC:
        institution = f"clinic:{village}" if village in j.villages else None
    elif institution == NO_INSTITUTION or institution not in j.hospitals:
        institution = None
    return township, (village if village in j.villages else None), institution


def place_label(j: Jurisdiction, township: str | None, village: str | None, institution: str | None) -> str:
    parts = []
    if township in j.townships:
        parts.append(j.townships[township]["name"])
    if village in j.villages:
        parts.append(j.villages[village][1]["name"])
    if institution:
        if institution.startswith("clinic:") and institution[7:] in j.villages:
            parts.append(j.villages[institution[7:]][1]["clinic"]["name"])
        elif institution in j.hospitals:
            parts.append(j.hospitals[institution]["name"])
    return " · ".join(parts)


def person_in_words(j: Jurisdiction, person: dict | None) -> list[tuple[str, str]]:
    """An eligibility query's situation as staff read it on a call-back: (label, words) rows in
    Chinese from the jurisdiction's own names, never the form's codes (`poverty`, `female`)."""
    from policy.formats import DISABILITIES

    person = person or {}
    rows = []
    cat = person.get("category")
    if cat:
        rows.append(("身份", j.categories.get(cat, {}).get("name", "（数据里已没有这个身份）")))
    if person.get("age") is not None:
        rows.append(("年龄", f"{person['age']} 岁"))
    if person.get("sex"):
        rows.append(("性别", {"female": "女", "male": "男"}.get(person["sex"], "未填")))
    if person.get("village") or person.get("township"):
        rows.append(("住在", place_label(j, person.get("township"), person.get("village"), None) or "未填"))
    if person.get("diseases"):
        rows.append(("疾病", "、".join(j.diseases.get(d, {}).get("name", "（数据里已没有这种病）")
                                      for d in person["diseases"])))
    if person.get("disabilities"):
        rows.append(("残疾", "、".join(DISABILITIES.get(d, "（未知）") for d in person["disabilities"])))
    if "pregnant" in person:
        rows.append(("是否怀孕", "是" if person["pregnant"] else "否"))
    return rows
