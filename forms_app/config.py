"""Settings of the forms app, read from the environment in one place.

The defaults are the embedded run's (one SQLite file under `instance/`, limits in memory,
localhost URLs). Secrets are never defaults: each comes from the environment or from the
installation's own key file, generated at the first start (installation_keys.py). An unknown
`FORMS_ENV` is an error, so a typo cannot quietly drop production's protections.
"""
from __future__ import annotations

import os
from pathlib import Path

from . import installation_keys

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """A setting is missing or unusable; the message says which and how to set it."""


ENVIRONMENTS = ("", "development", "production")


def from_env(instance_path: Path) -> dict:
    env = os.environ
    name = env.get("FORMS_ENV", "").strip().lower()
    if name not in ENVIRONMENTS:
        # A typo (`prod`) must not silently run without production's protections.
        raise ConfigError(f"FORMS_ENV 只能是 production 或 development（或不设），这里是“{env.get('FORMS_ENV')}”")
    production = name == "production"
    secret, enc, pepper = _keys(env, instance_path)
    database = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'forms.sqlite3'}"
    return {
        "PRODUCTION": production,
        "SECRET_KEY": secret,
        # Comma-separated Fernet keys, newest first: old keys still decrypt after a rotation.
        "ENCRYPTION_KEYS": _split(enc),
        # Lookup codes are stored as HMACs under this key; changing it invalidates every code.
        "LOOKUP_PEPPER": pepper,
        "DATABASE_URL": normalise_db_url(database),
        "REDIS_URL": env.get("REDIS_URL") or None,
        # Overrides for every jurisdiction; unset, each one's own (forms_app/addresses.py).
        "SITE_URL": (env.get("SITE_URL") or "").rstrip("/") or None,
        "FORMS_URL": (env.get("FORMS_URL") or "").rstrip("/") or None,
        "DATA_DIR": Path(env.get("POLICY_DATA") or ROOT / "policy_data"),
        # Per client address. Submissions: a village doctor may file for several residents.
        "LIMIT_SUBMIT": env.get("FORMS_LIMIT_SUBMIT", "30 per hour"),
        # Only wrong case number / code pairs count against this one.
        "LIMIT_LOOKUP_FAIL": env.get("FORMS_LIMIT_LOOKUP_FAIL", "10 per hour"),
        # Staff logins per client address (besides the per-account lockout in staff/accounts.py).
        "LIMIT_STAFF_LOGIN": env.get("FORMS_LIMIT_STAFF_LOGIN", "30 per 15 minutes"),
        "STAFF_IDLE_MINUTES": int(env.get("FORMS_STAFF_IDLE_MINUTES", "30")),
        "STAFF_MAX_HOURS": int(env.get("FORMS_STAFF_MAX_HOURS", "12")),
        # "module:attribute" of an SMS sender with send(phone, text); unset: messages wait in the outbox.
        "SMS_SENDER": env.get("FORMS_SMS_SENDER") or None,
        "RATELIMIT_KEY_PREFIX": env.get("FORMS_LIMIT_PREFIX", "forms"),
        # How many reverse proxies (nginx, a load balancer) stand in front of gunicorn. Behind
        # one, every request comes from the proxy's address: rate limits and the audit log need
        # the resident's own, from X-Forwarded-For. 0 (the default) trusts no such header.
        "PROXIES": _count(env, "FORMS_PROXIES"),
        "CASE_PREFIXES": parse_prefixes(env.get("FORMS_CASE_PREFIXES", "")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        # Far above any honest form, so a 100 KB paste comes back with a message naming the field
        # (and everything else typed) instead of a bare 413; the fields' own limits are far lower.
        "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
        "MAX_FORM_MEMORY_SIZE": 4 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": 6 * 3600,  # an elderly resident may take a while
    }


def _count(env, name: str) -> int:
    text = env.get(name, "0").strip() or "0"
    if not text.isdigit():
        raise ConfigError(f"{name} 应是 0 或正整数（前面有几层反向代理），这里是“{text}”")
    return int(text)


def _keys(env, instance_path: Path) -> tuple[str, str, str]:
    """(signing key, Fernet key list, lookup pepper): each from the environment when set there
    (and strong), else from the installation's own key file (installation_keys.py)."""
    given = {"SECRET_KEY": env.get("SECRET_KEY"), "FORMS_ENCRYPTION_KEY": env.get("FORMS_ENCRYPTION_KEY"),
             "FORMS_LOOKUP_PEPPER": env.get("FORMS_LOOKUP_PEPPER")}
    for var in ("SECRET_KEY", "FORMS_LOOKUP_PEPPER"):
        if given[var] and (why := installation_keys.weak_reason(given[var])):
            raise ConfigError(f"{var} {why}。请换一个随机生成的：python3 -c 'import secrets; "
                              "print(secrets.token_urlsafe(48))'；或者不设它，用本机自动生成的密钥")
    if given["FORMS_ENCRYPTION_KEY"]:
        why = installation_keys.check_fernet_keys(_split(given["FORMS_ENCRYPTION_KEY"]))
        if why:
            raise ConfigError(f"FORMS_ENCRYPTION_KEY：{why}（用 python -c 'from cryptography.fernet import Fernet; "
                              "print(Fernet.generate_key().decode())' 生成）")
    stored: dict = {}
    if not all(given.values()):
        try:
            stored = installation_keys.load_or_create(instance_path)
        except (installation_keys.KeyProblem, OSError) as exc:
            raise ConfigError(f"本机密钥文件不可用：{exc}") from None
    return (given["SECRET_KEY"] or stored["secret_key"], given["FORMS_ENCRYPTION_KEY"] or stored["encryption_key"],
            given["FORMS_LOOKUP_PEPPER"] or stored["lookup_pepper"])


def _split(keys: str) -> list[str]:
    return [k.strip() for k in keys.split(",") if k.strip()]


def normalise_db_url(url: str) -> str:
    """`postgresql://` and `postgres://` mean psycopg 3 here (SQLAlchemy would pick psycopg2)."""
    for old in ("postgres://", "postgresql://"):
        if url.startswith(old):
            return "postgresql+psycopg://" + url[len(old):]
    return url


def parse_prefixes(text: str) -> dict[str, str]:
    """`zixi=ZX,jixian=JX` -> {"zixi": "ZX", ...}; overrides the prefixes derived from the ids."""
    out = {}
    for item in text.split(","):
        if "=" in item:
            jid, prefix = item.split("=", 1)
            out[jid.strip()] = prefix.strip().upper()
    return out
