"""`python build.py check` finds every mistake a data officer can make, and says where and why.

Each test plants one mistake in a private copy of policy_data/ (by editing the YAML text of a
real file, the way a person would), runs `check --data <copy>`, and reads stderr like the data
officer would: the file, the line, the field path, and the Chinese explanation.

Every problem line has the form `<file>:<line>: <field.path>: <中文说明>`.
"""
from __future__ import annotations

import datetime as dt
import re
from contextlib import contextmanager
from pathlib import Path

import pytest

# A tiny worked example: a poor person's county-level stay in 2020 (numbers from samples/calc-zixi.json).
EXAMPLE_YAML = """\
examples:
  - name: 贫困户县级住院
    input:
      person: {category: poverty}
      claims:
        - {date: 2020-06-01, kind: inpatient, hospital_level: county, total: "20000.00",
           out_of_catalog_necessary: "1000.00", self_funded: "500.00"}
    output:
      claims:
        - layers: {basic: "14560.00"}
          reimbursed: "19072.70"
"""

PROBLEM_LINE = re.compile(r"^(?P<file>.+?):(?P<line>\d+): (?P<path>[^\s:]+): (?P<message>.+)$")


# ------------------------------------------------------------------ helpers

def plant(data_copy: Path, rel: str, old: str, new: str) -> int:
    """Replace the one occurrence of `old` in `rel` by `new`; return the line where `new` starts."""
    path = data_copy / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{rel}: the text to replace must occur exactly once: {old!r}"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return text[: text.index(old)].count("\n") + 1


def line_of(data_copy: Path, rel: str, needle: str, whole: bool = False) -> int:
    """The 1-based line of the only line of `rel` containing `needle` (or equal to it, if `whole`)."""
    lines = (data_copy / rel).read_text(encoding="utf-8").splitlines()
    found = [i + 1 for i, line in enumerate(lines) if (line == needle if whole else needle in line)]
    assert len(found) == 1, f"{rel}: {needle!r} found on lines {found}"
    return found[0]


def add_example(data_copy: Path, text: str = EXAMPLE_YAML) -> str:
    """Add the tiny worked example to zixi (next to any examples already there); return its file."""
    folder = data_copy / "zixi" / "examples"
    folder.mkdir(exist_ok=True)
    (folder / "planted_by_test.yaml").write_text(text, encoding="utf-8")
    return "zixi/examples/planted_by_test.yaml"


@contextmanager
def on_a_day_within_the_calendar():
    """Tests of mistakes in the files judge them on a fixed day: from each October `check` also
    reminds the officer that deadlines reach a year calendar.yaml does not have yet
    (tests/test_national_calendar.py), which the samples cannot have before the State Council's
    notice. Modules that import `check` get the same day through it."""
    import policy.china_time

    saved = policy.china_time.china_today
    policy.china_time.china_today = lambda: dt.date(2026, 6, 1)
    try:
        yield
    finally:
        policy.china_time.china_today = saved


@pytest.fixture(autouse=True)
def a_day_within_the_calendar():
    with on_a_day_within_the_calendar():
        yield


def check(cli, data_copy: Path) -> tuple[int, list[str]]:
    """Run `check`; return (exit code, the problem lines of stderr)."""
    with on_a_day_within_the_calendar():
        code, out, err = cli(["check", "--data", str(data_copy)])
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith(("发现 ", "（"))]
    return code, lines


def reported(lines: list[str], file: str, line: int, path: str, phrase: str) -> str:
    """The problem line `<…/file>:<line>: <path>: <说明>` whose explanation contains `phrase`."""
    start = f"/{file}:{line}: {path}: "
    for text in lines:
        if start in text and phrase in text.split(start, 1)[1]:
            return text
    shown = "\n".join(lines) or "(nothing)"
    raise AssertionError(f"no problem reported as …{start}…{phrase}…\nstderr was:\n{shown}")


# ------------------------------------------------------------------ clean data

def test_clean_sample_data_passes_the_check(cli, data_copy):
    code, out, err = cli(["check", "--data", str(data_copy)])
    assert code == 0, err
    assert err == ""
    assert "政策数据检查通过" in out


def test_clean_sample_data_with_one_more_worked_example_passes_and_counts_it(cli, data_copy):
    def examples_run(out):
        return int(re.search(r"(\d+) 个示例计算结果全部一致", out).group(1))

    before = cli(["check", "--data", str(data_copy)])[1]
    add_example(data_copy)
    code, out, err = cli(["check", "--data", str(data_copy)])
    assert code == 0, err
    assert examples_run(out) == examples_run(before) + 1


