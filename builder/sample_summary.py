"""One line for each of `scripts/run.sh`'s sample answers (the full JSON stays in the file it
names), so that a newcomer sees what `calc` and `eligible` said without 700 lines of JSON.

    python -m builder.sample_summary calc samples/answers/calc-zixi.json
    python -m builder.sample_summary eligible samples/answers/eligible-zixi.json
"""
from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path

SHOWN = 3  # programs named on the eligible line; the rest are counted


def calc_line(answer: dict | list) -> str:
    """`报销 19072.70 元，自付 927.30 元（自付 4.6%）` over every claim of every answer."""
    answers = answer if isinstance(answer, list) else [answer]
    claims = [claim for a in answers for claim in a["claims"]]
    reimbursed = sum(Decimal(c["reimbursed"]) for c in claims)
    self_pay = sum(Decimal(c["self_pay"]) for c in claims)
    total = reimbursed + self_pay
    share = f"（自付 {self_pay / total * 100:.1f}%）" if total else ""
    count = f"{len(claims)} 笔费用，" if len(claims) > 1 else ""
    return f"{count}报销 {reimbursed:.2f} 元，自付 {self_pay:.2f} 元{share}"


def eligible_line(answer: dict) -> str:
    """`可以享受 9 项：A、B、C 等；不符合 6 项` (and what is still to be asked, if anything)."""
    names = [p["name"] for p in answer.get("eligible", [])]
    shown = "、".join(names[:SHOWN]) + (" 等" if len(names) > SHOWN else "")
    parts = [f"可以享受 {len(names)} 项" + (f"：{shown}" if names else "")]
    if answer.get("not_eligible"):
        parts.append(f"不符合 {len(answer['not_eligible'])} 项")
    if answer.get("need_more_info"):
        parts.append(f"还需要更多信息 {len(answer['need_more_info'])} 项")
    return "；".join(parts)


def main(argv: list[str]) -> int:
    kind, path = argv
    answer = json.loads(Path(path).read_text(encoding="utf-8"))
    line = calc_line(answer) if kind == "calc" else eligible_line(answer)
    print(f"{line}（完整结果：{path}）")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
