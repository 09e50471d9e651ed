"""A loaded jurisdiction -> the Markdown sources of its site (`docs/`), through Jinja templates.

Python here only gathers facts (`builder.facts`, the engine for worked examples); every word
and table layout is in `site/mkdocs/pages/*.md.j2`. A missing template or a value that cannot be
shown raises, and the pipeline stops naming the jurisdiction.
"""
from __future__ import annotations

import datetime as dt
import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import jinja2
import yaml

from policy import formats
from policy.cases import Service, run_calc
from policy.china_time import china_today
from policy.examples import example_case
from policy.model import Jurisdiction
from policy.drugs import changes as drug_changes
from policy.drugs import clinic_list, price_on, spoken_names
from policy.money import fmt, parse_yuan
from policy.params import Param
from policy.readings import label

from . import currency, facts, glossary, urls
from .currency import cn_date

SITE = Path(__file__).resolve().parent.parent / "site" / "mkdocs"
TEMPLATES = SITE / "pages"
ASSETS = SITE / "assets"
LABELS_FILE = SITE / "labels.json"
SITUATIONS_FILE = SITE / "situations.yaml"  # the residents' typical situations


@dataclass
class SiteContext:
    """What the pages need besides the data: versions, URLs, statistics, sibling parts."""

    version: str
    last_changed: dt.date
    site_url: str
    forms_url: str
    stats: dict | None = None
    calculator: bool = False
    notices: set[str] = field(default_factory=set)  # village ids whose printed notice exists
    today: dt.date = field(default_factory=china_today)
    # Compiled page templates kept between builds (dist/.fingerprints/jinja: Jinja's bytecode
    # cache, keyed by each template's source); None compiles them afresh.
    template_cache: Path | None = None


def environment(template_cache: Path | None = None) -> jinja2.Environment:
    from .site_reuse import bytecode_cache

    cache = bytecode_cache(template_cache) if template_cache is not None else None
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True,
                             autoescape=False, bytecode_cache=cache)
    env.filters["yuan_text"] = lambda s: f"{s} 元"
    env.filters["mark_of"] = label  # the mark of anything with a status (policy/readings.py)
    return env


def write_pages(j: Jurisdiction, docs: Path, ctx: SiteContext) -> list[str]:
    """Write every page of `j` under `docs`; returns the page paths written (relative, posix)."""
    env = environment(ctx.template_cache)
    labels = json.loads(LABELS_FILE.read_text(encoding="utf-8"))
    common = {"j": j, "ctx": ctx, "jid": j.id, "labels": labels,
              "complaint_url": urls.complaint_url(j.id, forms_url=ctx.forms_url),
              "query_url": urls.query_url(j.id, forms_url=ctx.forms_url),
              "track_url": urls.track_url(j.id, forms_url=ctx.forms_url),
              "contacts": contacts(j), "lines": [facts.layer_view(j, raw) for raw in j.layers]}
    written = []

    def page(path: str, template: str, **extra):
        target = docs / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(env.get_template(template).render(**common, **extra), encoding="utf-8")
        written.append(path)

    # Every program keeps its page; only those in force on the as-of date are listed as current
    # (builder/currency.py: the notice, leaflet and screener list the same ones).
    programs = [{**facts.program_view(j, p), "status": program_status(p, ctx.today)} for p in j.programs]
    current = [p for p in programs if p["status"]["current"]]
    page("index.md", "home.md.j2", programs=current, highlights=home_facts(j, ctx.today),
         process=process_view(j, ctx))
    for line in common["lines"]:
        page(f"lines/{line['id']}/index.md", "line.md.j2", line=line)
    page("lines/index.md", "lines.md.j2")
    for program in programs:
        page(f"programs/{program['id']}/index.md", "program.md.j2", program=program)
    page("programs/index.md", "programs.md.j2", programs=current,
         other_programs=[p for p in programs if not p["status"]["current"]])
    page("examples/index.md", "situations.md.j2", situations=typical_situations(j, ctx.today))
    page("examples/officers/index.md", "examples.md.j2", examples=worked_examples(j))
    page("diseases/index.md", "diseases.md.j2", diseases=disease_lists(j))
    page("hospitals/index.md", "hospitals.md.j2", hospitals=hospital_list(j, labels))
    townships = village_directory(j, ctx)
    page("villages/index.md", "villages.md.j2", townships=townships)
    for township in townships:
        for village in township["villages"]:
            page(f"villages/{township['id']}/{village['id']}/index.md", "village.md.j2",
                 township=township, village=village)
    page("complain/index.md", "complain.md.j2", complain=complaint_facts(j, ctx))
    changes = facts.changes(j)
    page("changes/index.md", "changes.md.j2", changes=[c for c in changes if c["date"] <= ctx.today.isoformat()],
         upcoming=[c for c in changes if c["date"] > ctx.today.isoformat()],
         program_changes=[u for u in currency.upcoming(j, ctx.today) if u["page"].startswith("programs/")])
    if j.drugs:
        page("drugs/index.md", "drugs.md.j2", drugs=drug_list(j, ctx))
    page("glossary/index.md", "glossary.md.j2", terms=glossary.terms())
    page("open-data/index.md", "open-data.md.j2")
    page("stats/index.md", "stats.md.j2", stats=stats_view(j, ctx.stats))
    copy_assets(docs)
    return written