# ------------------------------------------------------------------ YAML itself

def test_yaml_syntax_error_is_reported_with_file_and_line(cli, data_copy):
    line = plant(data_copy, "zixi/contacts.yaml", "    name: 资溪县卫生健康委员会\n", "    name: 资溪县: 卫生健康委员会\n")
    code, lines = check(cli, data_copy)
    assert code == 1
    assert any(f"zixi/contacts.yaml:{line}:" in text and "YAML 格式错误" in text and "冒号" in text
               for text in lines), lines


def test_yaml_syntax_error_does_not_hide_mistakes_in_other_files(cli, data_copy):
    plant(data_copy, "zixi/contacts.yaml", "  - id: bureau\n", "  - id: bureau\n   oops: [\n")
    line = plant(data_copy, "jixian/categories.yaml", "categories:\n",
                 "categories:\n  - id: Bad Id\n    name: 错误编号\n") + 1
    code, lines = check(cli, data_copy)
    assert code == 1
    assert any("zixi/contacts.yaml:" in text and "YAML 格式错误" in text for text in lines), lines
    reported(lines, "jixian/categories.yaml", line, "categories[0].id", "编号只能用小写英文字母")


def test_unknown_key_is_reported_with_file_line_and_field(cli, data_copy):
    rest = " 工作日 8:00-12:00，14:30-17:30\n    illustrative: true\n  - id: supervision"
    line = plant(data_copy, "zixi/contacts.yaml", "    hours:" + rest, "    hourz:" + rest)
    code, lines = check(cli, data_copy)
    assert code == 1
    text = reported(lines, "zixi/contacts.yaml", line, "contacts[0].hourz", "不认识的键“hourz”")
    assert "是不是 hours" in text  # tells the officer what the key should have been


def test_duplicate_key_is_reported_with_both_lines(cli, data_copy):
    first = line_of(data_copy, "zixi/hospitals.yaml", "name: 资溪县人民医院")
    plant(data_copy, "zixi/hospitals.yaml", "    name: 资溪县人民医院\n", "    name: 资溪县人民医院\n    name: 县人民医院\n")
    code, lines = check(cli, data_copy)
    assert code == 1
    reported(lines, "zixi/hospitals.yaml", first + 1, "hospitals[0].name", f"键“name”重复出现（第一次在第 {first} 行）")


def test_duplicate_date_in_a_parameter_is_reported_as_a_duplicate_key(cli, data_copy):
    line = plant(data_copy, "zixi/commitments.yaml", "      2022-05-01: 15\n",
                 "      2022-05-01: 15\n      2022-05-01: 20\n")
    code, lines = check(cli, data_copy)
    assert code == 1
    reported(lines, "zixi/commitments.yaml", line + 1, "commitments.decide.values.2022-05-01", "重复出现")


def test_missing_required_field_is_reported_with_file_line_and_field(cli, data_copy):
    line = plant(data_copy, "zixi/contacts.yaml", "  - id: bureau\n    name: 资溪县卫生健康委员会\n", "  - id: bureau\n")
    code, lines = check(cli, data_copy)
    assert code == 1
    reported(lines, "zixi/contacts.yaml", line, "contacts[0].name", "缺少必填项“name”")


# ------------------------------------------------------------------ numbers

def test_ratio_above_one_is_reported_with_file_line_and_field(cli, data_copy):
    line = plant(data_copy, "zixi/layers.yaml", "        county: {2019-01-01: 0.80}\n        city: {2019-01-01: 0.60}",
                 "        county: {2019-01-01: 80}\n        city: {2019-01-01: 0.60}")
    code, lines = check(cli, data_copy)
    assert code == 1
    text = reported(lines, "zixi/layers.yaml", line, "layers[0].ratio.values.county.2019-01-01",
                    "比例必须在 0 到 1 之间")
    assert "0.85" in text and "80" in text  # shows how to write a percentage, and what was written


def test_negative_ratio_is_reported(cli, data_copy):
    anchor = "目录外自费部分不兜底}\n      values: {2019-01-01: "
    line = plant(data_copy, "zixi/layers.yaml", anchor + "0.10}", anchor + "-0.10}") + 1
    code, lines = check(cli, data_copy)
    assert code == 1
    reported(lines, "zixi/layers.yaml", line, "layers[4].ceiling_ratio.values.2019-01-01", "比例必须在 0 到 1 之间")


