"""The data version of a jurisdiction: one short string a reader matches between a notice on the
wall, a web page and the calculator, plus the date its data last changed."""
from __future__ import annotations

import datetime as dt
import hashlib
import subprocess
from pathlib import Path


def policy_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in (".yaml", ".yml"))


def data_version(folder: Path) -> str:
    """A hash of the jurisdiction's policy files (names and bytes), 12 hex digits."""
    digest = hashlib.sha256()
    for path in policy_files(folder):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


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
