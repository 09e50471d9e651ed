"""Peak memory and throughput of `calc --jsonl` against the array form, in one run.

    python benchmarks/calc_stream.py [--claims 1000000] [--array-claims 100000] [--runs 3] [--seed 1]

Writes random cases (the generator of calc_throughput.py: both sample jurisdictions, every
category, level and claim kind, 1–6 claims per person) to a JSON Lines file of `--claims`
claims, and the first `--array-claims` of them also as one JSON array (the array form refuses
more than 200,000 claims). Then runs the real command line, `build.py calc --no-explain
--no-compare` (the batch form), as a child process for each, output to /dev/null, and prints
its CPU time (claims per CPU second: wall time on a shared machine depends on the
neighbours), wall time and peak resident memory (VmHWM of the child, see benchmarks/peak_rss.py).

Goal (issue 13): 1 million claims through --jsonl at a peak RSS of at most 200 MB, and a
throughput no lower than the array form's.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from calc_throughput import random_cases  # noqa: E402
from peak_rss import run_measured  # noqa: E402

from policy.loader import load_all  # noqa: E402

RSS_GOAL_MB = 200


def run(args: list[str], stdin_path: Path) -> tuple[float, float, int, float]:
    """(CPU seconds, peak RSS in MB, exit code, wall seconds) of `build.py <args> < stdin_path > /dev/null`."""
    wall, peak, code, err, cpu = run_measured(ROOT / "build.py", args, stdin_path, ROOT)
    if code != 0:
        print(err[:2000])
    return cpu, peak, code, wall


def write_inputs(folder: Path, n_claims: int, n_array: int, seed: int) -> tuple[Path, Path, Path, int, int]:
    """The JSON Lines file, the array file (its first n_array claims), and the same cases as
    JSON Lines; returns the paths and the claim counts actually written."""
    jurisdictions, problems = load_all(ROOT / "policy_data", run_examples=False)
    assert not problems, problems
    rng = random.Random(seed)
    lines_path, array_path, small_lines = folder / "all.jsonl", folder / "array.json", folder / "array.jsonl"
    written = in_array = 0
    array_cases = []
    with open(lines_path, "w", encoding="utf-8") as out:
        while written < n_claims:
            chunk = random_cases(jurisdictions, min(20_000, n_claims - written), rng)
            for case in chunk:
                out.write(json.dumps(case, ensure_ascii=False) + "\n")
                if in_array < n_array:
                    array_cases.append(case)
                    in_array += len(case["claims"])
            written += sum(len(c["claims"]) for c in chunk)
    array_path.write_text(json.dumps(array_cases, ensure_ascii=False), encoding="utf-8")
    small_lines.write_text("".join(json.dumps(c, ensure_ascii=False) + "\n" for c in array_cases), encoding="utf-8")
    return lines_path, array_path, small_lines, written, in_array


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--claims", type=int, default=1_000_000)
    ap.add_argument("--array-claims", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    form = ["--no-explain", "--no-compare"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        lines_path, array_path, small_lines, n_all, n_array = write_inputs(
            folder, args.claims, args.array_claims, args.seed)
        one = folder / "one.jsonl"
        one.write_text(small_lines.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
        print(f"input: {n_all:,} claims as JSON Lines ({lines_path.stat().st_size / 1e6:.0f} MB); "
              f"{n_array:,} of them as one array ({array_path.stat().st_size / 1e6:.1f} MB)")
        start_cpu, start_rss, _, start_wall = run(["calc", "--jsonl", *form], one)
        print(f"start-up (load data, answer one case): CPU {start_cpu:.2f} s, wall {start_wall:.2f} s, "
              f"peak RSS {start_rss:.0f} MB")
        # The machine is shared: throughput is claims per CPU second of the child (wall time
        # depends on the neighbours), and the two forms on the same claims alternate, best of --runs.
        same = {"array": [], "jsonl": []}
        for _ in range(args.runs):
            for name, cmd, path in (("array", ["calc", *form], array_path),
                                    ("jsonl", ["calc", "--jsonl", *form], small_lines)):
                same[name].append(run(cmd, path))
        for name, label in (("array", "array form"), ("jsonl", "--jsonl   ")):
            cpu, _, code, wall = min(same[name])
            print(f"{label}, {n_array:,} claims: best of {args.runs}: CPU {cpu:6.2f} s ({n_array / cpu:7,.0f} claims "
                  f"per CPU second), wall {wall:6.2f} s, peak RSS {max(r[1] for r in same[name]):4.0f} MB, exit {code}")
        array_rate = n_array / min(same["array"])[0]
        jsonl_rate = n_array / min(same["jsonl"])[0]
        cpu, rss, code, wall = run(["calc", "--jsonl", *form], lines_path)
        print(f"--jsonl   , {n_all:,} claims: CPU {cpu:6.2f} s ({n_all / cpu:7,.0f} claims per CPU second), "
              f"wall {wall:6.2f} s, peak RSS {rss:4.0f} MB, exit {code}")
        print(f"--jsonl / array throughput on the same {n_array:,} claims: {jsonl_rate / array_rate:.2f}x; "
              f"--jsonl on {n_all:,} claims / array on {n_array:,}: {n_all / cpu / array_rate:.2f}x")
        print(f"goal: peak RSS <= {RSS_GOAL_MB} MB for {n_all:,} claims: {'met' if rss <= RSS_GOAL_MB else 'NOT met'}; "
              f"throughput >= array form: {'met' if jsonl_rate >= array_rate else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
