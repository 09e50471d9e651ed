"""Staff accounts: argon2 password hashes, lockout after repeated failures, expiring sessions.

Roles (forms.md): `admin` (county administrator: everything in the jurisdiction, manages users),
`handler` (the cases of the townships assigned to them), `auditor` (reads everything, changes
nothing). Users are managed with `flask --app forms_app staff ...` (staff/cli.py).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from ..db import Database
from ..models import StaffUser, utcnow

ROLES = {"admin": "县级管理员", "handler": "乡镇经办人", "auditor": "审计（只读）"}
MAX_FAILURES = 5  # wrong passwords in a row before the account locks
LOCK_MINUTES = 15
MIN_PASSWORD = 10

_hasher = PasswordHasher()
# Verified against when the user name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("not-a-real-password-just-for-timing")


def configure_hasher(params: dict | None) -> None:
    """argon2 cost parameters (config ARGON2_PARAMS); the library's defaults when None. Tests use
    cheap ones; existing hashes keep verifying and are rehashed at the next login."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(**params) if params else PasswordHasher()
    _DUMMY_HASH = _hasher.hash("not-a-real-password-just-for-timing")


class AccountError(ValueError):
    """A request about an account that cannot be done; the message is Chinese and says why."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 个字符")
    return _hasher.hash(password)


@dataclass(frozen=True)
class LoginResult:
    user: StaffUser | None
    message: str = ""  # why not, in Chinese (the same for unknown names and wrong passwords)
    jurisdiction: str | None = None  # of the account tried, for its audit log (never shown)


WRONG = "用户名或密码不对"


def authenticate(db: Database, username: str, password: str, now: dt.datetime | None = None) -> LoginResult:
    """Check a login; count failures and lock the account after MAX_FAILURES in a row."""
    now = now or utcnow()
    with db.writing() as session:
        user = session.scalars(select(StaffUser).where(StaffUser.username == username)).first()
        if user is None:
            _verify(_DUMMY_HASH, password)
            return LoginResult(None, WRONG)
        if user.locked_until and user.locked_until > now:
            left = int((user.locked_until - now).total_seconds() // 60) + 1
            return LoginResult(None, f"连续输错密码次数太多，账号已锁定，请 {left} 分钟后再试，或请县级管理员解锁",
                               user.jurisdiction)
        if not _verify(user.password_hash, password):
            user.failed_logins += 1
            if user.failed_logins >= MAX_FAILURES:
                user.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
                user.failed_logins = 0
                return LoginResult(None, f"连续输错 {MAX_FAILURES} 次，账号已锁定 {LOCK_MINUTES} 分钟",
                                   user.jurisdiction)
            return LoginResult(None, WRONG, user.jurisdiction)
        if not user.active:
            return LoginResult(None, "这个账号已停用，请联系县级管理员", user.jurisdiction)
        user.failed_logins = 0
        user.locked_until = None
        user.last_login_at = now
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = _hasher.hash(password)
    return LoginResult(user)


def public_fields(user: StaffUser) -> dict:
    """An account as the audit log records it (never the password hash)."""
    return {"username": user.username, "jurisdiction": user.jurisdiction, "role": user.role,
            "townships": list(user.townships or []), "active": user.active, "display_name": user.display_name,
            "must_change_password": bool(user.must_change_password)}


def verify_password(hashed: str, password: str) -> bool:
    return _verify(hashed, password)


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def fetch_user(db: Database, user_id: int) -> StaffUser | None:
    with db.reading() as session:
        return session.get(StaffUser, user_id)


def fetch_users(db: Database, jurisdiction: str | None = None) -> list[StaffUser]:
    with db.reading() as session:
        q = select(StaffUser).order_by(StaffUser.jurisdiction, StaffUser.username)
        if jurisdiction:
            q = q.where(StaffUser.jurisdiction == jurisdiction)
        return list(session.scalars(q))
