"""report.html: an audit's totals as one self-contained page (no script, no outside host).

Bar charts are inline SVG drawn here, at build time; tables scroll sideways inside their own
box so the page itself never does on a 360 px phone.
"""
from __future__ import annotations

from html import escape

from .summary import to_fen

CSS = """
body{font-family:system-ui,"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:0;padding:12px;color:#1a1a1a;
max-width:960px;margin:auto;line-height:1.5}
h1{font-size:1.3rem}h2{font-size:1.1rem;margin-top:1.6em;border-bottom:2px solid #ddd}
.figures{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:8px}
.figures div{background:#f4f6f8;padding:8px;border-radius:6px}.figures b{display:block;font-size:1.2rem}
.scroll{overflow-x:auto}table{border-collapse:collapse;min-width:100%;font-size:.9rem}
th,td{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;white-space:nowrap}td.n{text-align:right}
svg{width:100%;max-width:600px;height:auto}.under{fill:#c0392b}.over{fill:#d68910}.note{color:#555;font-size:.85rem}
"""


def _bars(rows: list[tuple[str, int, int]], width: int = 360) -> str:
    """Horizontal bars of 少报 and 多收 (fen) per label."""
    rows = [r for r in rows if r[1] or r[2]][:30]
    if not rows:
        return '<p class="note">没有差错。</p>'
    top = max(max(u, o) for _, u, o in rows) or 1
    # drawn for a phone's width (a wider screen scales it up): labels of ~8 characters at 12 px
    label_w, bar_w, h = 110, width - 110 - 70, 26
    out = [f'<svg viewBox="0 0 {width} {h * len(rows) + 10}" role="img" aria-label="少报和多收金额">']
    for i, (label, under, over) in enumerate(rows):
        y = i * h + 4
        out.append(f'<text x="0" y="{y + 16}" font-size="12">{escape(label[:8])}</text>')
        uw, ow = under * bar_w // top, over * bar_w // top
        out.append(f'<rect class="under" x="{label_w}" y="{y + 2}" width="{uw}" height="10"/>')
        out.append(f'<rect class="over" x="{label_w}" y="{y + 13}" width="{ow}" height="10"/>')
        out.append(f'<text x="{label_w + max(uw, ow) + 4}" y="{y + 16}" font-size="10">{_y(under + over)}</text>')
    out.append("</svg>")
    return "".join(out)


def _y(fen: int) -> str:
    return f"{fen / 100:,.2f}" if abs(fen) < 10 ** 15 else str(fen)


def _table(head: tuple, rows: list[tuple]) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(
        f'<td class="n">{escape(str(c))}</td>' if isinstance(c, (int, float)) or _numeric(c) else f"<td>{escape(str(c))}</td>"
        for c in r) + "</tr>" for r in rows)
    return f'<div class="scroll"><table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table></div>'


def _numeric(c) -> bool:
    return isinstance(c, str) and c.replace(",", "").replace(".", "").replace("-", "").isdigit()


def _group(data: dict, key: str, label: str, sort_by_amount: bool = True) -> str:
    items = list(data[key].items())
    if sort_by_amount:
        items.sort(key=lambda kv: -(to_fen(kv[1]["underpaid"]) + to_fen(kv[1]["overcharged"])))
    bars = _bars([(k, to_fen(v["underpaid"]), to_fen(v["overcharged"])) for k, v in items])
    rows = [(k, v["slips"], v["slips_with_findings"], _y(to_fen(v["underpaid"])), _y(to_fen(v["overcharged"])))
            for k, v in items]
    return bars + _table((label, "结算单", "有差错", "少报（元）", "多收（元）"), rows)


def write_report(data: dict, name: str, path) -> None:
    shard = f"（分片 {data['shard']}）" if data.get("shard") else ""
    figures = [("读入行数", f"{data['rows']:,}"), ("核对的结算单", f"{data['slips_read']:,}"),
               ("无法读取的行", f"{data['slips_rejected']:,}"), ("有差错的结算单", f"{data['slips_with_findings']:,}"),
               ("少报合计（元）", _y(to_fen(data["underpaid_total"]))),
               ("多收合计（元）", _y(to_fen(data["overcharged_total"])))]
    fig = "".join(f"<div>{escape(k)}<b>{escape(v)}</b></div>" for k, v in figures)
    items = sorted(data["by_item"].items(), key=lambda kv: -kv[1]["findings"])
    item_rows = [(k, v["findings"], _y(to_fen(v["underpaid"])), _y(to_fen(v["overcharged"])), _y(to_fen(v["difference"])))
                 for k, v in items]
    worst = [(w["slip"], w["person"], w["hospital"], w["date"], _y(to_fen(w["underpaid"])), _y(to_fen(w["overcharged"])),
              "；".join(f"{i['name']} 应付 {i['expected']} 实付 {i['recorded']}" for i in w["items"]))
             for w in data["worst"]]
    files = "、".join(data.get("files") or [])
    html = f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{escape(name)}结算单核对报告</title>
<style>{CSS}</style></head><body>
<h1>{escape(name)}结算单核对报告{escape(shard)}</h1>
<p class="note">文件：{escape(files)}。按政策数据逐张重新计算每道保障线应付的金额，与结算单上记录的金额比较；
相差 0.01 元及以上的列为差错。少报 = 基金应付而没有付的金额；多收 = 个人自付超出政策的金额。逐条明细见 findings.csv，
无法读取的行见 rejected.csv。</p>
<div class="figures">{fig}</div>
<h2>按项目（基金）</h2>{_bars([(k, to_fen(v["underpaid"]), to_fen(v["overcharged"])) for k, v in items])}
{_table(("项目", "差错条数", "少报（元）", "多收（元）", "实付−应付（元）"), item_rows)}
<h2>按医院</h2>{_group(data, "by_hospital", "医院")}
<h2>按月份</h2>{_group(data, "by_month", "月份", sort_by_amount=False)}
<h2>按人员类别</h2>{_group(data, "by_category", "人员类别")}
<h2>差错金额最大的结算单</h2>{_table(("结算单号", "参保人编号", "医院", "日期", "少报", "多收", "差错"), worst)}
<p class="note"><svg width="12" height="12"><rect class="under" width="12" height="12"/></svg> 少报
<svg width="12" height="12"><rect class="over" width="12" height="12"/></svg> 多收</p>
</body></html>
"""
    path.write_text(html, encoding="utf-8")
