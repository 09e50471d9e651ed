"""The settlement export's columns (docs: interfaces.md "Settlement export") and one row -> one slip.

A hospital system names its columns its own way; a jurisdiction maps them in `settlement.yaml`
(`columns: [{header: 统筹支付, means: 基本医疗保险}]`). Each row is validated by the same
function as `calc` (policy.cases.parse_claim), so a slip is refused for exactly the reasons a
claim is, with the message pointing at the column instead of the JSON field; amounts are read by
the rule of every amount a person types (policy/amounts.py). A county's year is a million rows of
the same few hundred situations with plain amounts: `Layout._quick` reads those without
validating each again, and leaves every other row to `Layout._full`.
"""
from __future__ import annotations

import datetime as dt
import operator
import re

from policy.amounts import parse_amount
from policy.cases import parse_claim
from policy.claims import Claim
from policy.formats import CLAIM_KINDS
from policy.limits import strict_date
from policy.money import fmt

from .reading import Unreadable

SLIP, PERSON, CATEGORY, DATE, KIND = "结算单号", "参保人编号", "人员类别", "结算日期", "就诊类型"
HOSPITAL, LEVEL, IN_COUNTY = "医院编号", "医院等级", "县域内"
CHRONIC, DISEASES = "慢性病类别", "病种"
TOTAL, NECESSARY, SELF_FUNDED, SELF_PAY = "医疗总费用", "目录外必需费用", "自费费用", "个人自付"
REQUIRED = (SLIP, PERSON, CATEGORY, DATE, KIND, TOTAL, SELF_PAY)
OPTIONAL = (HOSPITAL, LEVEL, IN_COUNTY, CHRONIC, DISEASES, NECESSARY, SELF_FUNDED)

# parse_claim's field names -> our headers (its messages are turned into a column and a reason)
FIELD_HEADER = {"date": DATE, "kind": KIND, "hospital": HOSPITAL, "hospital_level": LEVEL, "in_county": IN_COUNTY,
                "total": TOTAL, "out_of_catalog_necessary": NECESSARY, "self_funded": SELF_FUNDED,
                "chronic_class": CHRONIC, "diseases": DISEASES}
_FIELD = re.compile(r"R\.([a-z_]+)[^:]*: (.*)", re.S)
_LIST = re.compile(r"[、,，;；\s]+")
YES = {"是": True, "否": False, "true": True, "false": False, "1": True, "0": False, "y": True, "n": False,
       "yes": True, "no": False}
MAX_ID = 100
MAX_KNOWN = 100_000  # most dates and (category, kind, hospital, ...) combinations Layout._quick keeps


def header_map(j, engine) -> dict[str, str]:
    """The jurisdiction's own headers -> standard headers, layer or fee item names (settlement.yaml)."""
    known = (set(REQUIRED) | set(OPTIONAL) | {layer["name"] for layer in j.layers}
             | {name for layer in engine.layers for _, name, _, _ in layer.items})
    out = {}
    for c in j.settlement_columns:
        if c["means"] not in known:
            raise Unreadable(f"policy_data/{j.id}/settlement.yaml 第 {c['_line']} 行 means：“{c['means']}”不是标准列名，"
                             f"也不是 layers.yaml 里保障线的名称（可用：{'、'.join(REQUIRED + OPTIONAL)}，"
                             f"{'、'.join(layer['name'] for layer in j.layers)}）")
        out[c["header"]] = c["means"]
    return out


