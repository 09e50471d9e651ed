"""Dated parameters and the YAML reader: lines, duplicates, exact decimals."""
import datetime as dt
from decimal import Decimal

import pytest

from policy.params import Keys, ParamSpec
from policy.problems import PolicyError
from policy.schema import INVALID, Ctx
from policy.yamlsource import line_of, load_yaml


def read(text):
    problems = []
    return load_yaml(text, "t.yaml", problems), problems


def param(text):
    data, problems = read(text)
    ctx = Ctx("t.yaml", problems)
    out = ParamSpec()(ctx, data, "p", 1)
    return out, problems


def test_yaml_keeps_lines_and_reads_decimals_exactly():
    data, problems = read("a: 1\nb:\n  - 0.1\n  - 5946.30\n")
    assert problems == []
    assert data["b"] == [Decimal("0.1"), Decimal("5946.30")]
    assert line_of(data, "b") == 2 and line_of(data["b"], 1) == 4


def test_a_duplicate_key_is_reported_with_both_lines():
    _, problems = read("a: 1\nb: 2\na: 3\n")
    assert len(problems) == 1
    assert problems[0].line == 3 and problems[0].path == "a" and "第 1 行" in problems[0].message


def test_an_impossible_date_is_reported_once_by_whoever_expects_a_date():
    out, problems = param("description: x\nunit: yuan\nreference: {source: s}\nvalues:\n  2019-13-01: 5\n")
    assert out is INVALID
    assert len(problems) == 1 and "不存在" in problems[0].message and "13 月" in problems[0].message
    assert problems[0].line == 5


DATED = """\
description: 门诊慢性病年度限额
unit: yuan
reference: {source: s}
status: illustrative
by: category
values:
  poor:
    by: hospital_level
    values:
      county:
        - {from: 2019-01-01, until: 2019-12-31, value: 3000}
        - {from: 2020-01-01, until: 2020-12-31, value: 5000}
  other:
    2019-01-01: 100
    2020-07-01: null
"""


def keys(category, level="county"):
    groups = ("poor",) if category in ("dibao", "poverty") else ()
    return Keys(category, groups, level)


def test_the_value_in_force_on_the_date_is_used_through_groups_and_other():
    p, problems = param(DATED)
    assert problems == []
    assert p.lookup(keys("dibao"), dt.date(2019, 12, 31))[0].value == 300000
    assert p.lookup(keys("dibao"), dt.date(2020, 1, 1))[0].value == 500000
    value, taken = p.lookup(keys("general"), dt.date(2020, 6, 30))
    assert value.value == 10000 and taken == ("other",)


@pytest.mark.parametrize("category, day", [("general", dt.date(2020, 7, 1)),   # ended by null
                                           ("dibao", dt.date(2021, 1, 1)),     # after the last period
                                           ("dibao", dt.date(2018, 12, 31))])  # before the first
def test_no_value_in_force_is_an_error_naming_the_parameter_and_the_date(category, day):
    p, _ = param(DATED)
    with pytest.raises(PolicyError, match=day.isoformat()) as exc:
        p.lookup(keys(category), day)
    assert "门诊慢性病年度限额" in str(exc.value)


def test_no_matching_breakdown_key_is_an_error():
    p, _ = param(DATED)
    with pytest.raises(PolicyError, match="医院级别"):
        p.lookup(keys("dibao", level="city"), dt.date(2020, 1, 1))
