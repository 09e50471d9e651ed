"""`build.py audit` on a county's year: wall time, peak memory, and its cost against the bare engine.

    python benchmarks/audit.py [--slips 1000000] [--jurisdiction zixi] [--seed 1] [--keep DIR]

Writes a settlement export of `--slips` slips (builder/audit/generate.py: about 2.4 slips a
person, so ~400,000 people for a million; `--plant-rate` of them, 1% by default, with a planted
error; rows shuffled in blocks of 100,000) and the same claims as `calc --jsonl` input, one person a line. Then, each as a child
process (peak RSS = its VmHWM, benchmarks/peak_rss.py):

  1. `calc --jsonl --no-explain --no-compare` on the claims            (the baseline, one core)
  2. `audit --jurisdiction J export.csv --out D`                        (one core: the ratio)
  3. `audit --shard 1/2` and `--shard 2/2` at once, then `audit --merge` (both cores: the wall goal)

and prints the figures beside the goals (issue 24): 1,000,000 slips in ≤ 60 s wall with both
cores, peak memory ≤ 500 MB, audit ≤ 1.5× the bare engine (CPU seconds, same claims, same run).
With fewer slips the per-slip figures are extrapolated to a million, and it says so. The load
average is printed beside every figure: the machine may be shared.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from peak_rss import run_measured  # noqa: E402

WALL_GOAL_S, RSS_GOAL_MB, RATIO_GOAL, GOAL_SLIPS = 60.0, 500.0, 1.5, 1_000_000


def load() -> str:
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def measured(args, stdin=os.devnull):
    wall, peak, code, err, cpu = run_measured(ROOT / "build.py", args, Path(stdin), ROOT)
    if code not in (0, 1):
        raise SystemExit(f"build.py {' '.join(args)} failed ({code}):\n{err[:3000]}")
    return wall, peak, cpu


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--slips", type=int, default=GOAL_SLIPS)
    ap.add_argument("--jurisdiction", default="zixi")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--plant-rate", type=float, default=0.01,
                    help="share of slips given an error (each costs an explained recomputation of its person)")
    ap.add_argument("--keep", type=Path, help="write the inputs and outputs here (default: a temporary folder)")
    a = ap.parse_args(argv)
    from builder.audit.generate import write
    from policy.loader import load_jurisdiction

    j, problems = load_jurisdiction(ROOT / "policy_data" / a.jurisdiction, run_examples=False)
    assert not problems, problems
    with tempfile.TemporaryDirectory() as tmp:
        folder = a.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        export, cases = folder / "export.csv", folder / "cases.jsonl"
        started = time.perf_counter()
        planted = write(j, export, a.slips, a.seed, a.plant_rate, cases_path=cases, block=100_000)
        print(f"inputs: {a.slips:,} slips ({export.stat().st_size / 1e6:.0f} MB CSV), {len({p[0] for p in planted}):,} "
              f"with a planted error, in {time.perf_counter() - started:.0f} s  [{load()}]")

        calc = measured(["calc", "--jsonl", "--no-explain", "--no-compare"], cases)
        print(f"calc --jsonl --no-explain --no-compare: {calc[0]:.1f} s wall, {calc[2]:.1f} s CPU, "
              f"peak {calc[1]:.0f} MB  [{load()}]")
        one = measured(["audit", "--jurisdiction", a.jurisdiction, str(export), "--out", str(folder / "one")])
        print(f"audit, one process:                     {one[0]:.1f} s wall, {one[2]:.1f} s CPU, "
              f"peak {one[1]:.0f} MB  [{load()}]")

        results = {}

        def shard(k):
            results[k] = measured(["audit", "--jurisdiction", a.jurisdiction, str(export), "--out",
                                   str(folder / f"shard{k}"), "--shard", f"{k}/2"])
        started = time.perf_counter()
        threads = [threading.Thread(target=shard, args=(k,)) for k in (1, 2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        merge = measured(["audit", "--merge", str(folder / "shard1"), str(folder / "shard2"), "--out", str(folder / "two")])
        two_wall = time.perf_counter() - started
        two_peak = max(results[1][1], results[2][1], merge[1])
        print(f"audit, two shards at once + merge:      {two_wall:.1f} s wall (merge {merge[0]:.1f} s), "
              f"peak {two_peak:.0f} MB per process  [{load()}]")
        same = _same_findings(folder / "one", folder / "two")

        scale = GOAL_SLIPS / a.slips
        note = "" if a.slips >= GOAL_SLIPS else f" (extrapolated ×{scale:g} from {a.slips:,} slips)"
        ratio = one[2] / calc[2]
        print()
        print(f"{'figure':<44}{'measured':>14}{'goal':>12}")
        print(f"{'wall, 1,000,000 slips, both cores' + note:<44}{two_wall * scale:>12.1f} s{WALL_GOAL_S:>10.0f} s"
              f"  {'ok' if two_wall * scale <= WALL_GOAL_S else 'OVER'}")
        print(f"{'peak memory per process':<44}{max(one[1], two_peak):>11.0f} MB{RSS_GOAL_MB:>9.0f} MB"
              f"  {'ok' if max(one[1], two_peak) <= RSS_GOAL_MB else 'OVER'}")
        print(f"{'audit CPU / bare engine CPU, same claims':<44}{ratio:>13.2f}×{RATIO_GOAL:>11.1f}×"
              f"  {'ok' if ratio <= RATIO_GOAL else 'OVER'}")
        print(f"{'audit wall / bare engine wall':<44}{one[0] / calc[0]:>13.2f}×")
        print(f"(sharded findings.csv and summary.json {'equal to' if same else 'DIFFERENT from'} the single run's)"
              f"  [{load()}]")
    return 0


def _same_findings(one: Path, two: Path) -> bool:
    """The same findings (merge lists them shard by shard, so in another order) and the same summary."""
    def rows(d):
        return sorted((d / "findings.csv").read_text(encoding="utf-8-sig").splitlines())
    return rows(one) == rows(two) and (one / "summary.json").read_bytes() == (two / "summary.json").read_bytes()


if __name__ == "__main__":
    raise SystemExit(main())
