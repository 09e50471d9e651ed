"""The reimbursement engine: ordered layers, exact fen, one half-up rounding per layer payment.

`Engine(jurisdiction).compute(category, claims)` runs a person's claims in date order (ties in
input order), carries per-year deductibles and caps across them, and explains every layer well
enough to check the arithmetic by hand. The browser engine mirrors this module rule for rule.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from .claims import Claim
from .formats import BASES
from .model import Jurisdiction
from .money import fmt, fmt_exact, fmt_ratio, half_up
from .params import Keys, Param, Value
from .problems import PolicyError


# ------------------------------------------------------------------ compiled layers

@dataclass
class Part:
    base: str
    ratio: Param
    name: str | None = None


@dataclass
class Layer:
    id: str
    name: str
    description: str
    kinds: frozenset
    method: str
    categories: frozenset | None  # expanded category ids, None = everyone
    category_label: str
    levels: frozenset | None
    in_county: bool | None
    chronic_classes: frozenset | None
    parts: list[Part] = field(default_factory=list)
    ratio_bonus: Param | None = None
    share_of: str | None = None
    share_rate: Param | None = None
    deductible: Param | None = None
    cap: Param | None = None
    ceiling_ratio: Param | None = None
    items: list[tuple[str, str, Param]] = field(default_factory=list)

    def pool(self, which: str) -> str:
        param = getattr(self, which)
        return param.extra.get("pool") or f"{self.id}.{which}"


def compile_layers(j: Jurisdiction) -> list[Layer]:
    out = []
    for raw in j.layers:
        cond = raw["applies_to"] or {}
        cats = cond.get("categories")
        expanded = None
        if cats:
            expanded = frozenset(c for c in j.categories
                                 if c in cats or any(g in cats for g in j.groups_of.get(c, ())))
        layer = Layer(
            id=raw["id"], name=raw["name"], description=raw["description"],
            kinds=frozenset(raw["kinds"]), method=raw["method"] or "share",
            categories=expanded,
            category_label="、".join(j.category_or_group_name(c) for c in cats) if cats else "",
            levels=frozenset(cond["levels"]) if cond.get("levels") else None,
            in_county=cond.get("in_county"),
            chronic_classes=frozenset(cond["chronic_classes"]) if cond.get("chronic_classes") else None,
            ratio_bonus=raw["ratio_bonus"], deductible=raw["deductible"], cap=raw["cap"],
            ceiling_ratio=raw["ceiling_ratio"],
        )
        if layer.method == "share":
            if raw["parts"]:
                layer.parts = [Part(p["base"], p["ratio"], p["name"]) for p in raw["parts"]]
            else:
                layer.parts = [Part(raw["base"], raw["ratio"])]
            if raw["personal_share"]:
                layer.share_of = raw["personal_share"]["of"]
                layer.share_rate = raw["personal_share"]["rate"]
        if raw["items"]:
            layer.items = [(i["id"], i["name"], i["rate"]) for i in raw["items"]]
        _name_params(raw)
        out.append(layer)
    return out


def _name_params(raw: dict) -> None:
    """Give a layer's parameters dotted names (layers.basic.ratio) for explanations and errors."""
    lid = raw["id"]
    for key in ("ratio", "ratio_bonus", "deductible", "cap", "ceiling_ratio"):
        if raw[key] is not None:
            raw[key].name = f"layers.{lid}.{key}"
    for i, part in enumerate(raw["parts"] or ()):
        part["ratio"].name = f"layers.{lid}.parts[{i}].ratio"
    if raw["personal_share"]:
        raw["personal_share"]["rate"].name = f"layers.{lid}.personal_share.rate"
    for item in raw["items"] or ():
        item["rate"].name = f"layers.{lid}.items.{item['id']}.rate"


# ------------------------------------------------------------------ per-year state

@dataclass
class YearState:
    deductible_used: dict = field(default_factory=dict)  # pool -> fen
    cap_used: dict = field(default_factory=dict)  # pool -> fen
    total: int = 0
    reimbursed: int = 0
    self_pay: int = 0
    claims: int = 0
    last_date: dt.date | None = None


