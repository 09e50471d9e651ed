"""The browser calculator: download size, recompute time and throughput next to Python.

    python benchmarks/calculator.py [--claims 100000] [--runs 3] [--seed 1]

Prints, for each jurisdiction, the gzip size of what the calculator page downloads — its
JavaScript (engine.js built from site/calculator/*.mjs, page.js, calculator.js) and the
jurisdiction's policy.json — against the goal of 30 KB together; the median time of one
recompute of a 10-claim year in the browser engine under Node (goal: 1 ms); and claims per
second of the JavaScript engine and of the Python engine on the same batch of claims (the
random batch of benchmarks/calc_throughput.py), each timed in its own process the same way:
JSON text in, answer text out (`calc --no-explain --no-compare`), data already loaded.
"""
from __future__ import annotations

import argparse
import gzip
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from calc_throughput import random_cases  # noqa: E402

from builder.calculator_pages import write_pages  # noqa: E402
from builder.cli import respond  # noqa: E402
from policy.cases import Service  # noqa: E402
from policy.loader import load_all  # noqa: E402
from builder.version import data_version  # noqa: E402

SIZE_GOAL_KB, RECOMPUTE_GOAL_MS = 30, 1.0
PAGE_JS = ("engine.js", "page.js", "calculator.js")


def gz(data: bytes) -> int:
    return len(gzip.compress(data, 9))


def ten_claim_year() -> dict:
    """A poor resident's 2020: admissions at every level, chronic and general outpatient care."""
    rows = [("2020-01-15", "inpatient", "township", "3200.00"),
            ("2020-02-20", "outpatient_general", "township", "180.50"),
            ("2020-03-05", "inpatient", "county", "20000.00"), ("2020-04-18", "outpatient_chronic", "county", "950.00"),
            ("2020-05-30", "inpatient", "city", "86000.55"), ("2020-06-11", "outpatient_chronic", "township", "420.00"),
            ("2020-07-04", "inpatient", "outside", "150000.00"),
            ("2020-08-19", "outpatient_general", "county", "260.00"),
            ("2020-10-02", "inpatient", "county", "12345.67"), ("2020-12-24", "outpatient_chronic", "city", "3210.07")]
    claims = []
    for date, kind, level, total in rows:
        claim = {"date": date, "kind": kind, "hospital_level": level, "total": total}
        if kind == "outpatient_chronic":
            claim["chronic_class"] = "class1"
        if kind == "outpatient_general":
            claim["class_b"] = "50.00"
        if kind == "inpatient":
            claim["out_of_catalog_necessary"] = "500.00"
        claims.append(claim)
    return {"jurisdiction": "zixi", "person": {"category": "poverty"}, "claims": claims}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    jurisdictions, problems = load_all(ROOT / "policy_data", run_examples=False)
    if problems:
        print("\n".join(map(str, problems)), file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        policies = []
        print("Size (gzip -9) of what the calculator page downloads; goal ≤ 30 KB together:")
        for jid, j in jurisdictions.items():
            docs = tmp / jid
            write_pages(j, docs, data_version(j.folder))
            assets = docs / "assets" / "calculator"
            js = b"".join((assets / name).read_bytes() for name in PAGE_JS)
            data = (docs / "data" / "policy.json").read_bytes()
            total = gz(js) + gz(data)
            print(f"  {jid:8} JavaScript {gz(js) / 1024:5.1f} KB ({len(js) / 1024:.0f} KB raw) + policy.json "
                  f"{gz(data) / 1024:5.1f} KB ({len(data) / 1024:.0f} KB raw) = {total / 1024:5.1f} KB "
                  f"{'(goal met)' if total <= SIZE_GOAL_KB * 1024 else '(over the goal)'}")
            policies += ["--policy", str(docs / "data" / "policy.json")]
        cases = random_cases(jurisdictions, args.claims, random.Random(args.seed))
        n_claims = sum(len(c["claims"]) for c in cases)
        text = json.dumps(cases, ensure_ascii=False)
        (tmp / "batch.json").write_text(text, encoding="utf-8")
        (tmp / "year.json").write_text(json.dumps(ten_claim_year(), ensure_ascii=False), encoding="utf-8")
        done = subprocess.run(["node", str(ROOT / "benchmarks" / "calculator_node.mjs"), *policies,
                               "--batch", str(tmp / "batch.json"), "--year", str(tmp / "year.json"),
                               "--runs", str(args.runs)], capture_output=True, text=True, check=True)
        node = json.loads(done.stdout)
        service = Service(jurisdictions)
        python_runs, answers = [], None
        for _ in range(args.runs):
            t0 = time.perf_counter()
            code, out, _ = respond("calc", service, text, explain=False, compare=False)
            python_runs.append(time.perf_counter() - t0)
            assert code == 0
            answers = out
    warm, cold = node["warm_ms"], node["cold_ms"]
    version = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    verdict = "(goal met)" if warm <= RECOMPUTE_GOAL_MS else "(over the goal)"
    print(f"One recompute of a 10-claim year (validate + compute with explanations), median of 2,000, "
          f"Node {version}; goal ≤ {RECOMPUTE_GOAL_MS} ms:")
    print(f"  engine in use (as on the page) {warm:.3f} ms {verdict}; new engine each time {cold:.3f} ms")
    js_rate = n_claims / (statistics.median(node["batch_ms"]) / 1000)
    py_rate = n_claims / statistics.median(python_runs)
    print(f"Throughput on the same {n_claims:,} claims ({len(cases):,} cases), median of {args.runs} runs, "
          "JSON text in → answer text out, no explanations, no comparison:")
    print(f"  JavaScript engine {js_rate:10,.0f} claims/s   (best {n_claims / (min(node['batch_ms']) / 1000):,.0f})")
    print(f"  Python engine     {py_rate:10,.0f} claims/s   (best {n_claims / min(python_runs):,.0f})   "
          f"JavaScript/Python = {js_rate / py_rate:.2f}")
    print(f"  (answer {len(answers) / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
