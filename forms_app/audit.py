"""The append-only audit log: who did what, when, to which case, with the values before and after.

The code only ever INSERTs here (`record`); the database refuses UPDATE and DELETE on the table
by triggers created in the first migration (PostgreSQL: a plpgsql trigger; SQLite: RAISE(ABORT)),
so even a bug or a hand-typed SQL statement through the app's connection cannot rewrite history.
Whoever owns the tables can still drop a trigger: every entry is therefore also a link of a hash
chain (audit_chain.py), which `flask --app forms_app audit verify` checks.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit_chain
from .db import Database
from .models import AuditEntry, Case, StaffUser, utcnow

ACTIONS = {
    "login": "登录", "login_failed": "登录失败", "logout": "退出",
    "status": "改变状态", "assign": "分派", "note": "内部备注", "reply": "公开答复",
    "reveal_phone": "查看完整电话", "export_queue": "导出案件清单", "export_audit": "导出审计日志",
    "outbox_retry": "重新发送短信",
    "user_create": "新建账号", "user_update": "修改账号", "user_password": "重设密码",
    "user_unlock": "解锁账号", "password_change": "修改自己的密码", "filer_rating": "投诉人评价", "filer_review": "投诉人申请复查",
}


def record(session: Session, action: str, *, actor_id: int | None = None, case_id: int | None = None,
           before: dict | None = None, after: dict | None = None, address: str | None = None,
           at: dt.datetime | None = None, jurisdiction: str | None = None) -> None:
    """Append one entry in the caller's transaction: the action and its entry commit together.
    The entry is chained to the one before it (audit_chain.py) under the chain's lock."""
    entry = AuditEntry(at=at or utcnow(), jurisdiction=jurisdiction, actor_id=actor_id, action=action, case_id=case_id,
                       before=_plain(before), after=_plain(after), address=(address or "")[:64] or None)
    audit_chain.append(session, entry)
    session.add(entry)


def _plain(values: dict | None) -> dict | None:
    """JSON-safe copies (dates as ISO text) so both databases store the same thing."""
    if values is None:
        return None
    return json.loads(json.dumps(values, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v)))


def actor_without_account(action: str, address: str | None) -> str:
    """Who did it when no staff account did: a failed login (no one logged in), the complainant
    (a rating, a request for review), a command on the server (`flask staff ...`)."""
    if action == "login_failed":
        return "（未登录）"
    if action.startswith("filer_"):
        return "投诉人"
    return "命令行" if address == "cli" else "系统"


def fetch_entries(db: Database, jurisdiction: str, limit: int | None = 500, offset: int = 0) -> list[dict]:
    """A jurisdiction's entries, newest first: its staff's actions and the actions on its cases."""
    with db.reading() as session:
        q = (select(AuditEntry, StaffUser.username, Case.number)
             .outerjoin(StaffUser, AuditEntry.actor_id == StaffUser.id)
             .outerjoin(Case, AuditEntry.case_id == Case.id)
             .where(AuditEntry.jurisdiction == jurisdiction)
             .order_by(AuditEntry.id.desc()).offset(offset))
        if limit:
            q = q.limit(limit)
        return [{"id": e.id, "at": e.at, "actor": user or actor_without_account(e.action, e.address),
                 "action": e.action, "action_name": ACTIONS.get(e.action, e.action), "case": number or "",
                 "before": e.before, "after": e.after, "address": e.address or ""}
                for e, user, number in session.execute(q)]


def entries_csv(entries: list[dict], changes_of) -> str:
    """The export: `changes_of(entry)` gives its readable rows (audit_view.changes), one line each
    in the 改动 cell (`状态：已受理 → 正在办理`), personal data masked as on the page."""
    from .audit_view import as_text

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["编号", "时间(UTC)", "操作人", "操作", "操作代码", "案件", "改动（旧值 → 新值）", "地址"])
    for e in reversed(entries):  # oldest first: the order things happened
        # Every cell through the formula guard: an address or a user name can be typed by anyone.
        writer.writerow([cell(v) for v in (e["id"], e["at"].isoformat(timespec="seconds"), e["actor"],
                                           e["action_name"], e["action"], e["case"], as_text(changes_of(e)),
                                           e["address"])])
    return safe_csv(out.getvalue())


def safe_csv(text: str) -> str:
    """A UTF-8 BOM so Excel reads the Chinese; cells are quoted by csv, formulas neutralised by callers."""
    return "\ufeff" + text


def cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (=, +, -, @ at the start)."""
    text = "" if value is None else str(value)
    risky = text[:1] in ("\t", "\r", "\n") or text.lstrip()[:1] in ("=", "+", "-", "@", "＝", "＋", "－", "＠")
    return "'" + text if risky else text
