"""Per-client rate limits (Flask-Limiter). With REDIS_URL the counters live in Redis, so the
limits hold across every gunicorn worker; without it, in this process's memory (embedded run)."""
from __future__ import annotations

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(get_remote_address)


def submit_limit() -> str:
    return current_app.config["LIMIT_SUBMIT"]


def lookup_fail_limit() -> str:
    return current_app.config["LIMIT_LOOKUP_FAIL"]


def failed_lookup(response) -> bool:
    """Only wrong number/code pairs count against the lookup limit (see tracking/views.py)."""
    return response.status_code == 404