def test_negative_money_is_reported_with_file_line_and_field(cli, data_copy):
    line = plant(data_copy, "zixi/layers.yaml", "        county: {2019-01-01: 300}",
                 "        county: {2019-01-01: -300}")
    code, lines = check(cli, data_copy)
    assert code == 1
    reported(lines, "zixi/layers.yaml", line, "layers[0].deductible.values.county.2019-01-01", "金额不能为负数")


def test_money_with_more_than_two_decimals_is_reported(cli, data_copy):
    line = plant(data_copy, "zixi/layers.yaml", "            value: 5946.30", "            value: 5946.305")
    code, lines = check(cli, data_copy)
    assert code == 1
    reported(lines, "zixi/layers.yaml", line, "layers[1].deductible.values.poor.2019-01-01.value", "金额最多两位小数")


# ------------------------------------------------------------------ dates

def test_dates_out_of_order_are_reported_with_file_line_and_field(cli, data_copy):
    first = "      2019-01-01: {value: 15, reference: {source: xinfang2005, clause: 第二十二条}, quote: 15日内书面告知信访人}\n"
    second = "      2022-05-01: 15\n"
    start = plant(data_copy, "zixi/commitments.yaml", first + second, second + first)
    code, lines = check(cli, data_copy)
    assert code == 1
    reported(lines, "zixi/commitments.yaml", start + 1, "commitments.decide.values.2019-01-01",
             "日期没有按从早到晚排列：2019-01-01 写在 2022-05-01 之后")


def test_overlapping_periods_are_reported_with_file_line_and_field(cli, data_copy):
    line = plant(data_copy, "zixi/layers.yaml", "        - from: 2020-01-01\n          value: 5000",
                 "        - from: 2019-06-01\n          value: 5000")
    code, lines = check(cli, data_copy)
    assert code == 1
    text = reported(lines, "zixi/layers.yaml", line, "layers[6].cap.values[1].from", "时段重叠")
    assert "2019-06-01" in text and "2019-12-31" in text  # names both periods


def test_periods_out_of_order_are_reported(cli, data_copy):
    # the first period now starts after the second
    plant(data_copy, "zixi/layers.yaml", "        - from: 2019-01-01\n          until: 2019-12-31\n",
          "        - from: 2020-06-01\n          until: 2020-12-31\n")
    second = plant(data_copy, "zixi/layers.yaml", "        - from: 2020-01-01\n", "        - from: 2020-01-01\n")
    code, lines = check(cli, data_copy)
    assert code == 1
    reported(lines, "zixi/layers.yaml", second, "layers[6].cap.values[1].from", "时段没有按从早到晚排列")


def test_period_ending_before_it_starts_is_reported(cli, data_copy):
    line = plant(data_copy, "zixi/layers.yaml", "          until: 2019-12-31\n          value: 3000",
                 "          until: 2018-12-31\n          value: 3000")
    code, lines = check(cli, data_copy)
    assert code == 1
    # reported on the period's first line ("- from: ..."), just above
    reported(lines, "zixi/layers.yaml", line - 1, "layers[6].cap.values[0].until", "结束日期 2018-12-31 早于开始日期 2019-01-01")


# ------------------------------------------------------------------ values in force on a worked example's date

@pytest.mark.parametrize("old, new, path, phrase", [
    # the county ratio is ended by a dated null while the layer's other values go on
    ("        county: {2019-01-01: 0.80}\n        city: {2019-01-01: 0.60}",
     "        county: {2019-01-01: 0.80, 2020-01-01: null}\n        city: {2019-01-01: 0.60}",
     "layers[0].ratio.values.county", "到 2019-12-31 就没有数值了"),
    # the county deductible only starts after the layer's other values
    ("        county: {2019-01-01: 300}", "        county: {2021-01-01: 300}",
     "layers[0].deductible.values.county", "从 2021-01-01 起才有数值"),
], ids=["ended_by_null", "starts_later"])
def test_a_parameter_missing_while_its_layer_is_in_force_is_reported_before_any_claim_fails(
        cli, data_copy, old, new, path, phrase):
    # Issue 12, item 2: check says so at the value, whether or not an example falls in the gap.
    line = plant(data_copy, "zixi/layers.yaml", old, new)
    code, lines = check(cli, data_copy)
    assert code == 1
    text = reported(lines, "zixi/layers.yaml", line, path, phrase)
    assert "无法计算" in text


