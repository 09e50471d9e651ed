"""`build.py audit`: settlement exports checked against the policy (builder/audit, policy/settlement.py).

The samples in samples/settlement/ were made by builder/audit/generate.py from the engine, with
errors planted on some slips and listed beside them (`*-planted.csv`): the audit must report
exactly those, and nothing on a clean export.
"""
from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from decimal import Decimal

import pytest

from conftest import DATA, ROOT, run_cli

SAMPLES = ROOT / "samples" / "settlement"
CASES = [("zixi", SAMPLES / "zixi.csv"), ("jixian", SAMPLES / "jixian-gbk.csv")]


def _csv(path, encoding="utf-8-sig"):
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.reader(f))


def planted(export):
    return {(r[0], r[3], r[4], r[5]) for r in _csv(export.with_name(f"{export.stem}-planted.csv"))[1:]}


def findings(out):
    rows = _csv(out / "findings.csv")
    assert rows[0] == ["结算单号", "参保人编号", "项目", "应付", "实付", "差额", "依据"]
    return {(r[0], r[2], r[3], r[4]) for r in rows[1:]}


def audit(jid, files, out, *extra):
    return run_cli(["audit", "--jurisdiction", jid, *map(str, files), "--out", str(out), *extra])


@pytest.mark.parametrize("jid,export", CASES)
def test_sample_planted_errors_found_exactly(jid, export, tmp_path):
    code, _, err = audit(jid, [export], tmp_path)
    assert code == 0, err
    want = planted(export)
    assert want and findings(tmp_path) == want
    kinds = {r[2] for r in _csv(export.with_name(f"{export.stem}-planted.csv"))[1:]}
    expected_kinds = {"fund_not_paid", "wrong_level_ratio", "deductible_twice", "self_pay_too_high"}
    if jid == "zixi":  # jixian has no 10% ceiling layer to leave out
        expected_kinds.add("ceiling_not_applied")
    assert kinds == expected_kinds
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["slips_with_findings"] == len({w[0] for w in want})
    assert summary["slips_rejected"] == 0 and summary["rows"] == summary["slips_read"]
    assert sum(v["findings"] for v in summary["by_item"].values()) == len(want)
    assert len(_csv(tmp_path / "rejected.csv")) == 1  # the header only
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<svg" in html and "http" not in html.replace("http-equiv", "")  # nothing from outside hosts


def test_differences_and_rules(tmp_path):
    export = SAMPLES / "zixi.csv"
    audit("zixi", [export], tmp_path)
    rows = _csv(tmp_path / "findings.csv")[1:]
    for r in rows:
        assert Decimal(r[4]) - Decimal(r[3]) == Decimal(r[5])
    ceiling = [r for r in rows if r[2] == "财政兜底"]
    assert ceiling and all("10%" in r[6] and "自 2019-01-01 起" in r[6] for r in ceiling)
    basic = [r for r in rows if r[2] == "基本医疗保险"]
    assert basic and all("【示例数字】" in r[6] and "二(一)2" in r[6] for r in basic)


@pytest.mark.parametrize("jid,export", CASES)
def test_clean_export_no_finding(jid, export, tmp_path, jurisdictions):
    from builder.audit.generate import write
    clean = tmp_path / "clean.csv"
    assert write(jurisdictions[jid], clean, 2000, seed=7, plant_rate=0) == []
    code, _, err = audit(jid, [clean], tmp_path / "out")
    assert code == 0, err
    assert findings(tmp_path / "out") == set()
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["slips_read"] >= 2000 and summary["slips_with_findings"] == 0


