"""gunicorn settings for the forms app. The one command, in the project folder:

    .venv/bin/gunicorn -c forms_app/gunicorn_conf.py

(a file path, not `python:forms_app.gunicorn_conf`: the master must not import the forms_app
package, or every worker forked after a reload would inherit the old code). The app to run is
`wsgi_app` below. Settings come from the settings file (FORMS_SETTINGS or instance/forms.env,
forms_app/settings_file.py), read here for the master and again by create_app in each worker.

Loading new data or new code: `kill -HUP <master>` (`systemctl reload health-forms`), after
`flask --app forms_app ready` says the new data and code load (deploy/systemd/health-forms.service
runs both as ExecReload). On HUP gunicorn re-reads this file, starts new workers — each imports the
code and loads the policy data afresh, because nothing is preloaded — and stops the old ones
gracefully. Requests are not dropped (benchmarks/forms_reload.py counts them):
- connections that arrive while no worker is accepting wait in the listen queue (`backlog`);
- an old worker finishes what it holds: the requests in its threads, and — what gunicorn's own
  gthread worker drops with a reset — the connections it had accepted but not yet read
  (`DrainingThreadWorker`). That reset was the ~4 nginx 502s per reload.

The rest:
- `graceful_timeout`: an old worker gets this long to finish before it is killed.
- `max_requests` (+ jitter): each worker is recycled now and then (not all at once), which bounds
  slow memory growth; the same draining applies, so a recycle drops nothing either.
- `timeout`: a worker stuck that long is killed and replaced (a hung database call).
- `keepalive`: how long an idle connection is kept; clients must not reuse one idle for longer.
- `post_worker_init`: once a worker has loaded the app, its objects (policy data, templates, the
  ORM: about 108,000) are frozen out of the garbage collector's reach; otherwise every full
  collection walks them, ~50 ms with all the worker's threads stopped.
- logs: access and error logs as JSON lines (`JsonLogger`), to FORMS_ACCESS_LOG / FORMS_ERROR_LOG
  (default "-": stdout/stderr, i.e. the journal); `kill -USR1` reopens the files (logrotate).
- metrics: PROMETHEUS_MULTIPROC_DIR, emptied when the master starts; each worker writes its
  counters there and /metrics adds them up (forms_app/metrics.py).
A worker killed outright (SIGKILL, out of memory) still drops the connections it held: clients
retry, and submissions carry a resubmission id so a retry never files a case twice.

Overridable from the environment (or the settings file): FORMS_WORKERS, FORMS_THREADS, FORMS_BIND,
FORMS_ACCESS_LOG, FORMS_ERROR_LOG, PROMETHEUS_MULTIPROC_DIR.
"""
from __future__ import annotations

import datetime as dt
import gc
import importlib.util
import json
import logging
import os
import selectors
import shutil
import tempfile
import time
from concurrent import futures
from functools import partial
from pathlib import Path

from gunicorn.glogging import Logger
from gunicorn.workers.gthread import ThreadWorker

_HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location("_forms_settings_file", _HERE / "settings_file.py")
_settings = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_settings)
_settings.load(_HERE.parent / "instance")

wsgi_app = "forms_app:create_app()"
bind = os.environ.get("FORMS_BIND", "127.0.0.1:5000")
workers = int(os.environ.get("FORMS_WORKERS", "4"))
threads = int(os.environ.get("FORMS_THREADS", "4"))
preload_app = False  # so that a HUP loads new code and data (above)
graceful_timeout = 30
timeout = 60
keepalive = 5
max_requests = 20000
max_requests_jitter = 2000
# A deep accept queue: connections that arrive while workers are being replaced wait, not fail.
backlog = 2048
accesslog = os.environ.get("FORMS_ACCESS_LOG", "-") or None  # empty: no access log
errorlog = os.environ.get("FORMS_ERROR_LOG", "-")

