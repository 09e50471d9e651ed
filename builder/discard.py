"""Folders a build throws away, removed without the build waiting for them (issue 25).

After a rebuild, the site it replaced (the work folder's `previous`, 49 MB for zixi with its
sheets) and the pages' sources were removed before `build` could end: 50–70 ms of the officer's
1.3 s loop, with the other core idle. `discard` renames each folder out of the way (one rename in
its own folder: at once) and removes them in a detached process, so `build` ends as soon as
the new site is in place. A removal that did not finish (the machine stopped; a systemd unit
that stops every process of its group when `build` exits; the disk refused) is done again by the
next build's `sweep`, before it writes anything: until then the folder only takes room.

The folder waits in the output folder, named `.discard-…`, as the work folder `.building-…` did
while the site was made: a dot folder, no page of any site, and gone a moment later.
"""
from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

PREFIX = ".discard-"
_count = itertools.count()


def discard(*folders: Path) -> None:
    """Remove `folders` without waiting: each is renamed `.discard-…` in its own parent (where
    `sweep` finds it), then one detached process removes them all. A folder not there is skipped."""
    renamed = []
    for folder in map(Path, folders):
        target = folder.with_name(f"{PREFIX}{folder.name.lstrip('.')}-{os.getpid()}-{next(_count)}")
        try:
            folder.rename(target)
        except FileNotFoundError:
            continue
        except OSError:  # no right to rename there: removed here, as before
            shutil.rmtree(folder, ignore_errors=True)
            continue
        renamed.append(target)
    if renamed and not _remove_detached(renamed):
        for target in renamed:
            shutil.rmtree(target, ignore_errors=True)


def sweep(bin_dir: Path) -> None:
    """Remove what earlier builds discarded and did not finish removing (at a build's start)."""
    try:
        left = [p for p in Path(bin_dir).iterdir() if p.name.startswith(PREFIX)]
    except OSError:
        return
    for path in left:
        shutil.rmtree(path, ignore_errors=True)


def _remove_detached(paths: list[Path]) -> bool:
    """Remove `paths` in a grandchild that nobody waits for; False when it cannot be forked.

    The child forks the grandchild and leaves at once, and is reaped here: the grandchild is then
    no child of this process (nor of a pool that waits for its workers' children), and the
    system reaps it when it is done. It runs only `shutil.rmtree` and `os._exit`, which need no
    lock another thread of this process could have held at the fork."""
    try:
        pid = os.fork()
    except OSError:
        return False
    if pid == 0:  # the child
        try:
            if os.fork() == 0:  # the grandchild
                try:
                    os.setsid()  # not stopped by a Ctrl-C meant for the build's process group
                    for path in paths:
                        shutil.rmtree(path, ignore_errors=True)
                finally:
                    os._exit(0)
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
    return True
