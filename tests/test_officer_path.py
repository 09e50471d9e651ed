"""Issue 12: the data officer's path. One test (or one group) per numbered finding.

Each plants the mistake the way a county data officer made it (a file edited by hand, a
folder copied), runs `check` and reads what the officer reads.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from test_check_errors import EXAMPLE_YAML, add_example, check, plant, reported

GUIDE = ROOT / "docs" / "data-officer-guide.md"


def edit_line(data_copy: Path, rel: str, whole: str, new: str, nth: int = 0) -> int:
    """Replace the `nth` line of `rel` that is exactly `whole` by `new`; return its number."""
    path = data_copy / rel
    lines = path.read_text(encoding="utf-8").split("\n")
    number = [i for i, line in enumerate(lines) if line == whole][nth]
    lines[number] = new
    path.write_text("\n".join(lines), encoding="utf-8")
    return number + 1


def warnings_of(cli, data_copy) -> tuple[int, str, list[str]]:
    code, out, err = cli(["check", "--data", str(data_copy)])
    return code, out, [line for line in err.splitlines() if "提醒：" in line]


# ------------------------------------------------------------------ 1. one command, a Chinese sentence

def test_1_a_python_without_the_packages_gets_a_chinese_sentence_naming_the_set_up_command():
    # What `python3 build.py check` on a fresh machine does: orjson is not installed.
    code = ("import sys, runpy; sys.modules['orjson'] = None; sys.argv = ['build.py', 'check'];"
            "runpy.run_path('build.py', run_name='__main__')")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and "ModuleNotFoundError" not in run.stderr
    assert "缺少运行所需的程序包“orjson”" in run.stderr and "scripts/check.sh" in run.stderr


def test_1_check_sh_checks_a_data_folder_given_relative_to_where_it_is_run(data_copy):
    plant(data_copy, "zixi/contacts.yaml", "  - id: bureau\n", "  - id: Bureau\n")
    run = subprocess.run([str(ROOT / "scripts" / "check.sh"), "--data", data_copy.name], cwd=data_copy.parent,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 1, run.stderr
    assert "zixi/contacts.yaml:" in run.stderr
    # check's closing line names the same command
    assert "请逐条修改后再运行 scripts/check.sh" in run.stderr


def test_1_check_sh_sets_up_on_first_use_and_says_in_chinese_when_it_cannot(tmp_path):
    # A fresh copy of the project without .venv, on a machine where venv cannot be made.
    project = tmp_path / "project"
    (project / "scripts").mkdir(parents=True)
    shutil.copy(ROOT / "scripts" / "check.sh", project / "scripts" / "check.sh")
    shutil.copy(ROOT / "pyproject.toml", project / "pyproject.toml")
    run = subprocess.run(["bash", str(project / "scripts" / "check.sh")], capture_output=True, text=True,
                         timeout=60, env={**os.environ, "PYTHON": "false"})
    assert run.returncode == 2
    assert "第一次运行" in run.stderr and "python3-venv" in run.stderr
    assert not (project / ".venv").exists()


def test_1_check_sh_installs_every_package_check_imports():
    # check.sh installs only pyproject's core dependencies and its `check` group; a package
    # check imports but check.sh does not install would be skipped (national_calendar.py) or
    # crash on the officer's machine.
    import tomllib
    code = ("import sys; before = set(sys.modules); import builder.cli; from policy.loader import check_all;"
            "check_all(sys.argv[1], workers=1);"
            "from importlib.metadata import packages_distributions as pd; found = pd();"
            "names = {m.split('.')[0] for m in set(sys.modules) - before} - set(sys.stdlib_module_names) - {'policy', 'builder'};"
            "print('\\n'.join(sorted({d for n in names for d in found.get(n, [])})))")
    run = subprocess.run([sys.executable, "-c", code, str(ROOT / "policy_data")], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["check"]
    def norm(name):
        return re.sub(r"[-_.]+", "-", name).lower()
    installed = {norm(re.split(r"[<>=!~\[ ;]", req)[0]) for req in wanted}
    imported = {norm(name) for name in run.stdout.split()}
    assert "chinese-calendar" in imported  # the national calendar is compared, not skipped
    assert imported <= installed, imported - installed


def test_1_the_guide_tells_officers_to_run_check_sh_not_python():
    guide = GUIDE.read_text(encoding="utf-8")
    assert "scripts/check.sh" in guide
    assert "python build.py check" not in guide


# ------------------------------------------------------------------ 2. gaps between periods

def test_2_a_gap_between_two_periods_is_reported_with_its_dates(cli, data_copy):
    line = plant(data_copy, "zixi/layers.yaml", "        - from: 2020-01-01\n", "        - from: 2020-02-01\n")
    code, lines = check(cli, data_copy)
    assert code == 1
    text = reported(lines, "zixi/layers.yaml", line, "layers[6].cap.values", "从 2020-01-01 到 2020-01-31 没有数值")
    assert "无法计算" in text


def test_2_a_null_followed_by_a_new_value_is_a_gap(cli, data_copy):
    line = plant(data_copy, "zixi/layers.yaml", "        county: {2019-01-01: 300}",
                 "        county: {2019-01-01: 300, 2020-01-01: null, 2021-01-01: 300}")
    code, lines = check(cli, data_copy)
    assert code == 1
    reported(lines, "zixi/layers.yaml", line, "layers[0].deductible.values.county", "从 2020-01-01 到 2020-12-31 没有数值")


def test_2_a_layer_stopped_with_null_while_other_inpatient_layers_go_on_is_reported(cli, data_copy):
    # Found following the guide ("一项政策停止了：值写 null"): from that day every inpatient claim
    # the layer applies to failed in calc, and check passed.
    path = data_copy / "zixi/layers.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("  - id: supplementary")
    end = text.index("\n  - id: ", start + 1)
    layer = re.sub(r"(\{2019-01-01: [0-9.]+)\}", r"\1, 2023-01-01: null}", text[start:end])
    path.write_text(text[:start] + layer + text[end:], encoding="utf-8")
    code, lines = check(cli, data_copy)
    assert code == 1
    line = text[:start].count("\n") + 1
    reported(lines, "zixi/layers.yaml", line, "layers[2]", "就停止了（写了 null）")


# ------------------------------------------------------------------ 3. every file read or named

def test_3_a_worked_example_in_a_yml_file_is_run(cli, data_copy):
    wrong = EXAMPLE_YAML.replace('reimbursed: "19072.70"', 'reimbursed: "19000.00"')
    (data_copy / "zixi" / "examples" / "basic.yml").write_text(wrong, encoding="utf-8")
    code, lines = check(cli, data_copy)
    assert code == 1
    reported(lines, "zixi/examples/basic.yml", 2, "examples[0]", "应为 19000.00，计算得 19072.70")


def test_3_a_windows_copy_of_a_township_is_named_as_not_read(cli, data_copy):
    shutil.copy(data_copy / "zixi/townships/hecheng.yaml", data_copy / "zixi/townships/hecheng - 副本.yaml")
    code, lines = check(cli, data_copy)
    assert code == 1
    assert any(text.endswith("zixi/townships/hecheng - 副本.yaml: “hecheng - 副本.yaml”看起来是复制出来的副本，"
                             "检查不读它：如果改动写在副本里，请把改动抄回原文件；然后删掉这个副本（备份请放到数据文件夹以外）")
               for text in lines), lines
    assert not any("应与文件名" in text for text in lines)  # not half-read as a township


def test_3_a_yml_twin_of_a_data_file_and_an_unknown_yaml_file_are_problems(cli, data_copy):
    shutil.copy(data_copy / "zixi/contacts.yaml", data_copy / "zixi/contacts.yml")
    (data_copy / "zixi/layer.yaml").write_text("layers: []\n", encoding="utf-8")
    code, lines = check(cli, data_copy)
    assert code == 1
    assert any("zixi/contacts.yml: 扩展名应是 .yaml" in text and "只读 contacts.yaml" in text for text in lines), lines
    assert any("zixi/layer.yaml: 不认识的文件名，这个文件没有读取" in text for text in lines), lines


def test_3_other_files_are_named_in_a_warning_and_check_still_passes(cli, data_copy):
    (data_copy / "zixi/说明.txt").write_text("给下一位数据员的说明", encoding="utf-8")
    (data_copy / "zixi/examples/.DS_Store").write_bytes(b"\0")
    code, out, warnings = warnings_of(cli, data_copy)
    assert code == 0 and "政策数据检查通过" in out
    assert any("zixi/说明.txt: 提醒：不是 .yaml 文件，没有读取" in w for w in warnings), warnings
    assert any("zixi/examples/.DS_Store: 提醒：系统或编辑器生成的文件，没有读取" in w for w in warnings), warnings


# ------------------------------------------------------------------ 4. an illustrative value cites its own source

GUIDE_ILLUSTRATIVE = re.compile(r"^ *2021-01-01: (\{value: 0\.65, .*illustrative.*\})$", re.M)


def test_4_an_illustrative_value_inheriting_the_parameters_document_is_a_problem(cli, data_copy):
    line = edit_line(data_copy, "zixi/layers.yaml", "        county: {2019-01-01: 0.80}",
                     "        county: {2019-01-01: 0.80, 2021-01-01: {value: 0.65, illustrative: true, note: 暂定}}")
    code, lines = check(cli, data_copy)
    assert code == 1
    reported(lines, "zixi/layers.yaml", line, "layers[0].ratio.values.county.2021-01-01", "要写自己的出处")


def test_4_the_guides_snippet_for_a_provisional_value_passes_and_calc_cites_it(cli, data_copy):
    snippet = GUIDE_ILLUSTRATIVE.search(GUIDE.read_text(encoding="utf-8")).group(1)
    edit_line(data_copy, "zixi/layers.yaml", "        county: {2019-01-01: 0.80}",
              f"        county: {{2019-01-01: 0.80, 2021-01-01: {snippet}}}")
    code, out, err = cli(["check", "--data", str(data_copy)])
    assert code == 0, err
    case = ('{"jurisdiction": "zixi", "person": {"category": "poverty"}, "claims": [{"date": "2021-06-01",'
            ' "kind": "inpatient", "hospital_level": "county", "total": "20000.00"}]}')
    code, out, err = cli(["calc", "--data", str(data_copy)], case)
    assert code == 0, err
    import json
    used = [p for p in json.loads(out)["parameters"].values() if p["name"] == "layers.basic.ratio"]
    assert used and used[0]["value"] == "0.65" and used[0]["reference"]["source"] == "sample"


# ------------------------------------------------------------------ 5. the date of an eligible example

ELIGIBLE_EXAMPLE = """\
examples:
  - name: 70岁贫困老人
    kind: eligible
    input: {person: {category: poverty, age: 70, sex: male, township: hecheng}}
    output:
      eligible: [two_cancer_screening]
