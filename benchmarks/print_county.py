"""A whole county's print against its notices alone, measured in the same run (issue 25).

    python benchmarks/print_county.py [--jid zixi] [--rounds 2]

For the county (default zixi, 61 villages), in one process with WeasyPrint and the renderer warm:
1. the notices alone: builder.printing.notices() for every village (pack + one file each);
2. the whole print: builder.printing.print_jurisdiction_report() into an empty folder
   (notices, county pack, leaflet, every village's sheet of cards), and each kind's share;
3. re-stamp only: the whole print again with its layer cache and another data version, as
   after a data change no sheet shows (every PDF composed again with its new stamp, no layout).
Each is the best of `--rounds` rounds. Prints the whole print's ratio to the notices beside its
goal (≤ 3×), the re-stamp's ratio to them (no goal: what any data change costs the print), and
the load average (a shared machine's figures are noisy; the ratios much less than the seconds).
"""
from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SITE, FORMS = "http://127.0.0.1:8000", "http://127.0.0.1:5000"
GOAL_RATIO = 3.0
AS_OF = dt.date(2026, 1, 1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jid", default="zixi")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    from builder import printing
    from builder.print_facts import jurisdiction_facts, load_scenarios, village_facts
    from builder.version import data_version
    from policy.cases import Service
    from policy.loader import load_jurisdiction

    jur, problems = load_jurisdiction(ROOT / "policy_data" / args.jid, run_examples=False)
    assert not problems, problems
    version = data_version(jur.folder)
    # another data version as builder/version.py makes them (12 hex digits): a version with other
    # characters would bring the stamp glyphs the layers' reserve lacks and lay them out again
    next_version = hashlib.sha256(version.encode()).hexdigest()[:12]
    facts = jurisdiction_facts(jur, version, Service({jur.id: jur}), as_of=AS_OF, site_url=SITE, forms_url=FORMS,
                               scenarios=load_scenarios())
    villages = [village_facts(jur, vid, site_url=SITE, forms_url=FORMS, as_of=AS_OF) for vid in jur.villages]
    ids = [v["id"] for v in villages]
    printing.renderer()  # fonts and CSS parsed once, as in every print worker
    print(f"{jur.name}（{jur.id}）: {len(villages)} villages; load average at start "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    notices_s, whole_s, restamp_s, kinds = [], [], [], None
    for _ in range(args.rounds):
        start = time.perf_counter()
        printing.notices(jur.id, facts, villages, ids)
        notices_s.append(time.perf_counter() - start)
        with tempfile.TemporaryDirectory() as tmp:
            timing: dict[str, float] = {}
            cache = Path(tmp) / ".fingerprints" / f"{jur.id}-print"  # empty: from scratch, as a first build
            start = time.perf_counter()
            printing.print_jurisdiction_report(jur, Path(tmp), version, site_url=SITE, forms_url=FORMS, as_of=AS_OF,
                                               timing=timing, cache=cache)
            whole_s.append(time.perf_counter() - start)
            kinds = kinds if kinds and sum(kinds.values()) < sum(timing.values()) else timing
            start = time.perf_counter()
            _, laid_out, restamped = printing.print_jurisdiction_report(
                jur, Path(tmp), next_version, site_url=SITE, forms_url=FORMS, as_of=AS_OF, cache=cache)
            restamp_s.append(time.perf_counter() - start)
            assert not laid_out and len(restamped) == 2 * len(villages) + 2, "re-stamp only laid something out"
            shutil.rmtree(Path(tmp) / "print", ignore_errors=True)
    best_notices, best_whole = min(notices_s), min(whole_s)
    ratio = best_whole / best_notices
    print(f"notices alone (pack + {len(villages)} files)   {best_notices:6.2f} s   (rounds: "
          f"{', '.join(f'{s:.2f}' for s in notices_s)})")
    print(f"whole county print                  {best_whole:6.2f} s   (rounds: "
          f"{', '.join(f'{s:.2f}' for s in whole_s)})")
    for kind, seconds in (kinds or {}).items():
        print(f"  of which {kind:<26}{seconds:6.2f} s")
    print(f"whole / notices                     {ratio:6.2f}×   goal ≤ {GOAL_RATIO:.0f}×   "
          f"{'met' if ratio <= GOAL_RATIO else 'NOT met'}")
    best_restamp = min(restamp_s)
    print(f"re-stamp only (new version, cache)  {best_restamp:6.2f} s   (rounds: "
          f"{', '.join(f'{s:.2f}' for s in restamp_s)})   ({best_restamp / best_notices:.2f}× the notices alone; "
          f"what every data change costs the print)")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
