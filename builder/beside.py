"""Work in a forked process beside this one, its result sent back through a pipe.

Two users: `build` prints a site's sheets in a process of their own while the pages are made
(pipeline.apart), and the print lays out the leaflet in a child while it composes the notices and
cards (`beside`, issue 25). Each child does its work, sends back what came of it and leaves at
once, never returning into the caller's code (nor a pool's).
"""
from __future__ import annotations

import gc
import os
import pickle
from typing import Callable


class Child:
    """`work()` started in a forked child. `wait()` gives (True, its result), (False, what
    `describe` made of the exception it raised), or (False, None) when the child died before it
    finished (killed with its build: a short or empty answer). `wait()` may be called again."""

    def __init__(self, work: Callable[[], object], describe: Callable[[BaseException], object] = lambda exc: None):
        read, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child
            # What it inherited, out of its collector's sight (gc.freeze only relinks two lists):
            # a collection would otherwise walk every inherited object, writing to (and so
            # copying) each page shared with the parent: 0.1 s in the middle of the leaflet's
            # layout once. The parent's collector is left as it was.
            gc.freeze()
            try:
                os.close(read)
                try:
                    answer = (True, work())
                except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
                    answer = (False, describe(exc))
                with os.fdopen(write, "wb") as out:
                    pickle.dump(answer, out)
            finally:
                os._exit(0)
        os.close(write)
        self._read = read
        self._answer: tuple[bool, object] | None = None

    def wait(self) -> tuple[bool, object]:
        if self._answer is None:
            with os.fdopen(self._read, "rb") as source:
                data = source.read()
            try:
                os.waitpid(self.pid, 0)
            except ChildProcessError:  # read in a process forked later (builder/printer.py): its parent reaps it
                pass
            try:
                self._answer = pickle.loads(data)
            except Exception:  # noqa: BLE001 - nothing, or half an answer: the child died
                self._answer = (False, None)
        return self._answer

    def reap(self) -> None:
        """In the process that forked the child, when another process read its answer (one forked
        after it, which inherited the pipe): wait for the child to exit, without reading."""
        if self._answer is None:
            os.close(self._read)
            self._answer = (False, None)
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


def beside(work: Callable[[], bytes]) -> Callable[[], bytes | None]:
    """Start `work()` in a child now. Returns `wait()`: its bytes, or None if it failed. The
    caller then does the work itself, in its own process, and so raises the error it would have
    raised anyway (with its message for the officer): nothing about errors crosses the fork.
    Call `wait()` also when giving up (a try/finally), so that no child is left."""
    child = Child(work)

    def wait() -> bytes | None:
        ok, data = child.wait()
        return data if ok and data else None

    return wait