"""


def test_5_an_eligible_example_without_a_date_is_a_problem(cli, data_copy):
    example = add_example(data_copy, ELIGIBLE_EXAMPLE)
    code, lines = check(cli, data_copy)
    assert code == 1
    reported(lines, example, 2, "examples[0].date", "eligible 示例要写 date")


def test_5_a_failing_eligible_example_says_which_day_it_was_judged_on(cli, data_copy):
    example = add_example(data_copy, ELIGIBLE_EXAMPLE.replace("    kind: eligible\n", "    kind: eligible\n    date: 2020-06-01\n"))
    code, lines = check(cli, data_copy)
    assert code == 1
    reported(lines, example, 2, "examples[0]", "示例“70岁贫困老人”（按 2020-06-01 判断）的结果不符")


# ------------------------------------------------------------------ 6. also accepted before

def test_6_a_health_center_that_is_not_a_township_hospital_is_a_problem(cli, data_copy):
    line = plant(data_copy, "zixi/townships/hecheng.yaml", "health_center: hecheng_hc", "health_center: county_peoples")
    code, lines = check(cli, data_copy)
    assert code == 1
    reported(lines, "zixi/townships/hecheng.yaml", line, "health_center", "不是乡镇卫生院")


def test_6_a_jurisdiction_without_worked_examples_is_a_problem(cli, data_copy):
    shutil.rmtree(data_copy / "jixian" / "examples")
    code, lines = check(cli, data_copy)
    assert code == 1
    assert any(text.endswith("jixian/examples: 这个地区没有任何算例：请在 examples/ 里至少写一条住院算例（见说明第六节），"
                             "检查才能核对报销计算") for text in lines), lines


def copy_county(data_copy: Path, new_id: str, name: str | None) -> Path:
    """What the guide's section 三 starts with: copy zixi, change its id (and maybe its name)."""
    folder = data_copy / new_id
    shutil.copytree(data_copy / "zixi", folder)
    text = (folder / "jurisdiction.yaml").read_text(encoding="utf-8").replace("id: zixi\n", f"id: {new_id}\n", 1)
    if name:
        text = text.replace("name: 资溪县\n", f"name: {name}\n", 1)
    (folder / "jurisdiction.yaml").write_text(text, encoding="utf-8")
    return folder


