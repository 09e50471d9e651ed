"""The scheduled jobs, units and production install of deploy/ and scripts/install-production.sh (issue 26).

The jobs run for real against a SQLite database named in a settings file, as systemd or cron would
run them; the units are checked with systemd-analyze; the install script only in --dry-run (it
installs packages and creates a user: not on a shared development machine).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from forms_app.cli import upgrade

from .formhelpers import file_complaint, make_app

ROOT = Path(__file__).resolve().parents[2]
JOBS = ROOT / "deploy" / "jobs"


def _env(settings: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("FORMS_", "_FORMS_")) and k not in ("DATABASE_URL", "SECRET_KEY", "REDIS_URL")}
    return {**clean, "FORMS_SETTINGS": str(settings)}


def _job(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", *args], env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def county(tmp_path, policy):
    """A migrated database with one complaint, named by a settings file."""
    url = f"sqlite:///{tmp_path / 'forms.sqlite3'}"
    upgrade(url)
    app = make_app(policy, url)
    file_complaint(app.test_client())
    app.extensions["forms_db"].dispose()
    settings = tmp_path / "health-forms.env"
    settings.write_text(f"DATABASE_URL={url}\n", encoding="utf-8")
    return _env(settings)


def test_backup_job_logs_one_line_keeps_the_newest_and_drops_old_ones_and_the_drill_restores(county, tmp_path):
    backups = tmp_path / "backups"
    backups.mkdir()
    month_ago = time.time() - 40 * 86400
    for day in range(1, 10):  # nine old backups, 40 days old
        old = backups / f"forms-2026-10-0{day}-0230.jsonl.gz"
        old.write_bytes(b"old")
        os.utime(old, (month_ago + day, month_ago + day))
    textfile = tmp_path / "textfile"
    textfile.mkdir()
    result = _job([str(JOBS / "backup.sh"), str(backups), "30"], {**county, "FORMS_TEXTFILE_DIR": str(textfile)})
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 1 and lines[0].startswith("health-forms backup: ok in") and "cases 1 行" in lines[0]
    kept = sorted(p.name for p in backups.iterdir())
    assert len(kept) == 7  # the new one and the six newest old ones, whatever their age
    assert "forms-2026-10-01-0230.jsonl.gz" not in kept and "forms-2026-10-09-0230.jsonl.gz" in kept
    assert "health_forms_backup_last_success_timestamp_seconds" in (textfile / "health_forms_backup.prom").read_text()
    # The weekly drill: the newest backup restores into a scratch database.
    for p in backups.glob("forms-2026-10-*"):
        p.unlink()
    drill = _job([str(JOBS / "restore-drill.sh"), str(backups)], county)
    assert drill.returncode == 0, drill.stdout + drill.stderr
    assert drill.stdout.count("\n") == 1 and "restore-drill: ok" in drill.stdout and "cases 1 行" in drill.stdout


def test_a_failing_job_logs_one_line_and_exits_non_zero_leaving_old_backups(county, tmp_path):
    missing = tmp_path / "not-mounted"
    result = _job([str(JOBS / "backup.sh"), str(missing)], county)
    assert result.returncode != 0
    assert result.stdout.count("\n") == 1
    assert result.stdout.startswith("health-forms backup: FAILED (exit 1)") and "不存在" in result.stdout
    drill = _job([str(JOBS / "restore-drill.sh"), str(missing)], county)
    assert drill.returncode != 0 and drill.stdout.startswith("health-forms restore-drill: FAILED")


def test_the_outbox_job_reads_the_settings_file(county):
    result = _job([str(JOBS / "outbox.sh")], county)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.count("\n") == 1 and result.stdout.startswith("health-forms outbox: ok")
    assert "FORMS_SMS_SENDER" in result.stdout  # no sender configured: said, not silent


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze")
def test_the_systemd_units_verify_cleanly(tmp_path):
    user = subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
    for unit in (ROOT / "deploy" / "systemd").iterdir():
        text = unit.read_text().replace("/srv/health", str(ROOT)).replace("User=forms", f"User={user}")
        (tmp_path / unit.name).write_text(text.replace("Group=forms", f"Group={user}"))
    units = sorted(str(p) for p in tmp_path.iterdir())
    assert len(units) == 9
    result = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_the_production_install_installs_no_test_tools_and_runs_as_a_service_account():
    result = subprocess.run([str(ROOT / "scripts" / "install-production.sh"), "--dry-run"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    pip = [line for line in out.splitlines() if "pip install" in line and "-e" in line]
    assert pip == ["+ .venv/bin/python -m pip install -q -e .[site,print,forms,audit]"]
    # the bytecode written by root: the service account could not, and each worker compiled it again
    assert "+ .venv/bin/python -m compileall -q build.py builder policy forms_app" in out.splitlines()
    apt = next(line for line in out.splitlines() if "apt-get install" in line).split()
    listed = [p.strip() for p in (ROOT / "scripts" / "debian-packages.txt").read_text().splitlines()
              if p.strip() and not p.startswith("#")]
    assert set(listed) <= set(apt)
    test_only = ROOT / "scripts" / "debian-packages-test.txt"
    if test_only.exists():  # issue 25's split: none of the test-only packages on a server
        assert not {p.strip() for p in test_only.read_text().splitlines() if p.strip() and not p.startswith("#")} & set(apt)
    assert "adduser --system" in out and "/usr/sbin/nologin" in out
    assert "ln -sfn /etc/health-forms.env instance/forms.env" in out
    for unit in (ROOT / "deploy" / "systemd").iterdir():
        assert "User=forms" in unit.read_text() or unit.suffix == ".timer"


def test_the_cron_file_runs_the_same_jobs_as_the_timers():
    cron = (ROOT / "deploy" / "cron" / "health-forms").read_text()
    timers = {p.stem.removeprefix("health-forms-") for p in (ROOT / "deploy" / "systemd").glob("*.timer")}
    scripts = {"outbox": "outbox.sh", "backup": "backup.sh", "stats": "stats-build.sh", "restore-drill": "restore-drill.sh"}
    assert set(scripts) == timers
    for name in timers:
        assert f"/srv/health/deploy/jobs/{scripts[name]}" in cron
        assert f"ExecStart=/srv/health/deploy/jobs/{scripts[name]}" in (
            ROOT / "deploy" / "systemd" / f"health-forms-{name}.service").read_text()
