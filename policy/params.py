"""Dated, cited parameters (OpenFisca style) and their lookup on a date.

A parameter is a tree: breakdown nodes (`by: hospital_level`, ...) whose leaves are date series.
The value used for a claim is the one in force on the claim's date, for the claim's keys.
"""
from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from .limits import MAX_RATIO_PLACES, impossible_date, parse_date
from .money import has_at_most_two_decimals, yuan_to_fen
from .problems import PolicyError
from .readings import STATUSES
from .schema import INVALID, Bool, Ctx, Date, Enum, Field, Ident, Record, Spec, Text, isdict, islist, type_name
from .yamlsource import line_of

UNITS = {
    "yuan": "元",
    "ratio": "比例",
    "count": "次/个",
    "days": "自然日",
    "working_days": "工作日",
}
BY = {
    "category": "category_or_group",
    "hospital_level": "level",
    "chronic_class": "chronic_class",
    "disease_group": "disease_group",
    "hospital": "hospital",
}
BY_LABEL = {"category": "人员类别", "hospital_level": "医院级别", "chronic_class": "慢性病类别",
            "disease_group": "疾病组", "hospital": "医院"}
OTHER = "other"


@dataclass(frozen=True)
class Reference:
    source: str
    clause: str | None = None
    url: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Alternative:
    """Another reading of an ambiguous clause and the value it would give (None: no number)."""

    value: object
    reading: str


@dataclass(frozen=True)
class Value:
    """One dated value. `value` is None when the parameter ends on `start`.

    `status` says how sure the value is (see policy/readings.py): official, derived,
    interpreted or illustrative. `illustrative` is kept for readers written before `status`.
    """

    start: dt.date
    value: object
    reference: Reference
    illustrative: bool
    note: str | None = None
    status: str | None = None
    quote: str | None = None
    alternatives: tuple[Alternative, ...] = ()
    reason: str | None = None


class Series:
    __slots__ = ("starts", "values", "lines", "path")

    def __init__(self, values: list[Value], lines: list | None = None, path: str = ""):
        self.values = values
        self.starts = [v.start for v in values]
        # where each value was written (for check's messages about dates; None when unknown)
        self.lines = lines or [None] * len(values)
        self.path = path

    def at(self, date: dt.date) -> Value | None:
        i = bisect.bisect_right(self.starts, date) - 1
        if i < 0:
            return None
        v = self.values[i]
        return None if v.value is None else v

    def all_values(self):
        return [v for v in self.values if v.value is not None]


@dataclass
class Breakdown:
    by: str
    branches: list[tuple[str, object]]  # (key, Breakdown | Series), in listed order


@dataclass
class Param:
    name: str  # dotted path, e.g. "layers.basic.ratio"
    description: str
    unit: str
    reference: Reference
    illustrative: bool
    root: object  # Breakdown | Series
    file: str
    line: int | None
    extra: dict

    def lookup(self, keys: "Keys", date: dt.date) -> tuple[Value, tuple[str, ...]]:
        """The value in force on `date` for `keys`, and the breakdown keys taken to find it."""
        node, taken = self.root, []
        while isinstance(node, Breakdown):
            for key, child in node.branches:
                if keys.matches(node.by, key):
                    node = child
                    taken.append(key)
                    break
            else:
                raise PolicyError(
                    f"参数“{self.description}”（{self.name}）没有适用于{BY_LABEL[node.by]}"
                    f"“{keys.label(node.by)}”的数值（{self.file}）")
        value = node.at(date)
        if value is None:
            raise PolicyError(
                f"参数“{self.description}”（{self.name}）在 {date.isoformat()} 没有生效的数值（{self.file}）")
        return value, tuple(taken)

    def series(self):
        """Every leaf series with the keys that lead to it (for checks and pages)."""
        out = []

        def walk(node, keys):
            if isinstance(node, Breakdown):
                for key, child in node.branches:
                    walk(child, keys + ((node.by, key),))
            else:
                out.append((keys, node))

        walk(self.root, ())
        return out