def test_6_two_jurisdictions_with_the_same_name_are_a_problem(cli, data_copy):
    copy_county(data_copy, "nanfeng", None)
    code, lines = check(cli, data_copy)
    assert code == 1
    assert any("nanfeng/jurisdiction.yaml: name: 地区名称“资溪县”与“zixi”" in text for text in lines), lines


def test_6_a_copied_county_still_naming_the_original_gets_a_warning(cli, data_copy):
    copy_county(data_copy, "nanfeng", "南丰县")
    code, out, warnings = warnings_of(cli, data_copy)
    assert code == 0, out
    found = [w for w in warnings if "nanfeng/contacts.yaml:" in w]
    assert found and "另一个地区的名字“资溪县”" in found[0] and "zixi" in found[0]
    # the original is not warned about the copy's name
    assert not any("/zixi/" in w and "南丰" in w for w in warnings)


# ------------------------------------------------------------------ 7. one wrong number, grouped

def test_7_one_wrong_number_gives_one_line_per_example_and_names_the_shared_value(cli, data_copy):
    line = plant(data_copy, "zixi/layers.yaml", "        county: {2019-01-01: 300}", "        county: {2019-01-01: 350}")
    code, lines = check(cli, data_copy)
    assert code == 1
    per_example = [text for text in lines if "的结果不符" in text]
    assert len({text.split(": ")[0] for text in per_example}) == len(per_example)  # one line per example
    shared = reported(lines, "zixi/layers.yaml", line, "layers.basic.deductible",
                      f"以下 {len(per_example)} 个示例都用到了 layers.basic.deductible（county）")
    assert "请先核对这个数" in shared
    assert lines.index(shared) < lines.index(per_example[0])


