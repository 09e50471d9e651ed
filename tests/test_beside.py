"""builder/beside.py: work in a forked child gives its bytes, or None when the child did not
finish it (the caller then does the work itself and reports the error as always)."""
from __future__ import annotations

import os
import signal

from builder.beside import beside


def test_the_childs_bytes_arrive_whole():
    data = os.urandom(3_000_000)  # more than a pipe holds at once
    assert beside(lambda: data)() == data


def test_a_child_that_fails_or_is_killed_gives_none():
    assert beside(lambda: 1 / 0)() is None
    assert beside(lambda: os.kill(os.getpid(), signal.SIGKILL))() is None
    assert beside(lambda: b"")() is None  # nothing is not a result either


def test_the_child_never_walks_what_it_inherited_and_the_parent_keeps_collecting_its_own():
    """What the parent held at the fork is frozen in the child (gc.freeze): a collection there
    would walk every inherited object and so copy the pages it shares (0.1 s once in the middle of
    the leaflet's layout). The parent's objects go back to its collector at once."""
    import gc

    held = [[i] for i in range(10_000)]  # noqa: F841 - objects the parent holds at the fork
    before = gc.get_freeze_count()
    frozen_in_child = beside(lambda: str(gc.get_freeze_count()).encode())()
    assert int(frozen_in_child) >= before + len(held)
    assert gc.get_freeze_count() == before