class Layout:
    """The columns of one file, from its header row."""

    def __init__(self, j, engine, header: list[str], path, mapping: dict[str, str]):
        self.j, self.engine, self.path = j, engine, path
        self.width = len(header)
        self.header = [(h or "").strip().lstrip("\ufeff") for h in header]  # as the file spells them
        self.index: dict[str, int] = {}
        self.shown: dict[str, str] = {}  # standard header -> the header as the file spells it
        layer_ids = {layer["name"]: layer["id"] for layer in j.layers}
        self.layers: list[tuple[str, int]] = []
        # fee items a layer waives (jixian's 两免三减): optional columns headed by the item's name
        items = {name: iid for layer in engine.layers for iid, name, _, _ in layer.items}
        self.items: list[tuple[str, int]] = []
        self.ignored: list[str] = []
        for i, raw in enumerate(header):
            name = (raw or "").strip().lstrip("\ufeff")
            means = mapping.get(name, name)
            if not name:
                continue
            if means in self.index or any(lid == layer_ids.get(means) for lid, _ in self.layers):
                raise Unreadable(f"{path} 第 1 行第 {i + 1} 列：列名“{name}”（{means}）出现了两次")
            if means in layer_ids:
                self.layers.append((layer_ids[means], i))
                self.shown[means] = name
            elif means in items:
                self.items.append((items[means], i))
                self.shown[means] = name
            elif means in REQUIRED or means in OPTIONAL:
                self.index[means] = i
                self.shown[means] = name
            else:
                self.ignored.append(name)
        missing = [h for h in REQUIRED if h not in self.index]
        if HOSPITAL not in self.index and LEVEL not in self.index:
            missing.append(f"{HOSPITAL}或{LEVEL}")
        if missing:
            hint = f"（可在 policy_data/{j.id}/settlement.yaml 中把医院系统的列名对应到标准列名）"
            raise Unreadable(f"{path} 第 1 行：缺少必需的列：{'、'.join(missing)}{hint}")
        self.person_at = self.index[PERSON]
        self._known: dict = {}  # _quick: the cells besides date and money -> what _full reads in them, or False
        # where each standard column is; a missing one reads the empty cell parse() appends
        self.at = {h: self.index.get(h, self.width) for h in REQUIRED + OPTIONAL}
        self._key = operator.itemgetter(*(self.at[h] for h in (CATEGORY, KIND, HOSPITAL, LEVEL, IN_COUNTY, CHRONIC,
                                                               DISEASES)))
        self._money = operator.itemgetter(*(self.at[h] for h in (TOTAL, SELF_PAY, NECESSARY, SELF_FUNDED)),
                                          *(i for _, i in self.layers + self.items), self.width)  # (the last: "")
        self._items_at = 4 + len(self.layers)
        self._bars = 4 + len(self.layers) + len(self.items)  # the "|" between the cells self._money gives
        self._slip_at, self._date_at = self.at[SLIP], self.at[DATE]
        self._layer_ids = [lid for lid, _ in self.layers]
        self._dates: dict = {}  # date cell -> "YYYY-MM-DD", or False when _full would refuse it
        self.categories = _names(j.categories)
        self.kinds = {**{k: k for k in CLAIM_KINDS}, **{v: k for k, v in CLAIM_KINDS.items()}, "门诊统筹": "outpatient_general",
                      "普通门诊": "outpatient_general", "门诊特殊慢性病": "outpatient_chronic", "门诊慢性病": "outpatient_chronic"}
        self.levels = _names(j.levels)
        self.hospitals = _names(j.hospitals)
        self.chronic = _names(j.chronic_classes)
        self.diseases = _names(j.diseases)

    def person(self, cells: list[str]) -> str:
        return cells[self.person_at].strip() if self.person_at < len(cells) else ""

    def parse(self, line: int, cells: list[str]):
        """(person, category, record) for a good row; a list of (column, reason) for a bad one.

        The record is what store.py keeps and `to_claim()` turns back into a policy Claim."""
        # One column past the last stands for every column the file does not have: "" (as an
        # empty cell). Rows shorter than the header are padded to it.
        if len(cells) != self.width:
            cells = (cells + [""] * self.width)[:self.width]
        cells.append("")
        return self._quick(line, cells) or self._full(line, cells)

    def _quick(self, line: int, cells: list[str]):
        """The row as `_full` reads it, for the rows nearly every export is made of (known
        names, a valid date, plain "1234.50" amounts); None for anything else,
        which `_full` then reads (and refuses with its reasons). What the row says besides its
        date and money is read by `_full` itself once per distinct combination (a county has a
        few hundred), so the answer is `_full`'s: tests/test_audit.py compares the two."""
        ref, person = cells[self._slip_at].strip(), cells[self.person_at].strip()
        if not ref or not person or len(ref) > MAX_ID or len(person) > MAX_ID:
            return None
        money = self._money(cells)  # total, self-pay, out-of-catalogue, self-funded, each layer, each fee item
        joined = "|".join(money)
        if not money[0] or not money[1] or not _PLAIN_CELLS.fullmatch(joined) or joined.count("|") != self._bars:
            return None  # (a "|" inside a cell would pass for two cells)
        total, self_pay, ooc, sf = money[:4]
        total, self_pay = int(total.replace(".", "")), int(self_pay.replace(".", ""))
        ooc = int(ooc.replace(".", "")) if ooc else 0
        sf = int(sf.replace(".", "")) if sf else 0
        if total - ooc - sf < 0:
            return None
        date = self._dates.get(cells[self._date_at])
        if date is None:
            if len(self._dates) >= MAX_KNOWN:  # memory stays flat whatever the export holds
                self._dates.clear()
            date = self._dates[cells[self._date_at]] = _iso_date(cells[self._date_at].strip())
        key = self._key(cells)
        known = self._known.get(key)
        if known is None:
            if len(self._known) >= MAX_KNOWN:
                self._known.clear()
            known = self._known[key] = self._situation(cells)
        if not known or not date:
            return None
        category, kind, level, in_county, chronic, diseases, hospital = known
        items = []
        if self.items:
            fee_items = {iid: int(v.replace(".", "")) for (iid, _), v in zip(self.items, money[self._items_at:]) if v}
            if fee_items:
                usable = self.engine.waiver_items.get(kind, ())
                if any(iid not in usable for iid in fee_items) or sum(fee_items.values()) > total - ooc - sf:
                    return None
                items = sorted(fee_items.items())
        # a plain amount is 0 only when written "0" or "0.00" (no leading zeros): what _full leaves out
        recorded = []
        for lid, v in zip(self._layer_ids, money[4:]):
            if v not in _NOTHING:
                recorded.append((lid, int(v.replace(".", ""))))
        return person, category, (ref, date, kind, level, in_county, total, ooc, sf, chronic, diseases, hospital,
                                  recorded, self_pay, line, items)

    def _situation(self, cells: list[str]):
        """What the row says besides its date and money, as `_full` reads it; False when it has a problem."""
        row = list(cells)
        row[self.at[DATE]] = "2020-01-01"  # any valid date: _full's reading of the rest does not depend on it
        for h in (TOTAL, SELF_PAY):
            row[self.at[h]] = "0"
        for h in (NECESSARY, SELF_FUNDED):
            row[self.at[h]] = ""
        for _, i in self.layers + self.items:
            row[i] = ""
        result = self._full(0, row)
        if isinstance(result, list):
            return False
        _, category, (_, _, kind, level, in_county, _, _, _, chronic, diseases, hospital, _, _, _, _) = result
        return category, kind, level, in_county, chronic, diseases, hospital

    def _full(self, line: int, cells: list[str]):
        """`parse` for any row, with every reason it cannot be read."""
        bad: list[tuple[str, str]] = []
        at = self.at
        ref, person = cells[at[SLIP]].strip(), cells[at[PERSON]].strip()
        if not ref or not person or len(ref) > MAX_ID or len(person) > MAX_ID:
            for h, v in ((SLIP, ref), (PERSON, person)):
                if not v:
                    bad.append((self.shown[h], "不能是空的"))
                elif len(v) > MAX_ID:
                    bad.append((self.shown[h], f"太长（最多 {MAX_ID} 个字符）"))
        text = cells[at[CATEGORY]].strip()
        category = self.categories.get(text)
        if category is None:
            self._lookup(text, self.categories, CATEGORY, "人员类别", bad, required=True)
        kind = cells[at[KIND]].strip()
        raw = {"date": cells[at[DATE]].strip() or None, "kind": self.kinds.get(kind, kind or None)}
        hospital_text, level_text = cells[at[HOSPITAL]].strip(), cells[at[LEVEL]].strip()
        if hospital_text:
            raw["hospital"] = self.hospitals.get(hospital_text, hospital_text)
        if level_text:
            raw["hospital_level"] = self.levels.get(level_text, level_text)
        if not hospital_text and not level_text:
            bad.append((self.shown.get(HOSPITAL) or self.shown[LEVEL], f"{HOSPITAL}和{LEVEL}至少要填一个"))
        county = cells[at[IN_COUNTY]].strip()
        if county:
            if county.lower() not in YES:
                bad.append((self.shown[IN_COUNTY], f"只能填“是”或“否”，这里是“{county[:20]}”"))
            else:
                raw["in_county"] = YES[county.lower()]
        unread = False  # some amount could not be read: parse_claim's sums of them would mislead
        for h, key in ((TOTAL, "total"), (NECESSARY, "out_of_catalog_necessary"), (SELF_FUNDED, "self_funded")):
            v = cells[at[h]].strip()
            if v:
                fen = self._fen(v, self.shown[h], bad)
                unread = unread or fen is None
                raw[key] = "0.00" if fen is None else fmt(fen)
        chronic = cells[at[CHRONIC]].strip()
        if chronic:
            raw["chronic_class"] = self.chronic.get(chronic, chronic)
        diseases = cells[at[DISEASES]].strip()
        if diseases:
            raw["diseases"] = [self.diseases.get(d, d) for d in _LIST.split(diseases) if d]
        if self.items:
            fee_items = {}
            for iid, i in self.items:
                v = cells[i].strip()
                if v:
                    fen = self._fen(v, self.header[i], bad)
                    if fen is not None:
                        fee_items[iid] = fmt(fen)
            if fee_items:
                raw["fee_items"] = fee_items
        recorded = []
        for lid, i in self.layers:
            v = cells[i].strip()
            if v and v != "0.00" and v != "0":
                fen = self._fen(v, self.header[i], bad)
                if fen:
                    recorded.append((lid, fen))
        self_pay_text = cells[at[SELF_PAY]].strip()
        self_pay = self._fen(self_pay_text, self.shown[SELF_PAY], bad) if self_pay_text else None
        if self_pay_text == "":
            bad.append((self.shown[SELF_PAY], "不能是空的（个人没有付钱请填 0）"))
        problems: list[str] = []
        claim = parse_claim(self.j, self.engine, raw, 0, "R", problems)
        for p in problems:
            m = _FIELD.match(p)
            field, reason = (m.group(1), m.group(2)) if m else ("", p)
            if unread and field == "total":
                continue
            header = FIELD_HEADER.get(field, "")
            if field == "hospital_level" and LEVEL not in self.shown:
                header = HOSPITAL
            if field == "fee_items":
                header = next((name for name, iid in self._item_names().items() if f".{iid}" in p), "")
            bad.append((self.shown.get(header, header), reason))
        if bad:
            return bad
        record = (ref, claim.date.isoformat(), claim.kind, claim.level, claim.in_county, claim.total,
                  claim.out_of_catalog_necessary, claim.self_funded, claim.chronic_class, list(claim.diseases),
                  claim.hospital, recorded, self_pay, line, sorted(claim.fee_items.items()))
        return person, category, record

    def _item_names(self) -> dict[str, str]:
        return {name: iid for layer in self.engine.layers for iid, name, _, _ in layer.items}

    def _lookup(self, value, table, header, what, bad, required=False):
        if not value:
            if required:
                bad.append((self.shown[header], f"缺少{what}"))
            return None
        found = table.get(value)
        if found is None:
            bad.append((self.shown[header], f"不认识的{what}“{value[:30]}”（可用编号或名称：{'、'.join(list(table)[:10])}）"))
        return found

    def _fen(self, text: str, column: str, bad) -> int | None:
        try:
            return amount(text)
        except ValueError as exc:
            bad.append((column, str(exc)))
            return None