class Keys:
    """What a claim or person offers to breakdown lookups."""

    __slots__ = ("category", "groups", "level", "chronic_class", "disease_groups", "hospital", "_names")

    def __init__(self, category, groups, level=None, chronic_class=None, disease_groups=(), names=None,
                 hospital=None):
        self.category, self.groups = category, groups
        self.level, self.chronic_class, self.disease_groups = level, chronic_class, disease_groups
        self.hospital = hospital  # a claim that names no hospital matches only `other`
        self._names = names or {}

    def matches(self, by: str, key: str) -> bool:
        if key == OTHER:
            return True
        if by == "category":
            return key == self.category or key in self.groups
        if by == "hospital_level":
            return key == self.level
        if by == "chronic_class":
            return key == self.chronic_class
        if by == "hospital":
            return key == self.hospital
        return key in self.disease_groups

    def label(self, by):
        value = {"category": self.category, "hospital_level": self.level,
                 "chronic_class": self.chronic_class,
                 "disease_group": "、".join(self.disease_groups) or "无",
                 "hospital": self.hospital or "未写明医院"}[by]
        return self._names.get(value, value) if isinstance(value, str) else value


# ---------------------------------------------------------------- schema for parameters

STATUS_LABEL = {"official": "依据原文（official）", "derived": "由原文推算（derived）",
                "interpreted": "按本县理解（interpreted）", "illustrative": "示例数字（illustrative）"}


def reference_spec():
    from .schema import Ref
    return Record({
        "source": Field(Ref("source"), doc="jurisdiction.yaml 中 sources 里的文件编号"),
        "clause": Field(Text(200), required=False, doc="条款，如 二(一)1"),
        "url": Field(Text(500), required=False),
        "note": Field(Text(500), required=False),
    }, make=lambda d: Reference(d["source"], d["clause"], d["url"], d["note"]))


class AlternativesSpec(Spec):
    """`alternatives:` a list of {value, reading}; `value` in the parameter's unit, or null
    when that reading gives no number (for a scope or a program, `value` may be left out)."""

    def __init__(self, unit: str | None):
        self.unit = unit

    def __call__(self, ctx, value, path, line):
        from .schema import ListOf
        item = Record({"value": Field(_Raw(), required=self.unit is not None, doc="这种理解下的数值（没有数字写 null）"),
                       "reading": Field(Text(500), doc="这种理解是怎么读原文的")})
        items = ListOf(item, min_len=1, what="种理解")(ctx, value, path, line)
        if items is INVALID:
            return INVALID
        out, ok = [], True
        for i, it in enumerate(items):
            v = it["value"]
            if v is not None and self.unit is not None:
                v = _number(ctx, v, f"{path}[{i}].value", it["_line"], self.unit)
                if v is INVALID:
                    ok = False
                    continue
            out.append(Alternative(v, it["reading"]))
        return tuple(out) if ok else INVALID


def reading_fields(unit: str | None = None) -> dict[str, Field]:
    """The keys that say how sure a value (or a scope, or a program) is."""
    return {
        "status": Field(Enum(STATUSES), required=False, doc="official / derived / interpreted / illustrative"),
        "quote": Field(Text(1000), required=False, doc="原文中支持它的最短原话，一字不改照抄"),
        "alternatives": Field(AlternativesSpec(unit), required=False, doc="其他理解及其数值"),
        "reason": Field(Text(1000), required=False, doc="为什么选这种理解"),
        "illustrative": Field(Bool(), required=False),
    }


@dataclass(frozen=True)
class Reading:
    """What a node passes down to the values under it (a value overrides what it restates)."""

    reference: Reference | None
    status: str
    quote: str | None = None
    alternatives: tuple = ()
    reason: str | None = None
    origin: tuple = (None, "")  # (line, path) of the node that set the status: problems are reported there

    def under(self, ctx, fields: dict, line, path) -> "Reading | None":
        """The reading of a child node whose own keys are `fields` (None: a problem was reported)."""
        status, legacy = fields.get("status"), fields.get("illustrative")
        if status is not None and legacy is not None and (status == "illustrative") != legacy:
            ctx.error(line, path, f"status 写的是 {status}，illustrative 却写 {str(legacy).lower()}：两者矛盾，只保留 status")
            return None
        if status is None and legacy is not None:
            status = "illustrative" if legacy else ("official" if self.status == "illustrative" else self.status)
        if (status == "illustrative" and self.status != "illustrative" and not fields.get("reference")
                and self.reference is not None):
            # The parent cites a document for its values; a provisional number is in no document
            # and must not be shown as if it came from that one.
            ctx.error(line, path, f"标为示例数字（illustrative）的数值要写自己的出处：上面的出处“{self.reference.source}”"
                                  "不包含暂定的数字，请在这个数值上写 reference: {source: sample, note: 暂定的原因}")
            return None
        reference = fields.get("reference") or self.reference
        # A new source needs its own quote; a new status needs its own alternatives and reason.
        quote = fields.get("quote") or (None if fields.get("reference") else self.quote)
        if status is None:
            return Reading(reference, self.status, quote,
                           fields.get("alternatives") or self.alternatives, fields.get("reason") or self.reason,
                           (line, path) if any(fields.get(k) for k in ("alternatives", "reason", "reference"))
                           else self.origin)
        return Reading(reference, status, quote, fields.get("alternatives") or (), fields.get("reason"), (line, path))


