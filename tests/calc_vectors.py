"""Shared vectors for the browser engine's parity with the Python engine.

Generated from the loaded data (categories, levels, chronic classes, diseases, waiver items and
every date a parameter changes), so a new jurisdiction or a changed layer gets vectors without
code. Used by tests/test_calculator_parity.py and benchmarks/calculator.py.
"""
from __future__ import annotations

import datetime as dt
import json
import random
import re
from decimal import Decimal

from policy.coverage import layer_params
from policy.formats import CLAIM_KINDS, DISABILITIES
from policy.model import Jurisdiction

_DEC = "\x00D"


def dumps(value) -> str:
    """JSON text in which Decimal amounts are written as JSON numbers (as a caller might send)."""
    def mark(v):
        if isinstance(v, Decimal):
            return f"{_DEC}{v}\x00"
        if isinstance(v, dict):
            return {k: mark(x) for k, x in v.items()}
        if isinstance(v, list):
            return [mark(x) for x in v]
        return v
    text = json.dumps(mark(value), ensure_ascii=False)
    return re.sub(r'"\\u0000D(.*?)\\u0000"', r"\1", text)


def change_dates(j: Jurisdiction) -> list[dt.date]:
    """Every date a layer parameter or the monitoring line changes."""
    starts = set()
    params = [p for raw in j.layers for p in layer_params(raw)] + [j.monitoring_threshold]
    for param in params:
        for _, series in param.series():
            starts.update(series.starts)
    return sorted(starts)