# Before prometheus_client is imported anywhere (it picks its storage at import): the workers,
# forked from this master, write their metrics here.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="forms-metrics-")
    os.environ["_FORMS_METRICS_TMP"] = os.environ["PROMETHEUS_MULTIPROC_DIR"]  # removed on exit
# Imported now, not in child_exit: that runs in the SIGCHLD handler, and an import there can
# interrupt itself (a half-imported module: the master died of it in the reload benchmark).
from prometheus_client import multiprocess  # noqa: E402


class DrainingThreadWorker(ThreadWorker):
    """gunicorn's gthread worker, except that on a graceful stop it serves the connections it has
    already accepted before it exits (gunicorn 23 closes them unread: the client sees a reset).
    `run` is gunicorn 23's, with the three lines after the loop added."""

    DRAIN_READ_TIMEOUT = 5.0  # an accepted connection that sends nothing for this long is closed
    _term_at: float | None = None

    def handle_exit(self, sig, frame):
        """SIGTERM. In a reload, keep accepting until a new worker has loaded the app (`run`
        checks): without preloading, new workers take seconds to start, and connections that
        arrived meanwhile waited for them. Otherwise (the server stops) stop at once. The master
        repeats the signal every second until the worker is gone: the first one decides."""
        if self._term_at is not None:
            return
        if _reloading_since(time.time() - 5):
            self._term_at = time.time()
        else:
            self.alive = False

    def _successor_ready(self) -> bool:
        """Every new worker has loaded and warmed the app (or a minute has passed)."""
        if time.time() - self._term_at > self.cfg.timeout:
            return True  # bounded: new workers that never become ready must not keep old ones
        ready = 0
        for path in _run_dir().glob("ready-*"):
            try:
                ready += path.stat().st_mtime >= self._term_at - 1
            except OSError:  # a worker that just exited
                pass
        return ready >= self.cfg.workers

    def run(self):
        for sock in self.sockets:
            sock.setblocking(False)
            self.poller.register(sock, selectors.EVENT_READ, partial(self.accept, sock.getsockname()))
        while self.alive:
            self.notify()
            if self._term_at is not None and self._successor_ready():
                break
            if self.nr_conns < self.worker_connections:
                for key, _ in self.poller.select(1.0):
                    key.data(key.fileobj)
                result = futures.wait(self.futures, timeout=0, return_when=futures.FIRST_COMPLETED)
            else:
                result = futures.wait(self.futures, timeout=1.0, return_when=futures.FIRST_COMPLETED)
            for fut in result.done:
                self.futures.remove(fut)
            if not self.is_parent_alive():
                break
            self.murder_keepalived()
        self.alive = False
        self._stop_accepting()
        self._close_idle_keepalive()
        self._drain()
        self.tpool.shutdown(False)
        self.poller.close()
        for s in self.sockets:
            s.close()
        futures.wait(self.futures, timeout=self.cfg.graceful_timeout)

    def _stop_accepting(self):
        """Connections still in the listen queue are left to the other (new) workers."""
        for sock in self.sockets:
            try:
                self.poller.unregister(sock)
            except (KeyError, ValueError):
                pass

    def _close_idle_keepalive(self):
        """Idle keep-alive connections carry no request: close them (an HTTP client resends a
        request on a reused connection that closes; nginx opens a new one per request)."""
        with self._lock:
            while self._keep:
                conn = self._keep.popleft()
                try:
                    self.poller.unregister(conn.sock)
                except (KeyError, ValueError):
                    pass
                self.nr_conns -= 1
                conn.close()

    def _drain(self):
        """Serve every connection accepted but not yet read; its response says Connection: close."""
        deadline = time.monotonic() + min(self.DRAIN_READ_TIMEOUT, self.cfg.graceful_timeout)
        while time.monotonic() < deadline:
            with self._lock:
                waiting = [key for key in self.poller.get_map().values() if key.fileobj not in self.sockets]
            if not waiting and not self.futures:
                return
            for key, _ in self.poller.select(0.05):
                key.data(key.fileobj)
            for fut in futures.wait(self.futures, timeout=0, return_when=futures.FIRST_COMPLETED).done:
                self.futures.remove(fut)
            self.notify()