def check_reading(ctx, reading: Reading, seen: set | None = None) -> bool:
    """The format's rules for a reading; problems are reported once, where the status was set."""
    problems = []
    if reading.status in ("official", "derived", "interpreted") and not reading.quote:
        problems.append(f"标为{STATUS_LABEL[reading.status]}时必须写 quote：原文中支持它的最短原话（照抄原文，"
                        "不要改写）；原文里找不到的数字请标 status: illustrative")
    if reading.status == "interpreted":
        if not reading.alternatives:
            problems.append("标为按本县理解（interpreted）时必须写 alternatives：其他理解各自的数值和读法")
        if not reading.reason:
            problems.append("标为按本县理解（interpreted）时必须写 reason：为什么选这种理解")
    elif reading.alternatives:
        problems.append(f"只有按本县理解（interpreted）时才写 alternatives，这里是{STATUS_LABEL[reading.status]}")
    line, path = reading.origin
    for message in problems:
        key = (line, path, message)
        if seen is not None:
            if key in seen:
                continue
            seen.add(key)
        ctx.error(line, path, message)
    return not problems


class ParamSpec(Spec):
    """A parameter: description, unit, reference, reading (status, quote, ...), optional `by`, values.

    `units` limits which units are allowed here; `extra` adds keys such as `per` and `pool`.
    """

    def __init__(self, units: tuple[str, ...] = tuple(UNITS), extra: dict[str, Field] | None = None):
        self.units, self.extra = units, extra or {}

    def __call__(self, ctx: Ctx, value, path, line):
        unit = value.get("unit") if isdict(value) and value.get("unit") in self.units else None
        fields = {
            "description": Field(Text(300), doc="参数的中文说明"),
            "unit": Field(Enum(self.units), doc="单位：" + " / ".join(self.units)),
            "reference": Field(reference_spec(), doc="出处：文件编号和条款"),
            **reading_fields(unit),
            "by": Field(Enum(tuple(BY)), required=False),
            "values": Field(_Raw(), doc="按日期列出的数值"),
            **self.extra,
        }
        head = Record(fields)(ctx, value, path, line)
        if head is INVALID:
            return INVALID
        top = Reading(head["reference"], "official", origin=(line, path)).under(ctx, head, line, path)
        if top is None:
            return INVALID
        seen: set = set()
        root = _node(ctx, value["values"], f"{path}.values", line_of(value, "values"), unit, head["by"], top, seen)
        if root is INVALID:
            return INVALID
        extra = {k: head[k] for k in self.extra}
        return Param(path, head["description"], unit, head["reference"], top.status == "illustrative",
                     root, ctx.file, line, extra)


class _Raw(Spec):
    def __call__(self, ctx, value, path, line):
        return value


def _node(ctx, raw, path, line, unit, by, reading: Reading, seen):
    """A breakdown (when `by` is set) or a date series."""
    if by is None:
        return _series(ctx, raw, path, line, unit, reading, seen)
    if not isdict(raw) or not raw:
        ctx.error(line, path, f"按{BY_LABEL[by]}区分时，values 应列出每个{BY_LABEL[by]}的数值")
        return INVALID
    from .schema import RefUse
    branches, ok = [], True
    for key, child in raw.items():
        kpath, kline = f"{path}.{key}", line_of(raw, key)
        if isinstance(key, dt.date):  # a dated value that lost its indentation
            ctx.error(kline, kpath, f"这里应是{BY_LABEL[by]}的编号，却是日期 {key}：如果它是上面某一项的新数值，"
                                    "缩进少了，请把这一行再往右缩进，与上面那一项的日期对齐")
            ok = False
            continue
        if Ident()(ctx, key, kpath, kline) is INVALID:
            ok = False
            continue
        if key != OTHER:
            ctx.refs.append(RefUse(BY[by], key, ctx.file, kline, kpath))
        if isdict(child) and "by" in child:
            sub = Record({
                "by": Field(Enum(tuple(BY))),
                "values": Field(_Raw()),
                "reference": Field(reference_spec(), required=False),
                **reading_fields(unit),
            })(ctx, child, kpath, kline)
            if sub is INVALID:
                ok = False
                continue
            inner = reading.under(ctx, sub, kline, kpath)
            node = INVALID if inner is None else _node(
                ctx, child["values"], f"{kpath}.values", line_of(child, "values"), unit, sub["by"], inner, seen)
        else:
            node = _series(ctx, child, kpath, kline, unit, reading, seen)
        if node is INVALID:
            ok = False
        else:
            branches.append((key, node))
    return Breakdown(by, branches) if ok else INVALID


