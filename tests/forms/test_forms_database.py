"""Both databases: migrations give the models' schema, numbers stay unique under concurrency,
a submission is stored whole or not at all, the audit log cannot be changed."""
from __future__ import annotations

import threading
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, func, select, text, update
from sqlalchemy.exc import DBAPIError

from .formhelpers import PG, PG_BASE
from forms_app import create_app
from forms_app.cli import db_cli, upgrade
from forms_app.models import AuditEntry, Base, Case, CaseCounter, CaseEvent
from forms_app.store import NewCase, save_case


def _empty_url(kind, tmp_path):
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL schema."""
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}", None
    import psycopg

    schema = f"forms_empty_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_BASE.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    return f"{PG_BASE}?options=-csearch_path%3D{schema}", schema


def _drop(schema):
    if schema:
        import psycopg

        with psycopg.connect(PG_BASE.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG, reason="PostgreSQL 不可达"))])
def test_migrations_from_empty_produce_the_models_schema(kind, tmp_path):
    url, schema = _empty_url(kind, tmp_path)
    try:
        upgrade(url)
        engine = create_engine(url)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
            tables = set(Base.metadata.tables)
            assert tables <= set(conn.dialect.get_table_names(conn))
        engine.dispose()
        assert diff == []
    finally:
        _drop(schema)


def test_flask_db_upgrade_migrates_an_empty_database(policy, tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    app = create_app({"TESTING": True, "DATABASE_URL": url, "POLICY": policy})
    result = app.test_cli_runner().invoke(db_cli, ["upgrade"])
    assert result.exit_code == 0, result.output
    assert "最新" in result.output
    engine = create_engine(url)
    with engine.connect() as conn:
        from alembic.script import ScriptDirectory

        from forms_app.cli import alembic_config
        head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
        assert conn.scalar(text("SELECT version_num FROM alembic_version")) == head
        assert conn.scalar(text("PRAGMA journal_mode")) == "wal"
    engine.dispose()


def _fresh_jurisdiction() -> tuple[str, str]:
    """An id and a case-number prefix no other test uses (a counter and numbers of its own)."""
    letters = "".join(chr(ord("A") + int(c, 16) % 26) for c in uuid.uuid4().hex[:6])
    return f"t{letters.lower()}", letters


def _new_case(jurisdiction, prefix, **overrides):
    fields = dict(jurisdiction=jurisdiction, prefix=prefix, kind="complaint", status="submitted", data_version="test",
                  category="other", description="并发测试")
    fields.update(overrides)
    return NewCase(**fields)


def test_case_numbers_are_unique_and_gapless_under_concurrency(app):
    db = app.extensions["forms_db"]
    jurisdiction, prefix = _fresh_jurisdiction()
    threads, per_thread = 8, 6
    numbers, failures = [], []
    start = threading.Barrier(threads)

    def work():
        start.wait()
        for _ in range(per_thread):
            try:
                case = save_case(db, _new_case(jurisdiction, prefix), lambda n: "0" * 64, lambda d: None)
                numbers.append(case.number)
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                failures.append(repr(exc))

    pool = [threading.Thread(target=work) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    assert failures == []
    serials = sorted(int(n.rsplit("-", 1)[1]) for n in numbers)
    assert serials == list(range(1, threads * per_thread + 1))
    with db.reading() as s:
        stored = s.scalars(select(Case.number).where(Case.jurisdiction == jurisdiction)).all()
    assert sorted(stored) == sorted(numbers)


def test_a_failed_submission_leaves_nothing_behind(app):
    db = app.extensions["forms_db"]
    jurisdiction, prefix = _fresh_jurisdiction()

    def broken_deadline(day):
        raise RuntimeError("calendar exploded after the number was taken")

    with pytest.raises(RuntimeError):
        save_case(db, _new_case(jurisdiction, prefix), lambda n: "0" * 64, broken_deadline)
    with db.reading() as s:
        assert s.scalar(select(func.count(Case.id)).where(Case.jurisdiction == jurisdiction)) == 0
        assert s.scalar(select(CaseCounter.last).where(CaseCounter.jurisdiction == jurisdiction)) is None
    case = save_case(db, _new_case(jurisdiction, prefix), lambda n: "0" * 64, lambda d: None)
    assert case.number.endswith("-000001")  # the number was given back
    with db.reading() as s:
        assert s.scalar(select(func.count(CaseEvent.id)).where(CaseEvent.case_id == case.id)) == 1


def test_the_audit_log_is_append_only_in_the_database(app):
    db = app.extensions["forms_db"]
    from forms_app import audit
    with db.writing() as s:
        audit.record(s, "test", after={"x": 1})  # chained like every entry (audit_chain.py)
    with db.reading() as s:
        entry = s.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    with pytest.raises(DBAPIError):
        with db.writing() as s:
            s.execute(update(AuditEntry).where(AuditEntry.id == entry.id).values(action="changed"))
    with pytest.raises(DBAPIError):
        with db.writing() as s:
            s.execute(AuditEntry.__table__.delete().where(AuditEntry.id == entry.id))
    with db.reading() as s:
        assert s.get(AuditEntry, entry.id).action == "test"