def test_an_example_dated_before_any_value_is_reported_naming_parameter_and_date(cli, data_copy):
    example = add_example(data_copy, EXAMPLE_YAML.replace("2020-06-01", "2018-06-01"))
    code, lines = check(cli, data_copy)
    assert code == 1
    text = reported(lines, example, 2, "examples[0]", "没有生效的数值")
    assert "layers.basic." in text and "2018-06-01" in text
    assert "示例“贫困户县级住院”" in text
    assert "zixi/layers.yaml" in text  # says which file holds the parameter


def test_worked_example_whose_expected_amount_is_wrong_is_reported(cli, data_copy):
    example = add_example(data_copy, EXAMPLE_YAML.replace('reimbursed: "19072.70"', 'reimbursed: "19000.00"'))
    code, lines = check(cli, data_copy)
    assert code == 1
    text = reported(lines, example, 2, "examples[0]", "结果不符")
    assert "应为 19000.00，计算得 19072.70" in text


# ------------------------------------------------------------------ references between files

@pytest.mark.parametrize("rel, old, new, path, what", [
    ("zixi/programs.yaml", "      category: [poor]\n    how:\n      where: [village_clinic]\n      steps:\n        - 不",
     "      category: [no_such_category]\n    how:\n      where: [village_clinic]\n      steps:\n        - 不",
     "programs[0].when.category[0]", "人员类别或类别组（categories.yaml）"),
    ("zixi/hospitals.yaml", "    name: 资溪县人民医院\n    level: county\n", "    name: 资溪县人民医院\n    level: no_such_level\n",
     "hospitals[0].level", "医院级别（levels.yaml）"),
    ("zixi/programs.yaml", "      disease: [hiv]", "      disease: [no_such_disease]",
     "programs[10].when.disease[0]", "疾病（diseases.yaml 的 diseases）"),
    ("zixi/programs.yaml", "        - disease_group: [major15]", "        - disease_group: [no_such_group]",
     "programs[11].when.all[1].disease_group[0]", "疾病组（diseases.yaml 的 groups）"),
    ("zixi/diseases.yaml", "  - id: schistosomiasis\n    name: 血吸虫病\n    groups: [endemic]\n    chronic_class: class2",
     "  - id: schistosomiasis\n    name: 血吸虫病\n    groups: [endemic]\n    chronic_class: no_such_class",
     "diseases[15].chronic_class", "慢性病类别（diseases.yaml 的 chronic_classes）"),
    ("zixi/hospitals.yaml", "    name: 资溪县人民医院\n    level: county\n    township: hecheng\n",
     "    name: 资溪县人民医院\n    level: county\n    township: no_such_township\n",
     "hospitals[0].township", "乡镇（townships/ 文件夹）"),
    ("zixi/townships/hecheng.yaml", "health_center: hecheng_hc", "health_center: no_such_hospital",
     "health_center", "医院（hospitals.yaml）"),
], ids=["category", "level", "disease", "disease_group", "chronic_class", "township", "hospital"])
def test_reference_to_an_undefined_id_is_reported_with_file_line_field_and_where_it_should_be_defined(
        cli, data_copy, rel, old, new, path, what):
    plant(data_copy, rel, old, new)
    bad_id = re.search(r"no_such_\w+", new).group(0)
    line = line_of(data_copy, rel, bad_id)
    code, lines = check(cli, data_copy)
    assert code == 1
    reported(lines, rel, line, path, f"“{bad_id}”没有定义：它应是{what}中的编号")
    assert len([text for text in lines if "/zixi/" in text]) == 1, lines  # one wrong id, one message


# ------------------------------------------------------------------ townships and villages

def test_village_id_listed_twice_in_a_jurisdiction_is_reported(cli, data_copy):
    line = plant(data_copy, "zixi/townships/hecheng.yaml", "  - id: hecheng-donggang\n", "  - id: hecheng-dajue\n")
    code, lines = check(cli, data_copy)
    assert code == 1
    reported(lines, "zixi/townships/hecheng.yaml", line, "villages[1].id", "村编号“hecheng-dajue”重复")


