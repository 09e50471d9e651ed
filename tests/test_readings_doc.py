"""docs/readings.md (the table a county's legal office reviews) is written from the data and current."""
from conftest import ROOT

from builder.readings_doc import render


def test_docs_readings_md_is_current(jurisdictions):
    written = (ROOT / "docs" / "readings.md").read_text(encoding="utf-8")
    assert written == render(jurisdictions), "请运行 python -m builder.readings_doc > docs/readings.md"


def test_every_interpreted_value_the_issue_names_is_in_the_table(jurisdictions):
    text = render(jurisdictions)
    for needle in ("`layers.critical.deductible`，建档立卡贫困人口", "50000.00 元：按字面",
                   "`layers.critical.ratio`，普通城乡居民", "60%：把“由50%提高至60%”",
                   "`layers.backstop.scope`", "只对县域内住院兜底",
                   "`layers.chronic_class2.cap`，2019-01-01", "`layers.chronic_class2.cap`，2020-01-01",
                   "`layers.fee_waiver.items.bed.rate`，双鸭山市人民医院", "50%：在一般医院减收20%之外再减收30%",
                   "`layers.assistance.scope`"):
        assert needle in text, needle


def test_the_second_reading_lists_every_new_interpreted_value_with_its_alternative(jurisdictions):
    text = render(jurisdictions)
    zixi, jixian = text.split("## 资溪县")[1], text.split("## 资溪县")[0]
    for needle in ("`layers.basic.ratio_bonus`，建档立卡贫困人口、乡镇卫生院", "10%：累计",
                   "`layers.basic.ratio_bonus`，建档立卡贫困人口、县级医院", "15%：累计",
                   "`layers.critical.cap`，建档立卡贫困人口", "不按年重新计算：一个人历年大病保险二次报销合计最多20万元",
                   "`programs.major_disease_treatment`", "`programs.folic_acid`"):
        assert needle in jixian, needle
    for needle in ("`layers.assistance.cap`，特困供养人员", "不按年重新计算：一个人历年救助合计最多4万元",
                   "五道保障线合起来要达到的目标",  # backstop: the fiscal line pays only class I and accidents
                   "比例也用同一句的“由50%提高至60%”",  # critical deductible: the 60% of the same clause
                   "只对贫困人口提高到5000元", "和同一段提高比例一样从2019年1月1日起执行",
                   "`layers.chronic1_critical.scope`", "只指基本医保按住院比例报销"):
        assert needle in zixi, needle


def test_the_difference_a_reading_makes_is_computed_not_typed(jurisdictions):
    text = render(jurisdictions)
    # jixian county stay of 10000: 9600 × 75% = 7200.00 as read; 9600 × 80% = 7680.00 cumulative
    assert "| 报销 7200.00 元，自付 2800.00 元 | 报销 7680.00 元，自付 2320.00 元 | 居民少自付 480.00 元 |" in text
    # zixi general resident, class II: 1800 + 1800 with the 5000 cap, 1800 + 1200 if poor only
    assert "| 报销 3600.00 元，自付 2400.00 元 | 报销 3000.00 元，自付 3000.00 元 | 居民多自付 600.00 元 |" in text
    # zixi class II in 2019: 1800 + 1200 with 3000 from the plan year; 1800 + 1800 if 5000 from 2019
    assert "| 报销 8000.00 元，自付 2000.00 元 | 报销 8600.00 元，自付 1400.00 元 | 居民少自付 600.00 元 |" in text
