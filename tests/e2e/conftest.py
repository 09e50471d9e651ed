"""The parts joined as `scripts/run.sh` joins them, for the end-to-end and accessibility tests.

One session builds the zixi site once (`build.py build --only zixi --no-print`, with SITE_URL and
FORMS_URL pointing at this session's ports, as the QR codes and the "我要投诉" links need), serves
it statically, prints one village's notice, and runs the forms app the way run.sh does
(`flask db upgrade`, then gunicorn) — once on SQLite and once on PostgreSQL (a database of its own,
dropped afterwards). Both forms servers use the same port one after the other, so the one built
site links to whichever is running; pytest runs every test of one database before the other.
"""
from __future__ import annotations

import os
import socket
import subprocess
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
from chromium import running_chromium

from builder.serve import make_server

from .e2e_helpers import BIN, OPEN, build

ROOT = Path(__file__).resolve().parents[2]
JID, TOWNSHIP, VILLAGE = "zixi", "hecheng", "hecheng-dajue"
PG_SERVER = os.environ.get("FORMS_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test").replace("+psycopg", "")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def ports():
    return {"site": free_port(), "forms": free_port()}


@pytest.fixture(scope="session")
def urls(ports):
    return {"site": f"http://127.0.0.1:{ports['site']}", "forms": f"http://127.0.0.1:{ports['forms']}"}


@pytest.fixture(scope="session")
def base_env(urls):
    env = dict(os.environ, SITE_URL=urls["site"], FORMS_URL=urls["forms"], PYTHONUNBUFFERED="1")
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    return env


@pytest.fixture(scope="session")
def site(tmp_path_factory, base_env):
    """The built output folder (dist/ of run.sh), zixi only."""
    out = tmp_path_factory.mktemp("e2e") / "dist"
    build(out, base_env)
    return out


@pytest.fixture(scope="session")
def site_url(site, ports, urls):
    """The built site served like `build.py serve`."""
    server = make_server(site, ports["site"])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield urls["site"]
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def notice_pdf(tmp_path_factory, urls) -> Path:
    """One village's printed A3 notice, its QR codes pointing at this session's servers."""
    from builder import printing
    from builder.version import data_version
    from policy.loader import load_jurisdiction

    jur, problems = load_jurisdiction(ROOT / "policy_data" / JID, run_examples=False)
    assert problems == []
    jur.villages = {VILLAGE: jur.villages[VILLAGE]}  # one notice is enough, and printing is slow
    folder = tmp_path_factory.mktemp("print")
    paths, *_ = printing.print_jurisdiction_report(jur, folder, data_version(jur.folder),
                                                  site_url=urls["site"], forms_url=urls["forms"])
    return next(p for p in paths if p.name == printing.notice_name(TOWNSHIP, VILLAGE))


# ------------------------------------------------------------------ the forms app, per database

def postgres_or_skip() -> None:
    try:
        import psycopg

        with psycopg.connect(PG_SERVER, connect_timeout=2):
            return
    except Exception as exc:  # noqa: BLE001 - any failure means "not here"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but PostgreSQL does not answer at {PG_SERVER}: {exc}")
        pytest.skip("PostgreSQL 不可达")