worker_class = DrainingThreadWorker


class JsonLogger(Logger):
    """Access and error log lines as JSON objects, one per line."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(_JsonFormatter(log is self.access_log))

    def access(self, resp, req, environ, request_time):
        if not (self.cfg.accesslog or self.cfg.logconfig or self.cfg.logconfig_dict or self.cfg.syslog):
            return
        atoms = self.atoms(resp, req, environ, request_time)
        record = {"method": atoms["m"], "path": atoms["U"], "query": atoms["q"] or None, "status": resp.status_code,
                  "bytes": atoms["B"], "ms": round(request_time.total_seconds() * 1000, 1),
                  "remote": atoms["h"], "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
                  "referer": atoms["f"] if atoms["f"] != "-" else None, "agent": atoms["a"], "pid": os.getpid()}
        try:
            self.access_log.info("", extra={"json": record})
        except Exception:  # noqa: BLE001 - a log line must never fail a request
            self.error(f"access log failed for {atoms['U']}")


class _JsonFormatter(logging.Formatter):
    def __init__(self, access: bool):
        super().__init__()
        self.access = access

    def format(self, record):
        line = {"time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
                "log": "access" if self.access else "error"}
        if self.access:
            line.update(getattr(record, "json", {}))
        else:
            line.update(level=record.levelname.lower(), pid=record.process, message=record.getMessage())
            if record.exc_info:
                line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


logger_class = JsonLogger


def _run_dir() -> Path:
    """Marker files beside the metrics (which reads only *.db): `reloading`, `ready-<pid>`."""
    return Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])


def _reloading_since(since: float) -> bool:
    try:
        return (_run_dir() / "reloading").stat().st_mtime >= since
    except OSError:
        return False


def on_reload(server):
    """In the master, on HUP, before the new workers are forked and the old ones told to stop."""
    (_run_dir() / "reloading").touch()


def on_starting(server):
    """In the master, once: start the metrics with empty files (a counter restarts at 0)."""
    path = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    if path.is_dir():
        shutil.rmtree(path)
    path.mkdir(parents=True)


def post_worker_init(worker):
    """In a worker, after the app is loaded and before it serves: warm it (compiled templates, a
    database connection: the first requests are not slow), freeze it (above), say it is ready."""
    if worker is not None:
        from forms_app.health import warm_up  # in the worker, which has imported the app already

        warm_up(worker.wsgi)
    gc.collect()
    gc.freeze()
    if worker is not None:
        (_run_dir() / f"ready-{worker.pid}").touch()  # old workers of a reload may stop now
        _end_reload_when_all_ready(worker.cfg.workers)


def _end_reload_when_all_ready(workers: int) -> None:
    """The last new worker of a reload is ready: the reload is over, remove its marker. Otherwise
    a stop within 5 s of a reload was taken for a reload by the workers, which then waited for
    successors that never came, until killed 30 s later (graceful_timeout). Removing it cannot
    cut a reload short: the master signalled the old workers as it forked the new ones, and
    each old worker decided at its first signal (`handle_exit`)."""
    marker = _run_dir() / "reloading"
    try:
        since = marker.stat().st_mtime
        ready = sum(path.stat().st_mtime >= since for path in _run_dir().glob("ready-*"))
    except OSError:  # no reload under way, or a worker that just exited
        return
    if ready >= workers:
        marker.unlink(missing_ok=True)


def child_exit(server, worker):
    """A worker is gone: its live gauges stop counting (its counters stay in the sums)."""
    multiprocess.mark_process_dead(worker.pid)
    try:
        (_run_dir() / f"ready-{worker.pid}").unlink()
    except OSError:
        pass


def on_exit(server):
    made = os.environ.get("_FORMS_METRICS_TMP")
    if made and made == os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        shutil.rmtree(made, ignore_errors=True)