def program_status(p: dict, today: dt.date) -> dict:
    """In force on `today`, ended (since when) or not yet started (from when), in words."""
    valid = p.get("valid")
    if currency.ended(p, today):
        return {"current": False, "text": f"本项目已于{cn_date(valid['until'])}结束，现在不再办理"}
    if valid and valid["from"] > today:
        return {"current": False, "text": f"{currency.upcoming_label(valid['from'])}开始实施，现在还不能办理"}
    return {"current": True, "text": ""}


def copy_assets(docs: Path) -> None:
    shutil.copytree(ASSETS, docs / "assets", dirs_exist_ok=True)


# ------------------------------------------------------------------ gathered facts

def contacts(j: Jurisdiction) -> list[dict]:
    return [{"name": c["name"], "role": c["role"], "phone": c["phone"], "hours": c.get("hours") or "",
             "mark": "示例数字" if c.get("illustrative") else ""} for c in j.contacts]


def home_facts(j: Jurisdiction, today: dt.date) -> dict:
    """The few numbers the home page says in plain words, looked up in force today."""
    out = {"ceiling": None}
    for raw in j.layers:
        if raw["method"] == "ceiling" and "inpatient" in raw["kinds"]:
            v = facts.current(raw["ceiling_ratio"], today)
            if v is not None:
                out["ceiling"] = {"value": facts.percent(v.value), "mark": label(v), "line": raw["id"],
                                  "in_county": (raw["applies_to"] or {}).get("in_county")}
    return out


