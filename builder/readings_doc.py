"""docs/readings.md: every interpreted value of the sample data with its quote, the reading
chosen and the alternatives — the page a county's legal office reviews. Written from the data
(never by hand) so it cannot drift: `python -m builder.readings_doc > docs/readings.md`, and a
test fails when the file is out of date.
"""
from __future__ import annotations

import sys
from pathlib import Path

from policy.engine import Engine
from policy.loader import load_all
from policy.money import fmt, fmt_ratio
from policy.seedtext import params_of

UNIT_TEXT = {"days": "日", "working_days": "个工作日", "count": ""}


def shown(param, value, alternative: bool = False) -> str:
    if alternative and param.unit in UNIT_TEXT and value is not None:
        return str(value)  # "15": the alternative reading says which kind of day
    if value is None:
        return "（没有确定的数字）"
    if param.unit == "yuan":
        return f"{fmt(value)} 元"
    if param.unit == "ratio":
        return fmt_ratio(value)
    return f"{value} {UNIT_TEXT.get(param.unit, '')}".strip()


def _cell(text) -> str:
    return (str(text) if text else "").replace("|", "｜").replace("\n", " ")


def _where(j, keys) -> str:
    names = []
    for by, key in keys:
        if key == "other":
            names.append("其他")
            continue
        table = {"category": {**j.categories, **j.groups}, "hospital_level": j.levels,
                 "chronic_class": j.chronic_classes, "disease_group": j.disease_groups,
                 "hospital": j.hospitals}[by]
        names.append(table[key]["name"] if key in table else key)
    return "、".join(names)


def interpreted_rows(j):
    """(what, value, quote, reason, alternatives) for every interpreted value, scope and program."""
    Engine(j)  # gives the layers' parameters their dotted names (layers.basic.ratio)
    for param in params_of(j):
        for keys, series in param.series():
            for v in series.values:
                if v.value is None or v.status != "interpreted":
                    continue
                what = f"{param.description}（`{param.name}`"
                what += f"，{_where(j, keys)}" if keys else ""
                what += f"，{v.start.isoformat()} 起）"
                alts = "；".join(f"{shown(param, a.value, True)}：{a.reading}" for a in v.alternatives)
                yield what, shown(param, v.value), v.quote, v.reason, alts
    for raw in j.layers:
        scope = raw.get("scope")
        if scope and scope["status"] == "interpreted":
            alts = "；".join(a.reading for a in scope["alternatives"])
            yield f"“{raw['name']}”的适用范围（`layers.{raw['id']}.scope`）", raw["description"], scope["quote"], \
                scope["reason"], alts
    for p in j.programs:
        if p["status"] == "interpreted":
            alts = "；".join(a.reading for a in p["alternatives"])
            yield f"项目“{p['name']}”（`programs.{p['id']}`）", p["summary"], p["quote"], p["reason"], alts


def illustrative_rows(j):
    seen = set()
    for param in params_of(j):
        for keys, series in param.series():
            where = _where(j, keys)
            for v in series.values:
                if v.value is not None and v.status == "illustrative" and (param.name, where) not in seen:
                    seen.add((param.name, where))
                    yield f"{param.description}{f'，{where}' if where else ''}：{shown(param, v.value)}（`{param.name}`）"


def render(jurisdictions) -> str:
    out = ["# 按本县理解的数字：原文、采用的理解和其他理解", "",
           "本页由 `python -m builder.readings_doc > docs/readings.md` 从 `policy_data/` 生成，请不要手改。",
           "每个标“按本县理解”（interpreted）的数字、适用范围和项目都列在这里：原文怎么写（照抄），本县采用哪种理解、为什么，"
           "以及其他理解各自会得出什么数字。县法制部门审核时看这一页；改了理解，就改数据文件里的 `status`、`quote`、"
           "`reason`、`alternatives`，再重新生成本页。",
           "网站、公示栏和计算器在这些数字旁边显示“按本县理解”；在原文里找不到的数字显示“示例数字”（列在每个县的最后）。", ""]
    for j in sorted(jurisdictions.values(), key=lambda x: x.id):
        out += [f"## {j.name}（`{j.id}`）", ""]
        out += ["| 哪个数字 | 采用 | 原文（照抄） | 为什么这样理解 | 其他理解 |", "|---|---|---|---|---|"]
        for row in interpreted_rows(j):
            out.append("| " + " | ".join(_cell(x) for x in row) + " |")
        out += ["", f"示例数字（原文没有，{j.name}的数字待县里文件确定）：", ""]
        out += [f"- {row}" for row in illustrative_rows(j)]
        out.append("")
    return "\n".join(out)


def main(argv=None) -> int:
    data = Path(argv[0]) if argv else Path(__file__).resolve().parent.parent / "policy_data"
    jurisdictions, problems = load_all(data, run_examples=False)
    if problems:
        for p in problems:
            print(p, file=sys.stderr)
        return 1
    sys.stdout.write(render(jurisdictions))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
