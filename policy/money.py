"""Exact money: integer fen, explicit half-up rounding, two-decimal strings.

The browser engine implements exactly these rules; change them in both places or nowhere.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation


def half_up(numerator: int, denominator: int) -> int:
    """Round numerator/denominator (both non-negative, denominator > 0) half-up to an integer."""
    return (2 * numerator + denominator) // (2 * denominator)


def yuan_to_fen(value: Decimal) -> int:
    """Decimal yuan with at most two decimals -> integer fen (caller checked the decimals)."""
    return int(value.scaleb(2))


def has_at_most_two_decimals(value: Decimal) -> bool:
    if not value.is_finite():
        return False
    if value.as_tuple().exponent >= -2:  # 12, 12.5, 1E+30: no need to round (which a 1E+30 cannot)
        return True
    try:
        return value == value.quantize(Decimal("0.01"))
    except InvalidOperation:  # too many digits to round in the default context
        return False


def parse_yuan(raw) -> int:
    """Parse a JSON number / decimal string in yuan into fen.

    Raises ValueError with a Chinese reason. Booleans and floats are refused: JSON numbers must
    be read with `parse_float=Decimal` so that 0.1 stays 0.1.
    """
    if type(raw) is str:  # the common cases, without building a Decimal
        if 4 <= len(raw) <= 11 and raw[-3] == "." and raw.isascii():  # "1234.50"
            digits = raw[:-3] + raw[-2:]
            if digits.isdigit():
                return int(digits)
        whole, dot, cents = raw.partition(".")
        if (0 < len(whole) <= 8 and len(cents) <= 2 and whole.isascii() and whole.isdigit()
                and (not cents or (cents.isascii() and cents.isdigit()))):
            return int(whole) * 100 + (int(cents) * (10 if len(cents) == 1 else 1) if cents else 0)
    if isinstance(raw, bool) or raw is None:
        raise ValueError("应是金额（元），例如 \"1234.50\"")
    if isinstance(raw, float):
        raise ValueError("金额必须精确读取（内部错误：不应出现浮点数）")
    if isinstance(raw, int):
        value = Decimal(raw)
    elif isinstance(raw, Decimal):
        value = raw
    elif isinstance(raw, str):
        text = raw.strip()
        if len(text) > 30:
            raise ValueError("不是金额：太长了（最多 30 个字符）")
        if not text or not text.isascii() or not all(c.isdigit() or c in ".-+" for c in text):
            raise ValueError(f"“{raw}”不是金额，请只写数字，例如 \"1234.50\"")
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"“{raw}”不是金额，请只写数字，例如 \"1234.50\"") from None
    else:
        raise ValueError("应是金额（元），例如 \"1234.50\"")
    if not value.is_finite():
        raise ValueError("金额必须是有限的数字")
    if value < 0:
        raise ValueError("金额不能为负数")
    # Size first: rounding a 1e26 to cents needs more digits than the context has.
    if value > _MAX_YUAN:
        raise ValueError("金额过大（超过一亿元），请检查")
    if not has_at_most_two_decimals(value):
        raise ValueError("金额最多两位小数（到分）")
    return yuan_to_fen(value)


_MAX_YUAN = Decimal("100000000")


_CENTS = tuple(f".{i:02d}" for i in range(100))


def fmt(fen: int) -> str:
    """Integer fen -> "1234.56" (exactly two decimals, no thousands separator)."""
    if fen < 0:
        return "-" + fmt(-fen)
    # A table of the 100 endings: measured twice as fast as "%d.%02d" formatting, and this
    # runs for every amount of every claim of a batch.
    return str(fen // 100) + _CENTS[fen % 100]


def fmt_exact(numerator: int, denominator: int) -> str:
    """An exact fen fraction as yuan, with as many decimals as it needs (at least two).

    Denominators here come from decimal ratios, so the expansion always ends; it is cut at
    8 extra digits only as a guard.
    """
    q, r = divmod(numerator, denominator)
    if r == 0:
        return fmt(q)
    digits = ""
    while r and len(digits) < 8:
        r *= 10
        digit, r = divmod(r, denominator)
        digits += str(digit)
    return f"{fmt(q)}{digits}"


def fmt_ratio(ratio: Decimal) -> str:
    """0.85 -> "85%"; 0.055 -> "5.5%"."""
    pct = (ratio * 100).normalize()
    return f"{format(pct, 'f')}%"
