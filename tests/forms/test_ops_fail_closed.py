"""Operations that must fail closed (issue 26): one settings file read by every command, no SQLite
fallback in production, no empty backup reported as a success, clear messages for missing folders."""
from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from forms_app import ConfigError, SettingsFileError, create_app
from forms_app import settings_file
from forms_app.cli import upgrade

ROOT = Path(__file__).resolve().parents[2]
FLASK = str(Path(sys.executable).with_name("flask"))
PUBLIC = {"SITE_URL": "https://health.example.gov.cn", "FORMS_URL": "https://forms.example.gov.cn"}


@pytest.fixture
def clean_env(monkeypatch):
    """The loader writes os.environ itself: put it back as it was, and start without forms settings."""
    saved = dict(os.environ)
    for key in list(os.environ):
        if key.startswith(("FORMS_", "_FORMS_")) or key in ("DATABASE_URL", "SECRET_KEY", "REDIS_URL"):
            monkeypatch.delenv(key)
    yield
    os.environ.clear()
    os.environ.update(saved)


def _production_secrets() -> dict[str, str]:
    return {"FORMS_ENV": "production", "SECRET_KEY": secrets.token_urlsafe(48),
            "FORMS_ENCRYPTION_KEY": Fernet.generate_key().decode(), "FORMS_LOOKUP_PEPPER": secrets.token_urlsafe(48),
            **PUBLIC}


def _write(path: Path, values: dict[str, str]) -> Path:
    path.write_text("# written by the test\n\n" + "".join(f"{k}={v}\n" for k, v in values.items()), encoding="utf-8")
    return path


# ------------------------------------------------------------------ the settings file

def test_the_settings_file_named_by_FORMS_SETTINGS_is_what_create_app_reads(clean_env, tmp_path, policy):
    url = f"sqlite:///{tmp_path / 'from-file.sqlite3'}"
    os.environ["FORMS_SETTINGS"] = str(_write(tmp_path / "health-forms.env", {
        "DATABASE_URL": url, "FORMS_LIMIT_SUBMIT": "'7 per hour'", "FORMS_PROXIES": '"1"'}))
    app = create_app({"POLICY": policy})
    try:
        assert app.config["DATABASE_URL"] == url
        assert app.config["LIMIT_SUBMIT"] == "7 per hour"  # quotes as systemd's EnvironmentFile= strips them
        assert app.config["PROXIES"] == 1
        assert app.config["SETTINGS_FILE"] == tmp_path / "health-forms.env"
    finally:
        app.extensions["forms_db"].dispose()


def test_a_named_settings_file_that_is_missing_is_an_error_not_no_settings(clean_env, tmp_path, policy):
    os.environ["FORMS_SETTINGS"] = str(tmp_path / "nope.env")
    with pytest.raises(SettingsFileError, match="nope.env"):
        create_app({"POLICY": policy})


def test_a_line_that_is_not_key_value_is_named_with_its_line_number(clean_env, tmp_path):
    path = tmp_path / "bad.env"
    path.write_text("DATABASE_URL=sqlite://\nexport REDIS_URL redis://x\n", encoding="utf-8")
    os.environ["FORMS_SETTINGS"] = str(path)
    with pytest.raises(SettingsFileError, match="第 2 行"):
        settings_file.load(tmp_path)


def test_the_environment_wins_and_a_reload_takes_the_files_new_values(clean_env, tmp_path):
    path = _write(tmp_path / "s.env", {"FORMS_LIMIT_SUBMIT": "5 per hour", "FORMS_SMS_SENDER": "a:b"})
    os.environ.update(FORMS_SETTINGS=str(path), FORMS_PROXIES="2")
    _write(path, {"FORMS_LIMIT_SUBMIT": "5 per hour", "FORMS_SMS_SENDER": "a:b", "FORMS_PROXIES": "1"})
    settings_file.load(tmp_path)
    assert os.environ["FORMS_PROXIES"] == "2" and os.environ["FORMS_LIMIT_SUBMIT"] == "5 per hour"
    # The file changes (a reload, kill -HUP): its new values replace its old ones, removed keys go.
    _write(path, {"FORMS_LIMIT_SUBMIT": "9 per hour"})
    settings_file.load(tmp_path)
    assert os.environ["FORMS_LIMIT_SUBMIT"] == "9 per hour"
    assert "FORMS_SMS_SENDER" not in os.environ and os.environ["FORMS_PROXIES"] == "2"


def test_the_instance_folders_forms_env_is_read_when_nothing_is_named(clean_env, tmp_path):
    _write(tmp_path / "forms.env", {"FORMS_LIMIT_PREFIX": "county-a"})
    assert settings_file.load(tmp_path) == tmp_path / "forms.env"
    assert os.environ["FORMS_LIMIT_PREFIX"] == "county-a"


def test_production_without_DATABASE_URL_refuses_to_start_instead_of_using_sqlite(clean_env, tmp_path, policy):
    os.environ.update(_production_secrets())
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        create_app({"POLICY": policy})
    assert not (tmp_path / "forms.sqlite3").exists()


# ------------------------------------------------------------------ the commands, as cron runs them

def _flask(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith(("FORMS_", "_FORMS_")) and k not in ("DATABASE_URL", "SECRET_KEY", "REDIS_URL")}
    return subprocess.run([FLASK, "--app", "forms_app", *args], cwd=ROOT, env={**clean, **env},
                          capture_output=True, text=True, timeout=120)


def test_flask_backup_reads_the_settings_file_and_refuses_a_never_migrated_database(tmp_path):
    db = tmp_path / "never-migrated.sqlite3"
    settings = _write(tmp_path / "forms.env", {"DATABASE_URL": f"sqlite:///{db}"})
    result = _flask(["backup", str(tmp_path / "b.jsonl.gz")], {"FORMS_SETTINGS": str(settings)}, tmp_path)
    assert result.returncode != 0
    assert "还没有迁移" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "b.jsonl.gz").exists()


def test_flask_backup_of_an_empty_database_fails_unless_asked_for(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    upgrade(url)
    settings = _write(tmp_path / "forms.env", {"DATABASE_URL": url})
    env = {"FORMS_SETTINGS": str(settings)}
    refused = _flask(["backup", str(tmp_path / "b.jsonl.gz")], env, tmp_path)
    assert refused.returncode != 0 and "一行数据都没有" in refused.stderr
    assert not (tmp_path / "b.jsonl.gz").exists()
    allowed = _flask(["backup", "--allow-empty", str(tmp_path / "b.jsonl.gz")], env, tmp_path)
    assert allowed.returncode == 0, allowed.stderr
    assert (tmp_path / "b.jsonl.gz").exists()


def test_backup_into_a_missing_folder_is_a_message_not_a_traceback(sqlite_app, tmp_path):
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(tmp_path / "not-mounted" / "b.jsonl.gz")])
    assert result.exit_code != 0
    assert "不存在" in result.output and "not-mounted" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_build_stats_at_a_missing_folder_is_refused(tmp_path):
    result = subprocess.run([sys.executable, "build.py", "build", "--stats", str(tmp_path / "no-stats"),
                             "--out", str(tmp_path / "dist")], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert "no-stats" in result.stderr and "不存在" in result.stderr
    assert not (tmp_path / "dist").exists()
