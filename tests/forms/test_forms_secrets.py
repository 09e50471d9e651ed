"""Issue 23, cause 1: no key in the code. Every installation signs and encrypts with keys of its
own, generated at the first start into the instance folder (0600) and reused afterwards; keys
from the environment must be strong; an unknown FORMS_ENV is an error."""
from __future__ import annotations

import json
import stat

import pytest
from flask.sessions import SecureCookieSessionInterface

from forms_app import ConfigError, create_app
from forms_app.config import from_env
from forms_app.installation_keys import KNOWN_FERNET
from forms_app.models import StaffUser

from .staffhelpers import make_staff

KEY_VARS = ("SECRET_KEY", "FORMS_ENCRYPTION_KEY", "FORMS_LOOKUP_PEPPER", "FORMS_ENV")


@pytest.fixture
def bare_env(monkeypatch):
    for var in KEY_VARS:
        monkeypatch.delenv(var, raising=False)
    return monkeypatch


def test_first_start_writes_the_installation_keys_0600_and_reuses_them(bare_env, tmp_path):
    first = from_env(tmp_path / "a")
    path = tmp_path / "a" / "secrets.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    again = from_env(tmp_path / "a")
    other = from_env(tmp_path / "b")
    for key in ("SECRET_KEY", "ENCRYPTION_KEYS", "LOOKUP_PEPPER"):
        assert first[key] == again[key]  # reused: sessions and phone numbers survive a restart
        assert first[key] != other[key]  # per installation
    assert len(first["SECRET_KEY"]) >= 48 and first["SECRET_KEY"] != "dev-only-not-secret"
    assert first["ENCRYPTION_KEYS"][0] not in KNOWN_FERNET
    assert json.loads(path.read_text())["secret_key"] == first["SECRET_KEY"]


def test_a_key_file_others_can_read_is_refused(bare_env, tmp_path):
    from_env(tmp_path)
    (tmp_path / "secrets.json").chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        from_env(tmp_path)


@pytest.mark.parametrize("value", ["prod", "Production2", "staging"])
def test_an_unknown_forms_env_is_an_error(bare_env, tmp_path, value):
    bare_env.setenv("FORMS_ENV", value)
    with pytest.raises(ConfigError, match="FORMS_ENV"):
        from_env(tmp_path)


def test_the_old_development_key_is_refused_even_outside_production(bare_env, tmp_path):
    bare_env.setenv("SECRET_KEY", "dev-only-not-secret")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        from_env(tmp_path)
    bare_env.delenv("SECRET_KEY")
    (legacy,) = KNOWN_FERNET
    bare_env.setenv("FORMS_ENCRYPTION_KEY", legacy)
    with pytest.raises(ConfigError, match="FORMS_ENCRYPTION_KEY"):
        from_env(tmp_path)
    # After a new key it may stay, to decrypt what the old embedded run stored.
    from cryptography.fernet import Fernet
    new = Fernet.generate_key().decode()
    bare_env.setenv("FORMS_ENCRYPTION_KEY", f"{new},{legacy}")
    assert from_env(tmp_path)["ENCRYPTION_KEYS"] == [new, legacy]


def test_a_session_forged_with_the_old_public_key_is_not_accepted(bare_env, policy, sqlite_url):
    """As scripts/run.sh starts the app (no settings): an administrator's session signed with the
    key that used to be in the code opens nothing."""
    app = create_app({"TESTING": True, "DATABASE_URL": sqlite_url, "POLICY": policy, "REDIS_URL": None,
                      "ARGON2_PARAMS": {"time_cost": 1, "memory_cost": 1024, "parallelism": 1}})
    assert app.config["SECRET_KEY"] != "dev-only-not-secret"
    name = make_staff(app, "admin")
    with app.extensions["forms_db"].reading() as s:
        user = s.query(StaffUser).filter_by(username=name).one()
    forger = create_app({"TESTING": True, "DATABASE_URL": sqlite_url, "POLICY": policy, "REDIS_URL": None})
    forger.secret_key = "dev-only-not-secret"
    import time
    now = int(time.time())
    cookie = SecureCookieSessionInterface().get_signing_serializer(forger).dumps(
        {"staff": {"id": user.id, "since": now, "seen": now, "gen": user.session_generation}})
    client = app.test_client()
    client.set_cookie("session", cookie)
    assert client.get("/staff/zixi/").status_code == 302


def test_no_key_is_written_in_the_code():
    from pathlib import Path
    root = Path(__file__).resolve().parents[2] / "forms_app"
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "DEV_SECRET" not in text, path
        assert "dev_fernet_key" not in text, path


def test_the_receipt_is_shown_once_and_its_code_is_not_in_the_cookie(sqlite_app):
    """A shared phone: the next person to open the receipt page does not see the previous
    filer's number and code; and the session cookie never holds the code readable."""
    import base64
    import zlib

    from .formhelpers import complaint_data, csrf
    client = sqlite_app.test_client()
    data = complaint_data()
    data["csrf_token"] = csrf(client, "/zixi/complaint")
    response = client.post("/zixi/complaint", data=data)
    assert response.status_code == 303
    payload = client.get_cookie("session").value.lstrip(".").split(".")[0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    if client.get_cookie("session").value.startswith("."):
        raw = zlib.decompress(raw)
    first = client.get("/zixi/receipt")
    page = first.get_data(as_text=True)
    import re
    code = re.search(r'id="lookup-code">([^<]+)<', page).group(1).replace(" ", "")
    number = re.search(r'id="case-number">([^<]+)<', page).group(1)
    assert code.encode() not in raw and json.loads(raw)["receipt"]["number"] == number
    again = client.get("/zixi/receipt")  # the next person on the same phone
    assert again.status_code == 303 and number not in again.get_data(as_text=True)


def test_the_query_answer_is_shown_once(sqlite_app):
    from .formhelpers import csrf
    client = sqlite_app.test_client()
    response = client.post("/zixi/query", data={"person_category": "general", "csrf_token": csrf(client, "/zixi/query")})
    assert response.status_code == 303
    assert "查询码" in client.get(response.headers["Location"]).get_data(as_text=True)
    again = client.get(response.headers["Location"])
    assert again.status_code == 303
