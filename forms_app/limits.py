"""Per-client rate limits (Flask-Limiter). With REDIS_URL the counters live in Redis; without it
in the app's database (rate_storage.py). Either way every gunicorn worker counts against one
budget, so the documented numbers are the enforced ones.

Wrong lookups (a case number with a wrong code, or an unknown number) share ONE budget per client
address across the lookup page, the API and the filer's feedback form. It is taken before the
lookup, in one atomic increment, and given back when the number and code matched: concurrent
guesses cannot all pass a check made before any of them was counted."""
from __future__ import annotations

from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(get_remote_address)


def submit_limit() -> str:
    return current_app.config["LIMIT_SUBMIT"]


def lookup_fail_limit() -> str:
    return current_app.config["LIMIT_LOOKUP_FAIL"]



def _lookup_item():
    from limits import parse

    return parse(lookup_fail_limit())


def _lookup_ids() -> tuple[str, ...]:
    return (current_app.config.get("RATELIMIT_KEY_PREFIX") or "forms", "lookup-fail", get_remote_address())


def take_lookup_attempt() -> None:
    """Count one lookup against the client's budget, or answer 429 when it is spent."""
    from flask import abort
    from limits.strategies import FixedWindowRateLimiter

    if not FixedWindowRateLimiter(limiter.storage).hit(_lookup_item(), *_lookup_ids()):
        abort(429)


def give_back_lookup_attempt() -> None:
    """The number and code matched: a right lookup costs nothing."""
    from limits.strategies import FixedWindowRateLimiter

    FixedWindowRateLimiter(limiter.storage).hit(_lookup_item(), *_lookup_ids(), cost=-1)
