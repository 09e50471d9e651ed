"""The calculator and screener pages of a jurisdiction's site, with what they load.

`write_pages(jur, docs_dir, version)` (called by the site build, issue 7) writes:
  docs_dir/calculator/index.md        the calculator; without JavaScript: the rates table and where to ask
  docs_dir/screener/index.md          the screener; without JavaScript: the programs and where to ask
  docs_dir/data/policy.json           what the browser engine interprets (builder/calcdata.py)
  docs_dir/assets/calculator/engine.js      the ES modules of site/calculator/ as one classic script
  docs_dir/assets/calculator/policy.js      policy.json as a classic script (`window.POLICY_DATA`)
  docs_dir/assets/calculator/page.js · calculator.js · screener.js · calculator.css

Why classic scripts: Chromium refuses ES modules and fetch() from file://, and the built site
must work opened from a folder, offline. The modules stay the one source (Node runs them as
they are); `classic_bundle` only rewrites their import/export lines.
"""
from __future__ import annotations

import datetime as dt
import html
import re
from decimal import Decimal
from pathlib import Path

from policy.formats import CLAIM_KINDS
from policy.model import Jurisdiction
from policy.money import fmt, fmt_ratio
from policy.readings import label

from .calcdata import dumps, policy_data

SOURCE = Path(__file__).resolve().parent.parent / "site" / "calculator"
MODULES = ("json.mjs", "money.mjs", "engine.mjs", "eligibility.mjs", "cases.mjs")  # dependency order
ASSET_DIR = "assets/calculator"
_IMPORT = re.compile(r"^import \{([^}]*)\} from '\./([a-z]+)\.mjs';\n", re.M)
_EXPORT = re.compile(r"^export (?:async )?(function|class|const|let) (\w+)", re.M)


def classic_bundle() -> str:
    """The engine modules as one classic script defining `window.HealthCalc` (one scope per module)."""
    out = ["// Generated from site/calculator/*.mjs by builder/calculator_pages.py; edit those files.",
           "(function () {", "'use strict';"]
    names = []
    for module in MODULES:
        text = (SOURCE / module).read_text(encoding="utf-8")
        stem = module.removesuffix(".mjs")

        def imports(m):
            spec = ", ".join(part.strip().replace(" as ", ": ") for part in m.group(1).split(","))
            return f"const {{ {spec} }} = __{m.group(2)};\n"

        text = _IMPORT.sub(imports, text)
        exported = [m.group(2) for m in _EXPORT.finditer(text)]
        text = _EXPORT.sub(lambda m: m.group(0).removeprefix("export "), text)
        if "import " in text.split("\n", 1)[0] or re.search(r"^(import|export) ", text, re.M):
            raise ValueError(f"{module}: an import or export the bundler does not understand")
        out.append(f"const __{stem} = (function () {{\n{text}\nreturn {{ {', '.join(exported)} }};\n}})();")
        names.append(stem)
    out.append("window.HealthCalc = Object.assign({}, " + ", ".join(f"__{n}" for n in names) + ");")
    out.append("})();")
    return "\n".join(out) + "\n"


def write_pages(jur: Jurisdiction, docs_dir: Path, version: str) -> None:
    docs_dir = Path(docs_dir)
    data = policy_data(jur, version)
    text = dumps(data)
    (docs_dir / "data").mkdir(parents=True, exist_ok=True)
    (docs_dir / "data" / "policy.json").write_text(text, encoding="utf-8")
    assets = docs_dir / ASSET_DIR
    assets.mkdir(parents=True, exist_ok=True)
    (assets / "engine.js").write_text(classic_bundle(), encoding="utf-8")
    # `</` inside a script would end it early in an inline copy; escaping it costs nothing here.
    (assets / "policy.js").write_text("window.POLICY_DATA = " + text.replace("</", "<\\/") + ";\n", encoding="utf-8")
    for name in ("page.js", "calculator.js", "screener.js", "calculator.css"):
        (assets / name).write_text((SOURCE / name).read_text(encoding="utf-8"), encoding="utf-8")
    for page, body in (("calculator", calculator_page(jur, version)), ("screener", screener_page(jur, version))):
        (docs_dir / page).mkdir(parents=True, exist_ok=True)
        (docs_dir / page / "index.md").write_text(body, encoding="utf-8")


def _scripts(*names: str) -> str:
    css = f'<link rel="stylesheet" href="../{ASSET_DIR}/calculator.css">'
    return "\n".join([css] + [f'<script src="../{ASSET_DIR}/{n}"></script>' for n in names])


def calculator_page(j: Jurisdiction, version: str) -> str:
    return "\n".join([
        "---", "title: 报销计算器", "---", "", "# 报销计算器", "",
        f"算一算在{j.name}看病能报多少、自己要付多少。结果和县里公布的算法一致，只在您的手机上计算，不会上传。",
        "",
        '<div id="calc-app" class="hc-app" data-version="' + html.escape(version) + '" hidden></div>',
        "",
        '<p class="hc-nojs" id="calc-nojs">这个计算器需要打开浏览器的 JavaScript 功能才能使用。'
        "没有的话，可以按下面的报销比例表自己估算，或者打电话问（见本页最后）。</p>",
        "",
        "## 报销比例表",
        "",
        f"下面是{j.name}各道保障线现在的起付线、比例和封顶线，按顺序计算：后一道只报前一道报完后剩下的费用。"
        "标着“示例数字”的不是官方数字，标着“按本县理解”的是对文件的一种理解。",
        "",
        rates_table(j),
        "",
        where_to_ask(j),
        "",
        f'<p class="hc-version">数据版本 {html.escape(version)}</p>',
        "",
        _scripts("engine.js", "policy.js", "page.js", "calculator.js"),
        "",
    ])


