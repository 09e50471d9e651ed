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