# ------------------------------------------------------------------ 8. Chinese keyboard mistakes, before parsing

@pytest.mark.parametrize("old, new, phrase", [
    ("    name: 资溪县卫生健康委员会\n", "    name：资溪县卫生健康委员会\n", "“name”后面用了中文冒号“：”，请改成英文冒号加空格“: ”"),
    ("    name: 资溪县卫生健康委员会\n", "    name:资溪县卫生健康委员会\n", "“name:”后面缺少空格"),
    ("    name: 资溪县卫生健康委员会\n", "\tname: 资溪县卫生健康委员会\n", "这一行的缩进用了 Tab 键"),
    ("    name: 资溪县卫生健康委员会\n", "  \u3000name: 资溪县卫生健康委员会\n", "这一行的缩进用了全角空格"),
], ids=["full_width_colon", "no_space", "tab", "full_width_space"])
def test_8_keyboard_mistakes_in_text_are_named_on_their_line(cli, data_copy, old, new, phrase):
    rel = "zixi/contacts.yaml"
    line = plant(data_copy, rel, old, new)
    code, lines = check(cli, data_copy)
    assert code == 1
    assert any(f"/{rel}:{line}: {phrase}" in text for text in lines), lines
    assert not any("YAML 格式错误" in text for text in lines if rel in text)  # one message, not a generic one


