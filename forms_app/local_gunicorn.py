"""Start the forms app under gunicorn on 127.0.0.1 and stop it: one helper for the load benchmark
(benchmarks/forms_load.py) and the tests that need real worker processes
(tests/forms/test_forms_gunicorn_limits.py). It uses the production settings
(forms_app/gunicorn_conf.py) with the given number of workers and threads on a free port.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REDIS = ("127.0.0.1", 6379)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def reachable(address, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection(address, timeout=timeout):
            return True
    except OSError:
        return False


class LocalGunicorn:
    """`with LocalGunicorn(env, workers=2) as server:` ... `server.base` is the URL."""

    def __init__(self, env: dict[str, str], *, workers: int = 4, threads: int = 4, access_log: Path | None = None,
                 access_format: str | None = None, start_timeout: float = 90.0):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        full_env = dict(os.environ, **env, FORMS_WORKERS=str(workers), FORMS_THREADS=str(threads),
                        FORMS_BIND=f"127.0.0.1:{self.port}")
        args = [str(Path(sys.executable).with_name("gunicorn")), "-c", "python:forms_app.gunicorn_conf",
                "--log-level", "warning"]
        if access_log is not None:
            args += ["--access-logfile", str(access_log)]
            if access_format:
                args += ["--access-logformat", access_format]
        self.workers_wanted = workers
        self.proc = subprocess.Popen(args + ["forms_app:create_app()"], env=full_env, cwd=ROOT,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            self._wait_ready(start_timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, start_timeout: float) -> None:
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                urllib.request.urlopen(f"{self.base}/healthz", timeout=2).close()
                break
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start:\n" + self._stderr_tail()) from None
                time.sleep(0.3)
        # Every worker forked (the app is preloaded, so a forked worker is ready at once).
        while len(self.workers()) < self.workers_wanted and time.monotonic() < deadline:
            time.sleep(0.1)

    def _stderr_tail(self) -> str:
        if self.proc.poll() is None:
            return "(still running)"
        return self.proc.stderr.read().decode(errors="replace")[-3000:]

    def workers(self) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def kill_one_worker(self) -> int | None:
        """SIGKILL one worker of this master (a crash, not a graceful stop); the master replaces it."""
        pids = self.workers()
        if not pids:
            return None
        os.kill(pids[0], signal.SIGKILL)
        return pids[0]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __enter__(self) -> LocalGunicorn:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