class Generator:
    def __init__(self, j: Jurisdiction, seed: int):
        self.j = j
        self.rng = random.Random(seed)
        self.changes = change_dates(j)
        self.first = self.changes[0]
        self.waiver_items = sorted({i["id"] for raw in j.layers for i in raw["items"] or ()})

    # ------------------------------------------------------------ amounts and dates
    def fen(self) -> int:
        r = self.rng.random()
        if r < 0.35:
            return self.rng.randint(0, 200_000)  # up to 2,000 yuan
        if r < 0.75:
            return self.rng.randint(0, 5_000_000)  # up to 50,000 yuan
        if r < 0.95:
            return self.rng.randint(0, 80_000_000)  # caps get used up
        return self.rng.choice([0, 1, 5, 10, 50, 99, 100, 10_000_000_000])  # edges, up to the 1e8 yuan limit

    def money(self, fen: int):
        """The same amount in one of the forms calc accepts."""
        yuan = Decimal(fen).scaleb(-2)
        r = self.rng.random()
        if r < 0.7:
            return f"{yuan:.2f}"
        if r < 0.8 and fen % 100 == 0:
            return fen // 100
        if r < 0.9:
            return yuan  # a JSON number with decimals
        return format(yuan.normalize(), "f")  # "12.5", "100"

    def date(self, year: int | None = None) -> dt.date:
        r = self.rng.random()
        if year is None and r < 0.3:
            d = self.rng.choice(self.changes)
            return d + dt.timedelta(days=self.rng.choice([-1, 0, 0, 1]) if d > self.first else self.rng.choice([0, 1]))
        y = year or self.rng.randint(self.first.year, self.changes[-1].year + 2)
        return dt.date(y, 1, 1) + dt.timedelta(days=self.rng.randint(0, 364))

    # ------------------------------------------------------------ calc cases
    def claim(self, year: int | None) -> dict:
        j, rng = self.j, self.rng
        kind = rng.choice(list(CLAIM_KINDS))
        total = self.fen()
        ooc = rng.randint(0, total) if rng.random() < 0.4 else 0
        sf = rng.randint(0, total - ooc) if rng.random() < 0.4 else 0
        in_catalog = total - ooc - sf
        claim = {"date": self.date(year).isoformat(), "kind": kind, "hospital_level": rng.choice(list(j.levels)),
                 "total": self.money(total)}
        if rng.random() < 0.3:  # a named hospital: its level is implied, or repeated
            hospital = rng.choice(list(j.hospitals))
            claim["hospital"] = hospital
            if rng.random() < 0.5:
                del claim["hospital_level"]
            else:
                claim["hospital_level"] = j.hospitals[hospital]["level"]
        if rng.random() < 0.4:
            claim["in_county"] = rng.random() < 0.5
        if ooc or rng.random() < 0.1:
            claim["out_of_catalog_necessary"] = self.money(ooc)
        if sf or rng.random() < 0.1:
            claim["self_funded"] = self.money(sf)
        if kind == "outpatient_general" or rng.random() < 0.1:
            claim["class_b"] = self.money(rng.randint(0, in_catalog) if rng.random() < 0.7 else 0)
        if j.chronic_classes and (kind == "outpatient_chronic" or rng.random() < 0.1):
            claim["chronic_class"] = rng.choice(list(j.chronic_classes))
        if rng.random() < 0.2:
            claim["diseases"] = rng.sample(list(j.diseases), rng.randint(0, min(3, len(j.diseases))))
        usable = sorted({i["id"] for raw in j.layers for i in raw["items"] or () if kind in (i["kinds"] or raw["kinds"])})
        if usable and rng.random() < 0.5:
            left, items = in_catalog, {}
            for item in rng.sample(usable, rng.randint(1, len(usable))):
                amount = rng.randint(0, min(left, 500_000))
                left -= amount
                items[item] = self.money(amount)
            claim["fee_items"] = items
        if rng.random() < 0.1:
            claim["id"] = rng.choice([f"c{rng.randint(0, 999)}", rng.randint(0, 10**6)])
        return claim

    def case(self) -> dict:
        rng = self.rng
        n = rng.choice([1, 1, 1, 2, 3, 4, 6, 10])
        year = None if n == 1 or rng.random() < 0.2 else rng.randint(self.first.year, self.changes[-1].year + 1)
        return {"jurisdiction": self.j.id, "person": {"category": rng.choice(list(self.j.categories))},
                "claims": [self.claim(year) for _ in range(n)]}

    def broken(self) -> dict:
        """A case calc must refuse (one or a few problems planted in a valid case)."""
        rng = self.rng
        case = self.case()
        claim = rng.choice(case["claims"])
        for _ in range(rng.choice([1, 1, 2])):
            rng.choice(self._breakers)(self, case, claim)
        return case

    def _b_claim(self, case, claim):
        key, value = self.rng.choice([
            ("date", "2020-02-30"), ("date", "2020/01/01"), ("date", 20200101), ("date", None), ("date", "2020-W53-1"), ("date", "1899-12-31"), ("date", "2020-1-01"),
            ("hospital", "nowhere"), ("hospital_level", "outside"), ("fee_items", {"bed\n": "1"}),
            ("kind", "dental"), ("kind", ["inpatient"]), ("hospital_level", "moon"), ("hospital_level", None),
            ("in_county", "yes"), ("total", "-1"), ("total", "1.234"), ("total", Decimal("1.234")), ("total", "abc"),
            ("total", True), ("total", None), ("total", "100000000.01"), ("total", Decimal("-0.5")),
            ("self_funded", {"a": 1}), ("class_b", "x"), ("chronic_class", "class9"), ("diseases", ["flu"]),
            ("diseases", "flu"), ("fee_items", {"golden_toilet": "1.00"}), ("fee_items", []), ("id", "x" * 101),
            ("id", True), ("colour", "red"), ("total", "1" * 31), ("total", Decimal("1E+20")),
            ("total", Decimal("100000000.001")), ("kind", "a\u202eb"),
        ])
        claim[key] = value

    def _b_sums(self, case, claim):
        claim["total"] = "100.00"
        if self.rng.random() < 0.5:
            claim["out_of_catalog_necessary"], claim["self_funded"] = "60.00", "50.00"
        else:
            claim.pop("out_of_catalog_necessary", None)
            claim.pop("self_funded", None)
            claim["class_b"] = "100.01"

    def _b_case(self, case, claim):
        what = self.rng.randrange(7)
        if what == 0:
            case["person"] = {"category": "king"}  # replaces a removed person too
        elif what == 1:
            case["jurisdiction"] = "atlantis"
        elif what == 2:
            case.pop("person", None)
        elif what == 3:
            case["claims"] = []
        elif what == 4:
            case.setdefault("person", {"category": "general"})["age"] = 151
        elif what == 5:
            case["extra"] = 1
        else:
            claim["kind"] = "outpatient_chronic"
            claim.pop("chronic_class", None)

    _breakers = (_b_claim, _b_claim, _b_sums, _b_case)

    def no_value_in_force(self) -> dict:
        """A valid-looking case dated before any value is in force: refused by the engine."""
        case = self.case()
        claim = self.rng.choice(case["claims"])
        claim["date"] = (self.first - dt.timedelta(days=self.rng.randint(1, 800))).isoformat()
        return case

    # ------------------------------------------------------------ eligible cases
    def person(self) -> dict:
        j, rng = self.j, self.rng
        p = {"category": rng.choice(list(j.categories))}
        if rng.random() < 0.7:
            p["age"] = rng.choice([0, 1, 6, 14, 15, 35, 49, 50, 64, 65, 66, 80, rng.randint(0, 150)])
        if rng.random() < 0.7:
            p["sex"] = rng.choice(["female", "male"])
        if rng.random() < 0.5:
            p["diseases"] = rng.sample(list(j.diseases), rng.randint(0, min(3, len(j.diseases))))
        if j.chronic_classes and rng.random() < 0.3:
            p["chronic_class"] = rng.choice(list(j.chronic_classes))
        if rng.random() < 0.3:
            p["disabilities"] = rng.sample(list(DISABILITIES), rng.randint(0, 2))
        if rng.random() < 0.4:
            p["pregnant"] = rng.random() < 0.5
        r = rng.random()
        if r < 0.3:
            p["township"] = rng.choice(list(j.townships))
        elif r < 0.7:
            p["village"] = rng.choice(list(j.villages))
            if rng.random() < 0.3:
                p["township"] = j.villages[p["village"]][0]["id"]
        if rng.random() < 0.3:
            p["name"] = rng.choice(["王某甲", "李某乙", "老张"])
        return p

    def screening(self) -> dict:
        rng = self.rng
        case = {"jurisdiction": self.j.id,
                "date": (self.first - dt.timedelta(days=20) + dt.timedelta(days=rng.randint(0, 365 * 5))).isoformat()}
        if rng.random() < 0.6:
            case["person"] = self.person()
        else:
            case["household"] = [self.person() for _ in range(rng.randint(1, 4))]
        if rng.random() < 0.05:  # a refusal
            target = case.get("person") or rng.choice(case["household"])
            key, value = rng.choice([("age", -1), ("sex", "x"), ("township", "nowhere"), ("village", "nowhere"),
                                     ("disabilities", ["wings"]), ("pregnant", "no"), ("category", None),
                                     ("name", "名" * 51), ("hobby", "chess")])
            target[key] = value
        return case
