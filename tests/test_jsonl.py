"""`calc --jsonl` / `eligible --jsonl`: one case per line in, one answer per line out, in
bounded memory (issue 13, item 12; benchmarks/calc_stream.py measures a million claims)."""
from __future__ import annotations

import json
import sys

from conftest import ROOT
from test_calc_contract import DESIGN_CASE

sys.path.insert(0, str(ROOT / "benchmarks"))
from peak_rss import run_measured  # noqa: E402

GENERAL = {**DESIGN_CASE, "person": {"category": "general"}}


def lines(cases) -> str:
    return "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in cases)


def test_each_line_is_answered_on_its_own_line_exactly_as_the_array_form_answers(cli):
    cases = [DESIGN_CASE, GENERAL, DESIGN_CASE]
    code, out, err = cli(["calc", "--jsonl", "--no-explain"], lines(cases))
    assert (code, err) == (0, "")
    answers = [json.loads(line) for line in out.splitlines()]
    _, array_out, _ = cli(["calc", "--no-explain"], json.dumps(cases))
    assert answers == json.loads(array_out)


def test_a_bad_line_is_answered_with_its_errors_and_the_others_are_still_computed(cli):
    bad = {**DESIGN_CASE, "person": {"category": "rich"}}
    text = lines([DESIGN_CASE]) + "\n" + lines([bad]) + "{not json\n" + "[1]\n" + lines([GENERAL])
    code, out, err = cli(["calc", "--jsonl"], text)
    assert code == 2
    out_lines = [json.loads(line) for line in out.splitlines()]
    assert len(out_lines) == 5  # the blank line is skipped, every other line has its answer
    assert out_lines[0]["claims"][0]["self_pay"] == "927.30" and out_lines[4]["category"] == "general"
    assert out_lines[1] == {"line": 3, "errors": [out_lines[1]["errors"][0]]}
    assert "person.category" in out_lines[1]["errors"][0]
    assert out_lines[2]["line"] == 4 and "JSON" in out_lines[2]["errors"][0]
    assert out_lines[3]["line"] == 5 and "对象" in out_lines[3]["errors"][0]
    assert "第 3 行：person.category" in err and "5 行中有 3 行无法计算" in err


def test_eligible_streams_too(cli):
    case = {"jurisdiction": "zixi", "date": "2020-06-01", "person": {"category": "poverty", "age": 70}}
    code, out, err = cli(["eligible", "--jsonl"], lines([case, case]))
    assert (code, err) == (0, "")
    assert [json.loads(line)["date"] for line in out.splitlines()] == ["2020-06-01"] * 2


def test_an_over_long_line_is_refused_and_reading_goes_on(cli):
    huge = json.dumps({**DESIGN_CASE, "pad": "x" * (1024 * 1024 + 10)})
    code, out, _ = cli(["calc", "--jsonl", "--no-explain"], huge + "\n" + lines([DESIGN_CASE]))
    first, second = [json.loads(line) for line in out.splitlines()]
    assert code == 2 and "太长" in first["errors"][0] and second["claims"]


def _peak_rss_mb(n_lines: int, tmp_path) -> float:
    """Peak resident memory of `calc --jsonl` over n copies of the design case."""
    source = tmp_path / f"in{n_lines}.jsonl"
    source.write_bytes((json.dumps(DESIGN_CASE) + "\n").encode() * n_lines)
    _, peak, code, err, _ = run_measured(ROOT / "build.py", ["calc", "--jsonl", "--no-explain", "--no-compare"],
                                      source, ROOT)
    assert code == 0, err
    return peak


def test_memory_does_not_grow_with_the_number_of_lines(tmp_path):
    small, large = _peak_rss_mb(500, tmp_path), _peak_rss_mb(20_000, tmp_path)
    assert 20 < small < 200 and large - small < 10, (small, large)  # 40 times the lines, the same memory
