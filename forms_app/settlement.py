"""A checked settlement slip attached to a complaint (the slip check page's "投诉" button, or the
Open311 attribute `settlement`): the resident's figures, checked again here by the same engine.

The page sends what the resident copied from the slip(s), as JSON: {"category": ..., "slips":
[claim fields + "paid": {layer id: yuan} + "self_pay": yuan]}. The differences are never taken
from the client: `parse_settlement` runs policy.settlement.run_check on the figures and stores
the figures with its answer (Case.settlement), which the staff case page shows as a table.
"""
from __future__ import annotations

from flask import current_app
from wtforms.validators import ValidationError

from policy.cases import parse_json
from policy.problems import InputError
from policy.settlement import run_check

MAX_CHARS = 10_000  # a year of slips of one person (about 250 characters a slip) fits easily; as the API's MAX_PARAM
MAX_SLIPS = 20


def parse_settlement(j, text: str | None) -> dict | None:
    """The stored attribute for `text`, or None when there is none; ValidationError (Chinese) when bad."""
    if not text or not text.strip():
        return None
    if len(text) > MAX_CHARS:
        raise ValidationError(f"结算单数字太长（最多 {MAX_CHARS:,} 个字符）")
    try:
        data = parse_json(text.encode("utf-8"), what="结算单数字")
    except InputError as exc:
        raise ValidationError(exc.problems[0]) from None
    if not isinstance(data, dict) or set(data) - {"category", "slips"} or not isinstance(data.get("slips"), list):
        raise ValidationError("结算单数字应是 {\"category\": 人员类别, \"slips\": [结算单...]} 的格式")
    if not 1 <= len(data["slips"]) <= MAX_SLIPS:
        raise ValidationError(f"一次最多附 {MAX_SLIPS} 张结算单")
    service = current_app.extensions["forms_policy"].service
    case = {"jurisdiction": j.id, "person": {"category": data.get("category")}, "slips": data["slips"]}
    try:
        answer = run_check(service, case, explain=False)
    except InputError as exc:
        shown = "；".join(exc.problems[:3])
        raise ValidationError(f"结算单数字有问题：{shown}") from None
    slips = [_plain(s) for s in data["slips"]]
    return {"category": data["category"], "slips": slips, "answer": answer}


def _plain(value):
    """JSON as read (Decimal numbers) -> what the JSON column stores (numbers as strings)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, (str, bool)) or value is None:
        return value
    return str(value)


def summary_text(attr: dict) -> str:
    """One line for the description, so the case reads right even without the table."""
    a = attr["answer"]
    return f"我核对了 {len(a['slips'])} 张结算单：按政策，各项基金少报了 {a['underpaid']} 元，我多付了 {a['overcharged']} 元（明细见附表）。"