def test_village_id_reused_in_another_township_is_reported(cli, data_copy):
    # townships are read in file-name order, so the later file (wushi) is the one reported
    line = plant(data_copy, "zixi/townships/wushi.yaml", "  - id: wushi-wushi\n", "  - id: hecheng-dajue\n")
    code, lines = check(cli, data_copy)
    assert code == 1
    text = reported(lines, "zixi/townships/wushi.yaml", line, "villages[0].id", "村编号“hecheng-dajue”重复")
    assert "鹤城镇已经有这个编号的村（大觉村）" in text  # says where the id is already used


def test_village_name_listed_twice_in_one_township_is_reported(cli, data_copy):
    first = line_of(data_copy, "zixi/townships/hecheng.yaml", "    name: 大觉村", whole=True)
    line = plant(data_copy, "zixi/townships/hecheng.yaml", "    name: 东岗村\n", "    name: 大觉村\n")
    code, lines = check(cli, data_copy)
    assert code == 1
    reported(lines, "zixi/townships/hecheng.yaml", line - 1, "villages[1].name",
             f"“大觉村”在鹤城镇重复列出（第一次在第 {first - 1} 行）")


def test_same_village_name_in_two_townships_is_allowed(cli, data_copy):
    plant(data_copy, "zixi/townships/gaofu.yaml", "    name: 高阜村\n", "    name: 大觉村\n")
    code, out, err = cli(["check", "--data", str(data_copy)])
    assert code == 0, err


def test_township_file_name_different_from_its_id_is_reported(cli, data_copy):
    tdir = data_copy / "zixi" / "townships"
    (tdir / "hecheng.yaml").rename(tdir / "hecheng_town.yaml")
    line = line_of(data_copy, "zixi/townships/hecheng_town.yaml", "id: hecheng", whole=True)
    code, lines = check(cli, data_copy)
    assert code == 1
    reported(lines, "zixi/townships/hecheng_town.yaml", line, "id", "乡镇编号“hecheng”应与文件名“hecheng_town”相同")


def test_jurisdiction_id_different_from_its_folder_name_is_reported(cli, data_copy):
    line = plant(data_copy, "zixi/jurisdiction.yaml", "id: zixi\n", "id: zixi_county\n")
    code, lines = check(cli, data_copy)
    assert code == 1
    reported(lines, "zixi/jurisdiction.yaml", line, "id", "地区编号“zixi_county”应与文件夹名“zixi”相同")


# ------------------------------------------------------------------ calendar

def test_make_up_workday_on_a_weekday_is_reported_with_file_and_field(cli, data_copy):
    plant(data_copy, "zixi/calendar.yaml", "workdays: [2020-01-19,", "workdays: [2020-01-20,")  # a Monday
    code, lines = check(cli, data_copy)
    assert code == 1
    assert any("zixi/calendar.yaml" in text and " years.2020.workdays[0]: " in text
               and "调休上班日 2020-01-20 本来就是工作日（不是周末）" in text for text in lines), lines


def test_overlapping_holidays_are_reported(cli, data_copy):
    line = plant(data_copy, "zixi/calendar.yaml", "      - {name: 清明节, from: 2020-04-04, until: 2020-04-06}",
                 "      - {name: 清明节, from: 2020-02-01, until: 2020-04-06}")
    code, lines = check(cli, data_copy)
    assert code == 1
    reported(lines, "zixi/calendar.yaml", line, "years.2020.holidays[2]", "“清明节”与“春节”日期重叠")


# ------------------------------------------------------------------ all problems in one run

def test_five_mistakes_in_five_files_are_all_reported_in_one_run(cli, data_copy):
    planted = [
        ("zixi/contacts.yaml",
         plant(data_copy, "zixi/contacts.yaml", "  - id: bureau\n    name: 资溪县卫生健康委员会\n", "  - id: bureau\n"),
         "contacts[0].name", "缺少必填项"),
        ("zixi/layers.yaml",
         plant(data_copy, "zixi/layers.yaml", "        county: {2019-01-01: 0.80}\n        city: {2019-01-01: 0.60}",
               "        county: {2019-01-01: 1.80}\n        city: {2019-01-01: 0.60}"),
         "layers[0].ratio.values.county.2019-01-01", "比例必须在 0 到 1 之间"),
        ("zixi/hospitals.yaml",
         plant(data_copy, "zixi/hospitals.yaml", "    name: 资溪县人民医院\n", "    name: 资溪县人民医院\n    name: 县医院\n") + 1,
         "hospitals[0].name", "重复出现"),
        ("zixi/programs.yaml",
         plant(data_copy, "zixi/programs.yaml", "      disease: [hiv]", "      disease: [no_such_disease]"),
         "programs[10].when.disease[0]", "没有定义"),
        ("jixian/commitments.yaml",
         plant(data_copy, "jixian/commitments.yaml", "告知投诉人的期限\n    unit: days\n",
               "告知投诉人的期限\n    unit: workdays\n") + 1,
         "commitments.decide.unit", "只能是"),
    ]
    with on_a_day_within_the_calendar():
        code, out, err = cli(["check", "--data", str(data_copy)])
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith(("发现 ", "（"))]
    assert code == 1
    for file, line, path, phrase in planted:
        reported(lines, file, line, path, phrase)
    assert len(lines) == 5, lines  # nothing left out, nothing made up
    assert "发现 5 个问题" in err
    for text in lines:
        assert PROBLEM_LINE.match(text), f"not in the form file:line: field.path: 说明: {text}"
    assert out == ""


