"""The totals of an audit: what summary.json holds and report.html is drawn from.

Money is kept in fen while counting and written as yuan strings. A summary of each shard is
enough to make the summary of the whole (`merge`): every figure is a sum, and the worst slips
are the worst of the shards' worst.
"""
from __future__ import annotations

import heapq

from policy.money import fmt
from policy.settlement import SELF_PAY, totals

WORST = 20
GROUPS = ("by_hospital", "by_month", "by_category")
_GROUP_KEYS = ("slips", "slips_with_findings", "underpaid", "overcharged")
_ITEM_KEYS = ("findings", "underpaid", "overcharged", "difference")
_MONEY = {"underpaid", "overcharged", "difference", "difference_total", "underpaid_total", "overcharged_total"}


def to_fen(text: str) -> int:
    negative = text.startswith("-")
    whole, _, cents = text.lstrip("-").partition(".")
    fen = int(whole) * 100 + int(cents or 0)
    return -fen if negative else fen


class Summary:
    def __init__(self, jurisdiction: str, shard: str | None = None):
        self.jurisdiction, self.shard = jurisdiction, shard
        self.rows = self.slips_read = self.slips_rejected = self.slips_with_findings = 0
        self.difference_total = self.underpaid_total = self.overcharged_total = 0
        self.by_item: dict[str, dict] = {}
        self.groups: dict[str, dict[str, dict]] = {g: {} for g in GROUPS}
        self.worst: list = []  # heap of (amount, slip ref, entry)
        self.files: list[str] = []
        # slips counted by (hospital, date, category) and folded into the groups at the end:
        # one dict update per slip instead of three (this runs for every slip of the year)
        self._counts: dict = {}

    def person(self, slips, category_name: str, results) -> None:
        """Count one person's audited slips and their differences (compare_person's results)."""
        self.slips_read += len(slips)
        counts = self._counts
        for slip, diffs in zip(slips, results):
            key = (slip.hospital, slip.claim.date, category_name)
            counts[key] = counts.get(key, 0) + 1
            if diffs:
                self._differences(key, slip, category_name, diffs)

    def _differences(self, key, slip, category_name: str, diffs) -> None:
        t = totals(diffs)
        for g in self._rows(key):
            g["slips_with_findings"] += 1
            g["underpaid"] += t["underpaid"]
            g["overcharged"] += t["overcharged"]
        self.slips_with_findings += 1
        self.underpaid_total += t["underpaid"]
        self.overcharged_total += t["overcharged"]
        for d in diffs:
            self.difference_total += abs(d.difference)
            item = self.by_item.get(d.name)
            if item is None:
                item = self.by_item[d.name] = dict.fromkeys(_ITEM_KEYS, 0)
            item["findings"] += 1
            item["difference"] += d.difference
            if d.item == SELF_PAY:
                item["overcharged"] += max(0, d.difference)
            else:
                item["underpaid"] += max(0, -d.difference)
        amount = t["underpaid"] + t["overcharged"]
        entry = {"slip": slip.ref, "person": slip.person, "hospital": slip.hospital,
                 "date": slip.claim.date.isoformat(), "category": category_name,
                 "underpaid": t["underpaid"], "overcharged": t["overcharged"],
                 "items": [{"name": d.name, "expected": fmt(d.expected), "recorded": fmt(d.recorded)} for d in diffs]}
        self._keep(amount, entry)

    def _rows(self, key) -> list[dict]:
        """The by-hospital, by-month and by-category rows a slip counts in."""
        hospital, date, category_name = key
        rows = []
        month = date.isoformat()[:7]
        for group, name in (("by_hospital", hospital), ("by_month", month), ("by_category", category_name)):
            g = self.groups[group].get(name)
            if g is None:
                g = self.groups[group][name] = dict.fromkeys(_GROUP_KEYS, 0)
            rows.append(g)
        return rows

    def _fold(self) -> None:
        for key, n in self._counts.items():
            for g in self._rows(key):
                g["slips"] += n
        self._counts = {}

    def _keep(self, amount: int, entry: dict) -> None:
        item = (amount, entry["slip"], entry)
        if len(self.worst) < WORST:
            heapq.heappush(self.worst, item)
        elif item[:2] > self.worst[0][:2]:
            heapq.heapreplace(self.worst, item)

    # -------------------------------------------------------------- JSON
    def as_json(self) -> dict:
        self._fold()
        def money(d: dict) -> dict:
            return {k: fmt(v) if k in _MONEY else v for k, v in d.items()}
        worst = [money(e) for _, _, e in sorted(self.worst, key=lambda x: (-x[0], x[1]))]
        return {
            "jurisdiction": self.jurisdiction, "shard": self.shard, "files": self.files,
            "rows": self.rows, "slips_read": self.slips_read, "slips_rejected": self.slips_rejected,
            "slips_with_findings": self.slips_with_findings, "difference_total": fmt(self.difference_total),
            "underpaid_total": fmt(self.underpaid_total), "overcharged_total": fmt(self.overcharged_total),
            "by_item": {k: money(v) for k, v in sorted(self.by_item.items())},
            **{g: {k: money(v) for k, v in sorted(self.groups[g].items())} for g in GROUPS},
            "worst": worst,
        }

    def add_json(self, data: dict) -> None:
        """Add a shard's summary.json to this one (merge)."""
        for key in ("rows", "slips_read", "slips_rejected", "slips_with_findings"):
            setattr(self, key, getattr(self, key) + data[key])
        for key in ("difference_total", "underpaid_total", "overcharged_total"):
            setattr(self, key, getattr(self, key) + to_fen(data[key]))
        self.files += [f for f in data.get("files", []) if f not in self.files]

        def add(table: dict, name: str, values: dict, keys) -> None:
            row = table.setdefault(name, dict.fromkeys(keys, 0))
            for k in keys:
                row[k] += to_fen(values[k]) if k in _MONEY else values[k]
        for name, values in data["by_item"].items():
            add(self.by_item, name, values, _ITEM_KEYS)
        for g in GROUPS:
            for name, values in data[g].items():
                add(self.groups[g], name, values, _GROUP_KEYS)
        for e in data["worst"]:
            e = {**e, "underpaid": to_fen(e["underpaid"]), "overcharged": to_fen(e["overcharged"])}
            self._keep(e["underpaid"] + e["overcharged"], e)
