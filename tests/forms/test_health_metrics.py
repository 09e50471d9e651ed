"""Health, readiness and Prometheus metrics (issue 26)."""
from __future__ import annotations

import datetime as dt
import json
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import update

from forms_app.cli import upgrade
from forms_app.local_gunicorn import LocalGunicorn, free_port
from forms_app.models import Case

from .formhelpers import file_complaint, make_app
from .staffhelpers import act, staff_client


def samples(text: str) -> dict[tuple, float]:
    """{(sample name, (label, value), ...): value} from the Prometheus text format."""
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, *sorted(s.labels.items()))] = s.value
    return out


def scrape(client) -> dict[tuple, float]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.content_type.startswith("text/plain; version=")
    return samples(response.get_data(as_text=True))


def requests_total(m, route, status, method="GET") -> float:
    return m.get(("forms_http_requests_total", ("method", method), ("route", route), ("status", status)), 0.0)


# ------------------------------------------------------------------ health and readiness

def test_healthz_and_readyz_on_a_migrated_database(client):
    assert client.get("/healthz").get_json() == {"ok": True}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {"ready": True, "checks": {"database": "ok", "redis": "ok"}}


def test_readyz_is_503_on_a_database_never_migrated(policy, tmp_path):
    app = make_app(policy, f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["ready"] is False and "迁移" in body["checks"]["database"]
    assert app.test_client().get("/healthz").status_code == 200  # the process itself is up


def test_readyz_is_503_on_a_database_behind_the_code(policy, tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    upgrade(url, "0002")
    response = make_app(policy, url).test_client().get("/readyz")
    assert response.status_code == 503
    assert "0002" in response.get_json()["checks"]["database"]


def test_readyz_is_503_when_redis_does_not_answer(policy, sqlite_url):
    app = make_app(policy, sqlite_url, REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"] == {"database": "ok", "redis": "Redis 连不上（REDIS_URL）"}


# ------------------------------------------------------------------ metrics

def test_requests_are_counted_by_route_and_status_with_their_latency(page_client):
    before = scrape(page_client)
    page_client.get("/zixi/complaint")
    page_client.get("/zixi/complaint")
    page_client.get("/no/such/page/at/all")
    after = scrape(page_client)
    assert requests_total(after, "/<jid>/complaint", "200") - requests_total(before, "/<jid>/complaint", "200") == 2
    assert requests_total(after, "unmatched", "404") - requests_total(before, "unmatched", "404") == 1
    key = ("forms_http_request_duration_seconds_count", ("method", "GET"), ("route", "/<jid>/complaint"))
    assert after[key] - before.get(key, 0) == 2
    assert not any("no/such" in str(k) for k in after)  # raw paths never become series


def test_open_and_overdue_cases_and_the_sms_outbox_are_counted(app):
    client = app.test_client()
    open_ = ("forms_cases_open", ("jurisdiction", "zixi"))
    overdue = ("forms_cases_overdue", ("jurisdiction", "zixi"))
    pending = ("forms_outbox_messages", ("jurisdiction", "zixi"), ("status", "pending"))
    before = scrape(client)
    assert before[("forms_database_up",)] == 1
    number, _ = file_complaint(client)
    m = scrape(client)
    assert m[open_] == before[open_] + 1 and m[overdue] == before[overdue]
    with app.extensions["forms_db"].writing() as session:  # its decision deadline passes
        session.execute(update(Case).where(Case.number == number).values(decide_by=dt.date(2020, 1, 2)))
    m = scrape(client)
    assert m[overdue] == before[overdue] + 1
    admin, _ = staff_client(app, "admin")
    act(admin, "zixi", number, "status", status="accepted", text="受理")  # an SMS to the filer
    m = scrape(client)
    assert m[pending] == before[pending] + 1
    assert m[overdue] == before[overdue]  # accepted: its reply deadline is in the future


def test_metrics_answer_only_loopback_clients(page_client):
    assert page_client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 404
    assert page_client.get("/metrics", environ_base={"REMOTE_ADDR": "::1"}).status_code == 200


def test_metrics_still_answer_when_the_database_does_not(policy, tmp_path):
    client = make_app(policy, f"sqlite:///{tmp_path / 'none.sqlite3'}").test_client()
    m = scrape(client)
    assert m[("forms_database_up",)] == 0
    assert not any(k[0] == "forms_cases_open" for k in m)


def test_under_gunicorn_every_workers_requests_are_summed_and_logs_are_json(tmp_path):
    url = f"sqlite:///{tmp_path / 'forms.sqlite3'}"
    upgrade(url)
    log = tmp_path / "access.log"
    with LocalGunicorn({"DATABASE_URL": url, "REDIS_URL": "", "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "m")},
                       workers=2, threads=1, access_log=log) as server:
        n = 60

        def get(_):
            request = urllib.request.Request(f"{server.base}/zixi/complaint", headers={"Connection": "close"})
            with urllib.request.urlopen(request, timeout=30) as r:
                return r.status

        with ThreadPoolExecutor(6) as pool:  # one thread per worker: both must take some
            assert set(pool.map(get, range(n))) == {200}
        with urllib.request.urlopen(f"{server.base}/metrics", timeout=30) as r:
            m = samples(r.read().decode())
    assert requests_total(m, "/<jid>/complaint", "200") == n  # warm-up requests are not counted
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    pages = [x for x in lines if x["path"] == "/zixi/complaint"]
    assert len(pages) == n and {x["status"] for x in pages} == {200}
    assert len({x["pid"] for x in pages}) == 2, "both workers answered, and /metrics added both up"
    assert all({"time", "method", "ms", "remote"} <= set(x) for x in pages)


@pytest.mark.parametrize("path", ["/healthz", "/readyz", "/metrics"])
def test_health_and_metrics_are_never_cached(page_client, path):
    assert "no-store" in page_client.get(path).headers.get("Cache-Control", "")
