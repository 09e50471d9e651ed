"""Helpers for the forms tests: the databases we can reach, an app with test settings, and acting
like a browser (CSRF token, receipt)."""
from __future__ import annotations

import os
import re

import jinja2
import pytest

from forms_app import create_app

PG_BASE = os.environ.get("FORMS_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_BASE.replace("+psycopg", ""), connect_timeout=2):
            return True
    except Exception:  # noqa: BLE001 - any failure means "not here"; the tests say they skipped
        return False


PG = postgres_reachable()
if not PG and os.environ.get("REQUIRE_POSTGRES") == "1":
    # CI sets this: there the PostgreSQL path must run, never be skipped quietly.
    raise RuntimeError(f"REQUIRE_POSTGRES=1 but PostgreSQL does not answer at {PG_BASE}")
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(not PG, reason="PostgreSQL 不可达"))]


class _CompiledTemplates(jinja2.BytecodeCache):
    """The forms' templates compiled once per test process, shared by the apps the tests make
    (usually one per test). Each new app compiled every page it rendered again: ~25 ms a page,
    against 2 ms when loaded from here, over ~800 tests. Safe: Jinja keys each entry by the
    template's name and file, and checks it against the SHA-1 of the template's source before
    using it, so a template that changed is compiled again; the rest of what compiling depends
    on (Jinja's syntax and autoescape settings) is the same for every app create_app makes."""

    def __init__(self):
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        if bucket.key in self.compiled:
            bucket.bytecode_from_string(self.compiled[bucket.key])

    def dump_bytecode(self, bucket):
        self.compiled[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = _CompiledTemplates()


def make_app(policy, url, **overrides):
    config = {"TESTING": True, "DATABASE_URL": url, "POLICY": policy, "REDIS_URL": None,
              "LIMIT_SUBMIT": "1000 per hour", "LIMIT_LOOKUP_FAIL": "1000 per hour",
              "SITE_URL": "http://site.invalid", "FORMS_URL": "http://forms.invalid",
              # Counters of this app's own (the database storage is shared by every app of a run).
              "RATELIMIT_STORAGE_URI": "memory://",
              # Cheap argon2 in tests (staff logins); production keeps the library's defaults.
              "ARGON2_PARAMS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}}
    config.update(overrides)
    app = create_app(config)
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    return app


TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf(client, path: str) -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def complaint_data(**overrides) -> dict:
    data = {"category": "deposit_charged", "village": "gaofu-gaofu", "institution": "gaofu_hc",
            "event_date": "2026-03-15", "description": "入院时被收了 2000 元押金，说是先交钱再看病。",
            "name": "王某甲", "phone": "13912345678", "id_number": "11010519491231002X"}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def file_complaint(client, jid="zixi", **overrides):
    """Submit the complaint form like a browser; returns (number, code) from the receipt."""
    number, code, _page = file_complaint_page(client, jid, **overrides)
    return number, code


def file_complaint_page(client, jid="zixi", **overrides):
    """(number, code, the receipt page): the receipt is shown once, so tests about it read this one."""
    data = complaint_data(**overrides)
    data["csrf_token"] = csrf(client, f"/{jid}/complaint")
    response = client.post(f"/{jid}/complaint", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    number = re.search(r'id="case-number">([^<]+)<', page).group(1)
    code = re.search(r'id="lookup-code">([^<]+)<', page).group(1).replace(" ", "")
    return number, code, page


def main_text(response) -> str:
    html = response.get_data(as_text=True)
    return re.search(r"<main.*</main>", html, re.S).group(0)
