"""Issue 23, causes 7 and 13: one budget of wrong lookups per address across /track, the API and
the feedback form, taken atomically; without Redis the limits hold across gunicorn workers
(counters in the database); a wrong token costs the same for an existing case number as for an
unknown one."""
from __future__ import annotations

import json

import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event

from forms_app.cli import upgrade
from forms_app.local_gunicorn import REDIS, LocalGunicorn, reachable

from .formhelpers import csrf, file_complaint, make_app


def _wrong_everywhere(client, number: str) -> list[int]:
    track = client.post("/zixi/track", data={"number": number, "code": "00000000",
                                             "csrf_token": csrf(client, "/zixi/track")}).status_code
    api = client.get(f"/api/open311/v2/requests/{number}.json?jurisdiction_id=zixi&token=00000000").status_code
    feedback = client.post("/zixi/track/feedback", data={"number": number, "code": "00000000"}).status_code
    return [track, api, feedback]


STORAGES = ["formsdb://", "memory://",
            pytest.param(f"redis://{REDIS[0]}:{REDIS[1]}/0", marks=pytest.mark.skipif(not reachable(REDIS), reason="Redis 不可达"))]


@pytest.mark.parametrize("storage", STORAGES)
def test_one_budget_across_track_the_api_and_feedback(policy, db_url, storage):
    app = make_app(policy, db_url, LIMIT_LOOKUP_FAIL="3 per hour", RATELIMIT_STORAGE_URI=storage,
                   RATELIMIT_KEY_PREFIX=f"budget-{uuid.uuid4().hex}")
    try:
        client = app.test_client()
        number, code = file_complaint(client)
        assert _wrong_everywhere(client, number) == [404, 404, 404]
        assert _wrong_everywhere(client, number) == [429, 429, 429]
        # Refused before the lookup: even the right code waits for the window to pass.
        assert client.get(f"/api/open311/v2/requests/{number}.json?jurisdiction_id=zixi&token={code}").status_code == 429
    finally:
        app.extensions["forms_db"].dispose()


@pytest.mark.parametrize("storage", STORAGES)
def test_a_right_lookup_costs_nothing(policy, db_url, storage):
    app = make_app(policy, db_url, LIMIT_LOOKUP_FAIL="2 per hour", RATELIMIT_STORAGE_URI=storage,
                   RATELIMIT_KEY_PREFIX=f"budget-{uuid.uuid4().hex}")
    try:
        client = app.test_client()
        number, code = file_complaint(client)
        for _ in range(5):
            assert client.get(f"/api/open311/v2/requests/{number}.json?jurisdiction_id=zixi&token={code}").status_code == 200
        assert [client.get(f"/api/open311/v2/requests/{number}.json?jurisdiction_id=zixi&token=11111111").status_code
                for _ in range(3)] == [404, 404, 429]
    finally:
        app.extensions["forms_db"].dispose()


def test_concurrent_wrong_lookups_never_exceed_the_budget(policy, db_url):
    app = make_app(policy, db_url, LIMIT_LOOKUP_FAIL="5 per hour", RATELIMIT_STORAGE_URI="formsdb://",
                   RATELIMIT_KEY_PREFIX=f"budget-{uuid.uuid4().hex}")
    try:
        number, _ = file_complaint(app.test_client())
        start = threading.Barrier(16)
        statuses = []

        def guess(i):
            client = app.test_client()
            start.wait()
            statuses.append(client.get(f"/api/open311/v2/requests/{number}.json?jurisdiction_id=zixi"
                                       f"&token={i:08d}").status_code)
        threads = [threading.Thread(target=guess, args=(i,)) for i in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(statuses) == [404] * 5 + [429] * 11
    finally:
        app.extensions["forms_db"].dispose()


def test_a_wrong_token_costs_the_same_for_an_existing_and_an_unknown_number(app):
    """The same statements run for both (no timeline read before the code matched)."""
    number, _ = file_complaint(app.test_client())
    year = number.split("-")[1]
    statements = []
    engine = app.extensions["forms_db"].engine

    def count(conn, cursor, statement, *args):
        statements.append(statement.split()[0])
    client = app.test_client()
    event.listen(engine, "before_cursor_execute", count)
    try:
        client.get(f"/api/open311/v2/requests/{number}.json?jurisdiction_id=zixi&token=00000000")
        existing = list(statements)
        statements.clear()
        client.get(f"/api/open311/v2/requests/ZX-{year}-999999.json?jurisdiction_id=zixi&token=00000000")
        unknown = list(statements)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert existing == unknown and len(existing) >= 1


def _lookup(url: str) -> int:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={"Connection": "close"}), timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_two_gunicorn_workers_without_redis_share_one_budget(tmp_path):
    """As scripts/run.sh serves it: two workers, no Redis. The documented number is the limit."""
    url = f"sqlite:///{tmp_path / 'forms.sqlite3'}"
    upgrade(url)
    limit = 6
    log = tmp_path / "access.log"
    env = {"DATABASE_URL": url, "REDIS_URL": "", "FORMS_LIMIT_LOOKUP_FAIL": f"{limit} per hour",
           "FORMS_LIMIT_PREFIX": f"test-{uuid.uuid4().hex}"}
    with LocalGunicorn(env, workers=2, threads=1, access_log=log) as server:
        target = f"{server.base}/api/open311/v2/requests/ZX-2026-000001.json?jurisdiction_id=zixi&token=12345678"
        with ThreadPoolExecutor(4) as pool:
            statuses = list(pool.map(lambda _: _lookup(target), range(20)))
    assert sorted(statuses) == [404] * limit + [429] * (20 - limit)
    lines = [json.loads(line) for line in log.read_text().splitlines()]  # JSON lines (gunicorn_conf.JsonLogger)
    answers = [line for line in lines if line.get("status") in (404, 429)]
    assert len({line["pid"] for line in answers}) == 2, "both workers must have answered"
