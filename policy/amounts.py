"""What a resident types for an amount of money -> integer fen: one rule for every input box.

Accepted: `20000`, `20000.5`, `20,000`, `20000元`, `2万`, `2.5万元`, `￥20000`, full-width digits
and punctuation (`２０，０００．００`), spaces anywhere. At most two decimals in yuan (so up to six
before 万), never rounded: the resident says what was paid. Anything else is refused with a
Chinese message saying what to write.

site/calculator/amounts.mjs implements exactly this rule (same messages); both are tested over
tests/amount_vectors.json. Change them together or not at all.
"""
from __future__ import annotations

import re

MAX_YUAN = 100_000_000  # one hundred million yuan: more is a typing slip, not a hospital bill

# Full-width digits and punctuation -> ASCII; the spaces a phone keyboard slips in -> nothing.
_FOLD = {0xFF10 + i: ord("0") + i for i in range(10)} | {
    0xFF0E: ".", 0xFF0C: ",", 0xFFE5: "", 0x00A5: "",
    0x20: "", 0x09: "", 0x3000: "", 0xA0: ""}
_SHAPE = re.compile(r"([0-9][0-9,]*)(?:\.([0-9]+))?(万)?元?")
_GROUPED = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")

EMPTY = "请填写金额，例如 20000 或 2万"
NOT_AMOUNT = "“{text}”不是金额：请只写数字，可以带“万”或“元”，例如 20000、2万、2.5万"
BAD_COMMA = "逗号只能用来分千位，例如 20,000"
TOO_PRECISE = "金额最多到分（元后面最多两位小数）"
TOO_LONG = "金额太长了（最多 30 个字符）"
TOO_BIG = "金额过大（超过一亿元），请检查"


def parse_amount(text: str) -> int:
    """An amount as typed -> integer fen; ValueError with a Chinese message otherwise."""
    if not isinstance(text, str):
        raise ValueError(EMPTY)
    value = text.translate(_FOLD)
    if not value:
        raise ValueError(EMPTY)
    if len(value) > 30:
        raise ValueError(TOO_LONG)
    m = _SHAPE.fullmatch(value)
    if not m:
        raise ValueError(NOT_AMOUNT.format(text=text.strip()))
    whole, decimals, wan = m[1], (m[2] or "").rstrip("0"), m[3]
    if "," in whole and not _GROUPED.fullmatch(whole):
        raise ValueError(BAD_COMMA)
    places = 6 if wan else 2  # digits after the point that still name a whole fen
    if len(decimals) > places:
        raise ValueError(TOO_PRECISE)
    fen = int(whole.replace(",", "") + decimals.ljust(places, "0"))
    if fen > MAX_YUAN * 100:
        raise ValueError(TOO_BIG)
    return fen
