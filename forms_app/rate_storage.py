"""Rate-limit counters in the app's own database, for runs without Redis.

Flask-Limiter keeps its counters in each process's memory unless told otherwise, so the embedded
run (`scripts/run.sh`: gunicorn with two workers) would allow twice every documented limit, and
more with more workers. Without REDIS_URL the counters live in the `rate_limits` table instead
(migration 0006): one row per key and window, incremented in a single INSERT ... ON CONFLICT DO
UPDATE ... RETURNING statement, which is atomic on SQLite and PostgreSQL alike. Registered with
the `limits` library as the `formsdb://` storage; the Database object comes in the options.
"""
from __future__ import annotations

import random
import time

from limits.storage import Storage
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

_INCR = text("""
    INSERT INTO rate_limits (key, hits, expires_at) VALUES (:key, :amount, :expires)
    ON CONFLICT (key) DO UPDATE SET
        hits = CASE WHEN rate_limits.expires_at <= :now THEN :amount ELSE rate_limits.hits + :amount END,
        expires_at = CASE WHEN rate_limits.expires_at <= :now THEN :expires ELSE rate_limits.expires_at END
    RETURNING hits""")


class DatabaseStorage(Storage):
    STORAGE_SCHEME = ["formsdb"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        self.db = options["db"]

    @property
    def base_exceptions(self):
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with self.db.writing() as session:
            hits = session.execute(_INCR, {"key": key[:250], "amount": amount, "now": now,
                                           "expires": now + expiry}).scalar_one()
            if random.random() < 0.01:  # now and then, forget windows long over
                session.execute(text("DELETE FROM rate_limits WHERE expires_at < :old"), {"old": now - 86400})
        return int(hits)

    def get(self, key: str) -> int:
        with self.db.reading() as session:
            row = session.execute(text("SELECT hits, expires_at FROM rate_limits WHERE key = :key"),
                                  {"key": key[:250]}).first()
        return int(row[0]) if row and row[1] > time.time() else 0

    def get_expiry(self, key: str) -> float:
        with self.db.reading() as session:
            row = session.execute(text("SELECT expires_at FROM rate_limits WHERE key = :key"), {"key": key[:250]}).first()
        return float(row[0]) if row and row[0] > time.time() else time.time()

    def check(self) -> bool:
        try:
            with self.db.reading() as session:
                session.execute(text("SELECT 1"))
            return True
        except SQLAlchemyError:
            return False

    def reset(self) -> int | None:
        with self.db.writing() as session:
            return session.execute(text("DELETE FROM rate_limits")).rowcount

    def clear(self, key: str) -> None:
        with self.db.writing() as session:
            session.execute(text("DELETE FROM rate_limits WHERE key = :key"), {"key": key[:250]})
