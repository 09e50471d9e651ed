"""Rate limits hold across gunicorn workers when REDIS_URL is set: two workers, one budget."""
from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor

import pytest

from forms_app.cli import upgrade
from forms_app.local_gunicorn import REDIS, LocalGunicorn, reachable


def _post(url: str) -> int:
    body = urllib.parse.urlencode({"jurisdiction_id": "zixi", "service_code": "other", "address_id": "gaofu-gaofu",
                                   "description": "两个进程共用一个限额"}).encode()
    request = urllib.request.Request(url, data=body, headers={"Connection": "close"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.skipif(not reachable(REDIS), reason="Redis 不可达")
def test_two_gunicorn_workers_share_one_submission_limit_through_redis(tmp_path):
    url = f"sqlite:///{tmp_path / 'forms.sqlite3'}"
    upgrade(url)
    limit = 6
    log = tmp_path / "access.log"
    env = {"DATABASE_URL": url, "REDIS_URL": f"redis://{REDIS[0]}:{REDIS[1]}/0",
           "FORMS_LIMIT_PREFIX": f"test-{uuid.uuid4().hex}", "FORMS_LIMIT_SUBMIT": f"{limit} per hour"}
    with LocalGunicorn(env, workers=2, threads=1, access_log=log) as server:
        with ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(lambda _: _post(f"{server.base}/api/open311/v2/requests.json"), range(20)))
    assert sorted(statuses) == [201] * limit + [429] * (20 - limit)
    posts = [json.loads(line) for line in log.read_text().splitlines()]  # the access log: JSON lines
    posts = [p for p in posts if p["status"] in (201, 429)]
    assert len({p["pid"] for p in posts}) == 2, "both workers must have answered"


def test_a_killed_worker_is_replaced_at_once_and_a_retry_files_nothing_twice(tmp_path):
    """The production settings preload the app: the master forks a replacement for a crashed
    worker without loading anything. A client retrying its submission with the same
    Idempotency-Key afterwards gets the first request back, whichever worker answers."""
    import json
    import time

    url = f"sqlite:///{tmp_path / 'forms.sqlite3'}"
    upgrade(url)
    key = str(uuid.uuid4())
    body = urllib.parse.urlencode({"jurisdiction_id": "zixi", "service_code": "other", "address_id": "gaofu-gaofu",
                                   "description": "进程被杀后重试"}).encode()

    def post(base):
        request = urllib.request.Request(f"{base}/api/open311/v2/requests.json", data=body,
                                         headers={"Idempotency-Key": key, "Connection": "close"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())[0]["service_request_id"]

    with LocalGunicorn({"DATABASE_URL": url, "REDIS_URL": ""}, workers=2, threads=1) as server:
        first = post(server.base)
        before = set(server.workers())
        killed = server.kill_one_worker()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            now = set(server.workers())
            if len(now) == 2 and killed not in now:
                break
            time.sleep(0.05)
        replaced_after = 10 - (deadline - time.monotonic())
        assert len(now) == 2 and killed not in now and now != before
        assert replaced_after < 5, f"the replacement took {replaced_after:.1f} s"
        answers = {post(server.base) for _ in range(4)}  # both workers, most likely
    assert answers == {(201, first[1])}


def test_a_workers_loaded_app_is_frozen_out_of_the_garbage_collectors_reach(sqlite_app, monkeypatch):
    """gunicorn_conf.post_worker_init runs in each worker after it loaded the app: the app's
    objects move to the collector's permanent generation, so a full collection no longer walks them."""
    import gc
    import importlib.util
    import os
    import shutil

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(sqlite_app.instance_path))  # the conf makes none
    saved = dict(os.environ)
    spec = importlib.util.spec_from_file_location("_conf", Path(__file__).parents[2] / "forms_app" / "gunicorn_conf.py")
    conf = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(conf)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    session_frozen = gc.get_freeze_count() > 0  # tests/conftest.py freezes what collection loaded
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    gc.collect()  # what is left is alive: the app, and whatever the test session holds
    walked_before = len(gc.get_objects())
    assert walked_before > 50_000  # the policy data, templates and ORM of the app under test
    try:
        conf.post_worker_init(None)
        assert gc.get_freeze_count() > walked_before * 0.9
        assert len(gc.get_objects()) < walked_before / 10
    finally:
        gc.unfreeze()
        if session_frozen:
            gc.freeze()
