"""Money is integer fen with one explicit half-up rule (the browser must match it)."""
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy.money import fmt, fmt_exact, fmt_ratio, half_up, parse_yuan


@pytest.mark.parametrize("num, den, expected", [
    (5, 10, 1),      # 0.5 rounds up (Python's round(0.5) would give 0)
    (25, 10, 3),     # 2.5 -> 3 (round(2.5) == 2)
    (15, 10, 2),
    (4, 10, 0),
    (1005, 1000, 1),
    (2_697_645, 1000, 2698),  # 2697.645 fen -> 2698 fen
])
def test_half_up_rounds_exact_halves_up(num, den, expected):
    assert half_up(num, den) == expected


@given(st.integers(0, 10**12), st.integers(1, 10**6))
def test_half_up_matches_decimal_round_half_up(num, den):
    exact = Decimal(num) / Decimal(den)
    assert half_up(num, den) == int(exact.quantize(Decimal(1), rounding="ROUND_HALF_UP"))


@pytest.mark.parametrize("raw, fen", [
    ("1234.50", 123450), ("1234.5", 123450), ("0.01", 1), ("12", 1200), (7, 700),
    (Decimal("100.10"), 10010), ("99999999.99", 9999999999),
])
def test_amounts_parse_exactly_into_fen(raw, fen):
    assert parse_yuan(raw) == fen


@pytest.mark.parametrize("raw, phrase", [
    ("-1", "负数"), ("1.005", "两位小数"), ("abc", "不是金额"), (True, "金额"), (None, "金额"),
    ("١٢", "不是金额"), ("1e3", "不是金额"), ("100000000.01", "过大"), (1.5, "浮点"),
])
def test_bad_amounts_are_refused_in_chinese(raw, phrase):
    with pytest.raises(ValueError, match=phrase):
        parse_yuan(raw)


def test_formatting_always_has_two_decimals():
    assert [fmt(x) for x in (0, 5, 50, 12345, 100)] == ["0.00", "0.05", "0.50", "123.45", "1.00"]


def test_exact_fractions_of_a_fen_are_shown_in_full():
    assert fmt_exact(1, 2) == "0.005"          # half a fen
    assert fmt_exact(269_764_5, 1000) == "26.97645"
    assert fmt_exact(300, 1) == "3.00"


def test_ratios_read_as_percentages():
    assert fmt_ratio(Decimal("0.85")) == "85%" and fmt_ratio(Decimal("0.055")) == "5.5%"


@given(st.text(alphabet="0123456789.+- e", max_size=14))
def test_any_text_is_either_refused_or_read_exactly_like_decimal(text):
    try:
        fen = parse_yuan(text)
    except ValueError:
        return
    assert Decimal(text.strip()) * 100 == fen
