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


def difference_rows(j):
    """(example, parameter, alternative reading, chosen totals, alternative totals, difference) for
    every worked example that is also computed under another reading (`reading:` in examples/).
    Both results are computed here, from the data: the page cannot claim a difference the
    engine does not produce."""
    from policy.alternatives import find_param, run_under_alternative
    from policy.cases import Service
    from policy.examples import run_example
    service = Service({j.id: j})
    for example in j.examples:
        reading = example.get("reading")
        if not reading or example["kind"] != "calc":
            continue
        chosen, _ = run_example(j, example, service)
        other, _ = run_under_alternative(j, example)
        param = find_param(j, reading["parameter"])
        index = reading["alternative"]
        texts = []  # the alternative as written beside the values this example used
        for info in chosen.get("parameters", {}).values():
            alts = info.get("alternatives") or []
            if info["name"] == param.name and len(alts) >= index and alts[index - 1]["reading"] not in texts:
                texts.append(alts[index - 1]["reading"])
        totals = [_totals(answer) for answer in (chosen, other)]
        diff = totals[1][1] - totals[0][1]
        change = ("居民少自付" if diff < 0 else "居民多自付") + f" {fmt(abs(diff))} 元" if diff else "居民自付不变"
        yield (f"“{example['name']}”", f"{param.description}（`{param.name}`）", "；".join(texts),
               *(f"报销 {fmt(r)} 元，自付 {fmt(sp)} 元" for r, sp in totals), change)


def _totals(answer) -> tuple[int, int]:
    """(reimbursed, self-pay) in fen over all of an answer's claims."""
    from policy.money import parse_yuan
    return (sum(parse_yuan(c["reimbursed"]) for c in answer["claims"]),
            sum(parse_yuan(c["self_pay"]) for c in answer["claims"]))


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
        diffs = list(difference_rows(j))
        if diffs:
            out += ["", f"{j.name}的算例按其他理解再算一遍（两边都由程序从数据算出；算例写在 `examples/` 里，带 `reading:` 的就是）：", "",
                    "| 算例 | 哪个数字 | 其他理解 | 按本县理解 | 按其他理解 | 差别 |", "|---|---|---|---|---|---|"]
            out += ["| " + " | ".join(_cell(x) for x in row) + " |" for row in diffs]
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
