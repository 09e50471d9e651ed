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
