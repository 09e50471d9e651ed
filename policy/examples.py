"""Worked examples written in the data: each has an input and the expected output.

`check` runs them so a data officer who changes a value sees which examples it moves; the
test-suite runs them too (and, later, against the browser engine).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from .model import Jurisdiction
from .money import fmt, parse_yuan
from .problems import InputError, Problem


def example_case(j: Jurisdiction, example: dict) -> dict:
    """The JSON-like case a worked example stands for (dates as ISO strings)."""
    case = {"jurisdiction": j.id, **_plain(example["input"])}
    if example["kind"] == "eligible" and example["date"] is not None:
        case["date"] = example["date"].isoformat()
    return case


def output_shape_problems(kind: str, expected) -> list[str]:
    """What is wrong with the form of an example's expected `output` (before comparing it)."""
    if not isinstance(expected, dict):
        return ["output 应是一组键值"]
    out = []
    if kind == "eligible":
        for name, ids in expected.items():
            if name not in ("eligible", "not_eligible", "need_more_info"):
                out.append(f"output.{name}: 只能写 eligible、not_eligible 或 need_more_info")
            elif not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
                out.append(f"output.{name}: 应是项目编号的列表")
        return out

    def claims_problems(claims, path):
        if not isinstance(claims, list) or not all(isinstance(c, dict) for c in claims):
            return [f"{path}: 应是列表，每项是一组键值"]
        return [f"{path}[{i}].layers: 应写成“层编号: 金额”" for i, c in enumerate(claims)
                if "layers" in c and not isinstance(c["layers"], dict)]

    def years_problems(years, path):
        if not isinstance(years, dict) or not all(isinstance(v, dict) for v in years.values()):
            return [f"{path}: 应按年份写，每年是一组键值，如 \"2020\": {{self_pay: \"927.30\"}}"]
        return []

    for key, value in expected.items():
        if key == "claims":
            out += claims_problems(value, "output.claims")
        elif key == "year":
            out += years_problems(value, "output.year")
        elif key == "baseline":
            if not isinstance(value, dict):
                out.append("output.baseline: 应是一组键值（claims、year）")
            else:
                out += claims_problems(value.get("claims", []), "output.baseline.claims")
                out += years_problems(value.get("year", {}), "output.baseline.year")
    return out


def run_example(j: Jurisdiction, example: dict, service=None):
    """-> (actual answer, [mismatch messages]). Raises InputError when the input is refused."""
    from .cases import Service, run_calc, run_eligible
    if not isinstance(example["input"], dict):
        raise InputError(["input 应是一组键值（calc 示例写 person 和 claims，eligible 示例写 person）"])
    shape = output_shape_problems(example["kind"], example["output"])
    if shape:
        return None, shape
    service = service or Service({j.id: j})
    case = example_case(j, example)
    if example["kind"] == "eligible":
        # check requires `date` on eligible examples; the fallback only serves callers that
        # build examples by hand.
        actual = run_eligible(service, case, today=example.get("date") or dt.date(2020, 6, 1))
        return actual, compare_eligible(example["output"], actual)
    actual = run_calc(service, case)
    return actual, compare_calc(example["output"], actual)


MISMATCHES_SHOWN = 3  # per example; the rest are counted


def check_examples(j: Jurisdiction) -> list[Problem]:
    """One problem per failing example (its first mismatches, then how many more), and, when
    several fail, one more at the value they all use: a single wrong number moves every example
    that uses it, and the officer should look at that number first."""
    from .cases import Service
    service = Service({j.id: j})
    problems, failing, passing = [], [], []
    for i, example in enumerate(j.examples):
        where = (example["_file"], example["_line"], example["_path"] or f"examples[{i}]")
        name = f"示例“{example['name']}”"
        if example["kind"] == "eligible" and example.get("date"):
            name += f"（按 {example['date'].isoformat()} 判断）"
        try:
            actual, mismatches = run_example(j, example, service)
        except InputError as exc:
            for message in exc.problems:
                problems.append(Problem(*where, f"{name}无法计算：{message}"))
            continue
        if example.get("reading"):
            mismatches = mismatches + _reading_mismatches(j, example)
        used = _parameters_used(actual)
        if not mismatches:
            passing.append(used)
            continue
        failing.append((example, used))
        shown = "；".join(mismatches[:MISMATCHES_SHOWN])
        more = f"（另有 {len(mismatches) - MISMATCHES_SHOWN} 处不符）" if len(mismatches) > MISMATCHES_SHOWN else ""
        problems.append(Problem(*where, f"{name}的结果不符：{shown}{more}"))
    return _shared_parameter(j, failing, passing) + problems


def _reading_mismatches(j: Jurisdiction, example: dict) -> list[str]:
    """The example computed under the other reading it names (policy/alternatives.py)."""
    from .alternatives import alternative_problems, run_under_alternative
    if example["kind"] != "calc":
        return ["reading: 只有 calc 示例能按另一种理解再算"]
    reading = example["reading"]
    problems = alternative_problems(j, reading["parameter"], reading["alternative"])
    problems += [f"reading.{m}" for m in output_shape_problems("calc", reading["output"])]
    if problems:
        return problems
    try:
        return run_under_alternative(j, example)[1]
    except InputError as exc:
        return [f"reading: 按这种理解无法计算：{m}" for m in exc.problems]


