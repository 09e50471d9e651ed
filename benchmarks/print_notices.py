"""Time the village notices of a prefecture: 10 jurisdictions, 1,600 A3 notices.

    python benchmarks/print_notices.py [--sample 50] [--workers N] [--jurisdictions 10]

1. Generates the synthetic prefecture of benchmarks/prefecture.py into benchmarks/out/prefecture/.
2. Prints every notice the way `build.py print` does (builder.printing.notices: the jurisdiction's
   base page laid out once, all its villages' layers laid out in one document, one file per
   village plus the county pack), one process per core, each process one jurisdiction at a time.
   Wall time, time per notice, and the peak memory of the whole process tree (sampled RSS).
3. Baseline in the same run, on a sample of villages of the first jurisdiction: what a user
   would write, each notice on its own with a fresh FontConfiguration and freshly parsed CSS,
   its own layout and its own write_pdf() calls. Prints the ratio per notice, in wall time and
   in CPU seconds (the second does not depend on how busy a shared machine was).
4. Prints each figure next to its goal (issue 8): total ≤ 20 s, ratio ≥ 8x, peak ≤ 2 GB.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.prefecture import generate  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
SITE, FORMS = "http://127.0.0.1:8000", "http://127.0.0.1:5000"
GOAL_TOTAL_S, GOAL_RATIO, GOAL_PEAK_GB = 20.0, 8.0, 2.0


def _prepare(folder: Path):
    from builder.print_facts import jurisdiction_facts, village_facts
    from builder.version import data_version
    from policy.cases import Service
    from policy.loader import load_jurisdiction

    jur, problems = load_jurisdiction(folder, run_examples=False)
    if problems:
        raise SystemExit(f"{folder}: {problems[0]}")
    version = data_version(folder)
    facts = jurisdiction_facts(jur, version, Service({jur.id: jur}), as_of=dt.date.today(),
                               site_url=SITE, forms_url=FORMS)
    villages = []
    for vid in jur.villages:
        v = village_facts(jur, vid, site_url=SITE, forms_url=FORMS)
        villages.append(v)
    return jur, facts, villages


def print_notices(job) -> int:
    """One jurisdiction's notices and county pack, written as `build.py print` writes them."""
    from builder.printing import notice_name, notices, write_atomic

    folder, out = job
    jur, facts, villages = _prepare(folder)
    pack, singles = notices(jur.id, facts, villages, [v["id"] for v in villages])
    out.mkdir(parents=True, exist_ok=True)
    write_atomic(out / "county-pack.pdf", pack)
    for v in villages:
        write_atomic(out / notice_name(v["township_id"], v["id"]), singles[v["id"]])
    return len(villages)


def naive(folder: Path, sample: int, out: Path) -> tuple[int, float, float]:
    """Each notice alone: fresh fonts and CSS, its own layouts and write_pdf calls (the baseline).

    The same templates and layers as the fast path (so the same page), but nothing shared
    between notices: a new Renderer (FontConfiguration, parsed CSS) and every layer laid out
    and written again for each village. Returns (notices, wall seconds, CPU seconds of this process)."""
    from builder.printing import Renderer, notices

    jur, facts, villages = _prepare(folder)
    out.mkdir(parents=True, exist_ok=True)
    started, cpu = time.perf_counter(), time.process_time()
    for v in villages[:sample]:
        pack, _ = notices(jur.id, facts, [v], [], r=Renderer())
        (out / f"{v['id']}.pdf").write_bytes(pack)
    return min(sample, len(villages)), time.perf_counter() - started, time.process_time() - cpu


class PeakRss:
    """Samples the resident memory of this process and all its descendants (Linux /proc)."""

    def __init__(self, every: float = 0.1):
        self.peak, self.every, self._stop = 0, every, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self):
        while not self._stop.is_set():
            self.peak = max(self.peak, _tree_rss(os.getpid()))
            self._stop.wait(self.every)


def _tree_rss(pid: int) -> int:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(open(f"/proc/{entry}/stat").read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for line in open(f"/proc/{current}/status"):
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
        todo.extend(children.get(current, ()))
    return total


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, default=50, help="notices in the naive baseline (default 50)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--jurisdictions", type=int, default=10)
    args = parser.parse_args(argv)

    data = OUT / "prefecture"
    generate(data, jurisdictions=args.jurisdictions)
    folders = sorted(p for p in data.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    out = OUT / "print-notices"
    jobs = [(folder, out / folder.name) for folder in folders]

    load_before = os.getloadavg()[0]
    with PeakRss() as rss:
        started, cpu0 = time.perf_counter(), os.times()
        from builder.printing import preload
        preload()  # as build.py print does before forking its workers
        with ProcessPoolExecutor(max_workers=args.workers) as pool:
            count = sum(pool.map(print_notices, jobs))
        total = time.perf_counter() - started
        cpu1 = os.times()
    cpu = (cpu1.children_user + cpu1.children_system) - (cpu0.children_user + cpu0.children_system)

    load_after = os.getloadavg()[0]

    sampled, naive_s, naive_cpu = naive(folders[0], args.sample, OUT / "print-naive")
    per_fast, per_naive = total / count, naive_s / sampled
    # The fast run used `workers` processes at once and the baseline one: compare per notice
    # both in wall time and in CPU seconds (per core), so that the ratio is not just parallelism
    # and, on a machine shared with other work, not just how busy it was during each part.
    ratio = per_naive / per_fast
    ratio_cpu = (naive_cpu / sampled) / (cpu / count) if cpu else float("nan")
    print(f"machine: {os.cpu_count()} cores, load average (1 min) {load_before:.1f} before the run, "
          f"{load_after:.1f} after it, {os.getloadavg()[0]:.1f} after the baseline")
    print(f"notices printed          {count} in {len(jobs)} jurisdictions, {args.workers} processes")
    print(f"total wall time          {total:7.1f} s     goal ≤ {GOAL_TOTAL_S:.0f} s   "
          f"{'met' if total <= GOAL_TOTAL_S else 'NOT met'}")
    print(f"per notice (wall)        {per_fast * 1000:7.1f} ms    CPU {cpu / count * 1000:.1f} ms")
    print(f"naive per notice         {per_naive * 1000:7.1f} ms    CPU {naive_cpu / sampled * 1000:.1f} ms   "
          f"({sampled} notices, one process)")
    print(f"ratio naive / fast       {ratio:7.1f} x     goal ≥ {GOAL_RATIO:.0f} x   "
          f"{'met' if ratio >= GOAL_RATIO else 'NOT met'}   (CPU per notice: {ratio_cpu:.1f} x)")
    print(f"peak memory (all procs)  {rss.peak / 2**30:7.2f} GB    goal ≤ {GOAL_PEAK_GB:.0f} GB   "
          f"{'met' if rss.peak <= GOAL_PEAK_GB * 2**30 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
