"""`flask --app forms_app staff ...`: create staff accounts and set their roles and townships.

Every change is written to the audit log (actor: the command line). Passwords are read from a
prompt, or from standard input with --password-stdin (for scripts); never from the command line,
where they would end up in the shell history.
"""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from .. import audit
from ..models import StaffUser
from .accounts import ROLES, AccountError, end_sessions, hash_password, public_fields


def _db():
    return current_app.extensions["forms_db"]


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("密码", hide_input=True, confirmation_prompt="再输一遍")


def _check_places(jid: str, role: str, townships: tuple[str, ...]) -> list[str]:
    j = current_app.extensions["forms_policy"].get(jid)
    if j is None:
        raise click.UsageError(f"没有地区“{jid}”；可选：{', '.join(current_app.extensions['forms_policy'].jurisdictions)}")
    unknown = [t for t in townships if t not in j.townships]
    if unknown:
        raise click.UsageError(f"{j.name}没有这些乡镇：{', '.join(unknown)}；可选：{', '.join(j.townships)}")
    if role == "handler" and not townships:
        raise click.UsageError("经办人（handler）至少要有一个乡镇：--township ID，可以写多次")
    return list(townships) if role == "handler" else []


@click.group("staff", help="工作人员账号：新建、角色、乡镇、密码、停用、解锁")
def staff_cli():
    pass


@staff_cli.command("add", help="新建账号")
@click.argument("username")
@click.option("--jurisdiction", "jid", required=True, help="地区编号，如 zixi")
@click.option("--role", type=click.Choice(list(ROLES)), required=True, help="admin 县级管理员 | handler 经办人 | auditor 审计")
@click.option("--township", "townships", multiple=True, help="经办人负责的乡镇编号，可写多次")
@click.option("--name", "display_name", default="", help="显示的姓名")
@click.option("--password-stdin", is_flag=True, help="从标准输入读密码（脚本用）")
@with_appcontext
def add(username, jid, role, townships, display_name, password_stdin):
    towns = _check_places(jid, role, townships)
    try:
        hashed = hash_password(_password(password_stdin), (username, display_name))
    except AccountError as exc:
        raise click.UsageError(str(exc)) from None
    with _db().writing() as session:
        if session.scalars(select(StaffUser).where(StaffUser.username == username)).first():
            raise click.UsageError(f"用户名“{username}”已经有了")
        user = StaffUser(jurisdiction=jid, username=username, display_name=display_name or username,
                         password_hash=hashed, role=role, townships=towns, active=True, failed_logins=0)
        session.add(user)
        session.flush()
        audit.record(session, "user_create", after=public_fields(user), address="cli", jurisdiction=jid)
    click.echo(f"已新建 {username}（{ROLES[role]}{'：' + '、'.join(towns) if towns else ''}）")


def _change(username: str, change) -> StaffUser:
    with _db().writing() as session:
        user = session.scalars(select(StaffUser).where(StaffUser.username == username)).first()
        if user is None:
            raise click.UsageError(f"没有用户“{username}”")
        before = public_fields(user)
        action = change(user)
        audit.record(session, action, before=before, after=public_fields(user), address="cli",
                     jurisdiction=user.jurisdiction)
        return user


@staff_cli.command("role", help="改角色和负责的乡镇")
@click.argument("username")
@click.option("--role", type=click.Choice(list(ROLES)), required=True)
@click.option("--township", "townships", multiple=True)
@with_appcontext
def role(username, role, townships):
    def change(user):
        user.townships = _check_places(user.jurisdiction, role, townships)
        user.role = role
        return "user_update"
    _change(username, change)
    click.echo(f"{username} 现在是{ROLES[role]}")


@staff_cli.command("password", help="重设密码（同时解锁）")
@click.argument("username")
@click.option("--password-stdin", is_flag=True)
@with_appcontext
def password(username, password_stdin):
    try:
        hashed = hash_password(_password(password_stdin), (username,))
    except AccountError as exc:
        raise click.UsageError(str(exc)) from None

    def change(user):
        user.password_hash, user.failed_logins, user.locked_until = hashed, 0, None
        end_sessions(user)
        return "user_password"
    _change(username, change)
    click.echo(f"{username} 的密码已重设")


def _set_active(username: str, active: bool) -> None:
    def change(user):
        if user.active != active:
            end_sessions(user)  # disabling ends every session at once; enabling starts afresh
        user.active = active
        return "user_update"
    _change(username, change)
    click.echo(f"{username} 已{'启用' if active else '停用'}")


@staff_cli.command("disable", help="停用账号（离职等）")
@click.argument("username")
@with_appcontext
def disable(username):
    _set_active(username, False)


@staff_cli.command("enable", help="重新启用账号")
@click.argument("username")
@with_appcontext
def enable(username):
    _set_active(username, True)


@staff_cli.command("unlock", help="解除因输错密码造成的锁定")
@click.argument("username")
@with_appcontext
def unlock(username):
    def change(user):
        user.failed_logins, user.locked_until = 0, None
        return "user_unlock"
    _change(username, change)
    click.echo(f"{username} 已解锁")


@staff_cli.command("list", help="列出账号")
@click.option("--jurisdiction", "jid", default=None)
@with_appcontext
def list_users(jid):
    from .accounts import fetch_users

    for u in fetch_users(_db(), jid):
        towns = ",".join(u.townships or [])
        click.echo(f"{u.username}\t{u.jurisdiction}\t{u.role}\t{towns}\t{'在用' if u.active else '停用'}")
