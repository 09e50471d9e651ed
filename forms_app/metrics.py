"""Prometheus metrics at `/metrics` (prometheus_client; the alerts to set are in docs/operators.md).

- `forms_http_requests_total{route, method, status}` and `forms_http_request_duration_seconds
  {route, method}`: every request, by its URL rule (`/<jid>/complaint`, never the raw path, so a
  scan of random URLs adds one series, `unmatched`, not thousands).
- `forms_cases_open{jurisdiction}`, `forms_cases_overdue{jurisdiction}` (the staff queue's own
  definitions), `forms_outbox_messages{jurisdiction, status}` (pending = not yet sent, failed =
  given up): read from the database when scraped.

Under gunicorn each worker writes its counters to PROMETHEUS_MULTIPROC_DIR (set by
gunicorn_conf.py before any worker starts) and a scrape adds every worker's up; without it (flask
run, tests) the counters live in this process. Only loopback clients get the page (after
FORMS_PROXIES, the real client's address): scrape gunicorn on 127.0.0.1, nginx refuses /metrics.
"""
from __future__ import annotations

import ipaddress
import os
import time

from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

bp = Blueprint("metrics", __name__)

# Registered here, not in the global registry: the multiprocess scrape builds its own.
REGISTRY = CollectorRegistry(auto_describe=True)
REQUESTS = Counter("forms_http_requests", "HTTP requests answered, by URL rule, method and status",
                   ["route", "method", "status"], registry=REGISTRY)
LATENCY = Histogram("forms_http_request_duration_seconds", "Time to answer a request, by URL rule and method",
                    ["route", "method"], registry=REGISTRY,
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)

    @app.before_request
    def _start():
        g.metrics_start = time.perf_counter()

    @app.after_request
    def _count(response):
        start = g.pop("metrics_start", None)
        if request.environ.get("forms.warm_up"):  # health.warm_up in a starting worker
            return response
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        REQUESTS.labels(route, request.method, str(response.status_code)).inc()
        if start is not None:
            LATENCY.labels(route, request.method).observe(time.perf_counter() - start)
        return response


class QueueCollector:
    """Open and overdue cases and the SMS outbox, counted in the database at each scrape."""

    def __init__(self, app: Flask):
        self.app = app

    def collect(self):
        db = self.app.extensions["forms_db"]
        open_cases = GaugeMetricFamily("forms_cases_open", "Cases not closed or declined", labels=["jurisdiction"])
        overdue = GaugeMetricFamily("forms_cases_overdue", "Open cases past their decision or reply deadline",
                                    labels=["jurisdiction"])
        outbox = GaugeMetricFamily("forms_outbox_messages", "SMS to filers not sent: pending (waiting or retrying) "
                                   "and failed (given up)", labels=["jurisdiction", "status"])
        up = GaugeMetricFamily("forms_database_up", "1 if the queue counts below could be read from the database")
        jids = sorted(self.app.extensions["forms_policy"].jurisdictions)
        counts = {j: {"open": 0, "overdue": 0, "pending": 0, "failed": 0} for j in jids}
        try:
            self._count(db, counts)
        except Exception as exc:  # noqa: BLE001 - the request metrics must still be served
            self.app.logger.warning("metrics: database: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        for jid, c in sorted(counts.items()):
            open_cases.add_metric([jid], c["open"])
            overdue.add_metric([jid], c["overdue"])
            outbox.add_metric([jid, "pending"], c["pending"])
            outbox.add_metric([jid, "failed"], c["failed"])
        yield from (up, open_cases, overdue, outbox)

    @staticmethod
    def _count(db, counts: dict) -> None:
        from .models import Case, OutboxMessage, local_date, utcnow
        from .staff.queue import AFTER_ACCEPT, overdue_condition

        with db.reading() as session:
            is_open = Case.status.in_(("submitted", *AFTER_ACCEPT))
            for jid, n in session.execute(select(Case.jurisdiction, func.count()).where(is_open)
                                          .group_by(Case.jurisdiction)):
                counts.setdefault(jid, dict.fromkeys(("open", "overdue", "pending", "failed"), 0))["open"] = n
            for jid, n in session.execute(select(Case.jurisdiction, func.count())
                                          .where(overdue_condition(local_date(utcnow()))).group_by(Case.jurisdiction)):
                counts.setdefault(jid, dict.fromkeys(("open", "overdue", "pending", "failed"), 0))["overdue"] = n
            for jid, status, n in session.execute(
                    select(Case.jurisdiction, OutboxMessage.status, func.count())
                    .join(Case, Case.id == OutboxMessage.case_id)
                    .where(OutboxMessage.status.in_(("pending", "failed")))
                    .group_by(Case.jurisdiction, OutboxMessage.status)):
                counts.setdefault(jid, dict.fromkeys(("open", "overdue", "pending", "failed"), 0))[status] = n


def _loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address(address or "").is_loopback
    except ValueError:
        return False


@bp.get("/metrics")
def metrics():
    if not _loopback(request.remote_addr):
        abort(404)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    scrape = CollectorRegistry()
    scrape.register(QueueCollector(current_app._get_current_object()))
    body = generate_latest(registry) + generate_latest(scrape)
    return Response(body, content_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