@pytest.mark.parametrize("old, new, phrase", [
    ("outside: {2019-01-01: 1500}", "outside: {2019-01-01: 1,500}", "数字“1,500”里有逗号：金额不要用千位分隔符，写成 1500"),
    ("county: {2019-01-01: 0.80}", "county: {2019-01-01: 80%}", "“80%”写成了百分数：比例要写小数，80% 写成 0.8"),
    ("county: {2019-01-01: 0.80}", "county: {2019-01-01: ０.８０}", "数字“０.８０”用了全角数字：请切换到英文输入法，写成 0.80"),
], ids=["comma_in_money", "percent", "full_width_digits"])
def test_8_keyboard_mistakes_in_numbers_are_named_on_their_line(cli, data_copy, old, new, phrase):
    rel = "zixi/layers.yaml"
    line = edit_line(data_copy, rel, f"        {old}", f"        {new}")
    code, lines = check(cli, data_copy)
    assert code == 1
    assert any(f"/{rel}:{line}: {phrase}" in text for text in lines), lines


# ------------------------------------------------------------------ 9. messages that say how to fix

def test_9_a_misspelled_key_is_one_message_with_a_suggestion(cli, data_copy):
    line = plant(data_copy, "zixi/townships/hecheng.yaml", "          qualification: 乡村医生\n          phone: \"13800000001\"",
                 "          qualificaton: 乡村医生\n          phone: \"13800000001\"")
    code, lines = check(cli, data_copy)
    assert code == 1
    mine = [text for text in lines if "hecheng.yaml" in text]
    assert len(mine) == 1, mine
    reported(lines, "zixi/townships/hecheng.yaml", line, "villages[0].clinic.doctors[0].qualificaton",
             "不认识的键“qualificaton”，是不是 qualification？")


def test_9_a_list_item_without_its_dash_gets_the_dash_hint(cli, data_copy):
    line = plant(data_copy, "zixi/townships/hecheng.yaml", "  - id: hecheng-donggang\n", "    id: hecheng-donggang\n")
    code, lines = check(cli, data_copy)
    assert code == 1
    mine = [text for text in lines if "hecheng.yaml" in text]
    assert len(mine) == 1, mine
    reported(lines, "zixi/townships/hecheng.yaml", line, "villages[0].id", "这一行前面少了“- ”")


def test_9_a_date_that_lost_its_indentation_gets_the_indentation_hint(cli, data_copy):
    # `2021-01-01: 0.95` meant for township, written at the level of the keys township, county
    line = plant(data_copy, "zixi/layers.yaml", "        township: {2019-01-01: 0.90}\n        county: {2019-01-01: 0.80}",
                 "        township:\n          2019-01-01: 0.90\n        2021-01-01: 0.95\n        county: {2019-01-01: 0.80}") + 2
    code, lines = check(cli, data_copy)
    assert code == 1
    text = reported(lines, "zixi/layers.yaml", line, "layers[0].ratio.values.2021-01-01", "缩进少了")
    assert "编号只能用" not in text


def test_9_a_date_indented_too_far_gets_the_indentation_hint_in_the_yaml_message(cli, data_copy):
    path = data_copy / "zixi/commitments.yaml"
    text = path.read_text(encoding="utf-8")
    dated = [i for i, row in enumerate(text.split("\n")) if re.match(r"^ +20[0-9]{2}-[0-9]{2}-[0-9]{2}: ", row)]
    rows = text.split("\n")
    rows[dated[1]] = "  " + rows[dated[1]]  # the second date of a block indented two spaces too far
    path.write_text("\n".join(rows), encoding="utf-8")
    code, lines = check(cli, data_copy)
    assert code == 1
    assert any("zixi/commitments.yaml:" in t and "YAML 格式错误" in t and "日期行缩进多半不对" in t for t in lines), lines


def test_9_an_impossible_date_says_the_day_does_not_exist(cli, data_copy):
    line = plant(data_copy, "zixi/layers.yaml", "        county: {2019-01-01: 300}", "        county: {2019-01-01: 300, 2021-02-30: 300}")
    code, lines = check(cli, data_copy)
    assert code == 1
    reported(lines, "zixi/layers.yaml", line, "layers[0].deductible.values.county.2021-02-30",
             "日期 2021-02-30 不存在：2021 年 2 月只有 28 天，没有 30 日")