class Engine:
    def __init__(self, j: Jurisdiction):
        self.j = j
        self.layers = compile_layers(j)
        self.waiver_items = {i for layer in self.layers for i, _, _ in layer.items}
        self._names = {**{k: v["name"] for k, v in j.categories.items()},
                       **{k: v["name"] for k, v in j.levels.items()},
                       **{k: v["name"] for k, v in j.chronic_classes.items()}}
        self._param_info: dict = {}  # (param name, start, keys) -> explanation dict, reused

    # -------------------------------------------------------------- public
    def compute(self, category: str, claims: list[Claim], explain: bool = True) -> dict:
        """Compute every claim of one person; returns the JSON-ready answer (money as strings)."""
        order = sorted(range(len(claims)), key=lambda i: (claims[i].date, i))
        results: list = [None] * len(claims)
        years: dict[int, YearState] = {}
        groups = self.j.groups_of.get(category, ())
        for i in order:
            claim = claims[i]
            year = years.get(claim.date.year)
            if year is None:
                year = years[claim.date.year] = YearState()
            try:
                results[i] = self._claim(category, groups, claim, year, explain)
            except PolicyError as exc:
                raise PolicyError(f"claims[{claim.index}]: {exc}") from None
        return {"claims": results, "year": self._years(years, Keys(category, groups))}

    # -------------------------------------------------------------- one claim
    def _claim(self, category, groups, claim: Claim, year: YearState, explain: bool) -> dict:
        disease_groups = self._disease_groups(claim.diseases)
        keys = Keys(category, groups, claim.level, claim.chronic_class, disease_groups, self._names)
        remaining = {"in_catalog": claim.in_catalog, "out_of_catalog_necessary": claim.out_of_catalog_necessary}
        claim_pools: dict = {}  # per-claim deductible/cap pools
        paid_so_far = 0
        layers_out = []
        for layer in self.layers:
            if claim.kind not in layer.kinds:
                continue
            reason = self._not_applicable(layer, category, claim)
            if reason:
                layers_out.append({"id": layer.id, "name": layer.name, "applied": False,
                                   "paid": "0.00", "reason": reason})
                continue
            if layer.method == "share":
                paid, explanation = self._share(layer, keys, claim, year, remaining, claim_pools, explain)
            elif layer.method == "ceiling":
                paid, explanation = self._ceiling(layer, keys, claim, year, paid_so_far, claim_pools, explain)
                _reduce(remaining, paid)
            else:
                paid, explanation = self._waiver(layer, keys, claim, explain)
                _reduce(remaining, paid)
            paid_so_far += paid
            entry = {"id": layer.id, "name": layer.name, "applied": True, "paid": fmt(paid)}
            if explain:
                entry["explanation"] = explanation
            layers_out.append(entry)
        self_pay = claim.total - paid_so_far
        year.total += claim.total
        year.reimbursed += paid_so_far
        year.self_pay += self_pay
        year.claims += 1
        year.last_date = claim.date
        out = {
            "index": claim.index, "date": claim.date.isoformat(), "kind": claim.kind,
            "hospital_level": claim.level, "in_county": claim.in_county,
            "total": fmt(claim.total), "in_catalog": fmt(claim.in_catalog),
            "layers": layers_out, "reimbursed": fmt(paid_so_far), "self_pay": fmt(self_pay),
            "self_pay_ratio": _ratio4(self_pay, claim.total),
        }
        if claim.ref is not None:
            out["id"] = claim.ref
        return out

    def _disease_groups(self, diseases) -> tuple:
        if not diseases:
            return ()
        found = []
        for d in diseases:
            for g in self.j.diseases[d]["groups"]:
                if g not in found:
                    found.append(g)
        return tuple(found)

    def _not_applicable(self, layer: Layer, category, claim: Claim) -> str | None:
        if layer.categories is not None and category not in layer.categories:
            return f"只适用于{layer.category_label}"
        if layer.levels is not None and claim.level not in layer.levels:
            names = "、".join(self.j.levels[lv]["name"] for lv in self.j.levels if lv in layer.levels)
            return f"只适用于在这些医院就医：{names}"
        if layer.in_county is not None and claim.in_county != layer.in_county:
            return "只适用于县域内就医" if layer.in_county else "只适用于县域外就医"
        if layer.chronic_classes is not None and claim.chronic_class not in layer.chronic_classes:
            names = "、".join(self.j.chronic_classes[c]["name"] for c in sorted(layer.chronic_classes))
            return f"只适用于{names}"
        return None

    # -------------------------------------------------------------- methods
    def _share(self, layer: Layer, keys, claim: Claim, year: YearState, remaining, claim_pools, explain):
        used_params = []
        date = claim.date
        # Deductible and cap: what is left before this claim (per claim, or of the year).
        ded_left = ded_amount = 0
        if layer.deductible is not None:
            ded_amount = self._value(layer.deductible, keys, date, used_params)
            ded_left = max(0, ded_amount - self._used(layer, "deductible", year, claim_pools))
        cap_left = cap_amount = None
        if layer.cap is not None:
            cap_amount = self._value(layer.cap, keys, date, used_params)
            cap_left = max(0, cap_amount - self._used(layer, "cap", year, claim_pools))
        ded_before, cap_before = ded_left, cap_left
        bonus = self._value(layer.ratio_bonus, keys, date, used_params) if layer.ratio_bonus else None
        # Personal share (e.g. 10% of class-B drugs paid first) makes the base exact to less
        # than a fen: work in units of 1/den fen so nothing is rounded inside the layer.
        share_num, den = 0, 1
        if layer.share_rate is not None:
            rate = self._value(layer.share_rate, keys, date, used_params)
            r_num, den = rate.as_integer_ratio()
            share_num = getattr(claim, layer.share_of) * r_num
        ded_left_d = ded_left * den
        total_paid = 0
        parts_out = []
        share_applied = False
        for part in layer.parts:
            ratio = self._value(part.ratio, keys, date, used_params)
            if bonus is not None:
                ratio = ratio + bonus
                if ratio > 1:
                    raise PolicyError(f"“{layer.name}”的报销比例加上提高的比例后超过 100%（{fmt_ratio(ratio)}），请检查数据")
            base_fen = remaining[part.base]
            base_d = base_fen * den
            share_d = 0
            if share_num and part.base == "in_catalog" and not share_applied:
                share_d = min(share_num, base_d)
                base_d -= share_d
                share_applied = True
            used_d = min(base_d, ded_left_d)
            ded_left_d -= used_d
            after_d = base_d - used_d
            n, d = ratio.as_integer_ratio()
            amount = half_up(after_d * n, den * d)
            capped = cap_left is not None and amount > cap_left
            if capped:
                amount = cap_left
            if cap_left is not None:
                cap_left -= amount
            remaining[part.base] = base_fen - amount
            total_paid += amount
            if explain:
                parts_out.append({
                    "name": part.name or BASES[part.base], "base": fmt(base_fen),
                    "personal_share": fmt_exact(share_d, den) if share_d else None,
                    "deductible_used": fmt_exact(used_d, den), "ratio": str(ratio),
                    "exact": fmt_exact(after_d * n, den * d), "paid": fmt(amount), "capped": capped,
                })
        if layer.deductible is not None and den == 1:
            # With a personal share the deductible is per claim and not pooled (the schema
            # insists), so a fraction of a fen never has to be carried to another claim.
            self._add_used(layer, "deductible", year, claim_pools, ded_before - ded_left_d)
        if layer.cap is not None:
            self._add_used(layer, "cap", year, claim_pools, total_paid)
        if not explain:
            return total_paid, None
        explanation = {
            "method": "share", "parts": parts_out, "parameters": used_params,
            "text": _share_text(parts_out, layer, total_paid),
        }
        if layer.deductible is not None:
            explanation["deductible"] = {
                "amount": fmt(ded_amount), "per": layer.deductible.extra["per"],
                "left_before": fmt(ded_before), "used": fmt_exact(ded_before * den - ded_left_d, den),
                "left_after": fmt_exact(ded_left_d, den)}
        if layer.cap is not None:
            explanation["cap"] = {"amount": fmt(cap_amount), "per": layer.cap.extra["per"],
                                  "left_before": fmt(cap_before), "left_after": fmt(cap_left)}
        return total_paid, explanation

    def _ceiling(self, layer: Layer, keys, claim: Claim, year, paid_so_far, claim_pools, explain):
        used_params = []
        ratio = self._value(layer.ceiling_ratio, keys, claim.date, used_params)
        n, d = ratio.as_integer_ratio()
        ceiling = half_up(claim.total * n, d)
        self_pay = claim.total - paid_so_far
        amount = max(0, self_pay - ceiling)
        cap_before = cap_left = None
        if layer.cap is not None:
            cap_amount = self._value(layer.cap, keys, claim.date, used_params)
            cap_before = max(0, cap_amount - self._used(layer, "cap", year, claim_pools))
            amount = min(amount, cap_before)
            cap_left = cap_before - amount
            self._add_used(layer, "cap", year, claim_pools, amount)
        if not explain:
            return amount, None
        text = (f"自付 {fmt(self_pay)} 元，超过总费用的 {fmt_ratio(ratio)}（{fmt(ceiling)} 元）的部分由本层支付："
                f"{fmt(amount)} 元" if amount else
                f"自付 {fmt(self_pay)} 元，没有超过总费用的 {fmt_ratio(ratio)}（{fmt(ceiling)} 元），本层不需支付")
        out = {"method": "ceiling", "self_pay_before": fmt(self_pay), "ceiling_ratio": str(ratio),
               "ceiling": fmt(ceiling), "parameters": used_params, "text": text}
        if cap_before is not None:
            out["cap"] = {"left_before": fmt(cap_before), "left_after": fmt(cap_left)}
        return amount, out

    def _waiver(self, layer: Layer, keys, claim: Claim, explain):
        used_params, lines = [], []
        exact = Fraction(0)
        for item_id, item_name, rate_param in layer.items:
            amount = claim.fee_items.get(item_id, 0)
            if not amount:
                continue
            rate = self._value(rate_param, keys, claim.date, used_params)
            exact += Fraction(amount) * Fraction(rate)
            lines.append({"id": item_id, "name": item_name, "amount": fmt(amount), "rate": str(rate)})
        paid = half_up(exact.numerator, exact.denominator)
        if not explain:
            return paid, None
        text = " + ".join(f"{x['name']} {x['amount']} × {fmt_ratio(Decimal(x['rate']))}" for x in lines)
        text = f"{text} = {fmt(paid)} 元" if lines else "没有可减免的费用项目"
        return paid, {"method": "waiver", "items": lines, "exact": fmt_exact(exact.numerator, exact.denominator),
                      "parameters": used_params, "text": text}

    # -------------------------------------------------------------- helpers
    def _value(self, param: Param, keys, date, used_params: list):
        value, taken = param.lookup(keys, date)
        key = (param.name, value.start, taken)
        info = self._param_info.get(key)
        if info is None:
            info = self._param_info[key] = _param_info(param, value, taken, self.j)
        used_params.append(info)
        return value.value

    def _used(self, layer, which, year, claim_pools):
        pool = layer.pool(which)
        per = getattr(layer, which).extra["per"]
        return (year.deductible_used if which == "deductible" else year.cap_used).get(pool, 0) \
            if per == "year" else claim_pools.get((which, pool), 0)

    def _add_used(self, layer, which, year, claim_pools, amount):
        pool = layer.pool(which)
        if getattr(layer, which).extra["per"] == "year":
            table = year.deductible_used if which == "deductible" else year.cap_used
            table[pool] = table.get(pool, 0) + amount
        else:
            claim_pools[(which, pool)] = claim_pools.get((which, pool), 0) + amount

    def _years(self, years: dict[int, YearState], keys: Keys) -> dict:
        out = {}
        for y in sorted(years):
            state = years[y]
            value, _ = self.j.monitoring_threshold.lookup(keys, state.last_date)
            out[str(y)] = {
                "claims": state.claims, "total": fmt(state.total), "reimbursed": fmt(state.reimbursed),
                "self_pay": fmt(state.self_pay), "monitoring_threshold": fmt(value.value),
                "monitoring_alert": state.self_pay > value.value,
            }
        return out


