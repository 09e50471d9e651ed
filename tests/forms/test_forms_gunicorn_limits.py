"""Rate limits hold across gunicorn workers when REDIS_URL is set: two workers, one budget."""
from __future__ import annotations

import urllib.error
import urllib.parse
import urllib.request
import uuid
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
    with LocalGunicorn(env, workers=2, threads=1, access_log=log, access_format="%(p)s %(s)s") as server:
        with ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(lambda _: _post(f"{server.base}/api/open311/v2/requests.json"), range(20)))
    assert sorted(statuses) == [201] * limit + [429] * (20 - limit)
    posts = [line.split() for line in log.read_text().splitlines() if line.split()[1] in ("201", "429")]
    assert len({pid for pid, _ in posts}) == 2, "both workers must have answered"
