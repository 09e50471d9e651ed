"""`policy.json`: everything the browser calculator and screener need, from the loaded data.

Written by the build into `dist/<jid>/data/policy.json` (never typed by hand). The browser
engine (`site/calculator/*.mjs`) interprets it with the same rules as `policy/engine.py` and
`policy/eligibility.py`; `docs/policy-json.md` documents the shape. Money is integer fen,
ratios are decimal strings (read exactly as fractions in JavaScript), dates are ISO strings.

Parameters are written generically — a breakdown tree (`by` + branches) whose leaves are date
series — so a new `by` or a new layer method in the data needs no per-jurisdiction code.
"""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

from policy.engine import Engine
from policy.formats import BASES, CLAIM_KINDS, DISABILITIES, SHARE_OF
from policy.model import Jurisdiction
from policy.params import BY_LABEL, Breakdown, Param, Series
from policy.readings import LABELS

FORMAT = 1
LAYER_PARAMS = ("ratio_bonus", "deductible", "cap", "ceiling_ratio")


def policy_data(j: Jurisdiction, version: str) -> dict:
    """The JSON-ready policy of one jurisdiction (see docs/policy-json.md)."""
    Engine(j)  # gives every layer parameter its dotted name (layers.basic.ratio), as calc does
    return {
        "format": FORMAT,
        "version": version,
        "jurisdiction": {"id": j.id, "name": j.name, "full_name": j.full_name,
                         "baseline_category": j.baseline_category, "notes": j.notes},
        "categories": [_pick(c, "id", "name", "description") for c in j.categories.values()],
        "groups": [{"id": g["id"], "name": g["name"], "members": list(g["members"])} for g in j.groups.values()],
        "levels": [_pick(lv, "id", "name", "in_county") for lv in j.levels.values()],
        "chronic_classes": [_pick(c, "id", "name") for c in j.chronic_classes.values()],
        "disease_groups": [_pick(g, "id", "name") for g in j.disease_groups.values()],
        "diseases": [{"id": d["id"], "name": d["name"], "groups": list(d["groups"]),
                      "chronic_class": d["chronic_class"]} for d in j.diseases.values()],
        "hospitals": [{"id": h["id"], "name": h["name"], "level": h["level"], "phone": h.get("phone"),
                       "in_county": bool(h.get("township"))} for h in j.hospitals.values()],
        "townships": [_township(j, t) for t in j.townships.values()],
        "sources": {s["id"]: {"title": s["title"], "url": s.get("url")} for s in j.sources.values()},
        "contacts": [_pick(c, "id", "name", "role", "phone", "hours") for c in j.contacts],
        "monitoring": {"self_pay_threshold": _param(j.monitoring_threshold)},
        "layers": [_layer(raw) for raw in j.layers],
        "discretionary": [_discretionary(d) for d in j.discretionary],
        "programs": [_program(p) for p in j.programs],
        "labels": {"claim_kinds": CLAIM_KINDS, "bases": BASES, "share_of": SHARE_OF,
                   "disabilities": DISABILITIES, "by": BY_LABEL, "readings": LABELS},
    }