def typical_situations(j: Jurisdiction, today: dt.date, path: Path = SITUATIONS_FILE) -> list[dict]:
    """The residents' examples page: a few typical situations (site/mkdocs/situations.yaml),
    each computed now by the engine for every category the file names, side by side."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    categories = [c for c in spec["categories"] if c in j.categories]
    chronic = next(iter(j.chronic_classes), None)
    service = Service({j.id: j})
    out = []
    for situation in spec["situations"]:
        if situation.get("needs") == "chronic" and chronic is None:
            continue
        claims = [situation_claim(raw, today, chronic) for raw in situation["claims"]]
        rows = []
        for category in categories:
            answer = run_calc(service, {"jurisdiction": j.id, "person": {"category": category}, "claims": claims},
                              explain=True, compare=False)
            rows.append(situation_row(j.categories[category]["name"], answer))
        out.append({"title": situation["title"], "text": situation.get("text") or "",
                    "total": fmt(sum(parse_yuan(c["total"]) for c in claims)), "rows": rows})
    return out


def situation_claim(raw: dict, today: dt.date, chronic: str | None) -> dict:
    """One claim of a situation as `build.py calc` reads it, dated in the as-of year."""
    claim = {"date": min(dt.date(today.year, raw["month"], 15), today).isoformat(), "kind": raw["kind"],
             "hospital_level": raw["hospital_level"], "total": str(raw["total"])}
    if raw.get("out_of_catalog_necessary"):
        claim["out_of_catalog_necessary"] = str(raw["out_of_catalog_necessary"])
    if raw["kind"] == "outpatient_chronic":
        claim["chronic_class"] = chronic
    return claim


def situation_row(who: str, answer: dict) -> dict:
    """One category's answer to a situation: each line's payment over the claims, totals, marks."""
    used = answer.get("parameters", {})
    paid: dict[str, list] = {}
    marks = set()
    for c in answer["claims"]:
        for layer in c["layers"]:
            if layer["paid"] == "0.00":
                continue
            paid.setdefault(layer["id"], [layer["name"], 0])[1] += parse_yuan(layer["paid"])
            for p in (layer.get("explanation") or {}).get("parameters", ()):
                info = used.get(p, {})
                marks.add(label(SimpleNamespace(status=info.get("status"), illustrative=info.get("illustrative"))))
    return {"who": who, "self_pay": sum_years(answer["year"]),
            "reimbursed": fmt(sum(parse_yuan(c["reimbursed"]) for c in answer["claims"])),
            "layers": [{"id": lid, "name": name, "paid": fmt(fen)} for lid, (name, fen) in paid.items()],
            "marks": sorted(m for m in marks if m)}


def worked_examples(j: Jurisdiction) -> list[dict]:
    """The data's calc examples, computed now by the engine (not copied from the expected output)."""
    service = Service({j.id: j})
    out = []
    for ex in j.examples:
        if ex["kind"] != "calc":
            continue
        answer = run_calc(service, example_case(j, ex), explain=False, compare=True)
        claims = []
        for raw, got in zip(ex["input"]["claims"], answer["claims"], strict=True):
            claims.append({
                "date": facts.cn_date(raw["date"]) if isinstance(raw["date"], dt.date) else str(raw["date"]), "kind": formats.CLAIM_KINDS[raw["kind"]],
                "level": place_of_claim(j, raw), "total": str(raw["total"]),
                "layers": [{"id": layer["id"], "name": layer["name"], "paid": layer["paid"]}
                           for layer in got["layers"] if layer["paid"] != "0.00"],
                "reimbursed": got["reimbursed"], "self_pay": got["self_pay"],
            })
        baseline = answer.get("baseline")
        out.append({"name": ex["name"], "description": ex.get("description") or "",
                    "who": answer["category_name"], "claims": claims,
                    "self_pay": sum_years(answer["year"]),
                    "baseline_self_pay": sum_years(baseline["year"]) if baseline else None,
                    "baseline_who": baseline["category_name"] if baseline else None})
    return out


def place_of_claim(j: Jurisdiction, raw: dict) -> str:
    """Where a worked example's claim was treated: the hospital's name, or its level's."""
    if raw.get("hospital"):
        return j.hospitals[raw["hospital"]]["name"]
    return j.name_of("level", raw["hospital_level"])


def sum_years(years: dict) -> str:
    fen = sum(int(y["self_pay"].replace(".", "")) for y in years.values())
    return f"{fen // 100}.{fen % 100:02d}"


def disease_lists(j: Jurisdiction) -> list[dict]:
    lists = [{"name": g["name"], "source": facts.source_text(j, g["reference"]) if g.get("reference") else "",
              "diseases": [{"name": d["name"], "mark": "示例数字" if d.get("illustrative") else ""}
                           for d in j.diseases.values() if gid in (d.get("groups") or ())]}
             for gid, g in j.disease_groups.items()]
    lists += [{"name": c["name"], "source": c.get("description") or "",
               "diseases": [{"name": d["name"], "mark": "示例数字" if d.get("illustrative") else ""}
                            for d in j.diseases.values() if d.get("chronic_class") == cid]}
              for cid, c in j.chronic_classes.items()]
    return [x for x in lists if x["diseases"]]


def hospital_list(j: Jurisdiction, labels: dict) -> list[dict]:
    by_level = []
    for lid, level in j.levels.items():
        rows = []
        for h in j.hospitals.values():
            if h["level"] != lid:
                continue
            unknown = [t for t in h.get("tags") or () if t not in labels["hospital_tags"]]
            if unknown:
                raise facts.Unshowable(f"医院“{h['name']}”的服务标签 {', '.join(unknown)} 没有中文说明"
                                       f"（site/mkdocs/labels.json 的 hospital_tags）")
            rows.append({"id": h["id"], "name": h["name"], "phone": h.get("phone") or "",
                         "township": j.name_of("township", h["township"]) if h.get("township") else "",
                         "address": h.get("address") or "",
                         "services": [labels["hospital_tags"][t] for t in h.get("tags") or ()],
                         "mark": "示例数字" if h.get("illustrative") else ""})
        if rows:
            by_level.append({"name": level["name"], "hospitals": rows})
    return by_level


