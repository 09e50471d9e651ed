"""Fixtures for the forms app, building on each other: backend URL -> app -> client -> helpers.

Every test that takes `app` runs on SQLite, and again on PostgreSQL when a server answers at
127.0.0.1:5432 (database `test`, user `postgres`). Each test session migrates its own SQLite file
and its own fresh PostgreSQL schema (dropped at the end), so parallel runs never collide.
"""
from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from forms_app.cli import upgrade
from forms_app.policy_source import PolicySource

from .formhelpers import BACKENDS, PG, PG_BASE, make_app

ROOT = Path(__file__).resolve().parents[2]
@pytest.fixture(scope="session")
def policy():
    return PolicySource.load(ROOT / "policy_data")


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('forms') / 'forms.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def pg_schema_url():
    """A URL whose search_path is a schema of our own, created empty and dropped afterwards."""
    if not PG:
        pytest.skip("PostgreSQL 不可达")
    import psycopg

    schema = f"forms_test_{uuid.uuid4().hex[:10]}"
    plain = PG_BASE.replace("+psycopg", "")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield schema, f"{PG_BASE}?options=-csearch_path%3D{schema}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(scope="session")
def pg_url(pg_schema_url):
    upgrade(pg_schema_url[1])
    return pg_schema_url[1]


@pytest.fixture(params=BACKENDS)
def db_url(request):
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
def app(policy, db_url):
    app = make_app(policy, db_url)
    yield app
    app.extensions["forms_db"].dispose()


@pytest.fixture
def sqlite_app(policy, sqlite_url):
    """For tests about pages and messages, where the database makes no difference."""
    app = make_app(policy, sqlite_url)
    yield app
    app.extensions["forms_db"].dispose()


@pytest.fixture(scope="module")
def module_sqlite_url(request, tmp_path_factory):
    """A migrated SQLite database for one test module alone: for modules whose cases must not
    move what others count in the session's shared database (the staff queue's first page)."""
    url = f"sqlite:///{tmp_path_factory.mktemp(request.module.__name__.rsplit('.', 1)[-1]) / 'forms.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture
def module_app(policy, module_sqlite_url):
    app = make_app(policy, module_sqlite_url)
    yield app
    app.extensions["forms_db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def page_client(sqlite_app):
    return sqlite_app.test_client()


@pytest.fixture(params=BACKENDS)
def fresh_app(request, policy, tmp_path):
    """An app on a database of its own, migrated from empty: for tests that tamper with the audit
    log or need a jurisdiction holding only the accounts they make."""
    from .test_forms_database import _drop, _empty_url

    url, schema = _empty_url(request.param, tmp_path)
    upgrade(url)
    app = make_app(policy, url)
    yield app
    app.extensions["forms_db"].dispose()
    _drop(schema)