class FormsServer:
    """gunicorn serving `forms_app:create_app()` as run.sh starts it, with its settings in `env`."""

    def __init__(self, db: str, env: dict, url: str, port: int, log: Path):
        self.db, self.env, self.url, self.port = db, env, url, port
        self.log = log

    def flask(self, *args: str, input: str | None = None) -> str:
        run = subprocess.run([str(BIN / "flask"), "--app", "forms_app", *args], cwd=ROOT, env=self.env,
                             input=input, capture_output=True, text=True)
        assert run.returncode == 0, run.stdout + run.stderr
        return run.stdout

    def start(self) -> None:
        self.flask("db", "upgrade")
        self.proc = subprocess.Popen(
            [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{self.port}", "forms_app:create_app()"],
            cwd=ROOT, env=self.env, stdout=self.log.open("w"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/{JID}/track", timeout=5) as r:
                    if r.status == 200:
                        return
            except OSError:
                pass
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start:\n" + self.log.read_text())
            time.sleep(0.3)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    def execute(self, sql: str, **params):
        """Read or change rows behind the app's back (to count cases, to make one overdue)."""
        from sqlalchemy import create_engine, text

        from forms_app.config import normalise_db_url

        engine = create_engine(normalise_db_url(self.env["DATABASE_URL"]))
        try:
            with engine.begin() as conn:
                result = conn.execute(text(sql), params)
                return result.scalar() if result.returns_rows else None
        finally:
            engine.dispose()


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def forms(request, tmp_path_factory, base_env, ports, urls, site_url):
    """The forms app on one database; every test on SQLite runs before any on PostgreSQL."""
    db = request.param
    folder = tmp_path_factory.mktemp(f"forms-{db}")
    dropped = None
    if db == "sqlite":
        database_url = f"sqlite:///{folder / 'forms.sqlite3'}"
    else:
        postgres_or_skip()
        import psycopg

        name = f"forms_e2e_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(PG_SERVER, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        dropped = name
        database_url = PG_SERVER.rsplit("/", 1)[0] + "/" + name
    env = dict(base_env, DATABASE_URL=database_url)
    server = FormsServer(db, env, urls["forms"], ports["forms"], folder / "gunicorn.log")
    server.start()
    yield server
    server.stop()
    if dropped:
        import psycopg

        with psycopg.connect(PG_SERVER, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{dropped}" WITH (FORCE)')


# ------------------------------------------------------------------ the browser

@pytest.fixture(scope="module")
def browser():
    """Per module: the contexts and pages a module opened are closed after it (the browser itself is
    shared by the test process, tests/chromium.py)."""
    with running_chromium() as b:
        yield b


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed step leaves a screenshot of every page still open: failed-<page>.png."""
    report = yield
    if report.when == "call" and report.failed:
        for w in list(OPEN):
            try:
                w.shot("failed")
            except Exception:  # noqa: BLE001 - the report matters more than the picture
                pass
            w.close()
    return report


# ------------------------------------------------------------------ which database with which screen size

# Each flow runs on both databases and at both sizes, but not every database at every size: the
# two are independent (the database sits behind the same pages; the size changes only what the
# browser lays out), so pairs that cover each of them once cost half the time of every pairing
# (the suite's time, issue 25). Each database still meets each size (the complaint flow crosses
# them). The SQLite runs are at the sizes the guides show (residents on the phone, the clerk at
# the desk): scripts/guide-images.sh takes the guide pictures with `-k "not postgresql"`.
PAIRED = {
    "test_complaint_from_village_page_to_a_public_reply": {
        "sqlite": "resident-phone-clerk-desktop", "postgresql": "resident-desktop-clerk-phone"},
    "test_statistics_export_and_rebuild_publish_the_month": {"sqlite": "phone", "postgresql": "desktop"},
    "test_query_form_screener_and_build_py_eligible_agree": {"sqlite": "phone", "postgresql": "desktop"},
}


def pytest_collection_modifyitems(config, items):
    """Deselect the database × size pairings PAIRED leaves out (never when a test is asked for by
    its full id: `pytest 'tests/e2e/test_e2e_flows.py::test_…[postgresql-phone]'` still runs it)."""
    asked = {arg.split("::", 1)[1] for arg in config.args if "[" in arg and "::" in arg}
    keep, dropped = [], []
    for item in items:
        pairs = PAIRED.get(getattr(item, "originalname", ""))
        spec = getattr(item, "callspec", None)
        if pairs and spec and item.name not in asked:
            db = spec.params.get("forms")
            size = spec.id.split("-", 1)[1] if "-" in spec.id else ""
            if db in pairs and pairs[db] != size:
                dropped.append(item)
                continue
        keep.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep
