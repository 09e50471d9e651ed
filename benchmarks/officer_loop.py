"""The data officer's loop: change one value, `build --only zixi`, look (issue 25).

    python benchmarks/officer_loop.py [--jid zixi] [--rounds 2]

On a private copy of policy_data/, in the same run, `--rounds` times each, taking the best of
each (one sample of either swung by a second on a shared 2-core machine):
1. from scratch: `build.py build --only JID` into an empty folder (site, calculator, open data,
   every printed sheet);
2. the loop: change one value (the first `hours:` of contacts.yaml, a different time each round)
   and `build.py build --only JID` again into the folder built last.
Rounds alternate, a build from scratch then the loop, so that a busy spell costs both alike.
Prints the loop's time (goal ≤ 10 s), its ratio to the from-scratch build (goal ≤ 0.3×), the
CPU time of both (no goal), the lines `build` printed for the loop (what it made again and why),
the load average, and 3. the floor: the same build once more with nothing changed.
The CPU figures leave out the removal of the site a rebuild replaced: a detached process does it
after `build` has ended (builder/discard.py), and no one waits for it.
"""
from __future__ import annotations

import argparse
import os
import resource
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_S, GOAL_RATIO = 10.0, 0.3


def cpu_seconds() -> float:
    """User + system time of every finished child process so far (the builds and their children)."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def build(data: Path, out: Path, jid: str) -> tuple[float, str]:
    start = time.monotonic()
    run = subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--data", str(data), "--only", jid, "--preview",
                          "--out", str(out)], cwd=ROOT, capture_output=True, text=True)
    seconds = time.monotonic() - start
    if run.returncode != 0:
        sys.exit(f"build failed:\n{run.stdout}{run.stderr}")
    return seconds, run.stdout


def change_one_value(data: Path, jid: str, minute: int) -> None:
    """The officer's edit: the first `hours: 工作日 8:MM` of JID's contacts.yaml becomes 8:`minute`
    (shown on the pages, the notices and the cards; benchmarks/loop_trace.py makes the same edit)."""
    contacts = data / jid / "contacts.yaml"
    text = contacts.read_text(encoding="utf-8")
    changed = re.sub(r"hours: 工作日 8:\d\d", f"hours: 工作日 8:{minute:02d}", text, count=1)
    if changed == text:
        sys.exit(f"no `hours: 工作日 8:..` value to change in {contacts}")
    contacts.write_text(changed, encoding="utf-8")


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jid", default="zixi")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data, out = Path(tmp) / "policy_data", Path(tmp) / "dist"
        shutil.copytree(ROOT / "policy_data", data)
        print(f"load average at start: {load()}")
        scratches, loops, cpu = [], [], {"scratch": [], "loop": []}
        for n in range(args.rounds):
            shutil.rmtree(out, ignore_errors=True)
            used = cpu_seconds()
            seconds, _ = build(data, out, args.jid)
            cpu["scratch"].append(cpu_seconds() - used)
            scratches.append(seconds)
            print(f"from scratch, round {n + 1}               {seconds:6.1f} s   load {load()}")
            change_one_value(data, args.jid, 10 + n)
            used = cpu_seconds()
            seconds, said = build(data, out, args.jid)
            cpu["loop"].append(cpu_seconds() - used)
            loops.append(seconds)
            print(f"one value changed, round {n + 1}          {seconds:6.1f} s   load {load()}")
        best, scratch = min(loops), min(scratches)
        print("build said:\n" + "\n".join(f"  | {line}" for line in said.splitlines()))
        print(f"from scratch (best)               {scratch:6.1f} s")
        print(f"the loop (best)                   {best:6.1f} s   goal ≤ {GOAL_S:.0f} s    "
              f"{'met' if best <= GOAL_S else 'NOT met'}")
        print(f"loop / from scratch               {best / scratch:6.2f}×   goal ≤ {GOAL_RATIO}×   "
              f"{'met' if best / scratch <= GOAL_RATIO else 'NOT met'}")
        # CPU time is steadier than wall time on a shared machine, and the ratio of the two says
        # how much of the loop's speed comes from running its processes side by side.
        loop_cpu, scratch_cpu = min(cpu["loop"]), min(cpu["scratch"])
        print(f"CPU time (user + system, best)    {loop_cpu:6.1f} s against {scratch_cpu:.1f} s from scratch: "
              f"{loop_cpu / scratch_cpu:.2f}× (no goal)")
        # The floor under any loop: starting Python, reading and hashing the data, finding that
        # nothing is stale. What a change costs on top of it is what incremental building can save.
        idle, said = build(data, out, args.jid)
        print(f"nothing changed (the floor)       {idle:6.1f} s   {idle / scratch:.2f}× from scratch   "
              f"load {load()}  ({said.strip()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
