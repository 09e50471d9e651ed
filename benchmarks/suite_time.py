"""The suite's wall time as `scripts/test.sh` runs it (pytest-xdist, a worker per core and one more).

    python benchmarks/suite_time.py [--serial] [pytest arguments...]

Runs the pytest command of scripts/test.sh (set-up and `check` are not timed) and prints its
wall time beside the goal (≤ 3 min on a quiet 2-core machine) with the load average before and
after. `--serial` also runs the same tests one after the other (TEST_WORKERS=1), in the same
run, and prints the ratio. The last lines of each pytest run are shown (the pass counts).
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_S = 180


def timed(workers: str, extra: list[str]) -> tuple[float, str, int]:
    args = [str(ROOT / ".venv" / "bin" / "python"), "-m", "pytest", "-q", *extra]
    if workers != "1":
        args[4:4] = ["-n", workers, "--dist", "loadfile"]  # as scripts/test.sh
    start = time.monotonic()
    run = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    tail = "\n".join(run.stdout.strip().splitlines()[-2:])
    return time.monotonic() - start, tail, run.returncode


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    serial = "--serial" in sys.argv[1:]
    extra = [a for a in sys.argv[1:] if a != "--serial"]
    print(f"load average before: {load()} ({os.cpu_count()} cores)")
    seconds, tail, code = timed(os.environ.get("TEST_WORKERS") or str((os.cpu_count() or 1) + 1), extra)
    print(tail)
    print(f"suite, in parallel        {seconds:7.1f} s   goal ≤ {GOAL_S} s (quiet machine)   "
          f"{'met' if seconds <= GOAL_S else 'NOT met'}   load after: {load()}")
    if serial:
        base, tail, code2 = timed("1", extra)
        print(tail)
        print(f"suite, one after another  {base:7.1f} s   parallel / serial {seconds / base:.2f}   load after: {load()}")
        code = code or code2
    return code


if __name__ == "__main__":
    sys.exit(main())