def write_policy_json(j: Jurisdiction, path: Path, version: str) -> Path:
    """Write policy.json compactly (it is downloaded on phones); returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(policy_data(j, version)), encoding="utf-8")
    return path


def dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _pick(d: dict, *keys) -> dict:
    return {k: d.get(k) for k in keys if d.get(k) is not None}


def _township(j: Jurisdiction, t: dict) -> dict:
    hc = j.hospitals.get(t["health_center"], {})
    return {"id": t["id"], "name": t["name"],
            "health_center": {"name": hc.get("name"), "phone": hc.get("phone")},
            "villages": [{"id": v["id"], "name": v["name"],
                          "clinic": {"name": v["clinic"]["name"], "phone": v["clinic"]["phone"],
                                     "hours": v["clinic"]["hours"],
                                     "doctors": [d["name"] for d in v["clinic"]["doctors"]]}}
                         for v in t["villages"]]}


def _layer(raw: dict) -> dict:
    out = {"id": raw["id"], "name": raw["name"], "description": raw["description"],
           "kinds": list(raw["kinds"]), "method": raw["method"] or "share"}
    cond = raw["applies_to"] or {}
    applies = {k: cond[k] for k in ("categories", "levels", "hospitals", "in_county", "chronic_classes")
               if cond.get(k) is not None}
    if applies:
        out["applies_to"] = applies
    if out["method"] == "share":
        if raw["parts"]:
            out["parts"] = [{"name": p["name"], "base": p["base"], "ratio": _param(p["ratio"])} for p in raw["parts"]]
        else:
            out["parts"] = [{"name": None, "base": raw["base"], "ratio": _param(raw["ratio"])}]
        if raw["personal_share"]:
            out["personal_share"] = {"of": raw["personal_share"]["of"],
                                     "rate": _param(raw["personal_share"]["rate"])}
    for key in LAYER_PARAMS:
        if raw[key] is not None:
            out[key] = _param(raw[key])
    if raw["items"]:
        out["items"] = [{"id": i["id"], "name": i["name"], "kinds": list(i["kinds"] or raw["kinds"]),
                         "rate": _param(i["rate"])} for i in raw["items"]]
    if raw.get("scope") and LABELS[raw["scope"]["status"]]:
        out["scope_status"] = raw["scope"]["status"]  # how the layer's reach was read: marked on the page
    return out


def _discretionary(d: dict) -> dict:
    return {"id": d["id"], "name": d["name"], "kinds": list(d["kinds"]),
            "categories": (d["applies_to"] or {}).get("categories"), "text": d["text"],
            "ratio_min": _param(d["ratio_min"]), "ratio_max": _param(d["ratio_max"])}


def _param(p: Param) -> dict:
    out = {"name": p.name, "description": p.description, "unit": p.unit, "file": p.file,
           "source": p.reference.source, "tree": _node(p.root, p.unit)}
    if p.reference.clause:
        out["clause"] = p.reference.clause
    for key in ("per", "pool"):
        if p.extra.get(key) is not None:
            out[key] = p.extra[key]
    return out


def _node(node, unit: str):
    if isinstance(node, Breakdown):
        return {"by": node.by, "branches": [[key, _node(child, unit)] for key, child in node.branches]}
    assert isinstance(node, Series)
    # [start, value] or [start, value, status] when the value is not plainly official
    # (derived, interpreted, illustrative: labels.readings gives the mark residents see).
    out = []
    for v in node.values:
        entry = [v.start.isoformat(), _number(v.value, unit)]
        if v.value is not None and v.status and v.status != "official":
            entry.append(v.status)
        out.append(entry)
    return out


def _number(value, unit: str):
    if value is None:
        return None
    if unit == "ratio":
        return format(Decimal(value), "f")  # exact decimal text, no exponent; JavaScript reads it as a fraction
    return int(value)  # fen for yuan; whole numbers for counts and days


def _program(p: dict) -> dict:
    ref = p["reference"]
    out = {"id": p["id"], "name": p["name"], "summary": p["summary"], "benefits": list(p["benefits"]),
           "when": _condition(p["when"]) if p["when"] is not None else None,
           "how": {"where": list(p["how"]["where"]), "steps": list(p["how"]["steps"]),
                   "bring": list(p["how"]["bring"])},
           "reference": {"source": ref.source, "clause": ref.clause, "url": ref.url, "note": ref.note},
           "illustrative": p["illustrative"], "status": p["status"]}
    if p["valid"]:
        until = p["valid"]["until"]
        out["valid"] = {"from": p["valid"]["from"].isoformat(), "until": until.isoformat() if until else None}
    return out


def _condition(cond):
    """(key, argument) -> [key, argument] with dates and tuples made JSON-ready."""
    key, arg = cond
    if key in ("all", "any"):
        return [key, [_condition(c) for c in arg]]
    if key == "not":
        return [key, _condition(arg)]
    if key == "age":
        return [key, {"min": arg["min"], "max": arg["max"]}]
    if isinstance(arg, (list, tuple)):
        return [key, list(arg)]
    if isinstance(arg, dt.date):
        return [key, arg.isoformat()]
    return [key, arg]
