"""The resident's slip check (核对我的结算单): docs_dir/slip/index.md and what it loads.

The page runs site/calculator/settlement.mjs (bundled as assets/calculator/settlement.js) on the
same engine and policy.json as the calculator, offline, on the phone. What policy.json leaves
out to stay small — the source quote behind each parameter value — goes into slip-rules.js,
loaded by this page only. Without JavaScript the page says how to check a slip by hand.
"""
from __future__ import annotations

import html
import json
from pathlib import Path

from policy.coverage import layer_params
from policy.engine import Engine
from policy.model import Jurisdiction

from . import urls
from .calculator_pages import ASSET_DIR, SOURCE, classic_bundle, compact, rates_table, where_to_ask

COMPLAINT_UNDERPAID = ("reimbursed_less", "fee_not_waived", "other")  # first one the jurisdiction has
COMPLAINT_OVERCHARGED = ("self_pay_over_ceiling", "reimbursed_less", "other")


def write_slip_page(jur: Jurisdiction, docs_dir: Path, version: str, as_of=None) -> None:
    docs_dir = Path(docs_dir)
    assets = docs_dir / ASSET_DIR
    assets.mkdir(parents=True, exist_ok=True)
    (assets / "settlement.js").write_text(classic_bundle(("settlement.mjs",)), encoding="utf-8")
    (assets / "slip.js").write_text(compact((SOURCE / "slip.js").read_text(encoding="utf-8")), encoding="utf-8")
    text = json.dumps(rules(jur), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    (assets / "slip-rules.js").write_text("window.SLIP_RULES = " + text.replace("</", "<\\/") + ";\n", encoding="utf-8")
    (docs_dir / "slip").mkdir(parents=True, exist_ok=True)
    (docs_dir / "slip" / "index.md").write_text(slip_page(jur, version, as_of), encoding="utf-8")


def rules(j: Jurisdiction) -> dict:
    """"layers.basic.ratio@2019-01-01/county" -> {quote, title, clause} for every value in force."""
    Engine(j)  # gives the parameters their dotted names, as in the explanations
    out = {}
    for raw in j.layers:
        for param in layer_params(raw):
            for keys, series in param.series():
                for value in series.all_values():
                    ref = value.reference
                    src = j.sources.get(ref.source, {}) if ref else {}
                    key = f"{param.name}@{value.start.isoformat()}" + "".join(f"/{k}" for _, k in keys)
                    out[key] = {"quote": value.quote or "", "title": src.get("title") or "", "clause": (ref.clause if ref else "") or ""}
    return out


def _complaint(j: Jurisdiction, wanted) -> str:
    ids = [c["id"] for c in j.complaint_categories]
    return next((c for c in wanted if c in ids), "")


def slip_page(j: Jurisdiction, version: str, as_of=None) -> str:
    url = urls.complaint_url(j.id)
    attrs = (f'data-version="{html.escape(version)}" data-complaint="{html.escape(url)}" '
             f'data-underpaid="{_complaint(j, COMPLAINT_UNDERPAID)}" data-overcharged="{_complaint(j, COMPLAINT_OVERCHARGED)}"')
    return "\n".join([
        "---", "title: 核对我的结算单", "---", "", "# 核对我的结算单", "",
        "出院结算后，把结算单上的数字抄下来，看看每道保障线是不是按政策付足了、自己是不是多付了。"
        "只在您的手机上计算，不会上传。同一年早些时候的结算单也可以加上：起付线和封顶线是一年累计的。", "",
        f'<div id="slip-app" class="hc-app" {attrs} hidden></div>', "",
        '<p class="hc-nojs" id="slip-nojs">核对结算单需要打开浏览器的 JavaScript 功能。没有的话，可以按下面的报销比例表自己核对：'
        "每道保障线按顺序计算，后一道只报前一道报完后剩下的费用；或者带着结算单去乡镇卫生院的一站式结算窗口问，"
        "或者打电话问（见本页最后）。</p>", "",
        "## 报销比例表", "", rates_table(j, as_of), "", where_to_ask(j), "",
        f'<p class="hc-version">数据版本 {html.escape(version)}</p>', "",
        "\n".join([f'<link rel="stylesheet" href="../{ASSET_DIR}/calculator.css">'] +
                  [f'<script src="../{ASSET_DIR}/{n}"></script>'
                   for n in ("engine.js", "settlement.js", "policy.js", "slip-rules.js", "page.js", "slip.js")]), "",
    ])
