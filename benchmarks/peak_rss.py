"""Run a command-line Python script and measure its own peak resident memory.

The child's ru_maxrss (wait4) is no good here: Linux counts the parent's pages in it until the
child calls exec, so a large parent (pytest, a benchmark holding its input) would hide the
child's own figure. Instead the script runs under a tiny wrapper that reads VmHWM, the high-water
mark of the memory map made at exec, from /proc/self/status as the interpreter exits.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

_WRAP = """\
import atexit, runpy, sys
def _peak():
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith('VmHWM:'):
                sys.stderr.write('PEAK_RSS_KB ' + line.split()[1] + '\\n')
atexit.register(_peak)
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name='__main__')
"""


def run_measured(script: Path, args: list[str], stdin_path: Path, cwd: Path) -> tuple[float, float, int, str, float]:
    """(wall seconds, peak RSS in MB, exit code, stderr without the measurement line, CPU
    seconds) of `python script args < stdin_path > /dev/null`. CPU time (user + system, from
    wait4) is what to compare on a shared machine: wall time there depends on the neighbours."""
    with open(stdin_path, "rb") as stdin:
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-c", _WRAP, str(script), *args], cwd=cwd, stdin=stdin,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        err_bytes = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    err = err_bytes.decode("utf-8", "replace")
    peak = [line for line in err.splitlines() if line.startswith("PEAK_RSS_KB ")]
    rest = "\n".join(line for line in err.splitlines() if not line.startswith("PEAK_RSS_KB "))
    return (wall, int(peak[-1].split()[1]) / 1024 if peak else float("nan"), proc.returncode, rest,
            usage.ru_utime + usage.ru_stime)
