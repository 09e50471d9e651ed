"""Who may see and do what. Every staff query and every case page goes through here.

A handler sees only the cases of their own townships: the queue filters by `visible()`, and a
case page or action for any other case answers 404 (not 403, so a number does not reveal that a
case exists). An auditor reads everything in the jurisdiction and changes nothing.
"""
from __future__ import annotations

from sqlalchemy import false

from ..models import Case, StaffUser, townships_of


def visible(user: StaffUser):
    """The SQL condition for the cases `user` may see."""
    cond = Case.jurisdiction == user.jurisdiction
    if user.role == "handler":
        towns = townships_of(user)
        cond = cond & (Case.township.in_(towns) if towns else false())
    return cond


def can_see(user: StaffUser, case: Case) -> bool:
    if case.jurisdiction != user.jurisdiction:
        return False
    return user.role != "handler" or case.township in townships_of(user)


def can_act(user: StaffUser) -> bool:
    """Change cases (status, notes, replies, assignment)."""
    return user.role in ("admin", "handler")


def can_read_audit(user: StaffUser) -> bool:
    return user.role in ("admin", "auditor")


def can_manage_users(user: StaffUser) -> bool:
    return user.role == "admin"
