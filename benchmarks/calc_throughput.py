"""Claims per second through `calc`, in one process.

    python benchmarks/calc_throughput.py [--claims 100000] [--seed 1]

Builds a batch of random cases (both sample jurisdictions, every category, level and claim
kind, 1–6 claims per person over 2019–2020) as JSON text, then times exactly what
`build.py calc` does with it (`builder.cli.respond`: parse the JSON, validate, compute,
serialise the answer) in its three forms: with explanations (the default); `--no-explain`;
and `--no-explain --no-compare`, the batch form without the general-resident comparison.
Each is set against a baseline measured in the same run: reading and writing the same JSON
alone, the floor any implementation pays. Goal: at least 20,000 claims/s.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import sys
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from builder.cli import respond  # noqa: E402
from policy.cases import Service, parse_json  # noqa: E402
from policy.loader import load_all  # noqa: E402

GOAL = 20_000


def random_cases(jurisdictions, n_claims: int, rng: random.Random) -> list[dict]:
    cases, made = [], 0
    start = dt.date(2019, 1, 1)
    while made < n_claims:
        j = rng.choice(list(jurisdictions.values()))
        count = min(rng.randint(1, 6), n_claims - made)
        claims = []
        for _ in range(count):
            kind = rng.choices(["inpatient", "outpatient_general", "outpatient_chronic"], [6, 2, 2])[0]
            levels = list(j.levels)
            if kind != "inpatient":
                levels = [lv for lv in levels if lv in ("township", "county")] or levels
            total = rng.randint(1_000, 30_000_000 if kind == "inpatient" else 300_000)  # fen
            ooc = rng.randint(0, total // 5)
            sf = rng.randint(0, (total - ooc) // 5)
            claim = {"date": (start + dt.timedelta(days=rng.randint(0, 729))).isoformat(),
                     "kind": kind, "hospital_level": rng.choice(levels),
                     "total": f"{total / 100:.2f}", "out_of_catalog_necessary": f"{ooc / 100:.2f}",
                     "self_funded": f"{sf / 100:.2f}"}
            if kind == "outpatient_chronic":
                claim["chronic_class"] = rng.choice(list(j.chronic_classes))
            if kind == "outpatient_general":
                claim["class_b"] = f"{rng.randint(0, (total - ooc - sf) // 2) / 100:.2f}"
            claims.append(claim)
        cases.append({"jurisdiction": j.id, "person": {"category": rng.choice(list(j.categories))},
                      "claims": claims})
        made += count
    return cases


def timed(fn, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)
    jurisdictions, problems = load_all(ROOT / "policy_data", run_examples=False)
    if problems:
        print("\n".join(map(str, problems)))
        return 1
    cases = random_cases(jurisdictions, args.claims, random.Random(args.seed))
    text = json.dumps(cases, ensure_ascii=False)
    n = sum(len(c["claims"]) for c in cases)

    def floor():  # read the input as calc does, write it back as calc writes
        orjson.dumps(parse_json(text), default=str)

    def full(explain, compare=True):
        service = Service(jurisdictions)  # a fresh process would start like this
        code, out, _ = respond("calc", service, text, explain, compare)  # exactly what `build.py calc` runs
        assert code == 0 and out

    print(f"batch: {len(cases)} cases, {n} claims, {len(text) / 1e6:.1f} MB of JSON")
    base_best, base_med = timed(floor, args.runs)
    print(f"baseline (JSON parse + dump only): best {base_best:.2f} s, median {base_med:.2f} s, "
          f"{n / base_best:,.0f} claims/s")
    forms = [(True, True, "calc (with explanations)"), (False, True, "calc --no-explain"),
             (False, False, "calc --no-explain --no-compare (batch form)")]
    for explain, compare, label in forms:
        best, med = timed(lambda: full(explain, compare), args.runs)
        rate = n / best
        print(f"{label}: best {best:.2f} s, median {med:.2f} s, {rate:,.0f} claims/s "
              f"({best / base_best:.1f}x the baseline); goal {GOAL:,} claims/s: "
              f"{'met' if rate >= GOAL else 'NOT met'}")
    phases(jurisdictions, text, n)
    return 0


def phases(jurisdictions, text, n):
    """Where the --no-explain time goes, stage by stage (one run each)."""
    import gc

    from policy.cases import _answer, parse_calc_case

    service = Service(jurisdictions)
    gc.disable()  # as `respond` does
    t0 = time.perf_counter()
    data = parse_json(text)
    t1 = time.perf_counter()
    parsed = [parse_calc_case(service, case, "") for case in data]
    t2 = time.perf_counter()
    for jid, person, claims in parsed:
        service.engine(jid).compute(person.category, claims, explain=False)
    t3 = time.perf_counter()
    answers = [_answer(service, jid, person, claims, False) for jid, person, claims in parsed]
    t4 = time.perf_counter()
    orjson.dumps(answers)
    t5 = time.perf_counter()
    gc.enable()
    print(f"--no-explain stages: JSON parse {t1 - t0:.2f} s, validate {t2 - t1:.2f} s, "
          f"engine {t3 - t2:.2f} s ({n / (t3 - t2):,.0f} claims/s), "
          f"engine + general-resident comparison {t4 - t3:.2f} s, JSON dump {t5 - t4:.2f} s")


if __name__ == "__main__":
    sys.exit(main())
