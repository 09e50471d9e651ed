"""The reimbursement engine: ordered layers, exact fen, one half-up rounding per layer payment.

`Engine(jurisdiction).compute(category, claims)` runs a person's claims in date order (ties in
input order), carries per-year deductibles and caps across them, and explains every layer well
enough to check the arithmetic by hand. The browser engine mirrors this module rule for rule.
"""
from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from .claims import Claim
from .compiled import compile_plan
from .coverage import layer_params
from .formats import BASES, CLAIM_KINDS
from .model import Jurisdiction
from .money import fmt, fmt_exact, fmt_ratio, half_up
from .params import Breakdown, Keys, Param, Value
from .problems import PolicyError
from .readings import LABELS, STATUSES, label, status_of

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
    hospitals: frozenset | None  # with `levels`: the claim's level OR its hospital must be listed
    in_county: bool | None
    chronic_classes: frozenset | None
    parts: list[Part] = field(default_factory=list)
    ratio_bonus: Param | None = None
    share_of: str | None = None
    share_rate: Param | None = None
    deductible: Param | None = None
    cap: Param | None = None
    ceiling_ratio: Param | None = None
    items: list[tuple[str, str, Param, frozenset]] = field(default_factory=list)  # id, name, rate, kinds
    scope: dict | None = None  # how the layer's reach was read from the source

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
            hospitals=frozenset(cond["hospitals"]) if cond.get("hospitals") else None,
            in_county=cond.get("in_county"),
            chronic_classes=frozenset(cond["chronic_classes"]) if cond.get("chronic_classes") else None,
            ratio_bonus=raw["ratio_bonus"], deductible=raw["deductible"], cap=raw["cap"],
            ceiling_ratio=raw["ceiling_ratio"], scope=raw["scope"],
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
            layer.items = [(i["id"], i["name"], i["rate"], frozenset(i["kinds"] or raw["kinds"]))
                           for i in raw["items"]]
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


# ------------------------------------------------------------------ plans
# A plan is a claim situation (category, kind, level, in/out of county, chronic class, disease
# groups, and the stretch of dates between two parameter changes) with every parameter already
# looked up. Claims in the same situation share it, so the per-claim work is integer arithmetic.

@dataclass
class Step:
    layer: Layer
    reason: str | None = None  # why the layer does not apply
    parts: list = field(default_factory=list)  # (base, ratio num, ratio den, ratio text, part name)
    share: tuple | None = None  # (claim field, rate num, rate den)
    deductible: tuple | None = None  # (amount fen, per year?, pool key)
    cap: tuple | None = None  # (amount fen, per year?, pool key)
    ceiling: tuple | None = None  # (num, den, ratio)
    items: list = field(default_factory=list)  # (item id, name, num, den, rate)
    params: list = field(default_factory=list)  # keys of the parameters used (see Engine.parameters)
    skipped: tuple | None = None  # answer entries for a layer that does not apply: (explained, brief)


class Plan(list):
    """The steps of one claim situation, and (made on first use) their compiled form."""

    __slots__ = ("run", "heads", "ids")

    def __init__(self, steps):
        super().__init__(steps)
        self.run = None
        self.heads = None
        self.ids = None


class YearState:
    """One person's running totals for one calendar year."""

    __slots__ = ("used", "total", "reimbursed", "self_pay", "claims", "last_date", "kinds")

    def __init__(self):
        self.used: dict = {}  # ("deductible" | "cap", pool) -> fen used so far this year
        self.total = self.reimbursed = self.self_pay = self.claims = 0
        self.last_date: dt.date | None = None
        self.kinds: set = set()  # claim kinds seen this year (for discretionary compensation)


