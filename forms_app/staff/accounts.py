"""Staff accounts: argon2 password hashes, lockout after repeated failures, expiring sessions.

Roles (forms.md): `admin` (county administrator: everything in the jurisdiction, manages users),
`handler` (the cases of the townships assigned to them), `auditor` (reads everything, changes
nothing). Users are managed with `flask --app forms_app staff ...` (staff/cli.py).
"""
from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import and_, case, or_, select, update

from ..db import Database
from ..models import StaffUser, utcnow

ROLES = {"admin": "县级管理员", "handler": "乡镇经办人", "auditor": "审计（只读）"}
MAX_FAILURES = 5  # wrong passwords in a row before the account locks
LOCK_MINUTES = 15
MIN_PASSWORD = 10
MIN_STRENGTH = 3  # zxcvbn score 0-4: 3 = "safely unguessable" for an online attack with a lockout

_hasher = PasswordHasher()
# Verified against when the user name is unknown, so a wrong name costs as long as a wrong password.
# Made at the first such login, not at start: a hash at the default cost takes 0.24 s of CPU, and
# every `flask` command and gunicorn worker made two (at import and in configure_hasher).
_DUMMY_HASH: str | None = None
_DUMMY_LOCK = threading.Lock()


def configure_hasher(params: dict | None) -> None:
    """argon2 cost parameters (config ARGON2_PARAMS); the library's defaults when None. Tests use
    cheap ones; existing hashes keep verifying and are rehashed at the next login."""
    global _hasher, _DUMMY_HASH
    _hasher = PasswordHasher(**params) if params else PasswordHasher()
    _DUMMY_HASH = None


def _dummy_hash() -> str:
    """A hash made with the current parameters, to verify against when there is no real one."""
    global _DUMMY_HASH
    with _DUMMY_LOCK:  # one dummy for concurrent first logins (a test tells it from real hashes)
        if _DUMMY_HASH is None:
            _DUMMY_HASH = _hasher.hash("not-a-real-password-just-for-timing")
        return _DUMMY_HASH


class AccountError(ValueError):
    """A request about an account that cannot be done; the message is Chinese and says why."""


def password_problem(password: str, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why a chosen password is too weak, in Chinese, or None. Length, the common-password list
    (zxcvbn's 30,000 most used) and zxcvbn's guessing estimate, which also knows keyboard runs,
    dates, repeats and the account's own name (`user_inputs`)."""
    from zxcvbn import zxcvbn
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    if len(password) < MIN_PASSWORD:
        return f"密码至少 {MIN_PASSWORD} 个字符"
    if password.lower() in _common_passwords(FREQUENCY_LISTS):
        return "这是常见密码，别人很容易猜到；请换一个"
    if zxcvbn(password[:100], user_inputs=[u for u in user_inputs if u])["score"] < MIN_STRENGTH:
        return "密码太容易猜（例如键盘上连着的键、重复的字、日期或用户名）；请用几个不相关的词加数字"
    return None


_COMMON: set[str] = set()


def _common_passwords(lists) -> set[str]:
    if not _COMMON:
        _COMMON.update(lists["passwords"])
    return _COMMON


def hash_password(password: str, user_inputs: tuple[str, ...] = ()) -> str:
    """The argon2 hash of a password someone chose (refused with the reason when it is weak)."""
    problem = password_problem(password, user_inputs)
    if problem:
        raise AccountError(problem)
    return _hasher.hash(password)


def hash_generated(password: str) -> str:
    """A password made by `temporary_password` (random): no strength estimate needed."""
    return _hasher.hash(password)


@dataclass(frozen=True)
class LoginResult:
    user: StaffUser | None
    message: str = ""  # why not, in Chinese: the same for unknown, wrong, locked and disabled
    jurisdiction: str | None = None  # of the account tried, for its audit log (never shown)
    reason: str = ""  # the real reason, for the audit log only


# One answer for every refusal, so the page never tells whether a name exists, is locked or is
# disabled (and a disabled account's right password is not confirmed).
WRONG = (f"用户名或密码不对。连续输错 {MAX_FAILURES} 次，账号会锁定 {LOCK_MINUTES} 分钟；"
         "账号被锁定、停用或忘了密码，请找县级管理员")


def end_sessions(user: StaffUser) -> None:
    """Every session of `user` made so far stops working (staff/session.py); call it inside the
    transaction of the change (logout, password, disable/enable, lock)."""
    user.session_generation = (user.session_generation or 0) + 1


def _reserve_attempt(db: Database, user_id: int, now: dt.datetime) -> bool:
    """Count one attempt *before* the password is checked, in one UPDATE: concurrent guesses each
    take a place, and once MAX_FAILURES are taken no further password is checked at all. An
    expired lock starts a new count. False: locked (or the places are all taken)."""
    t = StaffUser.__table__
    expired = and_(t.c.locked_until.is_not(None), t.c.locked_until <= now)
    with db.writing() as session:
        taken = session.execute(
            update(t).where(t.c.id == user_id,
                            or_(expired, and_(t.c.locked_until.is_(None), t.c.failed_logins < MAX_FAILURES)))
            .values(failed_logins=case((expired, 1), else_=t.c.failed_logins + 1),
                    locked_until=case((expired, None), else_=t.c.locked_until))
            .returning(t.c.failed_logins)).first()
    return taken is not None


def _settle_attempt(db: Database, user_id: int, ok: bool, now: dt.datetime, password: str = "") -> None:
    """After the check: a right password clears the count; the wrong one that used the last place locks."""
    with db.writing() as session:
        user = session.get(StaffUser, user_id, with_for_update=True)
        if ok:
            user.failed_logins, user.locked_until, user.last_login_at = 0, None, now
            if _hasher.check_needs_rehash(user.password_hash):
                user.password_hash = _hasher.hash(password)
        elif user.failed_logins >= MAX_FAILURES and user.locked_until is None:
            user.locked_until = now + dt.timedelta(minutes=LOCK_MINUTES)
            end_sessions(user)  # a lock also ends the sessions someone may have stolen


def checked_password(db: Database, user: StaffUser, password: str, now: dt.datetime | None = None) -> bool | None:
    """The password of an existing account checked under the lockout: True, False, or None when
    the account is locked (then nothing was checked). Used by the login and /staff/password."""
    now = now or utcnow()
    if not _reserve_attempt(db, user.id, now):
        _verify(_dummy_hash(), password)  # as long as a real check
        return None
    ok = _verify(user.password_hash, password)
    _settle_attempt(db, user.id, ok, now, password)
    return ok


def authenticate(db: Database, username: str, password: str, now: dt.datetime | None = None) -> LoginResult:
    """Check a login; count failures atomically and lock the account after MAX_FAILURES."""
    now = now or utcnow()
    with db.reading() as session:
        user = session.scalars(select(StaffUser).where(StaffUser.username == username)).first()
    if user is None:
        _verify(_dummy_hash(), password)
        return LoginResult(None, WRONG, reason="没有这个用户名")
    if not user.active:
        _verify(_dummy_hash(), password)  # the right password of a disabled account confirms nothing
        return LoginResult(None, WRONG, user.jurisdiction, "账号已停用")
    ok = checked_password(db, user, password, now)
    if ok is None:
        return LoginResult(None, WRONG, user.jurisdiction, "账号已锁定")
    if not ok:
        return LoginResult(None, WRONG, user.jurisdiction, "密码不对")
    return LoginResult(fetch_user(db, user.id))


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