def test_gbk_sample_is_gbk():
    raw = (SAMPLES / "jixian-gbk.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    assert "统筹基金支付" in raw.decode("gbk").splitlines()[0]  # a header settlement.yaml maps


def test_xlsx_read_like_csv(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    export = SAMPLES / "zixi.csv"
    rows = _csv(export, "utf-8")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(rows[0])
    money = {i for i, h in enumerate(rows[0]) if h not in ("结算单号", "参保人编号", "人员类别", "结算日期", "就诊类型",
                                                              "医院编号", "医院等级", "慢性病类别")}
    for r in rows[1:]:
        # what Excel holds: dates as dates, amounts as numbers (binary floats), empty cells as None
        sheet.append([None if v == "" else dt.date.fromisoformat(v) if i == 3 else float(v) if i in money else v
                      for i, v in enumerate(r)])
    book.save(tmp_path / "zixi.xlsx")
    code, _, err = audit("zixi", [tmp_path / "zixi.xlsx"], tmp_path / "out")
    assert code == 0, err
    assert findings(tmp_path / "out") == planted(export)


def test_bad_rows_rejected_and_listed(tmp_path):
    export = SAMPLES / "zixi.csv"
    rows = _csv(export, "utf-8")
    head = rows[0]
    col = head.index
    good = rows[1]

    def bad(**changes):
        r = list(good)
        for k, v in changes.items():
            r[col(k)] = v
        return r
    extra = [
        bad(结算单号="X1", 人员类别="村干部"),
        bad(结算单号="X2", 结算日期="2020-02-30"),
        bad(结算单号="X3", 医疗总费用=""),
        bad(结算单号="X4", 个人自付="12.345"),
        bad(结算单号="X5", 医疗总费用="100.00", 自费费用="200.00"),
        bad(结算单号="X6", 就诊类型="急诊"),
        bad(结算单号="X7", 参保人编号=""),
        list(good),  # the same 结算单号 as line 2
        bad(结算单号="X8", 结算日期="2005-06-01"),  # no policy in force yet: the person's other slips are audited
    ]
    path = tmp_path / "bad.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows + extra)
    code, _, err = audit("zixi", [path], tmp_path / "out")
    assert code == 1
    rejected = _csv(tmp_path / "out" / "rejected.csv")
    assert rejected[0] == ["行号", "列", "原因", "文件"]
    first = len(rows) + 1
    got = {(int(r[0]), r[1]) for r in rejected[1:]}
    assert got == {(first, "人员类别"), (first + 1, "结算日期"), (first + 2, "医疗总费用"), (first + 3, "个人自付"),
                   (first + 4, "医疗总费用"), (first + 5, "就诊类型"), (first + 6, "参保人编号"), (first + 7, "结算单号"),
                   (first + 8, "结算日期")}
    assert all(r[2] and r[3] == str(path) for r in rejected[1:])
    assert f"bad.csv 第 {first + 1} 行“结算日期”列：“2020-02-30”不是有效日期" in err
    # the rest is still audited, with the same findings
    assert findings(tmp_path / "out") == planted(export)
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["slips_rejected"] == 9 and summary["rows"] == len(rows) - 1 + 9


def test_unreadable_files_exit_2(tmp_path):
    export = SAMPLES / "zixi.csv"
    rows = _csv(export, "utf-8")
    missing = tmp_path / "missing.csv"
    with open(missing, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([[c for c in r if True][:3] + r[4:] for r in rows])  # no 结算日期
    code, _, err = audit("zixi", [missing], tmp_path / "o1")
    assert code == 2 and "missing.csv 第 1 行：缺少必需的列：结算日期" in err
    assert not (tmp_path / "o1" / "findings.csv").exists()
    broken = tmp_path / "broken.csv"
    broken.write_bytes(export.read_bytes() + b"\xff\xfe\xff,1,2\n")
    code, _, err = audit("zixi", [broken], tmp_path / "o2")
    assert code == 2 and "编码" in err and "broken.csv 第" in err
    fake = tmp_path / "fake.xlsx"
    fake.write_bytes(b"not a workbook")
    code, _, err = audit("zixi", [fake], tmp_path / "o3")
    assert code == 2 and "fake.xlsx" in err and ".xlsx" in err
    code, _, err = audit("zixi", [tmp_path / "nowhere.csv"], tmp_path / "o4")
    assert code == 2 and "找不到这个文件" in err
    code, _, err = audit("nosuch", [export], tmp_path / "o5")
    assert code == 2 and "nosuch" in err


def test_shards_merge_to_the_unsharded_result(tmp_path):
    export = SAMPLES / "jixian-gbk.csv"
    audit("jixian", [export], tmp_path / "all")
    dirs = []
    for k in (1, 2, 3):
        d = tmp_path / f"s{k}"
        code, _, err = audit("jixian", [export], d, "--shard", f"{k}/3")
        assert code == 0, err
        dirs.append(d)
    assert all(findings(d) != findings(tmp_path / "all") for d in dirs)  # each shard has only part
    code, _, err = run_cli(["audit", "--merge", *map(str, dirs), "--out", str(tmp_path / "merged")])
    assert code == 0, err
    assert findings(tmp_path / "merged") == findings(tmp_path / "all")
    whole = json.loads((tmp_path / "all" / "summary.json").read_text(encoding="utf-8"))
    merged = json.loads((tmp_path / "merged" / "summary.json").read_text(encoding="utf-8"))
    assert merged == whole
    code, _, err = run_cli(["audit", "--merge", str(dirs[0]), str(dirs[1]), "--out", str(tmp_path / "m2")])
    assert code == 2 and "1/N … N/N" in err


def test_settlement_yaml_checked(tmp_path, data_copy):
    (data_copy / "jixian" / "settlement.yaml").write_text(
        "columns:\n  - header: 统筹\n    means: 统筹基金\n", encoding="utf-8")
    code, _, err = run_cli(["audit", "--data", str(data_copy), "--jurisdiction", "jixian",
                            str(SAMPLES / "jixian-gbk.csv"), "--out", str(tmp_path / "o")])
    assert code == 2 and "settlement.yaml 第 2 行" in err and "统筹基金" in err
    (data_copy / "jixian" / "settlement.yaml").write_text("columns:\n  - header: 统筹\n    mean: x\n", encoding="utf-8")
    code, _, err = run_cli(["check", "--data", str(data_copy)])
    assert code == 1 and "settlement.yaml" in err


def test_check_passes_with_settlement_yaml():
    from policy.loader import load_jurisdiction
    j, problems = load_jurisdiction(DATA / "jixian", run_examples=False)
    assert problems == [] and j.settlement_columns[0]["header"] == "统筹基金支付"


def test_year_carries_across_files_and_hospitals(tmp_path):
    """Two files of the same year (two hospitals' exports): deductibles carry across them."""
    export = SAMPLES / "zixi.csv"
    rows = _csv(export, "utf-8")
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for path, part in ((a, rows[1::2]), (b, rows[2::2])):
        with open(path, "w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([rows[0], *part])
    code, _, err = audit("zixi", [b, a], tmp_path / "out")
    assert code == 0, err
    assert findings(tmp_path / "out") == planted(export)
    shutil.rmtree(tmp_path / "out")


FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def _spelled(text: str, how: int) -> str:
    """An amount "12345.60" as a hospital system or a person might write it instead."""
    if not text or text in ("0", "0.00"):
        return text
    yuan, cents = text.split(".")
    grouped = f"{int(yuan):,}.{cents}"
    return (f"￥{grouped}", f"{grouped}元", grouped.translate(FULL_WIDTH), f" {text}0 ",
            f"{Decimal(text) / 10000}万")[how % 5]


def test_amounts_read_by_the_one_rule(tmp_path):
    """"2万", "20,000.00", "￥…", "…元", full-width digits: the slips are read as the plain ones,
    with the same findings; an amount that is none is refused with parse_amount's message."""
    from policy.amounts import NOT_AMOUNT

    from builder.audit.columns import NEGATIVE
    export = SAMPLES / "zixi.csv"
    rows = _csv(export, "utf-8")
    head = rows[0]
    money = [i for i, h in enumerate(head) if h not in ("结算单号", "参保人编号", "人员类别", "结算日期", "就诊类型",
                                                         "医院编号", "医院等级", "慢性病类别")]
    spelled = [rows[0]] + [[_spelled(v, n + i) if i in money else v for i, v in enumerate(r)]
                           for n, r in enumerate(rows[1:])]
    assert any("万" in v for r in spelled for v in r) and any("，" in v for r in spelled for v in r)
    good = rows[1]
    total = head.index("医疗总费用")
    bad = [[*good[:total], "2万5", *good[total + 1:]], [*good[:total], "-100.00", *good[total + 1:]]]
    bad[0][0], bad[1][0] = "B1", "B2"
    path = tmp_path / "spelled.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(spelled + bad)
    code, _, err = audit("zixi", [path], tmp_path / "out")
    assert code == 1
    assert findings(tmp_path / "out") == planted(export)
    rejected = _csv(tmp_path / "out" / "rejected.csv")[1:]
    first = len(rows) + 1
    assert [(int(r[0]), r[1], r[2]) for r in rejected] == [
        (first, "医疗总费用", NOT_AMOUNT.format(text="2万5")), (first + 1, "医疗总费用", NEGATIVE)]
    assert f"spelled.csv 第 {first} 行“医疗总费用”列：“2万5”不是金额" in err


def test_quick_reading_agrees_with_the_full_check(jurisdictions):
    """Layout._quick (the plain rows) answers what Layout._full (every row) answers, or leaves
    the row to it: over the samples and rows changed in the ways exports differ."""
    from builder.audit.columns import Layout
    from policy.engine import Engine
    for jid, export in CASES:
        j = jurisdictions[jid]
        engine = Engine(j)
        from builder.audit.columns import header_map
        encoding = "gbk" if "gbk" in export.name else "utf-8"
        rows = _csv(export, encoding)
        layout = Layout(j, engine, rows[0], export, header_map(j, engine))
        variants = ["", " ", "0", "0.00", "00.50", "0.50", "1.5", "12", "12.345", "1,234.50", "2万", "-1.00", "１２.００",
                    "123456789.00", "1.00|2.00", "x", "2020-02-30", "2020-6-1", " 2020-06-01 ", "2005-06-01",
                    "inpatient", "住院", "急诊", "是", "否", "P1", "低保对象", "outpatient_chronic", "x" * 101]
        changed = [[*row[:i], v, *row[i + 1:]] for row in rows[1:9] for i in range(len(row)) for v in variants]
        quick = 0
        for n, cells in enumerate(rows[1:] + changed):
            fast = layout._quick(n, cells + [""])
            if fast is not None:
                quick += 1
                assert fast == layout._full(n, cells + [""]), (jid, cells)
        assert quick > len(rows)  # the plain rows do take the quick path