def _parameters_used(actual) -> set:
    """(parameter name, breakdown keys, from) of every value a calc answer used."""
    if not isinstance(actual, dict) or not isinstance(actual.get("parameters"), dict):
        return set()
    return {(p["name"], tuple(p["keys"]), p["from"]) for p in actual["parameters"].values()}


def _shared_parameter(j: Jurisdiction, failing, passing) -> list[Problem]:
    """A problem at the value every failing calc example used and the fewest passing ones did."""
    if len(failing) < 2 or not all(used for _, used in failing):
        return []
    shared = set.intersection(*(used for _, used in failing))
    if not shared:
        return []
    def passing_uses(p):
        return sum(p in used for used in passing)
    fewest = min(passing_uses(p) for p in shared)
    best = sorted(p for p in shared if passing_uses(p) == fewest)
    out = []
    names = "、".join(f"“{e['name']}”" for e, _ in failing[:5]) + ("等" if len(failing) > 5 else "")
    for pname, keys, start in best[:3]:
        file, line = _where_written(j, pname, keys, start)
        label = pname + (f"（{'、'.join(keys)}）" if keys else "")
        out.append(Problem(file, line, pname,
                           f"以下 {len(failing)} 个示例都用到了 {label}（{start} 起的数值），请先核对这个数：{names}"))
    return out


def _where_written(j: Jurisdiction, name: str, keys: tuple, start: str):
    """(file, line) where the value of parameter `name` for `keys` from `start` is written."""
    from .coverage import layer_params
    params = [p for raw in j.layers for p in layer_params(raw)]
    params += [d[w] for d in j.discretionary for w in ("ratio_min", "ratio_max")]
    if j.monitoring_threshold is not None:
        params.append(j.monitoring_threshold)
    for param in params:
        if param.name != name:
            continue
        for path_keys, series in param.series():
            if tuple(k for _, k in path_keys) == keys:
                for value, line in zip(series.values, series.lines):
                    if value.start.isoformat() == start and line is not None:
                        return param.file, line
        return param.file, param.line
    return str(j.folder), None


def compare_calc(expected, actual) -> list[str]:
    out = []
    for key, want in expected.items():
        if key in ("claims",):
            out += _compare_claims(want, actual.get("claims", []), "claims")
        elif key == "year":
            out += _compare_years(want, actual.get("year", {}), "year")
        elif key == "baseline":
            base = actual.get("baseline")
            if base is None:
                out.append("baseline: 本例没有普通居民对比（人员已是普通居民）")
                continue
            out += _compare_claims(want.get("claims", []), base["claims"], "baseline.claims")
            out += _compare_years(want.get("year", {}), base["year"], "baseline.year")
        else:
            out += _compare_value(want, actual.get(key), key)
    return out


def _compare_claims(want_list, got_list, path):
    out = []
    if len(want_list) > len(got_list):
        return [f"{path}: 预期 {len(want_list)} 条结果，实际只有 {len(got_list)} 条"]
    for i, want in enumerate(want_list):
        got = got_list[i]
        for key, value in want.items():
            if key == "layers":
                layers = got["layers"]  # a list of layers, or (in the comparison) id -> paid
                paid = layers if isinstance(layers, dict) else {layer["id"]: layer["paid"] for layer in layers}
                for lid, amount in value.items():
                    if lid not in paid:
                        out.append(f"{path}[{i}].layers.{lid}: 这一层没有出现在结果中")
                    else:
                        out += _compare_value(amount, paid[lid], f"{path}[{i}].layers.{lid}")
            else:
                out += _compare_value(value, got.get(key), f"{path}[{i}].{key}")
    return out


def _compare_years(want, got, path):
    out = []
    for year, fields in want.items():
        entry = got.get(str(year))
        if entry is None:
            out.append(f"{path}.{year}: 结果中没有这一年")
            continue
        for key, value in fields.items():
            out += _compare_value(value, entry.get(key), f"{path}.{year}.{key}")
    return out


def _compare_value(want, got, path):
    # Money may be written as a YAML number (14560.00); compare it as a two-decimal string.
    if isinstance(want, (int, Decimal)) and not isinstance(want, bool) and isinstance(got, str) and "." in got:
        try:
            want = fmt(parse_yuan(want))
        except ValueError:
            pass
    if want == got or (type(want) is not bool and type(got) is not bool and str(want) == str(got)):
        return []
    return [f"{path}: 应为 {want}，计算得 {got}"]


def compare_eligible(expected, actual) -> list[str]:
    out = []
    lists = {name: {p["id"] for p in actual.get(name, [])} for name in ("eligible", "not_eligible", "need_more_info")}
    for name, ids in expected.items():
        for pid in ids:
            if pid not in lists[name]:
                where = next((n for n, s in lists.items() if pid in s), None)
                out.append(f"{name}: 项目“{pid}”应在 {name} 中，实际在 {where or '任何列表之外（没有这个项目）'}")
    return out


def _plain(value):
    """YAML-loaded values -> JSON-like values (dates become ISO strings, Decimals stay exact)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
