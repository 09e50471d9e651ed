"""Start the forms app under gunicorn on 127.0.0.1 and stop it: one helper for the load benchmark
(benchmarks/forms_load.py) and the tests that need real worker processes
(tests/forms/test_forms_gunicorn_limits.py, test_forms_reload.py). It uses the production
settings (forms_app/gunicorn_conf.py, the one command of docs/operators.md) with the given number
of workers and threads on a free port; `root` runs another copy of the project (a code upgrade).
"""
from __future__ import annotations

import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
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
                 start_timeout: float = 90.0, root: Path = ROOT, extra_args: tuple[str, ...] = ()):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self._own_metrics = None
        if not env.get("PROMETHEUS_MULTIPROC_DIR"):
            self._own_metrics = tempfile.mkdtemp(prefix="forms-metrics-")
            env = {**env, "PROMETHEUS_MULTIPROC_DIR": self._own_metrics}
        self.run_dir = Path(env["PROMETHEUS_MULTIPROC_DIR"])  # gunicorn_conf's ready-<pid> markers
        full_env = dict(os.environ, **env, FORMS_WORKERS=str(workers), FORMS_THREADS=str(threads),
                        FORMS_BIND=f"127.0.0.1:{self.port}", FORMS_ACCESS_LOG=str(access_log or ""))
        # Run with the other copy's code: its folder first on the import path (the editable
        # install in .venv would otherwise win).
        full_env["PYTHONPATH"] = str(root)
        args = [str(Path(sys.executable).with_name("gunicorn")), "-c", str(root / "forms_app" / "gunicorn_conf.py"),
                "--log-level", "warning", *extra_args]
        self.workers_wanted = workers
        self.proc = subprocess.Popen(args, env=full_env, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
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
        # Every worker has loaded and warmed the app (gunicorn_conf.post_worker_init's marker).
        while len(list(self.run_dir.glob("ready-*"))) < self.workers_wanted and time.monotonic() < deadline:
            time.sleep(0.1)

    def _stderr_tail(self) -> str:
        if self.proc.poll() is None:
            return "(still running)"
        return self.proc.stderr.read().decode(errors="replace")[-3000:]

    def workers(self) -> list[int]:
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def reload(self) -> None:
        """What `systemctl reload health-forms` does after its check: HUP to the master."""
        os.kill(self.proc.pid, signal.SIGHUP)

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
        if self._own_metrics:
            shutil.rmtree(self._own_metrics, ignore_errors=True)

    def __enter__(self) -> LocalGunicorn:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# ------------------------------------------------------------------ reloads under load

COPIED = ("forms_app", "policy", "builder", "policy_data")


def copy_project(dest: Path) -> Path:
    """A copy of the code and data a forms server runs, to change under a running server."""
    for name in COPIED:
        shutil.copytree(ROOT / name, dest / name, ignore=shutil.ignore_patterns("__pycache__", "instance"))
    return dest


def reload_check(root: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    """The check `systemctl reload health-forms` runs before HUP (`flask ready`), against `root`."""
    return subprocess.run([str(Path(sys.executable).with_name("flask")), "--app", "forms_app", "ready"],
                          cwd=root, env=dict(os.environ, **env, PYTHONPATH=str(root)),
                          capture_output=True, text=True, timeout=120)


class SteadyLoad:
    """`clients` threads, each sending requests one after another on a new connection each (as
    nginx does to its upstream), until stopped or `limit` requests are sent. Mixed: the complaint
    form, the categories as Open311 services, and Open311 submissions (POST). Every answer that is
    not 2xx, and every connection refused, reset or timed out, counts as failed. `pause`: seconds
    each client waits between two requests (0: none, as much load as the clients can make)."""

    def __init__(self, port: int, clients: int = 8, limit: int = 200_000, timeout: float = 30.0,
                 pause: float = 0.0):
        self.port, self.clients, self.limit, self.timeout, self.pause = port, clients, limit, timeout, pause
        self.sent = 0
        self.failed: Counter[str] = Counter()
        self.failures_at: list[float] = []  # time.monotonic() when each failure was seen
        self.latest: dict[str, bytes] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(clients)]

    REQUESTS = (
        ("GET", "/zixi/complaint", None),
        ("GET", "/api/open311/v2/services.json?jurisdiction_id=zixi", None),
        ("GET", "/healthz", None),
        ("POST", "/api/open311/v2/requests.json",
         {"jurisdiction_id": "zixi", "service_code": "other", "address_id": "gaofu-gaofu",
          "description": "重新加载期间的提交"}),
    )

    def _one(self, method: str, path: str, form: dict | None) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        body = urllib.parse.urlencode(form).encode() if form else None
        headers = {"Connection": "close"}
        if body:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            kind = None if 200 <= response.status < 300 else f"HTTP {response.status}"
        except TimeoutError:
            kind = "timeout"
        except ConnectionRefusedError:
            kind = "refused"
        except (ConnectionError, http.client.HTTPException, OSError) as exc:
            kind = f"reset ({type(exc).__name__})"
        finally:
            conn.close()
        with self._lock:
            self.sent += 1
            if kind:
                self.failed[f"{method} {path.split('?')[0]}: {kind}"] += 1
                self.failures_at.append(time.monotonic())
            else:
                self.latest[path] = data

    def _run(self, index: int) -> None:
        n = index
        while not self._stop.is_set():
            with self._lock:
                if self.sent >= self.limit:
                    return
            self._one(*self.REQUESTS[n % len(self.REQUESTS)])
            n += 1
            if self.pause:
                self._stop.wait(self.pause)

    def seen(self, path: str, text: str) -> bool:
        with self._lock:
            return text.encode() in self.latest.get(path, b"")

    def wait_for(self, path: str, text: str, timeout: float = 240.0) -> float:
        """Seconds until an answer to `path` contained `text` (after a reload)."""
        start = time.monotonic()
        while not self.seen(path, text):
            if time.monotonic() - start > timeout:
                raise TimeoutError(f"{path} never showed {text!r}")
            time.sleep(0.05)
        return time.monotonic() - start

    def __enter__(self) -> SteadyLoad:
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(self.timeout + 5)

    @property
    def failed_total(self) -> int:
        return sum(self.failed.values())