def village_directory(j: Jurisdiction, ctx: SiteContext) -> list[dict]:
    out = []
    for tid, t in j.townships.items():
        hc = j.hospitals.get(t["health_center"], {})
        villages = []
        for v in t["villages"]:
            url = urls.village_url(j.id, tid, v["id"], site_url=ctx.site_url)
            clinic = v["clinic"]
            villages.append({
                "id": v["id"], "name": v["name"], "url": url,
                "poor_village": bool(v.get("poor_village")),
                "mark": "示例数字" if t.get("illustrative") or v.get("illustrative") else "",
                "clinic": {"name": clinic["name"], "address": clinic.get("address") or "",
                           "phone": clinic.get("phone") or "", "hours": clinic.get("hours") or ""},
                "doctors": [{"name": d["name"], "qualification": d["qualification"], "phone": d.get("phone") or ""}
                            for d in clinic.get("doctors") or ()],
                "notice": f"notice-{tid}-{v['id']}.pdf" if v["id"] in ctx.notices else None,
                "drugs": [{**d, "price": fmt(d["fen"])} for d in clinic_list(j.drugs, v["id"], ctx.today)],
                "drug_complaint_url": urls.complaint_url(j.id, village=v["id"], category="drug_price",
                                                         forms_url=ctx.forms_url)
                if any(c["id"] == "drug_price" for c in j.complaint_categories) else None,
                "complaint_url": urls.complaint_url(j.id, village=v["id"], forms_url=ctx.forms_url),
            })
        out.append({"id": tid, "name": t["name"], "health_center": hc.get("name", ""),
                    "health_center_phone": hc.get("phone", ""), "villages": villages,
                    "health_center_mark": "示例数字" if hc.get("illustrative") else "",
                    "mark": "示例数字" if t.get("illustrative") else ""})
    return out


def process_view(j: Jurisdiction, ctx: SiteContext) -> list[dict]:
    """process.yaml's steps with their source and the complaint to file when a step fails."""
    names = {c["id"]: c["name"] for c in j.complaint_categories}
    return [{"title": s["title"], "text": s["text"], "mark": label(s), "quote": s.get("quote") or "",
             "source": facts.source_text(j, s["reference"]),
             "complaint": names.get(s["complaint"] or ""),
             "complaint_url": urls.complaint_url(j.id, category=s["complaint"], forms_url=ctx.forms_url)
             if s["complaint"] else None} for s in j.process]


def drug_list(j: Jurisdiction, ctx: SiteContext) -> dict:
    """The jurisdiction's whole drug list in force today, each clinic's exceptions, and every
    dated price (the list's changes over time), newest first."""
    names = {d["id"]: d["name"] for d in j.drugs["drugs"]}
    current = []
    for d in j.drugs["drugs"]:
        price = price_on(d["prices"], ctx.today)
        since = next((p.start for p in reversed(d["prices"]) if p.start <= ctx.today), None)
        current.append({"name": d["name"], "spec": d["spec"], "unit": d["unit"],
                        "common_names": "、".join(spoken_names(d)),
                        "price": fmt(price.fen) if price else None,
                        "since": facts.cn_date(since) if since else ""})
    clinics = []
    for c in j.drugs["clinics"]:
        if c["village"] not in j.villages:
            continue
        t, v = j.villages[c["village"]]
        clinics.append({"name": f"{t['name']}{v['clinic']['name']}",
                        "url": f"../villages/{t['id']}/{v['id']}/index.md",
                        "not_stocked": "、".join(names[x] for x in c["not_stocked"] if x in names),
                        "prices": [{"drug": names.get(p["drug"], p["drug"]),
                                    "price": fmt(pr.fen) if pr else None, "note": p.get("note") or ""}
                                   for p in c["prices"] for pr in [price_on(p["prices"], ctx.today)]]})
    village_names = {vid: f"{t['name']}{v['clinic']['name']}" for vid, (t, v) in j.villages.items()}
    history = [{"date": facts.cn_date(x["date"]), "drug": x["drug"], "spec": x["spec"], "unit": x["unit"],
                "where": village_names.get(x["clinic"], x["clinic"]) if x["clinic"] else "全县",
                "price": fmt(x["fen"]) if x["fen"] is not None else None,
                "before": fmt(x["before"]) if x["before"] is not None else None}
               for x in drug_changes(j.drugs)]
    return {"current": current, "clinics": clinics, "history": history, "mark": label(j.drugs),
            "source": facts.source_text(j, j.drugs["reference"]),
            "note": j.drugs["reference"].note or ""}


