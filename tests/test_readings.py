"""Every value says how sure it is (official / derived / interpreted / illustrative), and `check`
holds the data to it: official and derived values quote the source, interpreted ones give the
other readings and why this one was chosen. Mistakes are reported as file:line: field: 中文.
"""
from __future__ import annotations

import datetime as dt

import pytest
from test_check_errors import check, plant, reported

from policy.params import Reference, Value
from policy.readings import label, status_of



def problems_after(cli, data_copy, rel, old, new) -> list[str]:
    """Plant one change, run check, and return its problem lines (check must fail)."""
    plant(data_copy, rel, old, new)
    code, lines = check(cli, data_copy)
    assert code == 1
    return lines


def test_an_official_value_without_a_quote_is_an_error_at_its_line(cli, data_copy):
    line = plant(data_copy, "zixi/layers.yaml", "      quote: 不设起付线,年封顶线25万元\n", "")
    code, lines = check(cli, data_copy)
    assert code == 1
    # reported where the status is set: the parameter (the cap of layer 2) — one message, not one per value
    text = reported(lines, "zixi/layers.yaml", line - 6, "layers[2].cap", "必须写 quote")
    assert "依据原文（official）" in text
    assert sum("layers[2].cap" in x for x in lines) == 1


def test_a_derived_value_needs_a_quote_too(cli, data_copy):
    lines = problems_after(cli, data_copy, "jixian/layers.yaml", "            status: derived\n            quote: 集贤县在原有基础上再次提高农村贫困人口的报销比例\n",
          "            status: derived\n")
    assert any("jixian/layers.yaml" in x and "由原文推算（derived）时必须写 quote" in x for x in lines)


def test_an_interpreted_value_without_alternatives_or_reason_is_an_error(cli, data_copy):
    plant(data_copy, "zixi/layers.yaml",
          "            alternatives:\n              - {value: 50000, reading: '按字面，大病保险起付线“由10万元降至5万元”，贫困人口为5万元'}\n"
          "              - {value: 5946.30, reading: '起付线用“重大疾病保障”的5946.3元，比例也用同一句的“由50%提高至60%”：贫困人口大病保险按60%报销，而不是一级90%、二级85%、三级80%、转外70%（这一读法对贫困人口更不利，本县不采用）'}\n",
          "")
    code, lines = check(cli, data_copy)
    assert code == 1
    assert any("layers[1].deductible" in x and "必须写 alternatives" in x for x in lines)


def test_an_interpreted_value_without_a_reason_is_an_error(cli, data_copy):
    plant(data_copy, "zixi/commitments.yaml",
          "    reason: 条例写的是“15日”，没有说是工作日还是自然日；本系统按工作日计算（节假日和调休见 calendar.yaml），截止日期比按自然日算的晚一些。\n", "")
    code, lines = check(cli, data_copy)
    assert code == 1
    assert any("zixi/commitments.yaml" in x and "commitments.decide" in x and "必须写 reason" in x for x in lines)


def test_alternatives_on_an_official_value_are_an_error(cli, data_copy):
    lines = problems_after(cli, data_copy, "zixi/layers.yaml", "      quote: 不设起付线,年封顶线25万元\n",
          "      quote: 不设起付线,年封顶线25万元\n      alternatives: [{value: 0, reading: 不封顶}]\n")
    assert any("layers[2].cap" in x and "只有按本县理解（interpreted）时才写 alternatives" in x for x in lines)


def test_status_and_the_old_illustrative_flag_must_agree(cli, data_copy):
    line = plant(data_copy, "zixi/layers.yaml", "      status: illustrative\n      values: {2019-01-01: 300000}",
                 "      status: illustrative\n      illustrative: false\n      values: {2019-01-01: 300000}")
    code, lines = check(cli, data_copy)
    assert code == 1
    assert any("layers[1].cap" in x and "矛盾" in x for x in lines), line


def test_an_alternative_value_is_checked_like_the_value(cli, data_copy):
    lines = problems_after(cli, data_copy, "zixi/layers.yaml", "              - {value: 100000, reading:", "              - {value: -5, reading:")
    assert any("alternatives[0].value" in x and "金额不能为负数" in x for x in lines)


def test_the_old_illustrative_flag_still_reads_as_illustrative(cli, data_copy):
    # data written before `status` existed: `illustrative: true` and no quote passes, shown as 示例数字
    plant(data_copy, "zixi/layers.yaml", "      reference: {source: sample, note: 原文未给出，此为示例}\n      status: illustrative\n      values: {2019-01-01: 300000}",
          "      reference: {source: sample, note: 原文未给出，此为示例}\n      illustrative: true\n      values: {2019-01-01: 300000}")
    code, lines = check(cli, data_copy)
    assert (code, lines) == (0, [])


def test_a_program_stated_as_official_must_quote_its_source(cli, data_copy):
    lines = problems_after(cli, data_copy, "zixi/programs.yaml", "    quote: '定点医疗机构设立“一站式”综合结算服务窗口'\n", "")
    assert any("zixi/programs.yaml" in x and "programs[2]" in x and "必须写 quote" in x for x in lines)


def test_a_new_source_on_a_value_needs_its_own_quote(cli, data_copy):
    # the dibao assistance cap cites another source: the parameter's quote no longer stands for it
    lines = problems_after(cli, data_copy, "zixi/layers.yaml",
                           "            value: 30000\n            quote: '按75%予以救助,累计救助金额不超过3万元'\n",
                           "            value: 30000\n            reference: {source: essay_longterm}\n")
    assert any("layers[3].cap.values.dibao.2019-01-01" in x and "必须写 quote" in x for x in lines)


@pytest.mark.parametrize("status, mark", [("official", ""), ("derived", ""), ("interpreted", "按本县理解"),
                                          ("illustrative", "示例数字")])
def test_outputs_mark_interpreted_and_illustrative_values(status, mark):
    value = Value(dt.date(2020, 1, 1), 1, Reference("s"), status == "illustrative", status=status)
    assert status_of(value) == status and label(value) == mark


def test_loaded_values_carry_their_reading(jurisdictions):
    zixi = jurisdictions["zixi"]
    critical = next(raw for raw in zixi.layers if raw["id"] == "critical")
    from policy.params import Keys
    value, _ = critical["deductible"].lookup(Keys("poverty", ("poor",)), dt.date(2020, 6, 1))
    assert (value.value, value.status, label(value)) == (594630, "interpreted", "按本县理解")
    assert value.alternatives[0].value == 5000000 and "10万元降至5万元" in value.alternatives[0].reading
    assert value.quote == "重大疾病保障起付线下降50%,由11892.6元下降到5946.3元" and value.reason
    general, _ = critical["ratio"].lookup(Keys("general", ()), dt.date(2020, 6, 1))
    assert (str(general.value), general.status, general.start) == ("0.50", "interpreted", dt.date(2019, 1, 1))
