"""drugs.yaml and process.yaml: `check` refuses bad drug prices and steps, naming file, line and field.

Each test plants one mistake in a private copy of the sample data, the way a data officer would
type it, and reads the problem line `check` prints.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
from test_check_errors import PROBLEM_LINE, plant

from policy.drugs import clinic_list, posted_price

ZD = "zixi/drugs.yaml"


def problems(cli, data_copy) -> list[dict]:
    code, _, err = cli(["check", "--data", str(data_copy)])
    assert code == 1, "check passed on bad data"
    return [m.groupdict() for m in map(PROBLEM_LINE.match, err.splitlines()) if m]


def the_problem(cli, data_copy, file: str) -> dict:
    found = [p for p in problems(cli, data_copy) if p["file"].endswith(file)]
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("old, new, words", [
    ("prices: {2019-01-01: 2.60}", "prices: {2019-01-01: 0}", "价格必须大于 0"),
    ("prices: {2019-01-01: 2.60}", "prices: {2019-01-01: -2.60}", "价格必须大于 0"),
    ("prices: {2019-01-01: 2.60}", "prices: {2019-01-01: 2.605}", "最多两位小数"),
    ("prices: {2019-01-01: 2.60}", "prices: {2019-01-01: 两元六角}", "价格应是数字"),
    ("prices: {2019-01-01: 2.60}", "prices: {2020-01-01: 2.60, 2019-06-01: 2.80}", "日期没有按从早到晚排列"),
    ("prices: {2019-01-01: 2.60}", "prices: {2019-02-30: 2.60}", "不存在"),
])
def test_a_bad_price_is_refused_with_line_and_field(cli, data_copy, old, new, words):
    line = plant(data_copy, ZD, old, new)
    p = the_problem(cli, data_copy, ZD)
    assert int(p["line"]) == line
    assert p["path"].startswith("drugs[1].prices.")
    assert words in p["message"]


def test_a_drug_listed_twice_is_refused(cli, data_copy):
    plant(data_copy, ZD, "  - id: captopril_tabs\n", "  - id: paracetamol_tabs\n")
    p = the_problem(cli, data_copy, ZD)
    assert p["path"] == "drugs[5].id" and "重复" in p["message"]


def test_the_same_name_and_spec_twice_is_refused(cli, data_copy):
    plant(data_copy, ZD, "    name: 卡托普利片\n    spec: 25mg×100片", "    name: 对乙酰氨基酚片\n    spec: 0.5g×12片")
    p = the_problem(cli, data_copy, ZD)
    assert p["path"] == "drugs[5].name" and "对乙酰氨基酚片（0.5g×12片）”重复" in p["message"]


def test_an_unknown_clinic_is_named(cli, data_copy):
    line = plant(data_copy, ZD, "  - village: gaofu-gaofu", "  - village: gaofu-nowhere")
    p = the_problem(cli, data_copy, ZD)
    assert (int(p["line"]), p["path"]) == (line, "clinics[0].village")
    assert "“gaofu-nowhere”没有定义" in p["message"]


@pytest.mark.parametrize("old, new, path", [
    ("not_stocked: [glucose_250]", "not_stocked: [aspirin]", "clinics[0].not_stocked[0]"),
    ("      - drug: banlangen_granules", "      - drug: banlangen", "clinics[0].prices[0].drug"),
])
def test_an_unknown_drug_in_an_exception_is_named(cli, data_copy, old, new, path):
    plant(data_copy, ZD, old, new)
    p = the_problem(cli, data_copy, ZD)
    assert p["path"] == path and "不在 drugs 里" in p["message"]


def test_a_clinic_listed_twice_and_a_drug_both_not_stocked_and_priced_are_refused(cli, data_copy):
    plant(data_copy, ZD, "not_stocked: [glucose_250]", "not_stocked: [glucose_250, banlangen_granules]")
    path = data_copy / ZD
    path.write_text(path.read_text(encoding="utf-8") + "  - village: gaofu-gaofu\n", encoding="utf-8")
    found = {(p["path"], p["message"]) for p in problems(cli, data_copy) if p["file"].endswith(ZD)}
    assert any(path == "clinics[1].village" and "重复" in m for path, m in found), found
    assert any(path == "clinics[0].prices[0].drug" and "not_stocked" in m for path, m in found), found


def test_official_prices_need_a_quote(cli, data_copy):
    line = plant(data_copy, ZD, "status: illustrative\n", "status: official\n")
    p = the_problem(cli, data_copy, ZD)
    assert (int(p["line"]), p["path"]) == (line, "status") and "必须写 quote" in p["message"]


def test_a_step_needs_its_quote_and_a_known_complaint_category(cli, data_copy):
    zp = "zixi/process.yaml"
    plant(data_copy, zp, "    quote: 入院时无需缴纳住院押金,直接住院治疗\n", "")
    plant(data_copy, zp, "complaint: reimbursed_less", "complaint: reimbursed_lower")
    found = [p for p in problems(cli, data_copy) if p["file"].endswith(zp)]
    assert any(p["path"] == "steps[1]" and "必须写 quote" in p["message"] for p in found), found
    assert any(p["path"] == "steps[3].complaint" and "“reimbursed_lower”没有定义" in p["message"] for p in found), found


def test_a_jurisdiction_without_drugs_or_process_still_passes(cli, data_copy):
    (data_copy / "jixian" / "drugs.yaml").unlink()
    (data_copy / "jixian" / "process.yaml").unlink()
    p = the_problem(cli, data_copy, "jixian/complaints.yaml")  # its drug_price category links to drugs/
    assert p["path"].endswith(".page") and "drugs.yaml" in p["message"]
    plant(data_copy, "jixian/complaints.yaml", "    page: drugs/", "    page: villages/")
    code, out, err = cli(["check", "--data", str(data_copy)])
    assert code == 0, err


def test_a_misnamed_drugs_file_is_not_silently_ignored(cli, data_copy):
    (data_copy / "jixian" / "drugs.yaml").rename(data_copy / "jixian" / "drugs.yml")
    code, _, err = cli(["check", "--data", str(data_copy)])
    assert code == 1
    assert "jixian/drugs.yml: 扩展名应是 .yaml（不是 .yml），这个文件没有读取，请把它改名为 drugs.yaml" in err


# ------------------------------------------------------------------ the lookups the outputs use

def test_a_clinic_list_leaves_out_what_it_does_not_stock_and_uses_its_own_price(jurisdictions):
    drugs = jurisdictions["zixi"].drugs
    day = dt.date(2022, 1, 1)
    own = {d["id"]: d for d in clinic_list(drugs, "gaofu-gaofu", day)}
    other = {d["id"]: d for d in clinic_list(drugs, "gaotian-gaotian", day)}
    assert "glucose_250" not in own and "glucose_250" in other
    assert own["banlangen_granules"]["fen"] == 1180 and own["banlangen_granules"]["own"]
    assert other["banlangen_granules"]["fen"] == 1250 and not other["banlangen_granules"]["own"]
    assert "gauze_bandage" not in other  # ended 2021-01-01


def test_the_posted_price_follows_the_dates(jurisdictions):
    drugs = jurisdictions["zixi"].drugs
    assert posted_price(drugs, "gaotian-gaotian", "amoxicillin_caps", dt.date(2020, 6, 30)) == 850
    assert posted_price(drugs, "gaotian-gaotian", "amoxicillin_caps", dt.date(2020, 7, 1)) == 780
    assert posted_price(drugs, "gaotian-gaotian", "amoxicillin_caps", dt.date(2018, 12, 31)) is None
    assert posted_price(drugs, "gaofu-gaofu", "glucose_250", dt.date(2022, 1, 1)) is None