def complaint_facts(j: Jurisdiction, ctx: SiteContext) -> dict:
    """Categories when the data has them (complaints.yaml); else the commitments alone."""
    categories = []
    for c in getattr(j, "complaint_categories", None) or ():
        categories.append({"id": c["id"], "name": c["name"], "commitment": c["commitment"],
                           "page": c.get("page") or "",
                           "url": urls.complaint_url(j.id, category=c["id"], forms_url=ctx.forms_url)})
    deadlines = []
    for key, param in j.commitments.items():
        if not isinstance(param, Param):  # bookkeeping such as the source line
            continue
        v = facts.current(param, ctx.today)
        if v is not None:
            deadlines.append({"id": key, "description": param.description,
                              "value": facts.show_value(v.value, param.unit), "mark": label(v),
                              "source": facts.source_text(j, v.reference)})
    return {"categories": categories, "deadlines": deadlines}


def stats_view(j: Jurisdiction, stats: dict | None) -> dict | None:
    """The forms app's export (interfaces.md), checked for shape, in words: the date as residents
    write it, categories in the order of complaints.yaml (the complaint form's order), statuses
    under the staff pages' names (the export's `status_names`, or ours for files made before it)."""
    if stats is None:
        return None
    names = {c["id"]: c["name"] for c in getattr(j, "complaint_categories", None) or ()}
    try:
        status_names = stats.get("status_names") or STATUS_NAMES
        months = []
        for m in stats["months"]:
            months.append({
                "month": "".join(_month_in_words(str(m["month"]))),
                "month_parts": _month_in_words(str(m["month"])), "received": int(m["received"]),
                "closed_on_time": int(m.get("closed_on_time", 0)), "closed_late": int(m.get("closed_late", 0)),
                "median_days": m.get("median_days_to_close"),
                "by_category": [{"name": names.get(k, k), "count": int(n)}
                                for k, n in _in_order(m.get("by_category", {}), names)],
                "by_status": [{"name": str(status_names.get(k, STATUS_NAMES.get(k, k))), "count": int(n)}
                              for k, n in _in_order(m.get("by_status", {}), status_names)],
            })
        chain = stats.get("audit_chain")  # optional (files exported before it lack it)
        audit = ({"length": int(chain["length"]), "head": str(chain["head"])[:64]} if isinstance(chain, dict) else None)
        generated = dt.datetime.fromisoformat(str(stats["generated"]))
        return {"generated": facts.cn_date(generated.date()), "months": months, "audit": audit}
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise facts.Unshowable(f"投诉统计文件格式不对（{exc!r}），应符合 interfaces.md 的格式") from None


def _in_order(counts: dict, order: dict) -> list[tuple[str, object]]:
    """`counts` in the order of `order`'s keys, then any key it does not know, as the file has them."""
    rank = {k: i for i, k in enumerate(order)}
    return sorted(counts.items(), key=lambda kv: rank.get(kv[0], len(rank)))


def _month_in_words(month: str) -> tuple[str, str]:
    """"2026-10" -> ("2026年", "10月"): the narrow table on a phone breaks the month between the two."""
    year, number = month.split("-")
    return f"{int(year)}年", f"{int(number)}月"


# The forms app's statuses, under the names of forms_app/lifecycle.py's STATUSES (the staff pages'
# words; a test keeps the two equal) in its order, for stats files exported without `status_names`.
STATUS_NAMES = {"submitted": "已收到，等待受理", "accepted": "已受理", "declined": "不予受理",
                "in_progress": "正在办理", "extended": "已延期办理", "closed": "已办结", "reopened": "复查中",
                "received": "已收到，等待受理"}