def test_9_messages_within_a_file_are_sorted_by_line(cli, data_copy):
    # A mistake near the end of the file (found first by the per-file schema) and one near its
    # start (found later, when references are checked).
    edit_line(data_copy, "zixi/hospitals.yaml", "    township: hecheng", "    township: hecheg")
    edit_line(data_copy, "zixi/hospitals.yaml", "    level: township", "    level: Township", nth=-1)
    code, lines = check(cli, data_copy)
    assert code == 1
    numbers = [int(m.group(1)) for text in lines for m in [re.search(r"zixi/hospitals\.yaml:(\d+):", text)] if m]
    assert len(numbers) >= 2 and numbers == sorted(numbers)


# ------------------------------------------------------------------ 12. the calc contract, as documented

CONTRACT = (ROOT / "docs" / "data-format.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("spelling, fen", [
    ('" 100"', 10000), ('"+5"', 500), ('".5"', 50), ('"5."', 500), ("1e3", 100000), ('"-0"', 0),
])
def test_12_accepted_money_spellings_are_documented_and_read(cli, spelling, fen):
    assert f"`{spelling}`" in CONTRACT.split("### Money spellings")[1].split("###")[0]
    case = ('{"jurisdiction": "zixi", "person": {"category": "general"}, "claims": [{"date": "2020-06-01",'
            f' "kind": "inpatient", "hospital_level": "county", "total": {spelling}}}]}}')
    code, out, err = cli(["calc", "--no-explain"], case)
    assert code == 0, err
    import json
    assert json.loads(out)["year"]["2020"]["total"] == f"{fen // 100}.{fen % 100:02d}"


@pytest.mark.parametrize("spelling", ['"1e3"', '"1,000"', '"１００"', '"100元"', '"¥100"', '"100000000.01"', "1e9"])
def test_12_refused_money_spellings_are_documented_and_refused(cli, spelling):
    assert f"`{spelling}`" in CONTRACT.split("### Money spellings")[1].split("###")[0]
    case = ('{"jurisdiction": "zixi", "person": {"category": "general"}, "claims": [{"date": "2020-06-01",'
            f' "kind": "inpatient", "hospital_level": "county", "total": {spelling}}}]}}')
    code, out, err = cli(["calc", "--no-explain"], case)
    assert code == 2 and out == "" and "claims[0].total" in err


def test_12_the_contract_points_an_independent_engine_needs_are_stated():
    section = CONTRACT.split("## The `calc` contract: what an independent engine must know")[1]
    for point in ("same date", "self_pay_ratio", "monitoring_threshold", "`applied`", "fee_items",
                  "per: year", "left out"):
        assert point in section, point


def test_12_a_zero_total_has_a_self_pay_ratio_of_zero_and_other_kinds_layers_are_left_out(cli):
    case = ('{"jurisdiction": "zixi", "person": {"category": "poverty"}, "claims": [{"date": "2020-06-01",'
            ' "kind": "outpatient_general", "hospital_level": "township", "total": "0"}]}')
    code, out, err = cli(["calc", "--no-explain"], case)
    assert code == 0, err
    import json
    claim = json.loads(out)["claims"][0]
    assert claim["self_pay_ratio"] == "0.0000"
    assert "basic" not in {layer["id"] for layer in claim["layers"]}  # an inpatient-only layer


# ------------------------------------------------------------------ 11. the guide's messages are what check prints

# The edits behind each message shown in section 七 of the guide (file, old text, new text).
GUIDE_MISTAKES = [
    [("zixi/layers.yaml", "        county: {2019-01-01: 0.80}\n        city: {2019-01-01: 0.60}",
      "        county: {2019-01-01: 80}\n        city: {2019-01-01: 0.60}")],
    [("zixi/contacts.yaml", "    name: 资溪县卫生健康委员会", "    name：资溪县卫生健康委员会")],
    [("zixi/contacts.yaml", "    hours:", "    hour:")],
    [("zixi/townships/hecheng.yaml", "  - id: hecheng-donggang", "    id: hecheng-donggang")],
    [("zixi/commitments.yaml",
      "      2019-01-01: {value: 15, reference: {source: xinfang2005, clause: 第二十二条}, quote: 15日内书面告知信访人}\n"
      "      2022-05-01: 15",
      "      2022-05-01: 15\n"
      "      2019-01-01: {value: 15, reference: {source: xinfang2005, clause: 第二十二条}, quote: 15日内书面告知信访人}")],
    [("zixi/townships/hecheng.yaml", "    name: 东岗村", "    name: 大觉村")],
    [("zixi/hospitals.yaml", "    township: hecheng", "    township: hecheg")],
    [("zixi/layers.yaml", "        county: {2019-01-01: 300}",
      "        county: {2019-01-01: 300, 2020-01-01: null, 2020-07-01: 300}")],
    [("zixi/layers.yaml", "        county: {2019-01-01: 300}", "        county: {2019-01-01: 350}")],
    [("zixi/examples/inpatient.yaml", "date: 2020-06-01, kind: inpatient", "date: 2018-06-01, kind: inpatient")],
]


