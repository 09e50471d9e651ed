"""What the county administrator does to accounts on the web (and each person to their own
password): every change is one transaction with its audit entry, before and after, never a password.

Only an administrator of the same jurisdiction reaches an account (`_load`); an administrator
cannot disable their own account or change their own role, so a county never locks itself out.
New accounts and password resets get a temporary password, shown once to the administrator and
changed by its owner at the first login (`must_change_password`).
"""
from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import object_session

from .. import audit
from ..db import Database
from ..models import StaffUser
from .accounts import (ROLES, AccountError, checked_password, end_sessions, hash_generated, hash_password,
                       password_problem, public_fields)

# No 0/O, 1/l/I: read out on the phone or copied from a screen without mistakes.
_TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
USERNAME_CHARS = set("abcdefghijklmnopqrstuvwxyz0123456789._-")


def temporary_password() -> str:
    return "".join(secrets.choice(_TEMP_ALPHABET) for _ in range(12))


def _places(j, role: str, townships: list[str]) -> list[str]:
    if role not in ROLES:
        raise AccountError("请从列表里选一个角色")
    unknown = [t for t in townships if t not in j.townships]
    if unknown:
        raise AccountError("请从列表里选乡镇")
    if role == "handler" and not townships:
        raise AccountError("乡镇经办人至少要负责一个乡镇")
    return sorted(set(townships)) if role == "handler" else []


def _load(session, admin: StaffUser, user_id: int) -> StaffUser:
    user = session.get(StaffUser, user_id)
    if user is None or user.jurisdiction != admin.jurisdiction:
        raise LookupError(user_id)
    return user


def create_user(db: Database, j, admin: StaffUser, address: str | None, *, username: str, display_name: str,
                role: str, townships: list[str]) -> tuple[StaffUser, str]:
    """(the new account, its temporary password)."""
    username = username.strip().lower()
    if not 3 <= len(username) <= 60 or not set(username) <= USERNAME_CHARS:
        raise AccountError("用户名要 3 到 60 个字符，只用小写字母、数字和 . _ -")
    display_name = display_name.strip()
    if not 1 <= len(display_name) <= 60:
        raise AccountError("请写姓名（最多 60 个字）")
    towns = _places(j, role, townships)
    temp = temporary_password()
    with db.writing() as session:
        if session.scalars(select(StaffUser).where(StaffUser.username == username)).first():
            raise AccountError(f"用户名“{username}”已经有人用了，请换一个")
        user = StaffUser(jurisdiction=j.id, username=username, display_name=display_name,
                         password_hash=hash_generated(temp), role=role, townships=towns, active=True,
                         failed_logins=0, must_change_password=True)
        session.add(user)
        session.flush()
        audit.record(session, "user_create", actor_id=admin.id, after=public_fields(user), address=address,
                     jurisdiction=j.id)
    return user, temp


def _change(db: Database, admin: StaffUser, user_id: int, address: str | None, action: str, change) -> StaffUser:
    with db.writing() as session:
        user = _load(session, admin, user_id)
        before = public_fields(user)
        change(user)
        audit.record(session, action, actor_id=admin.id, before=before, after=public_fields(user), address=address,
                     jurisdiction=user.jurisdiction)
    return user


def set_role(db: Database, j, admin: StaffUser, user_id: int, address: str | None, role: str,
             townships: list[str]) -> StaffUser:
    towns = _places(j, role, townships)
    if user_id == admin.id and role != "admin":
        raise AccountError("不能改自己的角色（请另一位县级管理员来改），以免本县没有管理员")

    def change(user):
        if role != "admin":
            _keep_an_administrator(user)
        user.role, user.townships = role, towns
    return _change(db, admin, user_id, address, "user_update", change)


def set_active(db: Database, admin: StaffUser, user_id: int, address: str | None, active: bool) -> StaffUser:
    if user_id == admin.id and not active:
        raise AccountError("不能停用自己的账号")

    def change(user):
        if not active:
            _keep_an_administrator(user)
        if user.active != active:
            end_sessions(user)
        user.active = active
    return _change(db, admin, user_id, address, "user_update", change)


def _keep_an_administrator(user: StaffUser) -> None:
    """Refuse to disable or demote the jurisdiction's last active administrator. The active
    administrators' rows are locked first, so two administrators disabling each other at the
    same moment cannot both succeed (PostgreSQL re-reads locked rows; SQLite writers queue)."""
    session = object_session(user)
    admins = session.scalars(select(StaffUser.id).where(StaffUser.jurisdiction == user.jurisdiction,
                                                        StaffUser.role == "admin", StaffUser.active.is_(True))
                             .order_by(StaffUser.id).with_for_update()).all()
    session.refresh(user)
    if user.role == "admin" and user.active and set(admins) <= {user.id}:
        raise AccountError("这是本县最后一位在用的县级管理员，不能停用或改角色；请先给另一个人县级管理员角色")


def reset_password(db: Database, admin: StaffUser, user_id: int, address: str | None) -> tuple[StaffUser, str]:
    """A temporary password (returned once) that must be changed at the next login; unlocks too."""
    temp = temporary_password()
    hashed = hash_generated(temp)

    def change(user):
        user.password_hash, user.must_change_password = hashed, True
        user.failed_logins, user.locked_until = 0, None
        end_sessions(user)
    return _change(db, admin, user_id, address, "user_password", change), temp


def unlock(db: Database, admin: StaffUser, user_id: int, address: str | None) -> StaffUser:
    def change(user):
        user.failed_logins, user.locked_until = 0, None
    return _change(db, admin, user_id, address, "user_unlock", change)


def change_own_password(db: Database, user_id: int, address: str | None, current: str, new: str,
                        repeat: str) -> StaffUser:
    """The new password is set and every other session of the account ends; the wrong current
    password counts against the same lockout as the login (a stolen session cannot guess it)."""
    if new != repeat:
        raise AccountError("两次输入的新密码不一样")
    if new == current:
        raise AccountError("新密码不能和原来的一样")
    with db.reading() as session:
        user = session.get(StaffUser, user_id)
    if user is None:
        raise AccountError("原来的密码不对")
    problem = password_problem(new, (user.username, user.display_name))
    if problem:
        raise AccountError(problem)
    ok = checked_password(db, user, current)
    if ok is None:
        raise AccountError("连续输错次数太多，账号已锁定，请稍后再试，或请县级管理员解锁")
    if not ok:
        raise AccountError("原来的密码不对")
    with db.writing() as session:
        user = session.get(StaffUser, user_id)
        before = {"must_change_password": user.must_change_password}
        user.password_hash = hash_password(new, (user.username, user.display_name))
        user.must_change_password = False
        user.failed_logins = 0
        end_sessions(user)
        audit.record(session, "password_change", actor_id=user.id, before=before,
                     after={"must_change_password": False}, address=address, jurisdiction=user.jurisdiction)
    return user
