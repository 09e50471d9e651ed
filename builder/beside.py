"""One piece of work in a forked process beside this one, for a core that would otherwise wait.

The officer's loop (issue 25) prints in a process of its own beside the site; once the site is
built, one core waits while the print lays out the leaflet and then re-stamps the other sheets.
`beside()` lets the print lay out the leaflet in a child meanwhile. The child only returns bytes:
if it fails for any reason, the caller does the work itself, in its own process, and so raises
the error it would have raised anyway (with its message for the officer) — nothing about errors
has to cross the fork.
"""
from __future__ import annotations

import os
from typing import Callable


def beside(work: Callable[[], bytes]) -> Callable[[], bytes | None]:
    """Start `work()` in a forked child now. Returns `wait()`: its bytes, or None if it failed.
    Call `wait()` exactly once, also when giving up (a try/finally), so that no child is left."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: work, send the bytes, leave at once (never back into the caller)
        try:
            os.close(read)
            try:
                data = work()
            except BaseException:  # noqa: BLE001 - the parent does it again and reports it
                data = b""
            with os.fdopen(write, "wb") as out:
                out.write(len(data).to_bytes(8, "big") + data)
        finally:
            os._exit(0)
    os.close(write)

    def wait() -> bytes | None:
        with os.fdopen(read, "rb") as source:
            data = source.read()
        os.waitpid(pid, 0)
        # A child stopped half-way (killed with its build) has sent less than it said.
        if len(data) < 8 or int.from_bytes(data[:8], "big") != len(data) - 8 or len(data) == 8:
            return None
        return data[8:]

    return wait
