"""Dates on which a parameter has no value although the policy around it is in force.

`calc` refuses a claim on a date where a parameter it needs has no value. A gap between two
periods (`until: 2019-12-31` then `from: 2020-02-01`), a `null` followed by a new value, or one
parameter of a layer starting later (or stopping earlier) than the others, therefore passes as
data and fails only when someone's claim falls on those dates. `check` reports each here:

- inside any parameter (layers, year-end compensation, the monitoring line, commitments): a
  stretch without a value between two stretches with one;
- inside a layer: the layer is in force from the first day any of its parameters has a value to
  the last; every parameter (every branch of a breakdown) must have a value all that time;
- the monitoring line must have a value wherever a layer has one (every year's answer shows it).
"""
from __future__ import annotations

import datetime as dt

from .coverage import layer_params
from .model import Jurisdiction
from .params import Param, Series
from .problems import Problem

DAY = dt.timedelta(days=1)


def covered(series: Series) -> list[tuple[dt.date, dt.date | None, int]]:
    """[(first day, day after the last day or None when open, index of the first value)] of
    the stretches where the series has a value, in date order."""
    out = []
    for i, v in enumerate(series.values):
        end = series.values[i + 1].start if i + 1 < len(series.values) else None
        if v.value is None:
            continue
        if out and out[-1][1] == v.start:
            out[-1] = (out[-1][0], end, out[-1][2])
        else:
            out.append((v.start, end, i))
    return out


def _label(param: Param, keys) -> str:
    where = "、".join(key for _, key in keys)
    return f"“{param.description}”" + (f"（{where}）" if where else "")


def _holes(param: Param, keys, series: Series, file: str) -> list[Problem]:
    out = []
    stretches = covered(series)
    for (_, end, _), (start, _, i) in zip(stretches, stretches[1:]):
        out.append(Problem(file, series.lines[i], series.path,
                           f"{_label(param, keys)}从 {end} 到 {start - DAY} 没有数值（前面的数值到 {end - DAY} 为止，"
                           f"这里 {start} 才重新开始）：这段时间的就医会无法计算。时段要首尾相接；"
                           "如果这段时间确实没有这项待遇，请给这段时间写数值 0"))
    return out


def check_gaps(j: Jurisdiction, files: dict[str, str]) -> list[Problem]:
    """Every gap (see the module's text). `files` maps a file name (layers.yaml, ...) to the
    path shown in messages."""
    problems: list[Problem] = []
    spans, layer_spans = [], []
    for raw in j.layers:
        leaves = [(param, keys, series) for param in layer_params(raw) for keys, series in param.series()]
        for param, keys, series in leaves:
            problems += _holes(param, keys, series, files["layers.yaml"])
        span = _span(series for _, _, series in leaves)
        if span is None:
            continue
        spans.append(span)
        layer_spans.append((raw, span))
        first, last = span
        for param, keys, series in leaves:
            stretches = covered(series)
            if not stretches:
                continue
            problems += _starts_late(files["layers.yaml"], param, keys, series, first,
                                     f"而“{raw['name']}”的其他参数从 {first} 起就有", "这道保障线的",
                                     "请补上这段时间的数值，或把各参数的起始日期写成一致")
            end = stretches[-1][1]
            if end is not None and (last is None or end < last):
                stop = series.lines[series.starts.index(end)] if end in series.starts else series.lines[-1]
                until = "一直有效" if last is None else f"到 {last - DAY}"
                problems.append(Problem(files["layers.yaml"], stop, series.path,
                                        f"{_label(param, keys)}到 {end - DAY} 就没有数值了，而“{raw['name']}”的其他参数{until}："
                                        f"{end} 以后这道保障线的就医会无法计算；请让这道保障线的参数在同一天停止（都写 null），"
                                        "或补上后面的数值"))
    problems += _layers_of_a_kind(j, layer_spans, files["layers.yaml"])
    for d in j.discretionary:
        for which in ("ratio_min", "ratio_max"):
            for keys, series in d[which].series():
                problems += _holes(d[which], keys, series, files["layers.yaml"])
    if j.monitoring_threshold is not None:
        param = j.monitoring_threshold
        for keys, series in param.series():
            problems += _holes(param, keys, series, files["jurisdiction.yaml"])
            if spans:
                first = min(start for start, _ in spans)
                problems += _starts_late(files["jurisdiction.yaml"], param, keys, series, first,
                                         f"而报销从 {first} 起就能计算", "",
                                         "请补上这段时间的数值（每年的结果都要显示监测线）")
    for name, param in (j.commitments or {}).items():
        if isinstance(param, Param):
            for keys, series in param.series():
                problems += _holes(param, keys, series, files["commitments.yaml"])
    return problems


def _layers_of_a_kind(j: Jurisdiction, layer_spans, file: str) -> list[Problem]:
    """Every layer for a claim kind is looked up for every claim of that kind (a layer that
    does not apply to the claim excepted), so a layer that starts later or stops (null) earlier
    than the other layers of its kind makes those claims fail."""
    out = []
    kinds: dict[str, list] = {}
    for raw, span in layer_spans:
        for kind in raw["kinds"]:
            kinds.setdefault(kind, []).append(span)
    for raw, (first, last) in layer_spans:
        for kind in raw["kinds"]:
            k_first = min(s for s, _ in kinds[kind])
            k_last = None if any(e is None for _, e in kinds[kind]) else max(e for _, e in kinds[kind])
            if first > k_first:
                out.append(Problem(file, raw["_line"], raw["_path"],
                                   f"“{raw['name']}”从 {first} 起才有数值，而同类就医的其他保障线从 {k_first} 起就有："
                                   f"{k_first} 到 {first - DAY} 这道保障线适用的就医都会无法计算；新加的保障线请从 {k_first} 起写数值"
                                   "（在它开始以前比例写 0）"))
                break
            if last is not None and (k_last is None or last < k_last):
                out.append(Problem(file, raw["_line"], raw["_path"],
                                   f"“{raw['name']}”到 {last - DAY} 就停止了（写了 null），而同类就医的其他保障线在这之后还有数值："
                                   f"{last} 以后这道保障线适用的就医都会无法计算。要停止一道保障线，请从停止那天起把它的比例写成 0，不要写 null"))
                break
    return out


def _starts_late(file, param, keys, series, first, others: str, whose: str, fix: str) -> list[Problem]:
    """A problem when `series` has its first value after `first` (the day the others start)."""
    stretches = covered(series)
    if not stretches or stretches[0][0] <= first:
        return []
    start, _, i = stretches[0]
    return [Problem(file, series.lines[i], series.path,
                    f"{_label(param, keys)}从 {start} 起才有数值，{others}：{first} 到 {start - DAY} {whose}就医会无法计算；{fix}")]


def _span(all_series) -> tuple[dt.date, dt.date | None] | None:
    """(first day with a value, day after the last one or None) over several series."""
    first, last, any_value = None, dt.date.min, False
    for series in all_series:
        for start, end, _ in covered(series):
            any_value = True
            first = start if first is None or start < first else first
            if last is not None:
                last = None if end is None else max(last, end)
    return (first, last) if any_value else None
