"""The slip check answers the same in the browser (site/calculator/settlement.mjs) as in Python
(policy/settlement.py run_check): ≥ 5,000 generated slips per sample jurisdiction, about one in
six with a planted difference of each kind (builder/audit/generate.py), plus refusals."""
from __future__ import annotations

import json
import shutil
import subprocess

import orjson
import pytest
from conftest import ROOT

from builder.audit.generate import check_cases
from builder.calcdata import write_policy_json
from policy.cases import parse_json
from policy.problems import InputError
from policy.settlement import run_check

CLI = ROOT / "site" / "calculator" / "settlement-cli.mjs"
SLIPS = 5_000
pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")

REFUSED = [
    {"jurisdiction": "zixi", "person": {"category": "poverty"}, "slips": []},
    {"jurisdiction": "zixi", "person": {"category": "poverty"},
     "slips": [{"date": "2020-06-01", "kind": "inpatient", "hospital_level": "county", "total": "100.00",
                "paid": {"nosuch": "1.00", "basic": "1.234"}}]},
    {"jurisdiction": "zixi", "person": {"category": "poverty"},
     "slips": [{"date": "2020-06-01", "kind": "inpatient", "hospital_level": "county", "total": "100.00",
                "self_pay": "-1"}]},
    {"jurisdiction": "zixi", "person": {"category": "poverty"},
     "slips": [{"date": "1990-06-01", "kind": "inpatient", "hospital_level": "county", "total": "100.00",
                "self_pay": "1"}]},
]


def python(service, line: bytes):
    try:
        return run_check(service, parse_json(line), explain=False)
    except InputError as exc:
        return {"errors": exc.problems}


@pytest.mark.parametrize("jid", ["zixi", "jixian"])
def test_python_and_browser_agree(jid, jurisdictions, service, tmp_path):
    policy = write_policy_json(jurisdictions[jid], tmp_path / "policy.json", "test")
    refused = [{**c, "jurisdiction": jid} for c in REFUSED]
    cases = list(check_cases(jurisdictions[jid], SLIPS, seed=11, plant_rate=0.15)) + refused
    assert sum(len(c["slips"]) for c in cases) >= SLIPS
    lines = [orjson.dumps(c) for c in cases]
    proc = subprocess.run(["node", str(CLI), "--policy", str(policy)], input=b"\n".join(lines) + b"\n",
                          capture_output=True, timeout=600, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr.decode()
    answers = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    assert len(answers) == len(lines)
    differing = with_findings = 0
    for line, js in zip(lines, answers):
        py = python(service, line)
        if "errors" in js:
            js = {"errors": js["errors"]}
        if py != js:
            differing += 1
            assert py == js, line.decode()
        with_findings += sum(1 for s in py.get("slips", ()) if s["differences"])
    assert differing == 0
    assert with_findings > SLIPS // 20  # the planted differences were there to find
    assert all("errors" in python(service, orjson.dumps(c)) for c in refused)
