"""Settlement exports made from the engine, with planted errors and the list of what was planted.

    python -m builder.audit.generate --jurisdiction zixi --slips 300 --out samples/settlement/zixi.csv

writes the export and, beside it, `<name>-planted.csv` (结算单号, 参保人编号, 差错类型, 项目, 应付, 实付).
Every slip is first recorded exactly as the policy gives; then some slips get one error of a
kind residents complain about (ERRORS). The audit must report exactly the planted items: tests,
the parity test and benchmarks/audit.py all use this module. Deterministic for a given seed.
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
from pathlib import Path

from policy.claims import Claim
from policy.engine import Engine
from policy.problems import PolicyError
from policy.settlement import SELF_PAY, SELF_PAY_NAME

from . import columns as C

ERRORS = {
    "fund_not_paid": "某项基金没有支付（由个人付了）",
    "wrong_level_ratio": "按错误的医院级别比例报销",
    "ceiling_not_applied": "没有执行自付不超过一成的兜底",
    "deductible_twice": "一年内重复扣了年度起付线",
    "self_pay_too_high": "个人自付记得比账单多",
}
PLANTED_HEADER = ("结算单号", "参保人编号", "差错类型", "项目", "应付", "实付")


def _fen(text: str) -> int:
    whole, _, cents = text.partition(".")
    return int(whole) * 100 + int(cents)


class Generator:
    def __init__(self, j, seed: int = 1, year: int = 2020):
        self.j, self.engine, self.rng, self.year = j, Engine(j), random.Random(seed), year
        self.layers = self.engine.layers
        self.items = [(iid, name) for layer in self.layers for iid, name, _, _ in layer.items]
        self.hospitals = list(j.hospitals)
        self.levels = list(j.levels)
        self.categories = list(j.categories)
        self.chronic = list(j.chronic_classes)

    # -------------------------------------------------------------- claims
    def claim(self, index: int) -> Claim:
        rng = self.rng
        day = dt.date(self.year, 1, 1) + dt.timedelta(days=rng.randrange(365))
        r = rng.random()
        kind = "inpatient" if r < 0.75 or not self.chronic else ("outpatient_chronic" if r < 0.9 else "outpatient_general")
        hospital = rng.choice(self.hospitals) if rng.random() < 0.6 else None
        level = self.j.hospitals[hospital]["level"] if hospital else rng.choice(self.levels)
        in_county = bool(self.j.hospitals[hospital].get("township")) if hospital else self.j.levels[level]["in_county"]
        if kind == "inpatient":
            total = rng.choice((rng.randrange(50_000, 800_000), rng.randrange(800_000, 8_000_000)))
        else:
            total = rng.randrange(2_000, 300_000)
        ooc = rng.randrange(0, total // 10) if rng.random() < 0.4 else 0
        sf = rng.randrange(0, total * 3 // 10) if rng.random() < 0.4 else 0  # large enough for the 10% ceiling to pay
        fee_items = {}
        for iid, _ in self.items:
            usable = self.engine.waiver_items.get(kind, set())
            if iid in usable and rng.random() < 0.5:
                fee_items[iid] = rng.randrange(100, max(101, (total - ooc - sf) // 20))
        chronic = rng.choice(self.chronic) if kind == "outpatient_chronic" else None
        return Claim(index, day, kind, level, in_county, total, ooc, sf, 0, chronic, (), fee_items, None, hospital)

    def person(self, pid: str):
        """(category, [Claim], answer) for one generated person, or None if the policy refuses."""
        category = self.rng.choice(self.categories)
        claims = [self.claim(i) for i in range(self.rng.choice((1, 1, 1, 2, 2, 3, 4, 6)))]
        try:
            answer = self.engine.compute(category, claims, explain=False, compact=True)
        except PolicyError:
            return None
        return category, claims, answer

    # -------------------------------------------------------------- plant
    def plant(self, kind, category, claims, answer, i, recorded, self_pay):
        """Change slip i's recorded amounts by one error of `kind`; the changed items, or None."""
        expected = {lid: _fen(v) for lid, v in answer["claims"][i]["layers"].items()}
        layers = {layer.id: layer for layer in self.layers}
        claim = claims[i]
        target = new = None
        if kind == "fund_not_paid":
            cands = [lid for lid, v in expected.items() if v > 0 and layers[lid].method == "share" and lid != self.layers[0].id]
            cands = cands or [lid for lid, v in expected.items() if v > 0 and layers[lid].method == "share"]
            if cands:
                target, new = self.rng.choice(cands), 0
        elif kind == "ceiling_not_applied":
            cands = [lid for lid, v in expected.items() if v > 0 and layers[lid].method == "ceiling"]
            if cands:
                target, new = cands[0], 0
        elif kind == "wrong_level_ratio":
            first = next((lid for lid in expected if layers[lid].method == "share"), None)
            for level in self.levels:
                if first is None or level == claim.level:
                    continue
                other = [Claim(c.index, c.date, c.kind, level if c is claim else c.level, c.in_county, c.total,
                               c.out_of_catalog_necessary, c.self_funded, 0, c.chronic_class, c.diseases,
                               c.fee_items, None, None if c is claim else c.hospital) for c in claims]
                try:
                    value = _fen(self.engine.compute(category, other, explain=False, compact=True)["claims"][i]["layers"].get(first, "0.00"))
                except PolicyError:
                    continue
                if 0 < value < expected[first]:
                    target, new = first, value
                    break
        elif kind == "deductible_twice":
            earlier = [c for c in claims if c is not claim and c.date.year == claim.date.year
                       and (c.date, c.index) < (claim.date, claim.index)]
            if earlier:
                alone = self.engine.compute(category, [claim], explain=False, compact=True)["claims"][0]["layers"]
                for layer in self.layers:
                    lid = layer.id
                    if layer.deductible is not None and layer.deductible.extra.get("per") == "year" and lid in expected:
                        value = _fen(alone.get(lid, "0.00"))
                        if value < expected[lid]:
                            target, new = lid, value
                            break
        elif kind == "self_pay_too_high":
            extra = self.rng.randrange(1, 50_000)
            return [(SELF_PAY, self_pay, self_pay + extra)]
        if target is None:
            return None
        return [(target, expected[target], new), (SELF_PAY, self_pay, self_pay + expected[target] - new)]

    # -------------------------------------------------------------- export
    def export(self, slips: int, plant_rate: float = 0.05, first_person: int = 1):
        """Yields ("row", {header: text}) and ("planted", tuple) and ("case", calc case dict)."""
        made, number = 0, first_person
        kinds = list(ERRORS)
        names = {layer.id: layer.name for layer in self.layers}
        while made < slips:
            pid = f"P{number:07d}"
            number += 1
            found = self.person(pid)
            if found is None:
                continue
            category, claims, answer = found
            yield "case", {"jurisdiction": self.j.id, "person": {"category": category},
                           "claims": [_claim_json(c) for c in claims]}
            for i, claim in enumerate(claims):
                made += 1
                ref = f"S{self.year}{made:08d}"
                result = answer["claims"][i]
                recorded = {lid: _fen(v) for lid, v in result["layers"].items()}
                self_pay = _fen(result["self_pay"])
                if self.rng.random() < plant_rate:
                    start = self.rng.randrange(len(kinds))
                    if any(layer.method == "ceiling" and recorded.get(layer.id) for layer in self.layers) \
                            and self.rng.random() < 0.5:
                        start = kinds.index("ceiling_not_applied")  # rarer: the ceiling pays on few slips
                    for k in range(len(kinds)):
                        kind = kinds[(start + k) % len(kinds)]
                        changed = self.plant(kind, category, claims, answer, i, recorded, self_pay)
                        if changed:
                            for item, want, got in changed:
                                if item == SELF_PAY:
                                    self_pay = got
                                else:
                                    recorded[item] = got
                                yield "planted", (ref, pid, kind, names.get(item, SELF_PAY_NAME), _y(want), _y(got))
                            break
                yield "slip", (pid, category, ref, claim, dict(recorded), self_pay)
                yield "row", self.row(ref, pid, category, claim, recorded, self_pay)

    def row(self, ref, pid, category, claim: Claim, recorded, self_pay) -> dict:
        rng = self.rng
        row = {C.SLIP: ref, C.PERSON: pid,
               C.CATEGORY: category if rng.random() < 0.5 else self.j.categories[category]["name"],
               C.DATE: claim.date.isoformat(), C.KIND: claim.kind, C.TOTAL: _y(claim.total),
               C.NECESSARY: _y(claim.out_of_catalog_necessary) if claim.out_of_catalog_necessary else "",
               C.SELF_FUNDED: _y(claim.self_funded) if claim.self_funded else "",
               C.CHRONIC: claim.chronic_class or "", C.SELF_PAY: _y(self_pay)}
        if claim.hospital:
            row[C.HOSPITAL] = claim.hospital
        else:
            row[C.LEVEL] = claim.level if rng.random() < 0.5 else self.j.levels[claim.level]["name"]
        for layer in self.layers:
            v = recorded.get(layer.id, 0)
            row[layer.name] = _y(v) if v or rng.random() < 0.5 else ""
        for iid, name in self.items:
            if iid in claim.fee_items:
                row[name] = _y(claim.fee_items[iid])
        return row

    def header(self) -> list[str]:
        return ([C.SLIP, C.PERSON, C.CATEGORY, C.DATE, C.KIND, C.HOSPITAL, C.LEVEL, C.TOTAL, C.NECESSARY,
                 C.SELF_FUNDED, C.CHRONIC] + [layer.name for layer in self.layers] + [name for _, name in self.items]
                + [C.SELF_PAY])


