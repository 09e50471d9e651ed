"""One gunicorn command, one way to load new data and new code (issue 26): `flask ready`, then HUP.

Under steady load (benchmarks/forms_reload.py is the same with more of it): a renamed complaint
category and a changed view both reach the answers, and not one request fails. A copy of the
project is served, so the test changes files without touching the repository.
"""
from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path

import pytest

from forms_app.cli import upgrade
from forms_app.local_gunicorn import LocalGunicorn, SteadyLoad, copy_project, reload_check

ROOT = Path(__file__).resolve().parents[2]
SERVICES = "/api/open311/v2/services.json?jurisdiction_id=zixi"
OLD_NAME, NEW_NAME = "住院被收了押金", "住院时被要求交押金（新数据）"


@pytest.fixture
def project(tmp_path):
    root = copy_project(tmp_path / "project")
    url = f"sqlite:///{tmp_path / 'forms.sqlite3'}"
    upgrade(url)
    return root, {"DATABASE_URL": url, "REDIS_URL": "", "FORMS_LIMIT_SUBMIT": "1000000 per hour"}


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_new_data_and_new_code_load_on_HUP_without_a_failed_request(project):
    """One reload with both (the benchmark does them one after the other, with more load)."""
    root, env = project
    with LocalGunicorn(env, workers=2, threads=2, root=root) as server:
        # Four clients, each pausing 20 ms between requests: one is always in flight while the
        # workers change, and the reload is not slowed by a load that fills both cores (the
        # benchmark, benchmarks/forms_reload.py, sends all it can).
        with SteadyLoad(server.port, clients=4, pause=0.02) as load:
            load.wait_for(SERVICES, OLD_NAME)
            old_workers = set(server.workers())
            _edit(root / "policy_data" / "zixi" / "complaints.yaml", f"name: {OLD_NAME}", f"name: {NEW_NAME}")
            _edit(root / "forms_app" / "health.py", 'return {"ok": True}', 'return {"ok": True, "release": "new"}')
            assert reload_check(root, env).returncode == 0
            server.reload()
            load.wait_for(SERVICES, NEW_NAME)
            load.wait_for("/healthz", '"release":"new"')
            # The old workers go once every new one is ready, after serving what they accepted.
            deadline = time.monotonic() + 120
            while set(server.workers()) & old_workers and time.monotonic() < deadline:
                time.sleep(0.2)
            assert not set(server.workers()) & old_workers
            time.sleep(1)
        assert load.sent > 100
        assert load.failed_total == 0, dict(load.failed)
        # Every answer now is the new one.
        for _ in range(6):
            with urllib.request.urlopen(f"{server.base}{SERVICES}", timeout=30) as r:
                assert NEW_NAME in r.read().decode()
            with urllib.request.urlopen(f"{server.base}/healthz", timeout=30) as r:
                assert json.loads(r.read()) == {"ok": True, "release": "new"}


def test_the_check_before_a_reload_refuses_data_that_does_not_load(project):
    """`systemctl reload` runs `flask ready` first; broken data stops there, the workers keep
    serving the data they have (a HUP would have started workers that cannot load it)."""
    root, env = project
    _edit(root / "policy_data" / "zixi" / "complaints.yaml", "categories:", "categories: [")
    result = reload_check(root, env)
    assert result.returncode != 0
    assert "政策数据有问题" in result.stderr + result.stdout


def test_the_check_before_a_reload_refuses_a_database_behind_the_code(project, tmp_path):
    root, env = project
    behind = f"sqlite:///{tmp_path / 'behind.sqlite3'}"
    upgrade(behind, "0001")
    result = reload_check(root, {**env, "DATABASE_URL": behind})
    assert result.returncode != 0
    assert "db upgrade" in result.stderr
