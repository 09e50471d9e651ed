"""The suite's wall time as `scripts/test.sh` runs it (pytest-xdist, a worker per core and one more).

    python benchmarks/suite_time.py [--serial] [pytest arguments...]

Runs the pytest command of scripts/test.sh (set-up and `check` are not timed) and prints its
wall time beside the goal (≤ 3 min on a quiet 2-core machine) with the load average before and
after. `--serial` also runs the same tests one after the other (TEST_WORKERS=1), in the same
run, and prints the ratio. The last lines of each pytest run are shown (the pass counts).

The goal is in seconds, and machines of the same kind are not equally fast: the suite's CPU
time (its processes' user + system) and a reference measured before the suite are printed too,
so figures from two machines can be compared. The reference is the best of 10 loads of
policy_data/zixi (`load_jurisdiction`): like most of the suite it allocates many small objects,
which some machines of this kind do three times slower while their plain arithmetic is as fast.
Seen: on 2026-12-06 the suite took 246 s where zixi loaded in 56 ms; on 2026-12-07 the same
tests took 472 s and 800 s of CPU where zixi loaded in 109–130 ms.

It also prints how many cores the whole machine kept busy meanwhile (/proc/stat): on 2026-12-07,
1.94 of 2 on average (395 s of CPU against the run's own 341 s), and 1.97–2.00 in every
10-second span but the first and the last. The suite is bound by CPU, and the machine's CPU
includes what the run's own figure leaves out: the PostgreSQL server's backends, Redis, the
kernel's threads and other services.
"""
from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_S = 180


def timed(workers: str, extra: list[str]) -> tuple[float, float, str, int, float]:
    """(wall s, CPU s of the run's processes, last lines, exit code, the machine's busy cores)."""
    args = [str(ROOT / ".venv" / "bin" / "python"), "-m", "pytest", "-q", *extra]
    if workers != "1":
        args[4:4] = ["-n", workers, "--dist", "loadfile"]  # as scripts/test.sh
    before, busy = _children_cpu(), _machine_busy()
    start = time.monotonic()
    run = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    seconds = time.monotonic() - start
    tail = "\n".join(run.stdout.strip().splitlines()[-2:])
    return seconds, _children_cpu() - before, tail, run.returncode, (_machine_busy() - busy) / seconds


def _children_cpu() -> float:
    # Every process the run started is waited for by its parent, so its CPU is counted here.
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _machine_busy() -> float:
    """Seconds of CPU the whole machine has spent busy (every core; /proc/stat), or 0 elsewhere.

    The run's own CPU leaves out what no process of it waits for: the PostgreSQL server's
    backends, Redis, the kernel's threads, other services. The busy cores say whether the wall
    time is bound by CPU: 2.0 of 2 means only less work makes the suite faster."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            fields = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle and iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


REFERENCE = """
import time
from pathlib import Path
from policy.loader import load_jurisdiction
best = float("inf")
for _ in range(11):
    start = time.perf_counter()
    load_jurisdiction(Path("policy_data/zixi"))
    best = min(best, time.perf_counter() - start)
print(best)
"""


def reference_s() -> float:
    """The best of 10 loads of policy_data/zixi (after one to warm up), in seconds."""
    run = subprocess.run([str(ROOT / ".venv" / "bin" / "python"), "-c", REFERENCE], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return float(run.stdout)


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    serial = "--serial" in sys.argv[1:]
    extra = [a for a in sys.argv[1:] if a != "--serial"]
    print(f"load average before: {load()} ({os.cpu_count()} cores); "
          f"reference: zixi loads in {reference_s() * 1000:.0f} ms (best of 10)")
    seconds, cpu, tail, code, busy = timed(os.environ.get("TEST_WORKERS") or str((os.cpu_count() or 1) + 1), extra)
    print(tail)
    print(f"suite, in parallel        {seconds:7.1f} s   goal ≤ {GOAL_S} s (quiet machine)   "
          f"{'met' if seconds <= GOAL_S else 'NOT met'}   CPU {cpu:.0f} s   load after: {load()}")
    print(f"the machine meanwhile     {busy:7.2f} of {os.cpu_count()} cores busy on average "
          f"({busy * seconds:.0f} s of CPU, the run's own included)")
    if serial:
        base, _, tail, code2, _ = timed("1", extra)
        print(tail)
        print(f"suite, one after another  {base:7.1f} s   parallel / serial {seconds / base:.2f}   load after: {load()}")
        code = code or code2
    return code


if __name__ == "__main__":
    sys.exit(main())