def screener_page(j: Jurisdiction, version: str) -> str:
    programs = "\n".join(f"- [{p['name']}](../programs/{p['id']}/index.md)：{p['summary']}" for p in j.programs)
    return "\n".join([
        "---", "title: 能享受哪些政策", "---", "", "# 能享受哪些政策", "",
        "回答几个简单的问题，看看您或家里人能享受哪些健康扶贫政策、该去哪里办、带什么。"
        "只在您的手机上判断，不会上传。", "",
        '<div id="screen-app" class="hc-app" data-version="' + html.escape(version) + '" hidden></div>',
        "",
        '<p class="hc-nojs" id="screen-nojs">这个问答需要打开浏览器的 JavaScript 功能。'
        "没有的话，请看下面的政策清单，或者打电话问（见本页最后）。</p>",
        "",
        "## 全部政策和服务", "", programs, "",
        where_to_ask(j), "",
        f'<p class="hc-version">数据版本 {html.escape(version)}</p>', "",
        _scripts("engine.js", "policy.js", "page.js", "screener.js"), "",
    ])


def where_to_ask(j: Jurisdiction) -> str:
    lines = ["## 哪里可以问", "", "- 村卫生室的签约医生、乡镇卫生院的一站式结算窗口"]
    for c in j.contacts:
        if c["role"] in ("bureau", "medical_insurance", "civil_affairs", "public_hotline"):
            mark = "（示例号码）" if c.get("illustrative") else ""
            hours = f"，{c['hours']}" if c.get("hours") else ""
            lines.append(f"- {c['name']}：{c['phone']}{mark}{hours}")
    return "\n".join(lines)


def rates_table(j: Jurisdiction, today: dt.date | None = None) -> str:
    """Every layer's parameters as in force today (or their last value), one row per value."""
    today = today or dt.date.today()
    names = {**{k: v["name"] for k, v in j.groups.items()}, **{k: v["name"] for k, v in j.categories.items()},
             **{k: v["name"] for k, v in j.levels.items()}, **{k: v["name"] for k, v in j.chronic_classes.items()},
             **{k: v["name"] for k, v in j.disease_groups.items()}, "other": "其他"}
    rows = ["| 保障线 | 项目 | 数值 |", "|---|---|---|"]
    for raw in j.layers:
        who = _who(j, raw)
        first = True
        for param_label, param in _layer_params(raw):
            for keys, series in param.series():
                value = series.at(today) or (series.all_values() or [None])[-1]
                if value is None:
                    continue
                shown = _shown(value.value, param.unit)
                mark = label(value)
                when = " · ".join(names.get(k, k) for _, k in keys)
                item = param_label + (f"（{when}）" if when else "")
                head = f"**{raw['name']}**<br>{who}" if first else ""
                first = False
                badge = f' <span class="hc-mark">{mark}</span>' if mark else ""
                rows.append(f"| {head} | {item} | {shown}{badge} |")
    return "\n".join(rows)


def _who(j, raw) -> str:
    cond = raw["applies_to"] or {}
    parts = ["、".join(CLAIM_KINDS[k] for k in raw["kinds"])]
    if cond.get("categories"):
        parts.append("只限" + "、".join(j.category_or_group_name(c) for c in cond["categories"]))
    if cond.get("levels"):
        parts.append("、".join(j.levels[lv]["name"] for lv in cond["levels"]))
    if cond.get("in_county") is not None:
        parts.append("县域内" if cond["in_county"] else "县域外")
    if cond.get("chronic_classes"):
        parts.append("、".join(j.chronic_classes[c]["name"] for c in cond["chronic_classes"]))
    return "；".join(parts)


def _layer_params(raw):
    labels = {"deductible": "起付线", "cap": "封顶线", "ratio": "报销比例", "ratio_bonus": "比例提高",
              "ceiling_ratio": "个人自付最多占总费用"}
    out = []
    if raw["deductible"] is not None:
        out.append((labels["deductible"] + ("（一年累计）" if raw["deductible"].extra["per"] == "year" else "（每次）"),
                    raw["deductible"]))
    for part in raw["parts"] or ():
        out.append((part["name"] or "报销比例", part["ratio"]))
    for key in ("ratio", "ratio_bonus", "ceiling_ratio"):
        if raw[key] is not None:
            out.append((labels[key], raw[key]))
    if raw["personal_share"]:
        out.append(("乙类药品和特殊检查先自付", raw["personal_share"]["rate"]))
    if raw["cap"] is not None:
        out.append((labels["cap"] + ("（一年）" if raw["cap"].extra["per"] == "year" else "（每次）"), raw["cap"]))
    for item in raw["items"] or ():
        out.append((f"{item['name']}减免", item["rate"]))
    return out


def _shown(value, unit: str) -> str:
    if unit == "yuan":
        return f"{fmt(value)} 元"
    if unit == "ratio":
        return fmt_ratio(Decimal(value))
    return str(value)

