"""Rate limits hold across gunicorn workers when REDIS_URL is set: two workers, one budget."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from forms_app.cli import upgrade

REDIS = ("127.0.0.1", 6379)


def _reachable(address) -> bool:
    try:
        with socket.create_connection(address, timeout=1):
            return True
    except OSError:
        return False


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _post(url: str) -> int:
    body = urllib.parse.urlencode({"jurisdiction_id": "zixi", "service_code": "other", "address_id": "gaofu-gaofu",
                                   "description": "两个进程共用一个限额"}).encode()
    request = urllib.request.Request(url, data=body, headers={"Connection": "close"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.skipif(not _reachable(REDIS), reason="Redis 不可达")
def test_two_gunicorn_workers_share_one_submission_limit_through_redis(tmp_path):
    url = f"sqlite:///{tmp_path / 'forms.sqlite3'}"
    upgrade(url)
    port, limit = _free_port(), 6
    log = tmp_path / "access.log"
    env = dict(os.environ, DATABASE_URL=url, REDIS_URL=f"redis://{REDIS[0]}:{REDIS[1]}/0",
               FORMS_LIMIT_PREFIX=f"test-{uuid.uuid4().hex}", FORMS_LIMIT_SUBMIT=f"{limit} per hour")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "-w", "2", "-b", f"127.0.0.1:{port}", "--access-logfile", str(log),
         "--access-logformat", "%(p)s %(s)s", "forms_app:create_app()"],
        env=env, cwd=Path(__file__).resolve().parents[2], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).close()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()[-2000:]
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
        time.sleep(1.0)  # let the second worker finish loading too
        with ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(lambda _: _post(f"{base}/api/open311/v2/requests.json"), range(20)))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    assert sorted(statuses) == [201] * limit + [429] * (20 - limit)
    posts = [line.split() for line in log.read_text().splitlines() if line.split()[1] in ("201", "429")]
    assert len({pid for pid, _ in posts}) == 2, "both workers must have answered"