# ------------------------------------------------------------------ one mistake, one message; gaps closed


def test_make_up_workday_error_names_its_line(cli, data_copy):
    line = plant(data_copy, "zixi/calendar.yaml", "workdays: [2020-01-19,", "workdays: [2020-01-20,")
    code, lines = check(cli, data_copy)
    assert any(f"zixi/calendar.yaml:{line}: years.2020.workdays" in text for text in lines), lines


def test_one_mistake_in_a_level_gives_one_message_not_one_per_use_of_that_level(cli, data_copy):
    plant(data_copy, "zixi/levels.yaml", "    name: 二级（县级医院）\n", "    name: 二级（县级医院）\n    in_countyy: true\n")
    code, lines = check(cli, data_copy)
    assert code == 1
    assert len(lines) == 1, lines


def test_new_category_missing_from_a_parameter_breakdown_is_reported(cli, data_copy):
    plant(data_copy, "zixi/categories.yaml", "\ngroups:", "  - id: veteran\n    name: 退役军人\n\ngroups:")
    code, lines = check(cli, data_copy)
    assert code == 1
    assert any("veteran" in text or "退役军人" in text for text in lines), lines


def test_layers_sharing_a_cap_pool_with_different_amounts_are_reported(cli, data_copy):
    text = (data_copy / "zixi/layers.yaml").read_text(encoding="utf-8")
    # the second use of the shared basic_annual cap (chronic class I) gets another amount
    second = text.index("pool: basic_annual", text.index("pool: basic_annual") + 1)
    amount = text.index("values: {2019-01-01: 150000}", second)
    (data_copy / "zixi/layers.yaml").write_text(
        text[:amount] + "values: {2019-01-01: 100000}" + text[amount + len("values: {2019-01-01: 150000}"):],
        encoding="utf-8")
    code, lines = check(cli, data_copy)
    assert code == 1
    assert any("zixi/layers.yaml" in line and "basic_annual" in line and "“basic”" in line for line in lines), lines


def test_a_file_that_is_not_a_mapping_gives_one_message_not_one_per_use_of_its_ids(cli, data_copy):
    (data_copy / "zixi/levels.yaml").write_text("- township\n- county\n", encoding="utf-8")
    code, lines = check(cli, data_copy)
    assert code == 1
    assert len(lines) == 1, lines
    assert "zixi/levels.yaml:1: " in lines[0] and "应是一组键值" in lines[0]


def test_an_unreadable_file_is_named_and_the_rest_is_still_checked(cli, data_copy):
    (data_copy / "zixi/contacts.yaml").write_bytes(b"\xff\xfe\x00")
    line = plant(data_copy, "jixian/layers.yaml", "township: {2019-01-01: 0.80}", "township: {2019-01-01: 8}")
    code, lines = check(cli, data_copy)
    assert code == 1
    assert any("zixi/contacts.yaml" in text and "UTF-8" in text for text in lines), lines
    assert any(f"jixian/layers.yaml:{line}:" in text and "比例必须在 0 到 1 之间" in text for text in lines), lines


def test_a_missing_or_empty_data_folder_is_a_problem_not_a_pass(cli, tmp_path):
    code, lines = check(cli, tmp_path / "nowhere")
    assert code == 1 and len(lines) == 1 and "找不到政策数据文件夹" in lines[0]
    code, lines = check(cli, tmp_path)
    assert code == 1 and len(lines) == 1 and "没有任何地区的数据" in lines[0]
