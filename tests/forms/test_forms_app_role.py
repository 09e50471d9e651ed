"""Issue 23, cause 4 (PostgreSQL): the production set-up of docs/operators.md §3 — migrations as
the tables' owner, the app as a role that owns nothing. The app works as that role, and that role
can neither switch off the audit log's triggers nor delete from it."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from forms_app.cli import upgrade

from .formhelpers import PG, PG_BASE, file_complaint, make_app
from .staffhelpers import act, staff_client


@pytest.mark.skipif(not PG, reason="PostgreSQL 不可达")
def test_the_app_runs_as_a_role_that_does_not_own_the_tables(policy):
    import psycopg

    suffix = uuid.uuid4().hex[:10]
    schema, role = f"forms_role_{suffix}", f"forms_app_{suffix}"
    plain = PG_BASE.replace("+psycopg", "")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
        conn.execute(f'CREATE ROLE "{role}" LOGIN')
    try:
        upgrade(f"{PG_BASE}?options=-csearch_path%3D{schema}")  # as the owner
        with psycopg.connect(plain, autocommit=True) as conn:  # the grants of operators.md §3
            for sql in (f'GRANT USAGE ON SCHEMA "{schema}" TO "{role}"',
                        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"',
                        f'REVOKE UPDATE, DELETE, TRUNCATE ON "{schema}".audit_log FROM "{role}"',
                        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"'):
                conn.execute(sql)
        base, _, rest = PG_BASE.partition("@")
        url = f"postgresql+psycopg://{role}@{rest}?options=-csearch_path%3D{schema}"
        app = make_app(policy, url)
        try:
            number, _ = file_complaint(app.test_client())
            admin, _ = staff_client(app, "admin")
            assert act(admin, "zixi", number, "note", text="以应用角色写入").status_code == 303
            assert app.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0
        finally:
            app.extensions["forms_db"].dispose()
        engine = create_engine(url)
        try:
            for sql in ("ALTER TABLE audit_log DISABLE TRIGGER USER", "DELETE FROM audit_log",
                        "UPDATE audit_log SET action = 'x'", "DROP TRIGGER audit_log_append_only ON audit_log"):
                with pytest.raises(DBAPIError):
                    with engine.begin() as conn:
                        conn.execute(text(sql))
        finally:
            engine.dispose()
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
            conn.execute(f'DROP OWNED BY "{role}"')
            conn.execute(f'DROP ROLE "{role}"')
