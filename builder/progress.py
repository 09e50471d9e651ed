"""`build`'s progress: one bar per jurisdiction, redrawn in place on a terminal.

The jurisdictions build in forked worker processes (pipeline.run); each worker says which stage
it has reached through a queue made before the fork (`stage()`), and a thread of the parent
redraws the bars. Off a terminal (a log, a pipe, the tests) nothing is drawn: only the lines
`build` prints at the end, so a log holds no half-drawn bars.
"""
from __future__ import annotations

import multiprocessing
import sys
import threading
import time

# The stages of pipeline.build_one, in order; the bar's length is their count.
STAGES = ("读取数据", "打印", "页面", "开放数据", "计算器", "MkDocs", "整理")
WIDTH = 20

_queue = None  # set in the parent before the workers fork; None: nobody is listening


def stage(jid: str, name: str) -> None:
    """Called in a worker when jurisdiction `jid` starts stage `name` (one of STAGES)."""
    if _queue is not None:
        _queue.put((jid, name))


def bar_line(name: str, done: int, total: int, label: str) -> str:
    """`资溪县   [██████░░░░░░] 打印` — the line drawn for one jurisdiction."""
    filled = WIDTH * done // max(total, 1)
    return f"{name:<6}[{'█' * filled}{'░' * (WIDTH - filled)}] {label}"


class Bars:
    """Draws one bar per jurisdiction on `stream` while the workers run (a context manager)."""

    def __init__(self, names: dict[str, str], stream=None):
        self.names, self.stream = names, stream or sys.stderr
        self.state = {jid: (0, "等待") for jid in names}
        self.started = time.monotonic()

    def __enter__(self):
        global _queue
        _queue = multiprocessing.get_context("fork").SimpleQueue()
        self.queue = _queue
        self._draw(first=True)
        self.thread = threading.Thread(target=self._listen, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        global _queue
        self.queue.put(None)
        self.thread.join()
        _queue = None
        for jid in self.names:
            if exc[0] is None:
                self.state[jid] = (len(STAGES), "完成")
        self._draw()

    def _listen(self) -> None:
        while (item := self.queue.get()) is not None:
            jid, name = item
            if jid in self.state:
                self.state[jid] = (STAGES.index(name) if name in STAGES else 0, name)
                self._draw()

    def _draw(self, first: bool = False) -> None:
        lines = [bar_line(self.names[jid], done, len(STAGES), label) for jid, (done, label) in self.state.items()]
        up = "" if first else f"\x1b[{len(lines)}F"  # back to the first bar's line
        self.stream.write(up + "".join(f"\x1b[2K{line}\n" for line in lines))
        self.stream.flush()
