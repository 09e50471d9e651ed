"""The audit log as people read it: what changed, field by field, in Chinese (旧值 → 新值).

The log itself stores before/after as JSON (audit.py); this turns an entry into rows of
(label, old, new) for the audit page and its CSV export. Values are shown in words (status names,
roles, township and staff names, 是/否), and personal data is masked on the way out: phone and ID
card numbers inside any text, and a failed login's "user name" that is no account (people type
their password into the wrong box).
"""
from __future__ import annotations

import re

from .lifecycle import status_name
from .protect import mask_id_number
from .staff.accounts import ROLES

LABELS = {
    "status": "状态", "reply_by": "办结期限", "extended_days": "已延期天数", "text": "内容",
    "assigned_to": "经办人", "rating": "评分", "username": "用户名", "display_name": "姓名",
    "role": "角色", "townships": "负责的乡镇", "active": "账号状态", "jurisdiction": "地区",
    "must_change_password": "临时密码待改", "reason": "原因", "filters": "筛选条件", "rows": "导出条数",
    "message": "短信编号", "approved_by": "批准人", "approved_on": "批准日期",
}
ORDER = list(LABELS)
FILTER_LABELS = {"status": "状态", "category": "类别", "township": "乡镇", "kind": "类型", "overdue": "只看超期",
                 "open": "只看未办结", "page": "页", "phone": "电话尾号", "due": "期限", "unassigned": "只看未分派",
                 "assignee": "经办人", "low": "评价低", "number": "编号", "orphaned": "经办人已停用"}

_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})(?!\d)")
_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")


def mask_personal(text: str) -> str:
    """Phone and ID card numbers in free text (a note may quote them) shown masked."""
    text = _ID.sub(lambda m: mask_id_number(m.group(0)), text)
    return _MOBILE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)


class Context:
    """What turns ids into names: the jurisdiction (townships), its staff (ids and user names)."""

    def __init__(self, j=None, staff=()):
        self.towns = {t: v["name"] for t, v in (j.townships.items() if j else [])}
        self.places = {j.id: j.name} if j else {}
        self.staff = {u.id: u.display_name for u in staff}
        self.usernames = {u.username for u in staff}


def _value(key: str, value, ctx: Context, action: str) -> str:
    if value is None or value == "" or value == []:
        return "（空）"
    if key == "status":
        return status_name(value)
    if key == "role":
        return ROLES.get(value, value)
    if key == "townships":
        return "、".join(ctx.towns.get(t, t) for t in value)
    if key in ("active",):
        return "在用" if value else "停用"
    if isinstance(value, bool):
        return "是" if value else "否"
    if key == "assigned_to":
        return ctx.staff.get(value, f"#{value}")
    if key == "username" and action == "login_failed" and value not in ctx.usernames:
        return f"{str(value)[:1]}***（不是本县的账号）"
    if key == "filters" and isinstance(value, dict):
        return "，".join(f"{FILTER_LABELS.get(k, k)}={ctx.towns.get(v, v) if k == 'township' else v}"
                        for k, v in value.items()) or "（全部）"
    if key == "jurisdiction":
        return ctx.places.get(value, value)
    if key == "extended_days":
        return f"{value} 天"
    return mask_personal(str(value))


def changes(entry: dict, ctx: Context) -> list[tuple[str, str | None, str]]:
    """(label, old value or None when there was none, new value) for each field that changed;
    for an entry without a "before" (a note, a login), each field it records."""
    before, after = entry.get("before") or {}, entry.get("after") or {}
    keys = sorted(set(before) | set(after), key=lambda k: (ORDER.index(k) if k in ORDER else len(ORDER), k))
    rows = []
    for key in keys:
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old == new:
            continue
        label = LABELS.get(key, key)
        action = entry.get("action", "")
        rows.append((label, _value(key, old, ctx, action) if key in before else None,
                     _value(key, new, ctx, action) if key in after else "（删去）"))
    # An account change names its account even when the user name itself did not change.
    if entry.get("action", "").startswith("user_") and "username" in after and all(r[0] != "用户名" for r in rows):
        rows.insert(0, ("账号", None, _value("username", after["username"], ctx, entry["action"])))
    return rows


def as_text(rows: list[tuple[str, str | None, str]]) -> str:
    """One line per field, for the CSV cell: `状态：已受理 → 正在办理`."""
    return "\n".join(f"{label}：{old} → {new}" if old is not None else f"{label}：{new}" for label, old, new in rows)
