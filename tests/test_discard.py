"""builder/discard.py: what a build throws away is removed without the build waiting for it, and
whatever a removal left behind is removed by the next build (a whole rebuild: tests/web/test_site_reuse.py)."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from builder import discard


def _folder(parent: Path, name: str, files: int = 3) -> Path:
    folder = parent / name
    (folder / "print").mkdir(parents=True)
    for n in range(files):
        (folder / "print" / f"sheet-{n}.pdf").write_bytes(b"%PDF" * 1000)
    return folder


def _left(parent: Path) -> list[str]:
    return sorted(p.name for p in parent.iterdir() if p.name.startswith(discard.PREFIX))


def _gone(parent: Path, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while _left(parent):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_discard_returns_before_the_removal_which_then_happens(tmp_path, monkeypatch):
    """The removal waits for a go-ahead the test gives only once discard() has returned: a discard
    that removed the folders itself would wait 5 s for it in vain, remove them, and fail below."""
    go = tmp_path / "go"
    real = shutil.rmtree

    def held(path, *args, **kwargs):  # in the detached process, a copy of this one
        deadline = time.monotonic() + 5
        while not go.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        real(path, *args, **kwargs)
    monkeypatch.setattr(shutil, "rmtree", held)
    out = tmp_path / "out"
    work, cache = _folder(out, ".building-zixi-1"), _folder(out / ".fingerprints", "zixi-site.old")
    discard.discard(work, cache, out / "never-made")
    assert not work.exists() and not cache.exists()
    # renamed where the next build's sweep looks, each in its own folder, not yet removed
    assert [len(_left(out)), len(_left(out / ".fingerprints"))] == [1, 1]
    assert all(name.startswith(".discard-building-zixi-1-") for name in _left(out))
    go.touch()
    assert _gone(out) and _gone(out / ".fingerprints")


def test_without_a_process_to_remove_them_the_folders_go_before_discard_returns(tmp_path, monkeypatch):
    def no_fork():
        raise OSError(11, "Resource temporarily unavailable")
    monkeypatch.setattr(os, "fork", no_fork)
    work = _folder(tmp_path, "work")
    discard.discard(work)
    assert list(tmp_path.iterdir()) == []


def test_sweep_removes_what_earlier_builds_left_and_nothing_else(tmp_path):
    left = _folder(tmp_path, ".discard-building-zixi-7-0")
    kept = [_folder(tmp_path, "zixi"), _folder(tmp_path, ".fingerprints"), _folder(tmp_path, ".building-zixi-8")]
    discard.sweep(tmp_path)
    discard.sweep(tmp_path / "not-there")  # a first build: no output folder yet
    assert not left.exists() and all(folder.is_dir() for folder in kept)