def _y(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _claim_json(c: Claim) -> dict:
    out = {"date": c.date.isoformat(), "kind": c.kind, "hospital_level": c.level, "in_county": c.in_county,
           "total": _y(c.total), "out_of_catalog_necessary": _y(c.out_of_catalog_necessary),
           "self_funded": _y(c.self_funded)}
    if c.hospital:
        out["hospital"] = c.hospital
    if c.chronic_class:
        out["chronic_class"] = c.chronic_class
    if c.fee_items:
        out["fee_items"] = {k: _y(v) for k, v in c.fee_items.items()}
    return out


def write(j, path: Path, slips: int, seed: int = 1, plant_rate: float = 0.05, encoding: str = "utf-8",
          renames: dict[str, str] | None = None, shuffle: bool = True, cases_path: Path | None = None,
          block: int | None = None):
    """Write an export (and its planted list beside it). `renames`: standard header -> the
    header a hospital system uses (the reverse of settlement.yaml). Rows are shuffled (an export
    lists slips by date or by ward, never by person) in blocks of `block` rows (None: all at
    once), so a million-slip file is written without holding it. Returns the planted rows."""
    import orjson

    gen = Generator(j, seed)
    shuffler = random.Random(seed + 1)
    renames = renames or {}
    header = gen.header()
    planted, rows = [], []
    path = Path(path)
    cases = open(cases_path, "wb") if cases_path is not None else None
    try:
        with open(path, "w", encoding=encoding, newline="") as f:
            w = csv.writer(f)
            w.writerow([renames.get(h, h) for h in header])

            def flush():
                if shuffle:
                    shuffler.shuffle(rows)
                w.writerows([r.get(h, "") for h in header] for r in rows)
                rows.clear()
            for what, item in gen.export(slips, plant_rate):
                if what == "row":
                    rows.append(item)
                    if block and len(rows) >= block:
                        flush()
                elif what == "planted":
                    planted.append(item)
                elif what == "case" and cases is not None:
                    cases.write(orjson.dumps(item, option=orjson.OPT_APPEND_NEWLINE))
            flush()
    finally:
        if cases is not None:
            cases.close()
    with open(planted_path(path), "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(PLANTED_HEADER)
        w.writerows(sorted(planted))
    return planted


def check_cases(j, slips: int, seed: int = 1, plant_rate: float = 0.05):
    """The same generated slips as `run_check` cases, one per person (the resident's page and
    the parity test): claim fields, what each fund paid, what the person paid."""
    current, case = None, None
    for what, item in Generator(j, seed).export(slips, plant_rate):
        if what != "slip":
            continue
        pid, category, ref, claim, recorded, self_pay = item
        if pid != current:
            if case:
                yield case
            current = pid
            case = {"jurisdiction": j.id, "person": {"category": category}, "slips": []}
        case["slips"].append({"id": ref, **_claim_json(claim), "paid": {k: _y(v) for k, v in recorded.items() if v},
                              "self_pay": _y(self_pay)})
    if case:
        yield case


def planted_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}-planted.csv")


def main(argv=None) -> int:
    from policy.loader import load_jurisdiction

    p = argparse.ArgumentParser(description="生成带有已知差错的结算单导出样例")
    p.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "policy_data")
    p.add_argument("--jurisdiction", required=True)
    p.add_argument("--slips", type=int, default=300)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--plant-rate", type=float, default=0.05)
    p.add_argument("--encoding", default="utf-8", help="utf-8 或 gbk")
    p.add_argument("--own-headers", action="store_true", help="用 settlement.yaml 里医院系统的列名")
    p.add_argument("--cases", type=Path, help="同时写出 calc --jsonl 的输入（每行一人）")
    p.add_argument("--out", type=Path, required=True)
    a = p.parse_args(argv)
    j, problems = load_jurisdiction(a.data / a.jurisdiction, run_examples=False)
    if problems:
        raise SystemExit(f"{a.jurisdiction} 的政策数据有问题")
    renames = {c["means"]: c["header"] for c in j.settlement_columns} if a.own_headers else None
    planted = write(j, a.out, a.slips, a.seed, a.plant_rate, a.encoding, renames, cases_path=a.cases)
    print(f"{a.out}：{a.slips} 张结算单，埋入 {len({p[0] for p in planted})} 张有差错的（{planted_path(a.out)}）")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