class Engine:
    def __init__(self, j: Jurisdiction):
        self.j = j
        self.layers = compile_layers(j)
        # fee items some layer waives, by claim kind: any other item on a claim is refused
        self.waiver_items = {kind: {i for layer in self.layers for i, _, _, kinds in layer.items if kind in kinds}
                             for kind in CLAIM_KINDS}
        self.discretionary = j.discretionary
        for d in j.discretionary:
            d["ratio_min"].name, d["ratio_max"].name = (f"discretionary.{d['id']}.ratio_{m}" for m in ("min", "max"))
        self._hospital_matters = any(layer.hospitals for layer in self.layers) or any(
            node.by == "hospital" for raw in j.layers for param in layer_params(raw) for node in _breakdowns(param.root))
        self._names = {**{k: v["name"] for k, v in j.categories.items()},
                       **{k: v["name"] for k, v in j.levels.items()},
                       **{k: v["name"] for k, v in j.chronic_classes.items()}}
        starts = set()  # every date a parameter changes: plans are cached between them
        for raw in j.layers:
            for param in layer_params(raw):
                for _, series in param.series():
                    starts.update(series.starts)
        self._breaks = sorted(starts)
        self._plans: dict = {}
        self._param_info: dict = {}
        self._thresholds: dict = {}  # (category, date) -> (fen, text)

    # -------------------------------------------------------------- public
    def compute(self, category: str, claims: list[Claim], explain: bool = True, compact: bool = False) -> dict:
        """Compute every claim of one person; returns the JSON-ready answer (money as strings).

        `explain` adds each layer's arithmetic, why a layer does not apply, and the parameters
        used. `compact` gives each claim only its layers' payments and totals (the comparison
        with a general resident needs no more).
        """
        if len(claims) == 1:
            order = (0,)
        else:
            dates = [c.date for c in claims]
            order = sorted(range(len(claims)), key=dates.__getitem__)  # stable: ties keep input order
        results: list = [None] * len(claims)
        years: dict[int, YearState] = {}
        groups = self.j.groups_of.get(category, ())
        used: dict = {}
        for i in order:
            claim = claims[i]
            year = years.get(claim.date.year)
            if year is None:
                year = years[claim.date.year] = YearState()
            try:
                plan = self._plan(category, groups, claim)
            except PolicyError as exc:
                raise PolicyError(f"claims[{claim.index}]: {exc}") from None
            if not explain:
                results[i] = self._amounts(plan, claim, year, compact)
            else:
                results[i] = self._explained(plan, claim, year)
                for step in plan:
                    for key in step.params:
                        used[key] = self._param_info[key]
        answer = {"claims": results, "year": self._years(years, Keys(category, groups))}
        if explain:
            answer["parameters"] = used  # every parameter the explanations refer to, once
        return answer

    def payments(self, category: str, claims: list[Claim]) -> list[tuple[tuple[str, ...], tuple[int, ...], int]]:
        """Each claim's payments in fen, for comparing with a settlement slip: (layer ids, what
        each paid, self-pay), in the order of `claims`. The same arithmetic and order as
        `compute(explain=False)`, without its strings and year totals (the audit runs this for
        every slip of a county's year)."""
        if len(claims) == 1:
            order = (0,)
        else:
            dates = [c.date for c in claims]
            order = sorted(range(len(claims)), key=dates.__getitem__)  # stable, as compute
        results: list = [None] * len(claims)
        used_by_year: dict[int, dict] = {}
        groups = self.j.groups_of.get(category, ())
        for i in order:
            claim = claims[i]
            used = used_by_year.get(claim.date.year)
            if used is None:
                used = used_by_year[claim.date.year] = {}
            try:
                plan = self._plan(category, groups, claim)
            except PolicyError as exc:
                raise PolicyError(f"claims[{claim.index}]: {exc}") from None
            if plan.run is None:
                self._compile(plan)
            pays = plan.run(claim, used)
            results[i] = (plan.ids, pays, claim.total - sum(pays))
        return results

    # -------------------------------------------------------------- plans
    def _plan(self, category, groups, claim: Claim) -> list[Step]:
        disease_groups = self._disease_groups(claim.diseases) if claim.diseases else ()
        hospital = claim.hospital if self._hospital_matters else None
        key = (category, claim.kind, claim.level, claim.in_county, claim.chronic_class, disease_groups,
               hospital, bisect.bisect_right(self._breaks, claim.date))
        plan = self._plans.get(key)
        if plan is None:
            keys = Keys(category, groups, claim.level, claim.chronic_class, disease_groups, self._names, hospital)
            plan = self._plans[key] = Plan(self._step(layer, keys, category, claim)
                                           for layer in self.layers if claim.kind in layer.kinds)
        return plan

    def _step(self, layer: Layer, keys: Keys, category, claim: Claim) -> Step:
        step = Step(layer, self._not_applicable(layer, category, claim))
        if step.reason:
            brief = {"id": layer.id, "name": layer.name, "applied": False, "paid": "0.00"}
            step.skipped = ({**brief, "reason": step.reason}, brief)
            return step
        date, used = claim.date, step.params
        for which in ("deductible", "cap"):
            param = getattr(layer, which)
            if param is not None:
                setattr(step, which, (self._value(param, keys, date, used), param.extra["per"] == "year",
                                      (which, layer.pool(which))))
        if layer.method == "share":
            bonus = self._value(layer.ratio_bonus, keys, date, used) if layer.ratio_bonus else None
            if layer.share_rate is not None:
                step.share = (layer.share_of, *self._value(layer.share_rate, keys, date, used).as_integer_ratio())
            for part in layer.parts:
                ratio = self._value(part.ratio, keys, date, used)
                if bonus is not None:
                    ratio = ratio + bonus
                    if ratio > 1:
                        raise PolicyError(f"“{layer.name}”的报销比例加上提高的比例后超过 100%（{fmt_ratio(ratio)}），请检查数据")
                step.parts.append((part.base, *ratio.as_integer_ratio(), ratio, part.name or BASES[part.base]))
        elif layer.method == "ceiling":
            ratio = self._value(layer.ceiling_ratio, keys, date, used)
            step.ceiling = (*ratio.as_integer_ratio(), ratio)
        else:
            for item_id, item_name, rate_param, kinds in layer.items:
                if claim.kind not in kinds:
                    continue
                rate = self._value(rate_param, keys, date, used)
                step.items.append((item_id, item_name, *rate.as_integer_ratio(), rate))
        return step

    # -------------------------------------------------------------- one claim
    def _explained(self, plan: Plan, claim: Claim, year: YearState) -> dict:
        """One claim, layer by layer, with the arithmetic a person can check by hand."""
        remaining = {"in_catalog": claim.in_catalog, "out_of_catalog_necessary": claim.out_of_catalog_necessary}
        claim_used: dict = {}  # per-claim deductible/cap pools
        paid_so_far = 0
        layers_out = []
        for step in plan:
            layer = step.layer
            if step.skipped:
                layers_out.append(dict(step.skipped[0]))
                continue
            if step.parts:
                paid, explanation = self._share(step, claim, year, remaining, claim_used)
            elif step.ceiling:
                paid, explanation = self._ceiling(step, claim, year, paid_so_far, claim_used)
                _reduce(remaining, paid)
            else:
                paid, explanation = self._waiver(step, claim, True)
                _reduce(remaining, paid)
            paid_so_far += paid
            readings = self._readings(step)
            if readings:
                explanation["readings"] = readings
                explanation["text"] += "（" + "；".join(f"{r['label']}：{r['what']}" for r in readings) + "）"
            layers_out.append({"id": layer.id, "name": layer.name, "applied": True, "paid": fmt(paid),
                               "explanation": explanation})
        self_pay = _close_claim(year, claim, paid_so_far)
        out = {"index": claim.index, "layers": layers_out, "reimbursed": fmt(paid_so_far),
               "self_pay": fmt(self_pay), "self_pay_ratio": _ratio4(self_pay, claim.total),
               # what was understood of the claim, for a person checking by hand
               "date": claim.date.isoformat(), "kind": claim.kind, "hospital_level": claim.level,
               "in_county": claim.in_county, "total": fmt(claim.total), "in_catalog": fmt(claim.in_catalog)}
        if claim.ref is not None:
            out["id"] = claim.ref
        if claim.hospital is not None:
            out["hospital"] = claim.hospital
        return out

    def _amounts(self, plan: Plan, claim: Claim, year: YearState, compact: bool) -> dict:
        """What `_explained` answers, without explanations, through the plan's compiled form."""
        if plan.run is None:
            self._compile(plan)
        pays = plan.run(claim, year.used)
        paid_so_far = sum(pays)
        if compact:  # the comparison: each layer's payment by layer id
            layers_out = {lid: fmt(paid) for (_, lid, _), paid in zip(plan.heads, pays)}
        else:
            layers_out = [dict(skip) if skip else {"id": lid, "name": name, "applied": True, "paid": fmt(paid)}
                          for (skip, lid, name), paid in zip(plan.heads, pays)]
        self_pay = _close_claim(year, claim, paid_so_far)
        out = {"index": claim.index, "layers": layers_out, "reimbursed": fmt(paid_so_far), "self_pay": fmt(self_pay)}
        if not compact:
            out["self_pay_ratio"] = _ratio4(self_pay, claim.total)
            if claim.ref is not None:
                out["id"] = claim.ref
        return out

    def _compile(self, plan: Plan) -> None:
        plan.run = compile_plan(plan, self._waiver)
        plan.heads = [(step.skipped[1] if step.skipped else None, step.layer.id, step.layer.name) for step in plan]
        plan.ids = tuple(step.layer.id for step in plan)

    def _disease_groups(self, diseases) -> tuple:
        found = []
        for d in diseases:
            for g in self.j.diseases[d]["groups"]:
                if g not in found:
                    found.append(g)
        return tuple(found)

    def _not_applicable(self, layer: Layer, category, claim: Claim) -> str | None:
        if layer.categories is not None and category not in layer.categories:
            return f"只适用于{layer.category_label}"
        if (layer.levels is not None or layer.hospitals is not None) and not (
                (layer.levels is not None and claim.level in layer.levels)
                or (layer.hospitals is not None and claim.hospital in layer.hospitals)):
            names = [self.j.levels[lv]["name"] for lv in self.j.levels if lv in (layer.levels or ())]
            names += [self.j.hospitals[h]["name"] for h in self.j.hospitals if h in (layer.hospitals or ())]
            return f"只适用于在这些医院就医：{'、'.join(names)}"
        if layer.in_county is not None and claim.in_county != layer.in_county:
            return "只适用于县域内就医" if layer.in_county else "只适用于县域外就医"
        if layer.chronic_classes is not None and claim.chronic_class not in layer.chronic_classes:
            names = "、".join(self.j.chronic_classes[c]["name"] for c in sorted(layer.chronic_classes))
            return f"只适用于{names}"
        return None

    # -------------------------------------------------------------- methods
    def _share(self, step: Step, claim: Claim, year: YearState, remaining, claim_used):
        ded, cap = step.deductible, step.cap
        ded_before = _left(ded, year, claim_used) if ded else None
        cap_before = cap_left = _left(cap, year, claim_used) if cap else None
        # A personal share (e.g. 10% of class-B drugs paid first) makes the base exact to less
        # than a fen: work in units of 1/den fen so that nothing is rounded inside the layer.
        share_num, den = 0, 1
        if step.share is not None:
            of, r_num, den = step.share
            share_num = getattr(claim, of) * r_num
        ded_left_d = ded_before * den if ded else 0
        total_paid = 0
        parts_out = []
        for base_name, n, d, ratio, part_name in step.parts:
            base_fen = remaining[base_name]
            base_d = base_fen * den
            share_d = 0
            if share_num and base_name == "in_catalog":
                share_d = min(share_num, base_d)
                base_d -= share_d
                share_num = 0  # the personal share is taken once
            used_d = min(base_d, ded_left_d)
            ded_left_d -= used_d
            after_d = base_d - used_d
            amount = half_up(after_d * n, den * d)
            capped = cap_left is not None and amount > cap_left
            if capped:
                amount = cap_left
            if cap_left is not None:
                cap_left -= amount
            remaining[base_name] = base_fen - amount
            total_paid += amount
            parts_out.append({
                "name": part_name, "base": fmt(base_fen),
                "personal_share": fmt_exact(share_d, den) if share_d else None,
                "deductible_used": fmt_exact(used_d, den), "ratio": str(ratio),
                "exact": fmt_exact(after_d * n, den * d), "paid": fmt(amount), "capped": capped,
            })
        if ded and den == 1:
            # With a personal share the deductible is per claim and not pooled (the schema
            # insists), so a fraction of a fen never has to be carried elsewhere.
            _use(ded, year, claim_used, ded_before - ded_left_d)
        if cap:
            _use(cap, year, claim_used, total_paid)
        explanation = {"method": "share", "parts": parts_out, "parameters": step.params,
                       "text": _share_text(parts_out, total_paid)}
        if ded:
            explanation["deductible"] = {
                "amount": fmt(ded[0]), "per": "year" if ded[1] else "claim",
                "left_before": fmt(ded_before), "used": fmt_exact(ded_before * den - ded_left_d, den),
                "left_after": fmt_exact(ded_left_d, den)}
        if cap:
            explanation["cap"] = {"amount": fmt(cap[0]), "per": "year" if cap[1] else "claim",
                                  "left_before": fmt(cap_before), "left_after": fmt(cap_left)}
        return total_paid, explanation

    def _ceiling(self, step: Step, claim: Claim, year, paid_so_far, claim_used):
        n, d, ratio = step.ceiling
        ceiling = half_up(claim.total * n, d)
        self_pay = claim.total - paid_so_far
        amount = max(0, self_pay - ceiling)
        cap_before = cap_left = None
        if step.cap:
            cap_before = _left(step.cap, year, claim_used)
            amount = min(amount, cap_before)
            cap_left = cap_before - amount
            _use(step.cap, year, claim_used, amount)
        text = (f"自付 {fmt(self_pay)} 元，超过总费用的 {fmt_ratio(ratio)}（{fmt(ceiling)} 元）的部分由本层支付："
                f"{fmt(amount)} 元" if amount else
                f"自付 {fmt(self_pay)} 元，没有超过总费用的 {fmt_ratio(ratio)}（{fmt(ceiling)} 元），本层不需支付")
        out = {"method": "ceiling", "self_pay_before": fmt(self_pay), "ceiling_ratio": str(ratio),
               "ceiling": fmt(ceiling), "parameters": step.params, "text": text}
        if cap_before is not None:
            out["cap"] = {"left_before": fmt(cap_before), "left_after": fmt(cap_left)}
        return amount, out

    def _waiver(self, step: Step, claim: Claim, explain):
        exact = Fraction(0)
        lines = []
        for item_id, item_name, n, d, rate in step.items:
            amount = claim.fee_items.get(item_id, 0)
            if amount:
                exact += Fraction(amount * n, d)
                lines.append({"id": item_id, "name": item_name, "amount": fmt(amount), "rate": str(rate)})
        paid = half_up(exact.numerator, exact.denominator)
        if not explain:
            return paid, None
        text = " + ".join(f"{x['name']} {x['amount']} × {fmt_ratio(Decimal(x['rate']))}" for x in lines)
        text = f"{text} = {fmt(paid)} 元" if lines else "没有可减免的费用项目"
        return paid, {"method": "waiver", "items": lines, "exact": fmt_exact(exact.numerator, exact.denominator),
                      "parameters": step.params, "text": text}

    # -------------------------------------------------------------- helpers
    def _value(self, param: Param, keys, date, used_params: list):
        """Look a parameter up for a plan; remember which value was used, for the explanation."""
        value, taken = param.lookup(keys, date)
        key = f"{param.name}@{value.start.isoformat()}" + "".join(f"/{k}" for k in taken)
        if key not in self._param_info:
            self._param_info[key] = _param_info(param, value, taken, self.j)
        used_params.append(key)
        return value.value

    def _readings(self, step: Step) -> list[dict]:
        """The interpreted and illustrative values a layer used: residents see them marked."""
        out, seen = [], set()
        scope = step.layer.scope
        if scope and LABELS[scope["status"]]:
            out.append({"what": "适用范围", "label": LABELS[scope["status"]], "status": scope["status"]})
        for key in step.params:
            info = self._param_info[key]
            if info["label"] and info["description"] not in seen:
                seen.add(info["description"])
                out.append({"what": info["description"], "label": info["label"], "status": info["status"],
                            "parameter": key})
        return out

    def _discretionary(self, keys: Keys, state: YearState) -> list[dict]:
        """Compensation paid at the year's end at the fund's discretion: shown as a range, never added."""
        out = []
        for d in self.discretionary:
            cats = (d["applies_to"] or {}).get("categories")
            if cats and keys.category not in cats and not any(g in cats for g in keys.groups):
                continue
            if not state.kinds & set(d["kinds"]):
                continue
            low, _ = d["ratio_min"].lookup(keys, state.last_date)
            high, _ = d["ratio_max"].lookup(keys, state.last_date)
            status = max((low.status or "official", high.status or "official"), key=STATUSES.index)  # the less sure one
            out.append({"id": d["id"], "name": d["name"], "ratio_min": str(low.value), "ratio_max": str(high.value),
                        "text": d["text"].replace("{min}", fmt_ratio(low.value)).replace("{max}", fmt_ratio(high.value)),
                        "status": status, "label": LABELS[status]})
        return out

    def _years(self, years: dict[int, YearState], keys: Keys) -> dict:
        out = {}
        for y in sorted(years):
            state = years[y]
            cache_key = (keys.category, state.last_date)
            threshold = self._thresholds.get(cache_key)
            if threshold is None:
                value, _ = self.j.monitoring_threshold.lookup(keys, state.last_date)
                threshold = self._thresholds[cache_key] = (value.value, fmt(value.value))
            out[str(y)] = {
                "claims": state.claims, "total": fmt(state.total), "reimbursed": fmt(state.reimbursed),
                "self_pay": fmt(state.self_pay), "monitoring_threshold": threshold[1],
                "monitoring_alert": state.self_pay > threshold[0],
                "discretionary": self._discretionary(keys, state) if self.discretionary else [],
            }
        return out


