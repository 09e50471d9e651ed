"""The print process of a one-county build, forked as the build starts (issue 25).

Printing begins with importing WeasyPrint (0.5 s), and a build that prints beside the site (a core
to spare: pipeline.build_site) used to fork its print process only once the data was read and the
site begun, so that the import was the first thing on the build's longest path. With one county
to build, `build` forks this process first: it imports the print while the build checks the
addresses, reads the data and plans, on the core that would wait. The process that builds the
site then sends it the print to do (`send`); a build that has nothing to print tells it to stop
(`close`). It prints exactly as pipeline._print does, the same sheets, the same messages.
"""
from __future__ import annotations

import importlib
import os
import pickle
from pathlib import Path


class Printer:
    def __init__(self):
        from .beside import Child
        from .pipeline import describe_failure

        tasks, self._tasks = os.pipe()
        self.child = Child(lambda: _serve(tasks, self._tasks), describe=describe_failure)
        os.close(tasks)
        self.sent = False

    def send(self, job, root: Path, previous: Path | None, j=None) -> bool:
        """In the process building the site: print `job` into `root` (pipeline._print), with its
        jurisdiction `j` as loaded there (sent whole: 0.02 s against 0.1 s to load it again), or
        loaded by the print process. True when sent: `child.wait()` then gives what _print does,
        or what stopped it; False when it was used already or is gone (the caller prints as
        before)."""
        if self.sent:
            return False
        self.sent = True
        try:
            task = pickle.dumps((job, root, previous, j))
        except Exception:  # noqa: BLE001 - something in it cannot be sent: the print loads it
            task = pickle.dumps((job, root, previous, None))
        try:
            _write_all(self._tasks, _framed(task))
        except OSError:  # it stopped (the print cannot be imported): the caller's way says why
            return False
        return True

    def close(self) -> None:
        """In the build's own process, at its end: nothing (more) to print; wait for it to exit."""
        try:
            _write_all(self._tasks, _framed(pickle.dumps(None)))
        except OSError:
            pass
        os.close(self._tasks)
        self.child.reap()


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


LENGTH = 8  # a task is its pickle's length (8 bytes, big-endian), then the pickle


def _framed(data: bytes) -> bytes:
    return len(data).to_bytes(LENGTH, "big") + data


def _read_exactly(fd: int, n: int) -> bytes | None:
    """n bytes from the pipe, or None when it ends first (the build is gone)."""
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _read_task(fd: int) -> bytes | None:
    head = _read_exactly(fd, LENGTH)
    return None if head is None else _read_exactly(fd, int.from_bytes(head, "big"))


def _serve(tasks: int, ours: int):
    """In the print process: import the print, then do the one task sent, if any.

    The task (the jurisdiction as the build loaded it, about 0.4 MB) is read by a thread while the
    print is imported: the pipe holds 64 KB, and the process building the site used to wait in
    `send` until the import was over (0.2 s of the officer's loop)."""
    import threading

    os.close(ours)  # the build's end of the pipe: without it, a build that dies is an end of file here
    box: list[bytes | None] = [None]
    reader = threading.Thread(target=lambda: box.__setitem__(0, _read_task(tasks)), daemon=True)
    reader.start()
    importlib.import_module("builder.printing")
    reader.join()  # before anything forks: no thread is left
    os.close(tasks)
    try:
        task = pickle.loads(box[0]) if box[0] is not None else None
    except pickle.UnpicklingError:
        return None
    if task is None:
        return None
    from .pipeline import _load, _print

    job, root, previous, j = task
    return _print(job, j if j is not None else _load(job.folder), root, previous)[1]
