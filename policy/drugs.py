"""Drug prices posted at village clinics (drugs.yaml): the schema, the checks, and the lookups.

Seed 000 has the notice board publish "药品价格": a jurisdiction-level list of the essential
drugs village clinics stock, each with dated prices (integer fen), and per-clinic exceptions
(a drug a clinic does not stock, a price a clinic charges differently). The list is in order
of how commonly the drugs are used: the first ones are printed on the notice.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .money import has_at_most_two_decimals, yuan_to_fen
from .params import DatedEntries
from .problems import Problem
from .schema import INVALID, Field, Ident, ListOf, Record, ScalarList, Spec, Text, isdict, type_name
from .yamlsource import line_of

MAX_PRICE_YUAN = 100_000  # a village clinic's drug: more is a typing mistake


@dataclass(frozen=True)
class Price:
    """One dated price; `fen` None: the drug is off the list (or back to the county price) from `start`."""

    start: dt.date
    fen: int | None
    line: int | None = None


class PricesSpec(Spec):
    """`prices: {2020-01-01: 8.5, 2022-03-01: 7.8}`: dates in order, prices positive, to the fen."""

    def __call__(self, ctx, value, path, line):
        if not isdict(value) or not value:
            ctx.error(line, path, f"应按日期列出价格，例如 “2020-01-01: 8.50”（元），这里是{type_name(value)}")
            return INVALID
        out = []
        entries = DatedEntries(ctx, value, path)
        for key, item, kpath, kline in entries:
            if item is None:
                if not out:
                    ctx.error(kline, kpath, "第一个日期不能是 null（null 表示从这天起不再列出，前面要先有价格）")
                    entries.ok = False
                out.append(Price(key, None, kline))
                continue
            fen = price_fen(ctx, item, kpath, kline)
            if fen is INVALID:
                entries.ok = False
                continue
            out.append(Price(key, fen, kline))
        return tuple(out) if entries.ok else INVALID


def price_fen(ctx, item, path, line):
    """A price in yuan -> fen, or INVALID after a message saying what is wrong."""
    if isinstance(item, bool) or not isinstance(item, (int, Decimal)):
        ctx.error(line, path, f"价格应是数字（元），例如 8.50，这里是{type_name(item)}")
        return INVALID
    if item <= 0:
        ctx.error(line, path, f"价格必须大于 0，这里是 {item}")
        return INVALID
    if item > MAX_PRICE_YUAN:
        ctx.error(line, path, f"价格过大（超过 {MAX_PRICE_YUAN:,} 元），这里是 {item}")
        return INVALID
    if not has_at_most_two_decimals(Decimal(item)):
        ctx.error(line, path, f"价格最多两位小数（到分），这里是 {item}")
        return INVALID
    return yuan_to_fen(Decimal(item))


DRUG = Record({
    "id": Field(Ident(), doc="药品编号（小写英文），如 amoxicillin_caps"),
    "name": Field(Text(40), doc="药品通用名，如 阿莫西林胶囊"),
    "common_names": Field(ScalarList(Text(20)), required=False, default=[],
                          doc="群众常说的叫法（搜索用），如 阿莫西林、消炎药"),
    "spec": Field(Text(40), doc="规格，如 0.25g×24粒"),
    "unit": Field(Text(6), doc="计价单位，如 盒、瓶、支"),
    "prices": Field(PricesSpec(), doc="按日期列出的价格（元）"),
    "note": Field(Text(300), required=False),
})

CLINIC_PRICE = Record({
    "drug": Field(Ident(), doc="drugs 里的药品编号"),
    "prices": Field(PricesSpec(), doc="这个卫生室自己的价格（元），null 表示从这天起按全县价格"),
    "note": Field(Text(300), required=False, doc="为什么这个卫生室的价格不同"),
})

CLINIC = Record({
    "village": Field(Ident(), doc="村编号（townships/ 里的 id），即这个村的卫生室"),
    "not_stocked": Field(ScalarList(Ident()), required=False, default=[], doc="这个卫生室不备的药（药品编号）"),
    "prices": Field(ListOf(CLINIC_PRICE, unique="drug", what="种药"), required=False, default=[]),
})


def _file_check(ctx, out, raw, path, line):
    from .formats import _reading_check  # the same rules as a program's reading
    # Problems about the reading are reported on the file's `status` line.
    return _reading_check(ctx, out, raw, path or "status", line_of(raw, "status") or line)


def drugs_file_spec():
    from .params import reading_fields, reference_spec
    return Record({
        "reference": Field(reference_spec(), doc="价格的出处；示例价格写 {source: sample, note: ...}"),
        **{k: f for k, f in reading_fields().items() if k != "illustrative"},
        "drugs": Field(ListOf(DRUG, min_len=1, unique="id", what="种药"), doc="全县村卫生室的基本药物，常用的在前"),
        "clinics": Field(ListOf(CLINIC, unique="village", what="个卫生室"), required=False, default=[],
                         doc="个别卫生室的例外：不备的药、不同的价格"),
    }, check=_file_check)


# ------------------------------------------------------------------ checks across files

def check_drugs(data: dict, villages: dict, shown: str) -> list[Problem]:
    """Names that must agree: a drug listed twice under one name and spec, a clinic that is no
    village, an exception naming no drug of the list, a drug both not stocked and priced."""
    problems = []
    ids = {d["id"] for d in data["drugs"]}
    seen = {}
    for d in data["drugs"]:
        key = (d["name"], d["spec"])
        if key in seen:
            problems.append(Problem(shown, d["_line"], f"{d['_path']}.name",
                                    f"“{d['name']}（{d['spec']}）”重复列出（第一次在第 {seen[key]} 行）"))
        seen.setdefault(key, d["_line"])
    for c in data["clinics"]:
        if villages is not None and c["village"] not in villages:
            problems.append(Problem(shown, c["_line"], f"{c['_path']}.village",
                                    f"“{c['village']}”没有定义：它应是 townships/ 里一个村的编号"))
        for i, drug in enumerate(c["not_stocked"]):
            if drug not in ids:
                problems.append(Problem(shown, c["_line"], f"{c['_path']}.not_stocked[{i}]",
                                        f"“{drug}”不在 drugs 里：只能写上面药品清单里的编号"))
        for p in c["prices"]:
            if p["drug"] not in ids:
                problems.append(Problem(shown, p["_line"], f"{p['_path']}.drug",
                                        f"“{p['drug']}”不在 drugs 里：只能写上面药品清单里的编号"))
            elif p["drug"] in c["not_stocked"]:
                problems.append(Problem(shown, p["_line"], f"{p['_path']}.drug",
                                        f"“{p['drug']}”已写在这个卫生室的 not_stocked 里，不能再写价格"))
    return problems


# ------------------------------------------------------------------ lookups for the outputs

def price_on(prices: tuple[Price, ...], day: dt.date) -> Price | None:
    """The price in force on `day` (None: none yet, or ended)."""
    found = None
    for p in prices:
        if p.start > day:
            break
        found = p
    return found if found is not None and found.fen is not None else None


def clinic_list(drugs: dict | None, village: str, day: dt.date) -> list[dict]:
    """The drugs the village's clinic posts on `day`, in list order (the most common first):
    [{"id", "name", "spec", "unit", "fen", "own": clinic-specific price?, "common_names"}]."""
    if not drugs:
        return []
    clinic = next((c for c in drugs["clinics"] if c["village"] == village), None)
    skip = set(clinic["not_stocked"]) if clinic else set()
    own = {p["drug"]: p["prices"] for p in clinic["prices"]} if clinic else {}
    out = []
    for d in drugs["drugs"]:
        if d["id"] in skip:
            continue
        mine = price_on(own[d["id"]], day) if d["id"] in own else None
        price = mine or price_on(d["prices"], day)
        if price is None:
            continue
        out.append({"id": d["id"], "name": d["name"], "spec": d["spec"], "unit": d["unit"],
                    "fen": price.fen, "own": mine is not None, "common_names": list(d["common_names"])})
    return out


def posted_price(drugs: dict | None, village: str, drug: str, day: dt.date) -> int | None:
    """The price (fen) the village's clinic posts for `drug` on `day`; None when it posts none."""
    return next((d["fen"] for d in clinic_list(drugs, village, day) if d["id"] == drug), None)


