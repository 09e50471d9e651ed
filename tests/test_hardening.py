"""Issue 13: hostile and huge input to `check`, `calc` and `eligible` is refused cleanly, in
bounded time and memory. One test (or a small group) per numbered item of the issue; each
failed on the code before the fix. File-permission cases are in test_hardening_files.py, the
fuzz tests that keep each class fixed in test_hardening_fuzz.py.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
from conftest import DATA, ROOT
from test_calc_contract import DESIGN_CASE
from test_check_errors import plant

from builder.cli import respond
MAX_MESSAGES = 200  # policy.limits.MAX_MESSAGES, spelled out so this file also runs against the old code
from policy.loader import check_all, load_jurisdiction

CLAIM = DESIGN_CASE["claims"][0]


def with_claim(**fields):
    return {**DESIGN_CASE, "claims": [{**CLAIM, **fields}]}


def refused(service, text, command="calc"):
    """Run one input through the command-line path; assert exit 2 and return stderr as text."""
    code, out, errors = respond(command, service, text)
    assert code == 2 and out == "", (code, out[:200])
    assert errors and all(isinstance(e, str) for e in errors)
    return "\n".join(errors)


def build(*args, stdin=b"", timeout=60, **kwargs):
    kwargs.setdefault("stdout", subprocess.PIPE)
    kwargs.setdefault("stderr", subprocess.PIPE)
    return subprocess.run([sys.executable, "build.py", *args], cwd=ROOT, input=stdin, timeout=timeout, **kwargs)


def check_problems(folder):
    _, problems = load_jurisdiction(folder)
    return "\n".join(map(str, problems))


# ------------------------------------------------------------------ 1. huge numbers

@pytest.mark.parametrize("total", ['1e26', '123456789012345678901234567890', '1e999999999',
                                   '"123456789012345678901234567890"', '"' + "9" * 10_000_000 + '"'],
                         ids=["1e26", "30 digits", "1e999999999", "30-digit string", "10-million-digit string"])
def test_1_a_huge_amount_is_refused_before_any_arithmetic(service, total):
    text = json.dumps(with_claim(total="X")).replace('"X"', total)
    started = time.perf_counter()
    err = refused(service, text)
    assert time.perf_counter() - started < 5
    assert "total" in err or "数字" in err


@pytest.mark.parametrize("amount, phrase", [("1.0e+30", "不是有效的数字"), ("1.0e+15", "过大"),
                                            ("1" * 40, "不是普通的十进制数字")])
def test_1_a_huge_amount_in_the_data_is_a_problem_not_a_traceback(data_copy, amount, phrase):
    plant(data_copy, "zixi/jurisdiction.yaml", "      2019-01-01: 5000\n", f"      2019-01-01: {amount}\n")
    text = check_problems(data_copy / "zixi")
    assert "monitoring.self_pay_threshold.values.2019-01-01" in text and phrase in text


# ------------------------------------------------------------------ 2. lone surrogates

def test_2_a_lone_surrogate_in_an_echoed_string_is_refused(service):
    text = json.dumps(with_claim(id="X")).replace('"X"', '"\\ud800"')
    assert "\\ud800" in refused(service, text)
    # a proper pair (an emoji) is text and is echoed back
    code, out, _ = respond("calc", service, json.dumps(with_claim(id="X")).replace('"X"', '"\\ud83d\\ude00"'))
    assert code == 0 and "😀" in out


# ------------------------------------------------------------------ 3. dates are exactly YYYY-MM-DD

@pytest.mark.parametrize("date", ["2020-W01-1", "20200101", "2020-06-01T00:00", "2020-6-1", "9999-12-31"])
def test_3_only_yyyy_mm_dd_dates_are_accepted_in_input(service, date):
    assert "claims[0].date" in refused(service, json.dumps(with_claim(date=date)))


def test_3_only_yyyy_mm_dd_dates_are_accepted_in_data(data_copy):
    plant(data_copy, "zixi/jurisdiction.yaml", "      2019-01-01: 5000\n",
          "      - {from: 2019-W01-1, value: 5000}\n")
    text = check_problems(data_copy / "zixi")
    assert "2019-W01-1" in text and "YYYY-MM-DD" in text


# ------------------------------------------------------------------ 4. output that fails to write

CASE_BYTES = json.dumps(DESIGN_CASE).encode()


def test_4_a_full_disk_is_an_error_not_success():
    with open("/dev/full", "wb") as full:
        run = build("calc", stdin=CASE_BYTES, stdout=full, stderr=subprocess.PIPE)
    err = run.stderr.decode()
    assert run.returncode == 3 and "磁盘已满" in err and "Traceback" not in err


def test_4_a_closed_stdout_is_an_error_not_success():
    run = subprocess.run(f"{sys.executable} build.py calc >&-", shell=True, cwd=ROOT, input=CASE_BYTES,
                         capture_output=False, stderr=subprocess.PIPE, timeout=60)
    err = run.stderr.decode()
    assert run.returncode == 3 and "标准输出已关闭" in err and "Traceback" not in err


def test_4_a_reader_that_goes_away_is_an_error_not_success():
    batch = json.dumps([DESIGN_CASE] * 300)
    run = subprocess.run(f"{sys.executable} build.py calc | head -c 10 >/dev/null; exit ${{PIPESTATUS[0]}}",
                         shell=True, executable="/bin/bash", cwd=ROOT, input=batch.encode(),
                         stderr=subprocess.PIPE, timeout=60)
    err = run.stderr.decode()
    assert run.returncode == 3 and "管道" in err and "Traceback" not in err and "Exception" not in err


def test_4_check_says_it_passed_only_when_that_was_written():
    with open("/dev/full", "wb") as full:
        run = build("check", stdout=full, stderr=subprocess.PIPE)
    assert run.returncode == 3 and "磁盘已满" in run.stderr.decode()


def test_4_short_writes_are_continued_until_every_byte_is_out(monkeypatch, tmp_path):
    """The kernel may write less than asked (a pipe, or any write over 2 GiB); write_out must
    go on from where the last write stopped, never cut a character."""
    from builder import streams
    real_write = os.write
    monkeypatch.setattr(streams.os, "write", lambda fd, data: real_write(fd, bytes(data[:7])))
    text = "个人自付" * 10_000 + "完"
    with open(tmp_path / "out", "wb") as out:
        streams.write_out(text, out)
    assert (tmp_path / "out").read_bytes().decode("utf-8") == text


def test_4_more_than_2_gib_of_output_arrives_whole():
    """Over 2 GiB through a real pipe (Linux writes at most 2 GiB - 4 KiB per call): every byte
    arrives and the last character is whole."""
    import threading
    from builder import streams
    size = (1 << 31) + 3 * 1000  # just over 2 GiB, a whole number of 3-byte characters
    data = "医".encode() * (size // 3)
    read_fd, write_fd = os.pipe()
    try:  # a pipe of 1 MiB, not 64 KiB: a quarter of the CPU (the kernel's switches between the two ends)
        import fcntl
        fcntl.fcntl(write_fd, fcntl.F_SETPIPE_SZ, 1 << 20)
    except OSError:  # above this machine's /proc/sys/fs/pipe-max-size: the default pipe, only slower
        pass
    got = {"n": 0, "tail": b""}

    def drain():
        with os.fdopen(read_fd, "rb", buffering=0) as src:
            while chunk := src.read(1 << 20):
                got["n"] += len(chunk)
                got["tail"] = (got["tail"] + chunk[-6:])[-6:]  # not a copy of the whole chunk
    reader = threading.Thread(target=drain)
    reader.start()
    with os.fdopen(write_fd, "wb") as sink:
        streams.write_out(data, sink)
    reader.join(timeout=120)
    assert got["n"] == len(data) and got["tail"].decode("utf-8") == "医医"


# ------------------------------------------------------------------ 5. dates and ratios that overflow or hang

def test_5_a_far_future_until_is_a_problem_not_an_overflow(data_copy):
    plant(data_copy, "zixi/jurisdiction.yaml", "      2019-01-01: 5000\n",
          "      - {from: 2019-01-01, until: 9999-12-31, value: 5000}\n")
    text = check_problems(data_copy / "zixi")
    assert "9999-12-31" in text and "超出范围" in text


def test_5_a_far_future_holiday_is_a_problem_not_an_overflow(data_copy):
    cal = (data_copy / "zixi/calendar.yaml").read_text(encoding="utf-8")
    first = next(line for line in cal.splitlines() if "until: 20" in line)
    until = first.split("until: ")[1][:10]
    plant(data_copy, "zixi/calendar.yaml", first, first.replace(f"until: {until}", "until: 9999-12-31"))
    assert "9999-12-31" in check_problems(data_copy / "zixi")


@pytest.mark.parametrize("ratio, phrase", [("0.5e-100000", "不是有效的数字"), ("1.0e-999999999", "不是有效的数字"),
                                           ("0.1234567", "最多 6 位小数")])
def test_5_a_ratio_with_too_many_places_is_refused_quickly(data_copy, ratio, phrase):
    path = data_copy / "zixi/layers.yaml"
    layers = path.read_text(encoding="utf-8")
    path.write_text(layers.replace("township: {2019-01-01: 0.90}", f"township: {{2019-01-01: {ratio}}}", 1),
                    encoding="utf-8")
    started = time.perf_counter()
    text = check_problems(data_copy / "zixi")
    assert time.perf_counter() - started < 20
    assert phrase in text and "ratio.values.township.2019-01-01" in text


# ------------------------------------------------------------------ 6. recursive, deep and exploding YAML

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))


@pytest.mark.parametrize("text, phrase", [
    ("contacts: &a [*a]\n", "嵌套层数太多"),
    ("contacts: " + "[" * 990 + "]" * 990 + "\n", "嵌套层数太多"),
    ("contacts:\n" + BOMB.replace("\n", "\n  ").replace("a: &a", "  a: &a", 1), "太多"),
], ids=["recursive alias", "990 levels", "billion laughs, depth 9"])
def test_6_recursive_deep_or_exploding_yaml_is_one_problem_found_fast(data_copy, text, phrase):
    (data_copy / "zixi/contacts.yaml").write_text(text, encoding="utf-8")
    started = time.perf_counter()
    problems = check_problems(data_copy / "zixi")
    assert time.perf_counter() - started < 10
    assert "zixi/contacts.yaml" in problems and phrase in problems


@pytest.mark.parametrize("levels", [65, 500, 5_000])
def test_6_json_nested_deeper_than_the_limit_is_refused_with_the_limit(service, levels):
    text = json.dumps({**DESIGN_CASE, "note": "NESTED"}).replace('"NESTED"', "[" * levels + "]" * levels)
    errors = refused(service, text)
    assert "嵌套层数太多" in errors and "64" in errors


def test_6_json_nested_to_the_limit_is_read():
    from policy.jsoninput import parse_json
    value = parse_json("[" * 64 + "]" * 64)
    for _ in range(63):
        value = value[0]
    assert value == []


def test_6_four_hundred_nested_nots_are_refused_not_a_recursion_error(data_copy):
    path = data_copy / "zixi/programs.yaml"
    programs = path.read_text(encoding="utf-8")
    nested = "{not: " * 400 + "{category: [poor]}" + "}" * 400
    path.write_text(programs.replace("    when:\n      category: [poor]\n", f"    when: {nested}\n", 1),
                    encoding="utf-8")
    assert "嵌套层数太多" in check_problems(data_copy / "zixi")


def _die(folder):
    if folder.name == "zixi":
        os._exit(9)  # as the OOM killer would
    from policy.loader import CheckResult
    return CheckResult(folder.name, folder.name, 0, False, [])


def test_6_check_survives_a_worker_that_dies_and_names_its_jurisdiction(monkeypatch):
    import policy.loader
    monkeypatch.setattr(policy.loader, "_check_one", _die)
    started = time.perf_counter()
    results, _ = check_all(DATA, workers=2)
    assert time.perf_counter() - started < 30
    died = {r.id: r for r in results}["zixi"]
    assert died.problems and "zixi" in str(died.problems[0]) and "意外终止" in str(died.problems[0])


# ------------------------------------------------------------------ 8. links out of the data folder

def test_8_a_link_out_of_the_data_folder_is_not_followed_and_leaks_nothing(data_copy):
    (data_copy / "zixi/townships/p.yaml").symlink_to("/etc/passwd")
    (data_copy / "zixi/townships/k.yaml").symlink_to("/proc/kmsg")
    run = build("check", "--data", str(data_copy), timeout=60)
    err = run.stderr.decode()
    assert run.returncode == 1
    assert "root:" not in err and "/bin/" not in err
    assert sum("数据文件夹以外的链接" in line for line in err.splitlines()) == 2


# ------------------------------------------------------------------ 9. control characters in echoed values

def test_9_control_characters_in_input_cannot_forge_a_message_line(service):
    forged = "poverty\nclaims[0].total: 伪造的消息\x1b]0;title\x07\x1b[31m"
    text = json.dumps({**DESIGN_CASE, "person": {"category": forged}}, ensure_ascii=False)
    code, _, errors = respond("calc", service, text)
    assert code == 2 and len(errors) == 1
    assert "\n" not in errors[0] and "\x1b" not in errors[0] and "\x07" not in errors[0]
    assert "\\x0a" in errors[0] and "\\x1b" in errors[0]  # the same escapes as the browser engine


def test_9_control_characters_in_data_cannot_forge_a_message_line(data_copy):
    plant(data_copy, "zixi/contacts.yaml", "    role: bureau\n", '    role: "bureau\\nzixi/x.yaml:1: 伪造\\e[31m"\n')
    run = build("check", "--data", str(data_copy))
    err = run.stderr.decode()
    assert run.returncode == 1 and "\x1b" not in err
    assert not any(line.startswith("zixi/x.yaml") for line in err.splitlines())


# ------------------------------------------------------------------ 10. eligible has limits too

def test_10_eligible_refuses_more_people_than_its_limit_in_one_message(service):
    person = {"jurisdiction": "zixi", "date": "2020-06-01", "person": {"category": "poverty"}}
    err = refused(service, json.dumps([person] * 10_001), "eligible")
    assert "10,000" in err and err.count("\n") == 0


def test_10_a_flood_of_empty_cases_is_one_message(service):
    started = time.perf_counter()
    for command in ("calc", "eligible"):
        err = refused(service, "[" + ",".join(["[]"] * 1_000_000) + "]", command)
        assert err.count("\n") == 0
    assert time.perf_counter() - started < 20


# ------------------------------------------------------------------ 11. messages stop at 200, with the total

def test_11_calc_prints_at_most_200_messages_then_the_total(cli):
    bad = {**DESIGN_CASE, "person": {"category": "rich"}}
    code, out, err = cli(["calc"], json.dumps([bad] * 5_000))
    lines = err.strip().splitlines()
    assert code == 2 and out == ""
    assert len(lines) == MAX_MESSAGES + 1 and "共 5,000 个" in lines[-1]


def test_11_check_prints_at_most_200_problems_then_the_total(data_copy):
    (data_copy / "zixi/contacts.yaml").write_text("contacts:\n" + "  - {}\n" * 20_000, encoding="utf-8")
    run = build("check", "--data", str(data_copy))
    lines = run.stderr.decode().strip().splitlines()
    assert run.returncode == 1 and len(lines) < MAX_MESSAGES + 10
    assert "共 80,000 个" in run.stderr.decode()  # four required fields in each of 20,000 entries


# ------------------------------------------------------------------ 13. messages in Chinese, no Python reprs

def test_13_a_bom_on_stdin_is_accepted(cli):
    code, _, err = cli(["calc"], "\ufeff" + json.dumps(DESIGN_CASE))
    assert (code, err) == (0, "")


@pytest.mark.parametrize("text, where", [
    ('{"a": 1} {"b": 2}', "第 1 行第 10 列"), ('{"a": 1,\n }', "第 2 行第 2 列"), ('{"a" 1}', "第 1 行第 6 列"),
    ('{"a": "x\ty"}', "第 1 行"), ('[1, 2', "第 1 行"),
])
def test_13_json_syntax_errors_are_explained_in_chinese_with_the_position(service, text, where):
    err = refused(service, text)
    assert where in err and "字节" in err
    assert not any(word in err for word in ("Expecting", "Extra data", "Unterminated", "Invalid", "char"))


@pytest.mark.parametrize("case, absent", [
    ({**DESIGN_CASE, "person": {"category": ["zixi"]}}, "['zixi']"),
    ({**DESIGN_CASE, "jurisdiction": {"a": 1}}, "{'a': 1}"),
    (with_claim(kind=None), "“None”"),
    ([1], "[0].:"),
])
def test_13_no_python_reprs_in_messages(service, case, absent):
    err = refused(service, json.dumps(case))
    assert absent not in err


# ------------------------------------------------------------------ 14. one spelling for each thing

def test_13_odd_field_names_are_quoted_in_the_field_path(service):
    """Found by the fuzz test: a field named ":" gave the path `claims[0].::`."""
    errors = refused(service, json.dumps({**DESIGN_CASE, "claims": [{**CLAIM, ":": 1, "a.b": 2, "": 3}]}))
    assert "claims[0].“:”: 不认识的字段“:”" in errors and "claims[0].“a.b”:" in errors
    assert "claims[0].“”:" in errors and "[0].::" not in errors


def test_14_duplicate_json_keys_are_refused(service):
    text = json.dumps(with_claim(total="X")).replace('"total": "X"', '"total": "100", "total": "200"')
    assert "total" in refused(service, text) and "不止一次" in refused(service, text)


def test_14_yaml_money_in_hex_or_octal_is_refused(data_copy):
    plant(data_copy, "zixi/jurisdiction.yaml", "      2019-01-01: 5000\n", "      2019-01-01: 0x10\n")
    text = check_problems(data_copy / "zixi")
    assert "0x10" in text and "十进制" in text


def test_14_a_quoted_date_key_is_a_date(data_copy):
    plant(data_copy, "zixi/jurisdiction.yaml", "      2019-01-01: 5000\n", '      "2019-01-01": 5000\n')
    assert check_problems(data_copy / "zixi") == ""


# ------------------------------------------------------------------ 15. say what was found

def test_15_a_directory_or_a_fifo_is_named_for_what_it_is(data_copy):
    (data_copy / "zixi/contacts.yaml").unlink()
    (data_copy / "zixi/contacts.yaml").mkdir()
    (data_copy / "zixi/calendar.yaml").unlink()
    os.mkfifo(data_copy / "zixi/calendar.yaml")
    (data_copy / "zixi/levels.yaml").unlink()
    (data_copy / "zixi/levels.yaml").symlink_to(data_copy / "zixi/levels.yaml")
    text = check_problems(data_copy / "zixi")
    assert "contacts.yaml: 这里应是一个文件，却是一个文件夹" in text
    assert "calendar.yaml: 这是一个管道" in text
    assert "levels.yaml: 链接形成了循环" in text


def test_15_a_gbk_file_names_the_first_bad_byte(data_copy):
    path = data_copy / "zixi/contacts.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_bytes(text.encode("gbk"))
    first = next(i for i, (a, b) in enumerate(zip(text.encode("utf-8"), text.encode("gbk"))) if a != b)
    assert f"第 {first + 1} 个字节" in check_problems(data_copy / "zixi")


def test_15_eligible_refuses_a_date_before_any_policy(service):
    case = {"jurisdiction": "zixi", "date": "1901-01-01", "person": {"category": "poverty"}}
    err = refused(service, json.dumps(case), "eligible")
    assert "date" in err and "早于" in err
    err = refused(service, json.dumps({**case, "date": "0001-01-01"}), "eligible")
    assert "超出范围" in err
