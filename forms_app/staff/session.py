"""The logged-in staff member: who, and whether the session is still valid.

Sessions expire after STAFF_IDLE_MINUTES without a request and after STAFF_MAX_HOURS in any case
(the absolute lifetime counts from the login and is never extended). The user row is read on
every request, so a disabled account or a changed role takes effect at once; and every session
carries the account's `session_generation` from its login: logout, a password change or reset,
disabling, enabling and a lock raise the generation (`end_sessions`), which ends every session
made before, including copies of the cookie.
"""
from __future__ import annotations

import time
from functools import wraps

from flask import abort, current_app, g, redirect, request, session, url_for

from ..models import StaffUser
from .accounts import end_sessions, fetch_user  # noqa: F401 - end_sessions is used as session.end_sessions


def login(user: StaffUser) -> None:
    session.clear()  # a new session for the new login: nothing carried over from before
    now = int(time.time())
    session["staff"] = {"id": user.id, "since": now, "seen": now, "gen": user.session_generation or 0}


def keep_this_session(user: StaffUser) -> None:
    """After `end_sessions` for one's own change (a new password): this browser stays logged in."""
    info = session.get("staff")
    if isinstance(info, dict) and info.get("id") == user.id:
        session["staff"] = {**info, "gen": user.session_generation}


def logout() -> None:
    session.pop("staff", None)


def current() -> StaffUser | None:
    """The staff member of this request, or None (no login, expired, disabled)."""
    if "staff_user" in g:
        return g.staff_user
    g.staff_user = None
    info = session.get("staff")
    if not isinstance(info, dict):
        return None
    now = int(time.time())
    idle = current_app.config["STAFF_IDLE_MINUTES"] * 60
    most = current_app.config["STAFF_MAX_HOURS"] * 3600
    if now - int(info.get("seen", 0)) > idle or now - int(info.get("since", 0)) > most:
        session.pop("staff", None)
        g.staff_expired = True
        return None
    user = fetch_user(current_app.extensions["forms_db"], int(info.get("id", 0)))
    if user is None or not user.active or info.get("gen") != (user.session_generation or 0):
        session.pop("staff", None)
        return None
    info["seen"] = now
    session["staff"] = info
    g.staff_user = user
    return user


def required(view):
    """The view needs a login in the jurisdiction of the URL; others get 404 for that jurisdiction."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        user = current()
        if user is None:
            return redirect(url_for("staff.login", next=request.full_path if request.method == "GET" else None,
                                    expired="1" if g.get("staff_expired") else None))
        if "jid" in kwargs and kwargs["jid"] != user.jurisdiction:
            abort(404)
        if user.must_change_password and request.endpoint != "staff.own_password":
            # A temporary password (new account, reset by the administrator): nothing else until changed.
            return redirect(url_for("staff.own_password"), 303 if request.method == "POST" else 302)
        return view(user, *args, **kwargs)
    return wrapper