def _names(table: dict) -> dict[str, str]:
    """id -> id and name -> id for a table of the policy data."""
    out = {k: k for k in table}
    for k, v in table.items():
        if isinstance(v, dict) and v.get("name"):
            out.setdefault(v["name"], k)
    return out


def amount(text: str) -> int:
    """A money cell -> fen, by the rule of every amount a person types (policy/amounts.py:
    "1234.50", "1,234.50", "￥1234.5", "2万", full-width digits). A negative amount is refused
    with its own reason: exports list a refund or a reversal (退费, 冲销) as a row of negative
    amounts, and such a row is no stay the policy can be computed for; its slip is audited as
    it finally stands when the export holds the corrected slip."""
    if text and _PLAIN_ONE.fullmatch(text):
        return int(text.replace(".", ""))
    if text.strip()[:1] in ("-", "－", "−"):
        raise ValueError(NEGATIVE)
    return parse_amount(text)


NEGATIVE = "金额不能是负数：退费、冲销的行无法单独核对，请导出冲销后的结算单（或把冲销行和原结算单一起删去）"


# Cells _quick reads itself: "1234.50" (digits without leading zeros, a point, two digits: 99.9%
# of an export's amounts), "0" or empty, joined by "|". Anything else is read by parse_amount in _full.
# (Possessive quantifiers, Python 3.11: nothing to backtrack into, about twice as fast.)
_PLAIN = r"(?:[1-9][0-9]{0,7}+\.[0-9][0-9]|0(?:\.[0-9][0-9])?+)?+"
_PLAIN_CELLS = re.compile(rf"{_PLAIN}(?:\|{_PLAIN})*+")
_PLAIN_ONE = re.compile(_PLAIN)
_NOTHING = frozenset(("", "0", "0.00"))


def _iso_date(text: str):
    """A date cell as _full reads it ("YYYY-MM-DD"), or False when it would refuse it."""
    day = strict_date(text)
    return day.isoformat() if day is not None else False


_DAYS: dict = {}  # "2020-06-01" -> date: a year has 366 of them, a county's export a million rows


def to_claim(record, index: int) -> tuple[Claim, dict[str, int], int]:
    """A stored record -> (Claim, recorded layer payments, recorded self-pay)."""
    (ref, date, kind, level, in_county, total, ooc, sf, chronic, diseases, hospital, recorded, self_pay, _line,
     items) = record
    day = _DAYS.get(date)
    if day is None:
        day = _DAYS[date] = dt.date.fromisoformat(date)
    claim = Claim(index, day, kind, level, in_county, total, ooc, sf, 0, chronic,
                  tuple(diseases), dict(items), ref, hospital)
    return claim, dict(recorded), self_pay