def changes(drugs: dict | None) -> list[dict]:
    """Every dated price of the county list and of each clinic, newest first (for the site)."""
    if not drugs:
        return []
    out = []
    for d in drugs["drugs"]:
        before = None
        for p in d["prices"]:
            out.append({"date": p.start, "drug": d["name"], "spec": d["spec"], "unit": d["unit"],
                        "clinic": None, "fen": p.fen, "before": before})
            before = p.fen
    names = {d["id"]: d for d in drugs["drugs"]}
    for c in drugs["clinics"]:
        for cp in c["prices"]:
            d = names.get(cp["drug"])
            if d is None:
                continue
            for p in cp["prices"]:
                out.append({"date": p.start, "drug": d["name"], "spec": d["spec"], "unit": d["unit"],
                            "clinic": c["village"], "fen": p.fen, "before": None})
    out.sort(key=lambda x: x["date"], reverse=True)
    return out


# The dosage forms a resident leaves out when he names a drug ("二甲双胍" for 二甲双胍片), longest first.
_FORMS = ("缓释胶囊", "缓释片", "肠溶片", "胶囊", "颗粒", "注射液", "软膏", "片")


def spoken_names(drug: dict) -> list[str]:
    """What residents call a drug: its name without the dosage form, then its common names."""
    name = drug["name"]
    stem = next((name[:-len(f)] for f in _FORMS if name.endswith(f) and len(name) - len(f) >= 2), name)
    return ([stem] if stem != name else []) + [n for n in drug.get("common_names") or () if n != stem]