def _series(ctx, raw, path, line, unit, reading, seen):
    if isdict(raw):
        return _dated_map(ctx, raw, path, line, unit, reading, seen)
    if islist(raw):
        return _periods(ctx, raw, path, line, unit, reading, seen)
    ctx.error(line, path, f"应按日期列出数值，例如 “2020-01-01: 0.9”，这里是{type_name(raw)}")
    return INVALID


def dated_key(ctx, key, path, line, previous: dt.date | None = None):
    """The date a value takes effect, from a key of a dated mapping, or INVALID after a message.
    A key not after `previous` is reported (and still returned: the value itself is checked too)."""
    if isinstance(key, str):  # a quoted date, "2019-01-01": 0.9, is a date too
        try:
            key = parse_date(key)
        except ValueError as exc:
            why = impossible_date(key)
            ctx.error(line, path, f"日期 {key} 不存在：{why}" if why else
                      f"这里的键应是生效日期 YYYY-MM-DD，这里是{type_name(key)}：{exc}")
            return INVALID
    if not isinstance(key, dt.date):
        ctx.error(line, path, f"这里的键应是生效日期 YYYY-MM-DD，这里是{type_name(key)}")
        return INVALID
    if previous is not None and key <= previous:
        ctx.error(line, path, f"日期没有按从早到晚排列：{key} 写在 {previous} 之后")
    return key


class DatedEntries:
    """The entries of a dated mapping (`{2019-01-01: …, 2020-07-01: …}`) in file order, as
    (date, value, path, line), skipping keys that are not dates; `ok` turns False on a key that
    is not a date or not after the one before (each reported by `dated_key`). Callers check each
    value and set `ok = False` on a bad one."""

    def __init__(self, ctx, raw: dict, path: str):
        self.ctx, self.raw, self.path, self.ok = ctx, raw, path, True

    def __iter__(self):
        previous = None
        for key, item in self.raw.items():
            kpath, kline = f"{self.path}.{key}", line_of(self.raw, key)
            key = dated_key(self.ctx, key, kpath, kline, previous)
            if key is INVALID:
                self.ok = False
                continue
            if previous is not None and key <= previous:
                self.ok = False
            previous = key
            yield key, item, kpath, kline


def _dated_map(ctx, raw, path, line, unit, reading, seen):
    values, lines = [], []
    if not raw:
        ctx.error(line, path, "至少要有一个日期和数值")
        return INVALID
    entries = DatedEntries(ctx, raw, path)
    for key, item, kpath, kline in entries:
        v = _value(ctx, item, kpath, kline, unit, key, reading, seen)
        if v is INVALID:
            entries.ok = False
        else:
            values.append(v)
            lines.append(kline)
    return Series(values, lines, path) if entries.ok else INVALID


def _end(start, reading):
    return Value(start, None, reading.reference, False, status=reading.status)


