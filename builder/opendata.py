"""Open data (开放数据): the jurisdiction's policy as JSON and CSV, with a JSON Schema and the data version.

Written into the site's `docs/data/` before MkDocs runs, so the open-data page's links are
checked by the strict build like any other link.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from policy.model import Jurisdiction
from policy.money import fmt
from policy.readings import status_of

from . import facts
from .datapackage import (CODE_COLUMNS, DRUG_COLUMNS, HOSPITAL_COLUMNS, PARAMETER_COLUMNS, VILLAGE_COLUMNS,
                          code_rows, datapackage)

SCHEMA_ID = "schema.json"  # relative: resolves to the file beside policy-data.json


def write(j: Jurisdiction, data_dir: Path, version: str, last_changed: str) -> list[Path]:
    data_dir.mkdir(parents=True, exist_ok=True)
    doc = document(j, version, last_changed)
    files = {
        "policy-data.json": json.dumps(doc, ensure_ascii=False, indent=1),
        "schema.json": json.dumps(SCHEMA, ensure_ascii=False, indent=1),
        # Money in yuan with two decimals in its own column (opened in Excel, fen would read 100
        # times too high); ratios, counts and days in `value`. datapackage.json describes each column.
        "parameters.csv": _csv([c[0] for c in PARAMETER_COLUMNS],
                               [[version, p["parameter"], p["description"], p["unit"], p["applies_to"], p["from"],
                                 "" if p["unit"] == "yuan" or p["value"] is None else p["value"],
                                 fmt(p["value"]) if p["unit"] == "yuan" and p["value"] is not None else "",
                                 "yes" if p["value"] is None else "",
                                 p["status"], p["source"], p["clause"]] for p in doc["parameters"]]),
        "hospitals.csv": _csv([c[0] for c in HOSPITAL_COLUMNS],
                              [[version, h["id"], h["name"], h["level"], h["township"], h["phone"]]
                               for h in doc["hospitals"]]),
        "villages.csv": _csv([c[0] for c in VILLAGE_COLUMNS],
                             [[version, v["township"], v["id"], v["name"], v["clinic"], v["clinic_phone"], v["hours"],
                               "；".join(f"{d['name']}（{d['qualification']}）" for d in v["doctors"])]
                              for v in doc["villages"]]),
    }
    if j.drugs:
        files["drug-prices.csv"] = _csv(
            [c[0] for c in DRUG_COLUMNS],
            [[version, r["village"], r["drug"], r["name"], r["spec"], r["unit"], r["from"],
              "" if r["fen"] is None else fmt(r["fen"]), "yes" if r["not_stocked"] else "", j.drugs["status"],
              j.drugs["reference"].source] for r in drug_rows(j.drugs)])
    files["codes.csv"] = _csv([c[0] for c in CODE_COLUMNS], code_rows(j))
    files["datapackage.json"] = json.dumps(datapackage(j, version, [n for n in files if n.endswith(".csv")]),
                                           ensure_ascii=False, indent=1)
    out = []
    for name, text in files.items():
        path = data_dir / name
        # The BOM lets Excel (what county offices open CSV files with) read UTF-8 correctly.
        path.write_text(("\ufeff" if name.endswith(".csv") else "") + text, encoding="utf-8")
        out.append(path)
    return out


def document(j: Jurisdiction, version: str, last_changed: str) -> dict:
    params = []
    for _page, param in facts.all_params(j):
        for keys, series in param.series():
            for v in series.values:
                params.append({
                    "parameter": param.name, "description": param.description, "unit": param.unit,
                    "applies_to": " · ".join(f"{by}={key}" for by, key in keys),
                    "from": v.start.isoformat(),
                    "value": None if v.value is None else (str(v.value) if param.unit == "ratio" else v.value),
                    "status": status_of(v), "source": v.reference.source, "clause": v.reference.clause or "",
                })
    return {
        "$schema": SCHEMA_ID,
        "jurisdiction": {"id": j.id, "name": j.name, "full_name": j.full_name},
        "data_version": version, "last_changed": last_changed,
        "money_unit": "fen",
        "sources": [{"id": s["id"], "title": s["title"], "issuer": s.get("issuer") or "",
                     "date": s["date"].isoformat() if s.get("date") else ""} for s in j.sources.values()],
        "categories": [{"id": c["id"], "name": c["name"]} for c in j.categories.values()],
        "layers": [{"id": raw["id"], "name": raw["name"], "kinds": raw["kinds"]} for raw in j.layers],
        "parameters": params,
        "programs": [{"id": p["id"], "name": p["name"], "summary": p["summary"]} for p in j.programs],
        "hospitals": [{"id": h["id"], "name": h["name"], "level": h["level"], "township": h.get("township") or "",
                       "phone": h.get("phone") or ""} for h in j.hospitals.values()],
        "villages": [{"id": v["id"], "name": v["name"], "township": t["id"], "clinic": v["clinic"]["name"],
                      "clinic_phone": v["clinic"].get("phone") or "", "hours": v["clinic"].get("hours") or "",
                      "doctors": [{"name": d["name"], "qualification": d["qualification"]}
                                  for d in v["clinic"].get("doctors") or ()]}
                     for t, v in j.villages.values()],
    }


def drug_rows(drugs: dict) -> list[dict]:
    """Every dated price of drugs.yaml as rows: the county list (clinic_village empty), then each
    clinic's own prices and the drugs it does not stock. An empty price: off the list (county) or
    back to the county price (clinic) from that day."""
    by_id = {d["id"]: d for d in drugs["drugs"]}

    def row(village, drug, start, fen, not_stocked=False):
        d = by_id[drug]
        return {"village": village, "drug": drug, "name": d["name"], "spec": d["spec"], "unit": d["unit"],
                "from": start.isoformat() if start else "", "fen": fen, "not_stocked": not_stocked}
    rows = [row("", d["id"], p.start, p.fen) for d in drugs["drugs"] for p in d["prices"]]
    for clinic in drugs.get("clinics") or ():
        rows += [row(clinic["village"], own["drug"], p.start, p.fen) for own in clinic["prices"] for p in own["prices"]]
        rows += [row(clinic["village"], drug, None, None, not_stocked=True) for drug in clinic["not_stocked"]]
    return rows


def _csv(header: list[str], rows: list[list]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


_STR = {"type": "string"}
_NAMED = {"type": "object", "required": ["id", "name"],
          "properties": {"id": _STR, "name": _STR}}
SCHEMA = {
    # JSON Schema draft 2020-12. No "$schema" URL: the site names no outside host, not even as an id.
    "$id": SCHEMA_ID,
    "title": "健康扶贫政策开放数据",
    "description": "一个地区的政策数据。金额单位为分（整数）；比例为小数字符串，如 \"0.85\"。",
    "type": "object",
    "required": ["jurisdiction", "data_version", "last_changed", "money_unit", "parameters"],
    "properties": {
        "jurisdiction": {"type": "object", "required": ["id", "name"],
                         "properties": {"id": _STR, "name": _STR, "full_name": _STR}},
        "data_version": {"type": "string", "pattern": "^[0-9a-f]{12}$",
                         "description": "政策数据文件的哈希，与网页、公示栏底部印的一致"},
        "last_changed": {"type": "string", "format": "date"},
        "money_unit": {"const": "fen"},
        "sources": {"type": "array", "items": {"type": "object", "required": ["id", "title"]}},
        "categories": {"type": "array", "items": _NAMED},
        "layers": {"type": "array", "items": _NAMED},
        "parameters": {"type": "array", "items": {
            "type": "object",
            "required": ["parameter", "description", "unit", "applies_to", "from", "value", "status", "source"],
            "properties": {
                "parameter": _STR, "description": _STR,
                "unit": {"enum": ["yuan", "ratio", "count", "days", "working_days"]},
                "applies_to": {"type": "string", "description": "按什么区分，如 category=poor · hospital_level=county"},
                "from": {"type": "string", "format": "date"},
                "value": {"description": "yuan: 整数（分）；ratio: 小数字符串；其他: 整数；null: 从这天起不再执行",
                          "type": ["integer", "string", "null"]},
                "status": {"enum": ["official", "derived", "interpreted", "illustrative"]},
                "source": _STR, "clause": _STR,
            }}},
        "programs": {"type": "array", "items": _NAMED},
        "hospitals": {"type": "array", "items": _NAMED},
        "villages": {"type": "array", "items": _NAMED},
    },
}
