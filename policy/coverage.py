"""Check that every layer's parameters have a value for everyone the layer applies to.

Without this, a new category or level added to the data would pass `check` and only fail
when someone computes a claim for it.
"""
from __future__ import annotations

from .model import Jurisdiction
from .params import BY_LABEL, OTHER, Breakdown, Param
from .problems import Problem

NO_CLASS = None  # a claim without a chronic class


def layer_params(raw: dict) -> list[Param]:
    found = [raw[k] for k in ("ratio", "ratio_bonus", "deductible", "cap", "ceiling_ratio") if raw[k] is not None]
    found += [part["ratio"] for part in raw["parts"] or ()]
    if raw["personal_share"]:
        found.append(raw["personal_share"]["rate"])
    found += [item["rate"] for item in raw["items"] or ()]
    return found


def check_layer_coverage(j: Jurisdiction, file: str) -> list[Problem]:
    problems: list[Problem] = []
    for raw in j.layers:
        cond = raw["applies_to"] or {}
        wanted = cond.get("categories")
        cats = {c for c in j.categories
                if not wanted or c in wanted or any(g in wanted for g in j.groups_of.get(c, ()))}
        levels = set(cond.get("levels") or ())
        levels |= {j.hospitals[h]["level"] for h in cond.get("hospitals") or () if h in j.hospitals}
        levels = levels or set(j.levels)
        classes = set(cond.get("chronic_classes") or [*j.chronic_classes, NO_CLASS])
        for param in layer_params(raw):
            _walk(j, param, param.root, {"category": cats, "hospital_level": levels, "chronic_class": classes},
                  problems, file)
    problems.extend(_check_pools(j, file))
    return problems


def _check_pools(j: Jurisdiction, file: str) -> list[Problem]:
    """Layers that share a deductible or cap (same `pool`) must agree on its amount."""
    problems, first = [], {}
    for raw in j.layers:
        for which in ("deductible", "cap"):
            param = raw[which]
            if param is None or not param.extra.get("pool"):
                continue
            key = (which, param.extra["pool"])
            shape = (param.extra["per"], [(keys, [(v.start, v.value) for v in series.values])
                                          for keys, series in param.series()])
            if key not in first:
                first[key] = (raw["id"], shape)
            elif first[key][1] != shape:
                problems.append(Problem(file, param.line, param.name,
                                        f"与“{first[key][0]}”共用额度“{param.extra['pool']}”，但金额、日期或 per 不一样；"
                                        "共用的额度必须写得完全相同"))
    return problems


def _walk(j, param: Param, node, reaching: dict, problems, file):
    if not isinstance(node, Breakdown):
        return
    if node.by in ("disease_group", "hospital"):
        if not any(key == OTHER for key, _ in node.branches):
            what = "没有这些疾病的人" if node.by == "disease_group" else "其他医院和没有写明医院的就医"
            problems.append(Problem(file, param.line, param.name,
                                    f"按{BY_LABEL[node.by]}区分时要写 other（{what}用哪个数值）"))
        for _, child in node.branches:
            _walk(j, param, child, reaching, problems, file)
        return
    left = set(reaching[node.by])
    for key, child in node.branches:
        taken = {x for x in left if _matches(j, node.by, key, x)}
        left -= taken
        _walk(j, param, child, {**reaching, node.by: taken}, problems, file)
    if left:
        names = "、".join(_name(j, node.by, x) for x in sorted(left, key=str))
        problems.append(Problem(file, param.line, param.name,
                                f"“{param.description}”没有为这些情况定义数值：{names}（请补上，或加一项 other）"))


def _matches(j, by, key, value) -> bool:
    if key == OTHER:
        return True
    if by == "category":
        return key == value or key in j.groups_of.get(value, ())
    return key == value


def _name(j, by, value) -> str:
    if value is NO_CLASS:
        return "没有写慢性病类别的就医"
    table = {"category": j.categories, "hospital_level": j.levels, "chronic_class": j.chronic_classes}[by]
    return table[value]["name"] if value in table else str(value)
