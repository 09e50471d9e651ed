"""A settlement slip (结算单) checked against the policy: what each fund should have paid.

A slip is a claim (what `calc` reads) plus what the hospital recorded: each layer's payment
and the person's own share. `compare_person` runs one insured person's slips through the same
engine as `calc` (date order, deductibles and caps carried across slips of a year) and lists,
per slip, every item whose recorded amount differs from the computed one by at least one fen,
with the rule it follows: the layer's arithmetic, the parameters used (value, the date from
which it is in force, the source and its quote) and the reading mark of any value that is
interpreted or illustrative. The browser's `site/calculator/settlement.mjs` mirrors this
module; tests/test_settlement_parity.py holds them to the same answer.

Differences are recorded − expected: below zero a fund paid less than the policy gives (少报),
above zero for 个人自付 the person was charged more (多收).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .claims import Claim
from .engine import Engine
from .formats import CLAIM_KINDS
from .money import fmt

SELF_PAY = "self_pay"
SELF_PAY_NAME = "个人自付"


@dataclass(slots=True)
class Slip:
    ref: str  # 结算单号
    person: str  # 参保人编号
    claim: Claim
    recorded: dict[str, int]  # layer id -> fen the slip says that fund paid (absent: 0)
    self_pay: int  # fen the slip says the person paid
    hospital: str = ""  # as shown on reports (id, level or name)


@dataclass(slots=True)
class Difference:
    item: str  # layer id or SELF_PAY
    name: str  # layer name or 个人自付
    expected: int  # fen
    recorded: int  # fen
    text: str = ""  # how the expected amount comes about, for a person checking by hand
    rules: list = field(default_factory=list)  # parameters used: description, value, from, source, quote, label

    @property
    def difference(self) -> int:
        return self.recorded - self.expected

    def as_dict(self) -> dict:
        return {"item": self.item, "name": self.name, "expected": fmt(self.expected),
                "recorded": fmt(self.recorded), "difference": fmt(self.difference),
                "text": self.text, "rules": self.rules}

    def basis(self) -> str:
        """The rule as one line of text (findings.csv's 依据)."""
        pieces = [self.text] if self.text else []
        for r in self.rules:
            source = "".join(x for x in (r.get("source") or "", r.get("clause") or "") if x)
            piece = f"{r['description']} {r['value']}（自 {r['from']} 起"
            if source:
                piece += f"；{source}"
            if r.get("quote"):
                piece += f"：“{r['quote']}”"
            piece += "）"
            if r.get("label"):
                piece += f"【{r['label']}】"
            pieces.append(piece)
        return "；".join(pieces)


def compare_person(engine: Engine, category: str, slips: list[Slip], explain: bool = True) -> list[list[Difference]]:
    """Each slip's differences (same order as `slips`); [] for a slip that is right.

    The amounts come from the engine in fen without explanations (as fast as `calc
    --no-explain`); only a person with some difference is computed again with explanations,
    for the rules."""
    claims = [s.claim for s in slips]
    layers = engine.layers
    out: list[list[Difference]] = []
    found = False
    for slip, (ids, pays, self_pay) in zip(slips, engine.payments(category, claims)):
        recorded = slip.recorded
        expected = {lid: paid for lid, paid in zip(ids, pays) if paid}
        if expected == recorded and self_pay == slip.self_pay:  # a right slip (most): nothing to list
            out.append([])
            continue
        diffs = []
        for layer in layers:  # in the layers' order; a layer the slip records at 0 is no difference
            want, got = expected.get(layer.id, 0), recorded.get(layer.id, 0)
            if want != got:
                diffs.append(Difference(layer.id, layer.name, want, got))
        if self_pay != slip.self_pay:
            diffs.append(Difference(SELF_PAY, SELF_PAY_NAME, self_pay, slip.self_pay))
        found = found or bool(diffs)
        out.append(diffs)
    if found and explain:
        _explain(engine, category, claims, out)
    return out


def _explain(engine: Engine, category: str, claims: list[Claim], out: list[list[Difference]]) -> None:
    # A slip depends only on the slips before it: the ones after the last slip with a difference
    # need no explaining (each explained slip costs about three computed ones).
    last = max(c.date for c, diffs in zip(claims, out) if diffs)
    keep = [i for i, c in enumerate(claims) if c.date <= last]
    answer = engine.compute(category, [claims[i] for i in keep], explain=True)
    params = answer["parameters"]
    for i, result in zip(keep, answer["claims"]):
        diffs = out[i]
        if not diffs:
            continue
        by_id = {entry["id"]: entry for entry in result["layers"]}
        for d in diffs:
            if d.item == SELF_PAY:
                paid = "、".join(f"{e['name']} {e['paid']}" for e in result["layers"] if e["paid"] != "0.00")
                d.text = (f"个人自付 = 医疗总费用 {result['total']} 元 − 各项基金应付合计 {result['reimbursed']} 元"
                          f"{'（' + paid + '）' if paid else ''} = {result['self_pay']} 元")
                # the layer that caps self-pay (the 10% ceiling) is the rule a resident holds on to
                for entry in result["layers"]:
                    expl = entry.get("explanation") or {}
                    if expl.get("method") == "ceiling":
                        d.text += f"；{entry['name']}：{expl['text']}"
                        d.rules = _rules(expl, params)
                continue
            entry = by_id.get(d.item)
            if entry is None:
                d.text = f"{d.name}不报销{CLAIM_KINDS.get(claims[i].kind, '这类就医')}费用"
            elif not entry.get("applied", True):
                d.text = f"{d.name}{entry.get('reason') or '不适用'}"
            else:
                d.text = f"{d.name}：{entry['explanation']['text']}"
                d.rules = _rules(entry["explanation"], params)


def _rules(explanation: dict, params: dict) -> list[dict]:
    out = []
    for key in explanation.get("parameters", ()):
        info = params[key]
        ref = info.get("reference") or {}
        out.append({"parameter": info["name"], "description": info["description"],
                    "value": _value_text(info), "from": info["from"],
                    "source": ref.get("title") or ref.get("source") or "", "clause": ref.get("clause") or "",
                    "quote": info.get("quote") or "", "label": info.get("label") or "",
                    "status": info.get("status") or ""})
    return out


def _value_text(info: dict) -> str:
    v = info["value"]
    if v is None:
        return "（无）"
    if info.get("unit") == "ratio":
        from decimal import Decimal

        from .money import fmt_ratio
        return fmt_ratio(Decimal(v))
    if info.get("unit") == "yuan":
        return f"{v} 元"
    return str(v)


def totals(diffs: list[Difference]) -> dict:
    """少报 (funds paid less than the policy gives) and 多收 (the person charged more), in fen."""
    under = sum(-d.difference for d in diffs if d.item != SELF_PAY and d.difference < 0)
    over = sum(d.difference for d in diffs if d.item == SELF_PAY and d.difference > 0)
    return {"underpaid": under, "overcharged": over}


# ------------------------------------------------------------------ the check contract
# One person's slips as JSON, what the resident's page and `site/calculator/settlement.mjs`
# answer too: {"jurisdiction", "person": {"category"}, "slips": [claim fields + "paid":
# {layer id: yuan} + "self_pay": yuan]} -> each slip's differences and the totals.

def run_check(service, case, explain: bool = True) -> dict:
    """Raises InputError (every problem, field paths as in calc) when the case is bad."""
    from .cases import _jurisdiction, _unknown, parse_claim, parse_person
    from .limits import MAX_CLAIMS, shown
    from .money import parse_yuan
    from .problems import InputError, PolicyError

    problems: list[str] = []
    if not isinstance(case, dict):
        raise InputError([f"输入: 应是一个对象 {{...}}，包含 jurisdiction、person 和 slips，这里是{shown(case)}"])
    _unknown(case, ("jurisdiction", "person", "slips"), "", problems)
    j = _jurisdiction(service, case, "", problems)
    if j is None:
        raise InputError(problems)
    engine = service.engine(j.id)
    person = parse_person(j, case.get("person"), "person", problems)
    raw_slips = case.get("slips")
    slips = []
    if not isinstance(raw_slips, list) or not raw_slips:
        problems.append("slips: 应是至少包含一张结算单的列表")
    elif len(raw_slips) > MAX_CLAIMS:
        problems.append(f"slips: 一个人最多 {MAX_CLAIMS} 张结算单")
    else:
        layer_ids = [layer.id for layer in engine.layers]
        for i, raw in enumerate(raw_slips):
            path = f"slips[{i}]"
            if not isinstance(raw, dict):
                problems.append(f"{path}: 每张结算单应是一个对象")
                continue
            fields = {k: v for k, v in raw.items() if k not in ("paid", "self_pay")}
            claim = parse_claim(j, engine, fields, i, path, problems)
            paid = raw.get("paid") or {}
            recorded = {}
            if not isinstance(paid, dict):
                problems.append(f"{path}.paid: 应是“保障线编号: 金额”的对象")
                paid = {}
            for lid, amount in paid.items():
                if lid not in layer_ids:
                    problems.append(f"{path}.paid.{lid}: 不认识的保障线（可用：{'、'.join(layer_ids)}）")
                    continue
                try:
                    recorded[lid] = parse_yuan(amount)
                except ValueError as exc:
                    problems.append(f"{path}.paid.{lid}: {exc}")
            self_pay = None
            if "self_pay" not in raw:
                problems.append(f"{path}.self_pay: 缺少结算单上的个人自付金额")
            else:
                try:
                    self_pay = parse_yuan(raw["self_pay"])
                except ValueError as exc:
                    problems.append(f"{path}.self_pay: {exc}")
            if claim is not None and self_pay is not None:
                slips.append(Slip(claim.ref or "", "", claim, recorded, self_pay))
    if problems:
        raise InputError(problems)
    try:
        results = compare_person(engine, person.category, slips, explain)
    except PolicyError as exc:
        raise InputError([str(exc).replace("claims[", "slips[", 1)]) from None
    out_slips, under, over = [], 0, 0
    for slip, diffs in zip(slips, results):
        t = totals(diffs)
        under += t["underpaid"]
        over += t["overcharged"]
        entry = {"index": slip.claim.index, "differences": [d.as_dict() if explain else _brief(d) for d in diffs],
                 "underpaid": fmt(t["underpaid"]), "overcharged": fmt(t["overcharged"])}
        if slip.claim.ref is not None:
            entry["id"] = slip.claim.ref
        out_slips.append(entry)
    return {"jurisdiction": j.id, "category": person.category, "slips": out_slips,
            "underpaid": fmt(under), "overcharged": fmt(over)}


def _brief(d: Difference) -> dict:
    return {"item": d.item, "name": d.name, "expected": fmt(d.expected), "recorded": fmt(d.recorded),
            "difference": fmt(d.difference)}
