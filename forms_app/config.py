"""Settings of the forms app, read from the environment in one place.

The defaults are the embedded run's (one SQLite file under `instance/`, limits in memory,
localhost URLs). In production (`FORMS_ENV=production`) the secrets must be given: the app
refuses to start without them rather than run on a guessable key.
"""
from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

from builder import settings as build_settings

ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-only-not-secret"  # noqa: S105 - the embedded run's key; production refuses it


class ConfigError(RuntimeError):
    """A setting is missing or unusable; the message says which and how to set it."""


def from_env(instance_path: Path) -> dict:
    env = os.environ
    production = env.get("FORMS_ENV", "").lower() == "production"
    secret = env.get("SECRET_KEY")
    if not secret:
        if production:
            raise ConfigError("FORMS_ENV=production 时必须设置 SECRET_KEY（一串足够长的随机字符）")
        secret = DEV_SECRET
    enc = env.get("FORMS_ENCRYPTION_KEY")
    if not enc:
        if production:
            raise ConfigError("FORMS_ENV=production 时必须设置 FORMS_ENCRYPTION_KEY"
                              "（用 python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())' 生成）")
        enc = dev_fernet_key(secret)
    database = env.get("DATABASE_URL")
    if not database:
        if production:  # never a quiet fallback: a backup of an empty SQLite file looks like a backup
            raise ConfigError("FORMS_ENV=production 时必须设置 DATABASE_URL（postgresql://用户@主机/数据库，"
                              "或 sqlite:////srv/health/instance/forms.sqlite3），通常写在设置文件里（FORMS_SETTINGS）")
        database = f"sqlite:///{instance_path / 'forms.sqlite3'}"
    return {
        "PRODUCTION": production,
        "SECRET_KEY": secret,
        # Comma-separated Fernet keys, newest first: old keys still decrypt after a rotation.
        "ENCRYPTION_KEYS": [k.strip() for k in enc.split(",") if k.strip()],
        # Lookup codes are stored as HMACs under this key; changing it invalidates every code.
        "LOOKUP_PEPPER": env.get("FORMS_LOOKUP_PEPPER") or secret,
        "DATABASE_URL": normalise_db_url(database),
        "REDIS_URL": env.get("REDIS_URL") or None,
        "SITE_URL": build_settings.site_url(),
        "FORMS_URL": build_settings.forms_url(),
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


def dev_fernet_key(secret: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(b"forms-fernet:" + secret.encode()).digest()).decode()


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