def test_11_every_message_the_guide_shows_is_what_check_prints(cli, tmp_path, monkeypatch):
    guide = GUIDE.read_text(encoding="utf-8")
    section = guide[guide.index("## 七、"):guide.index("## 八、")]
    shown = [line for block in re.findall(r"```\n(.*?)```", section, re.S) for line in block.splitlines()
             if line.startswith("policy_data/")]
    assert len(shown) >= 10
    printed = []
    monkeypatch.chdir(tmp_path)  # paths in messages are relative to where check runs
    # The calendar reminder the guide shows was printed on this day (a reminder that depends on today).
    import datetime as dt

    import policy.china_time
    monkeypatch.setattr(policy.china_time, "china_today", lambda: dt.date(2026, 12, 6))
    for edits in GUIDE_MISTAKES:
        shutil.rmtree(tmp_path / "policy_data", ignore_errors=True)
        shutil.copytree(ROOT / "policy_data", tmp_path / "policy_data")
        for rel, old, new in edits:
            path = tmp_path / "policy_data" / rel
            text = path.read_text(encoding="utf-8")
            assert old in text, (rel, old)
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
        printed += cli(["check", "--data", "policy_data"])[2].splitlines()
    for line in shown:
        expected = line.split("……")[0]
        assert any(p.startswith(expected) for p in printed), f"the guide shows a message check does not print:\n{line}"


def test_1_build_in_a_venv_set_up_for_checking_only_names_the_set_up_command(tmp_path):
    # scripts/check.sh installs what `check` needs; `build` also needs jinja2, MkDocs, WeasyPrint.
    code = ("import sys, runpy; sys.modules['jinja2'] = None;"
            f"sys.argv = ['build.py', 'build', '--out', {str(tmp_path / 'dist')!r}];"
            "runpy.run_path('build.py', run_name='__main__')")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and "ModuleNotFoundError" not in run.stderr
    assert "缺少程序包“jinja2”：“build”需要的程序还没有安装" in run.stderr and "scripts/setup.sh" in run.stderr


def test_1_build_with_a_python_other_than_the_venv_names_the_venv_python(tmp_path):
    # `python build.py print` after scripts/run.sh, the venv not activated: the message must not
    # send the officer back to scripts/setup.sh (already run) but to .venv/bin/python.
    if not (ROOT / ".venv" / "bin" / "python").exists():
        pytest.skip("no .venv in this checkout")
    code = ("import sys, runpy; sys.modules['jinja2'] = None; sys.prefix = '/usr';"
            f"sys.argv = ['build.py', 'build', '--out', {str(tmp_path / 'dist')!r}];"
            "runpy.run_path('build.py', run_name='__main__')")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert "不是本项目的 .venv" in run.stderr and f".venv/bin/python build.py build --out {tmp_path / 'dist'}" in run.stderr


# ------------------------------------------------------------------ build with relative folders
def test_build_takes_output_and_data_folders_relative_to_where_it_is_run(tmp_path):
    """`build.py build --out dist` from the shell once failed: MkDocs read the relative docs_dir
    against its config inside the output folder (a doubled path)."""
    shutil.copytree(ROOT / "policy_data" / "jixian", tmp_path / "data" / "jixian")
    run = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--data", "data", "--out", "site-out",
                          "--only", "jixian", "--preview", "--no-print"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "site-out" / "jixian" / "index.html").is_file()
    assert not list((tmp_path / "site-out").glob(".building-*")), "the work folder is left behind"