def _breakdowns(node):
    """Every breakdown node of a parameter tree."""
    if isinstance(node, Breakdown):
        yield node
        for _, child in node.branches:
            yield from _breakdowns(child)


def _left(limit: tuple, year: YearState, claim_used: dict) -> int:
    """What is left of a deductible or cap (amount, per year?, pool key), never below 0."""
    amount, per_year, key = limit
    return max(0, amount - (year.used if per_year else claim_used).get(key, 0))


def _use(limit: tuple, year: YearState, claim_used: dict, fen: int) -> None:
    _, per_year, key = limit
    table = year.used if per_year else claim_used
    table[key] = table.get(key, 0) + fen


def _close_claim(year: YearState, claim: Claim, paid: int) -> int:
    """Add a computed claim to its year's totals; returns its self-pay."""
    self_pay = claim.total - paid
    year.total += claim.total
    year.reimbursed += paid
    year.self_pay += self_pay
    year.claims += 1
    year.last_date = claim.date
    year.kinds.add(claim.kind)
    return self_pay


def _reduce(remaining: dict, amount: int) -> None:
    """A waiver or backstop payment lowers the in-catalog cost first, then the rest."""
    take = min(amount, remaining["in_catalog"])
    remaining["in_catalog"] -= take
    remaining["out_of_catalog_necessary"] -= min(amount - take, remaining["out_of_catalog_necessary"])


_FRACTIONS4 = tuple(f".{i:04d}" for i in range(10000))


def _ratio4(part: int, whole: int) -> str:
    """part/whole as a decimal string with 4 places, half-up (0 when whole is 0)."""
    if whole == 0:
        return "0.0000"
    q = half_up(part * 10000, whole)
    return str(q // 10000) + _FRACTIONS4[q % 10000]  # a table, as money.fmt does


def _share_text(parts, total_paid) -> str:
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
    return {
        "name": param.name, "description": param.description, "unit": param.unit,
        "value": _shown(param, value.value), "from": value.start.isoformat(),
        "keys": list(taken), "illustrative": value.illustrative,
        "status": status_of(value), "label": label(value), "quote": value.quote,
        "reference": {"source": ref.source, "title": source.get("title"), "clause": ref.clause,
                      "url": ref.url or source.get("url"), "note": ref.note or value.note},
        **({"reason": value.reason,
            "alternatives": [{"value": _shown(param, a.value), "reading": a.reading} for a in value.alternatives]}
           if value.alternatives or value.reason else {}),
    }


def _shown(param: Param, v):
    if v is None:
        return None
    if param.unit == "yuan":
        return fmt(v)
    return str(v) if param.unit == "ratio" else int(v)

