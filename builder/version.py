"""The data version of a jurisdiction: one short string a reader matches between a notice on the
wall, a web page and the calculator, plus the date its data last changed."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
import subprocess
from pathlib import Path


def policy_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml"))


_DATE = re.compile(rb"(?<![0-9])([12][0-9]{3}-[01][0-9]-[0-3][0-9])(?![0-9])")


def data_version(folder: Path, as_of: dt.date | None = None) -> str:
    """A hash of the jurisdiction's policy files (names and bytes) and of where the as-of date
    (default: today in Beijing) falls among the dates the files name, 12 hex digits.

    Every value, program and price takes effect or ends on a date written in the files, so two
    as-of dates on the same side of every such date see the same policy in force and get the
    same version; a date between them (a value dated 2027-01-01, a program ending 2020-12-31)
    gives two versions. Dates in notes count too: at worst a version changes when nothing
    printed did, never the other way round."""
    from policy.china_time import china_today

    as_of = as_of or china_today()
    digest = hashlib.sha256()
    dates: set[bytes] = set()
    for path in policy_files(folder):
        data = path.read_bytes()
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(data + b"\0")
        dates.update(_DATE.findall(data))
    for raw in sorted(dates):
        try:
            day = dt.date.fromisoformat(raw.decode())
        except ValueError:
            continue
        # -1 before, 0 on, 1 after: `until` dates end a value the day after, `from` dates start it on the day.
        digest.update(raw + b"%d" % ((as_of > day) - (as_of < day)))
    digest.update(b"stale" if _stale_review(folder, as_of) else b"")
    return digest.hexdigest()[:12]


def _stale_review(folder: Path, as_of: dt.date) -> bool:
    """More than a year since the officer's `reviewed:` date (pages then say so; builder/currency.py)."""
    from .currency import review_overdue

    match = re.search(rb"^reviewed:\s*['\"]?([0-9]{4}-[0-9]{2}-[0-9]{2})", 
                      (folder / "jurisdiction.yaml").read_bytes() if (folder / "jurisdiction.yaml").is_file() else b"",
                      re.M)
    return bool(match) and review_overdue(dt.date.fromisoformat(match.group(1).decode()), as_of)


def last_changed(folder: Path) -> dt.date:
    """The date of the last commit touching the folder; without git history, the newest file's date.

    Git first because a fresh clone gives every file the clone's time as its modification time.
    """
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%cs", "--", "."], cwd=folder,
                             capture_output=True, text=True, timeout=10)
        if out.returncode == 0 and out.stdout.strip():
            return dt.date.fromisoformat(out.stdout.strip())
    except (OSError, subprocess.SubprocessError, ValueError):
        pass
    newest = max((p.stat().st_mtime for p in policy_files(folder)), default=0)
    return dt.datetime.fromtimestamp(newest).date()
