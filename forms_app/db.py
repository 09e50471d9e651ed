"""The database connection: one engine per app, and one place that owns commit and rollback.

PostgreSQL: each gunicorn worker keeps a small pool (as many connections as it has threads, a few
more at a peak), checked with a ping when taken from the pool so a restarted server costs no
failed request. Reads run in autocommit: one round trip per query instead of BEGIN, query,
ROLLBACK (a page shows what was committed when it was read; nothing a read does needs more).

SQLite runs in WAL mode with a busy timeout; a writing transaction starts with BEGIN IMMEDIATE so
two workers that both want to write queue for the lock instead of failing half-way (pysqlite's
default deferred BEGIN would let both read, then one fail on the upgrade to a write lock).
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we emit BEGIN ourselves (below)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            immediate = conn.get_execution_options().get("sqlite_immediate")
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

        return engine
    threads = int(os.environ.get("FORMS_THREADS", "4"))
    return create_engine(url, pool_pre_ping=True, pool_size=threads, max_overflow=threads)


class Database:
    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # SQLite reads stay as they are (a deferred BEGIN costs no round trip there).
        reader = self.engine if self.is_sqlite else self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self._read_sessions = sessionmaker(reader, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """A transaction that is committed whole when the block ends, or rolled back whole."""
        with self._sessions() as session:
            session.connection(execution_options={"sqlite_immediate": True})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def reading(self) -> Iterator[Session]:
        # Closing (not rolling back) ends the transaction without expiring the loaded rows.
        with self._read_sessions() as session:
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