def _reduce(remaining: dict, amount: int) -> None:
    """A waiver or backstop payment lowers the in-catalog cost first, then the rest."""
    take = min(amount, remaining["in_catalog"])
    remaining["in_catalog"] -= take
    remaining["out_of_catalog_necessary"] -= min(amount - take, remaining["out_of_catalog_necessary"])


def _ratio4(part: int, whole: int) -> str:
    """part/whole as a decimal string with 4 places, half-up (0 when whole is 0)."""
    if whole == 0:
        return "0.0000"
    q = half_up(part * 10000, whole)
    return f"{q // 10000}.{q % 10000:04d}"


def _share_text(parts, layer, total_paid) -> str:
    pieces = []
    for p in parts:
        base = p["base"]
        if p["personal_share"]:
            base = f"{base} − 先行自付 {p['personal_share']}"
        if p["deductible_used"] not in ("0.00",):
            base = f"{base} − 起付线 {p['deductible_used']}"
        expr = f"（{base}）× {fmt_ratio(Decimal(p['ratio']))} = {p['exact']}"
        if p["exact"] != p["paid"] and not p["capped"]:
            expr += f" ≈ {p['paid']}（四舍五入到分）"
        if p["capped"]:
            expr += f"，受封顶线限制只付 {p['paid']}"
        pieces.append(expr)
    text = "；".join(pieces)
    if len(parts) > 1:
        text += f"；合计 {fmt(total_paid)} 元"
    return text


def _param_info(param: Param, value: Value, taken: tuple, j: Jurisdiction) -> dict:
    ref = value.reference
    source = j.sources.get(ref.source, {})
    shown = value.value
    if param.unit == "yuan":
        shown = fmt(shown)
    elif param.unit == "ratio":
        shown = str(shown)
    return {
        "name": param.name, "description": param.description, "unit": param.unit,
        "value": shown if isinstance(shown, str) else int(shown), "from": value.start.isoformat(),
        "keys": list(taken), "illustrative": value.illustrative,
        "reference": {"source": ref.source, "title": source.get("title"), "clause": ref.clause,
                      "url": ref.url or source.get("url"), "note": ref.note or value.note},
    }