def _periods(ctx, raw, path, line, unit, reading, seen):
    spec = Record({
        "from": Field(Date()), "until": Field(Date(), required=False),
        "value": Field(_Raw()), "reference": Field(reference_spec(), required=False),
        **reading_fields(unit), "note": Field(Text(500), required=False),
    })
    values, ok, prev, lines = [], True, None, []
    if not raw:
        ctx.error(line, path, "至少要有一个时段")
        return INVALID
    for i, item in enumerate(raw):
        ipath, iline = f"{path}[{i}]", line_of(raw, i)
        p = spec(ctx, item, ipath, iline)
        if p is INVALID:
            ok = False
            continue
        if p["until"] is not None and p["until"] < p["from"]:
            ctx.error(iline, f"{ipath}.until", f"结束日期 {p['until']} 早于开始日期 {p['from']}")
            ok = False
            continue
        if prev is not None:
            if p["from"] <= prev["from"]:
                ctx.error(iline, f"{ipath}.from", f"时段没有按从早到晚排列：{p['from']} 写在 {prev['from']} 之后")
                ok = False
            elif prev["until"] is None or p["from"] <= prev["until"]:
                end = "一直有效" if prev["until"] is None else f"到 {prev['until']}"
                ctx.error(iline, f"{ipath}.from",
                          f"时段重叠：{p['from']} 开始的时段与前一个时段（{prev['from']} 起，{end}）重叠")
                ok = False
        inner = reading.under(ctx, p, iline, ipath)
        v = INVALID if inner is None else _leaf(ctx, p["value"], f"{ipath}.value", iline, unit, p["from"],
                                                inner, p["note"], seen)
        if v is INVALID:
            ok = False
        else:
            if prev is not None and prev["until"] is not None and prev["until"] + dt.timedelta(days=1) < p["from"]:
                values.append(_end(prev["until"] + dt.timedelta(days=1), reading))  # a gap: check reports it
                lines.append(prev_line)
            values.append(v)
            lines.append(iline)
        prev, prev_line = p, iline
    if ok and prev["until"] is not None:
        values.append(_end(prev["until"] + dt.timedelta(days=1), reading))
        lines.append(prev_line)
    return Series(values, lines, path) if ok else INVALID


def _value(ctx, item, path, line, unit, start, reading, seen):
    if isdict(item):
        v = Record({
            "value": Field(_Raw()), "reference": Field(reference_spec(), required=False),
            **reading_fields(unit), "note": Field(Text(500), required=False),
        })(ctx, item, path, line)
        if v is INVALID:
            return INVALID
        inner = reading.under(ctx, v, line, path)
        if inner is None:
            return INVALID
        return _leaf(ctx, v["value"], f"{path}.value", line_of(item, "value"), unit, start, inner, v["note"], seen)
    return _leaf(ctx, item, path, line, unit, start, reading, None, seen)


def _leaf(ctx, item, path, line, unit, start, reading: Reading, note, seen):
    if item is None:
        return Value(start, None, reading.reference, False, note, status=reading.status)
    number = _number(ctx, item, path, line, unit)
    if number is INVALID:
        return INVALID
    if not check_reading(ctx, reading, seen):
        return INVALID
    return Value(start, number, reading.reference, reading.status == "illustrative", note,
                 reading.status, reading.quote, reading.alternatives, reading.reason)


def _number(ctx, item, path, line, unit):
    if isinstance(item, bool) or not isinstance(item, (int, Decimal)):
        ctx.error(line, path, f"应是数字，这里是{type_name(item)}")
        return INVALID
    if unit == "yuan":
        if item < 0:
            ctx.error(line, path, f"金额不能为负数，这里是 {item}")
            return INVALID
        if item > _MAX_YUAN:  # checked before rounding: 1.0e+30 has too many digits to round
            ctx.error(line, path, f"金额过大（超过 {_MAX_YUAN:,} 元），这里是 {item}")
            return INVALID
        if not has_at_most_two_decimals(Decimal(item)):
            ctx.error(line, path, f"金额最多两位小数（到分），这里是 {item}")
            return INVALID
        return yuan_to_fen(Decimal(item))
    if unit == "ratio":
        if not 0 <= item <= 1:
            ctx.error(line, path, f"比例必须在 0 到 1 之间（例如 85% 写成 0.85），这里是 {item}")
            return INVALID
        # The plan compiler works with the exact fraction: 1.0e-999999999 would be a
        # billion-digit denominator.
        if isinstance(item, Decimal) and -item.normalize().as_tuple().exponent > MAX_RATIO_PLACES and item != 0:
            ctx.error(line, path, f"比例最多 {MAX_RATIO_PLACES} 位小数（如 0.123456），这里是 {item}")
            return INVALID
        return Decimal(item)
    if not isinstance(item, int) or item < 0:
        ctx.error(line, path, f"应是不小于 0 的整数（{UNITS[unit]}），这里是 {item}")
        return INVALID
    if item > _MAX_COUNT:
        ctx.error(line, path, f"数字过大（最多 {_MAX_COUNT:,}），这里是 {item}")
        return INVALID
    return item


_MAX_YUAN = 100_000_000  # as for claims (money.parse_yuan)
_MAX_COUNT = 100_000  # days, working days, counts
