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

from flask import abort, current_app, g, redirect, render_template, request, session, url_for

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
        g.staff_expired_id = int(info.get("id", 0) or 0)
        return None
    user = fetch_user(current_app.extensions["forms_db"], int(info.get("id", 0)))
    if user is None or not user.active or info.get("gen") != (user.session_generation or 0):
        session.pop("staff", None)
        return None
    info["seen"] = now
    session["staff"] = info
    g.staff_user = user
    return user


# What a case page's form may carry through a login (issue 27 point 3), and how long each may be.
DRAFT_FIELDS = {"status": 20, "text": 2000, "days": 4, "approver": 60, "approved_on": 10, "reason": 2000}
DRAFT_ENDPOINTS = {"staff.set_status", "staff.note", "staff.reply", "staff.reopen_case"}


def draft_fields(form) -> dict:
    """The typed values of a case action, read from `form` under their names or as draft_<name>."""
    out = {}
    for name, most in DRAFT_FIELDS.items():
        value = form.get("draft_" + name, form.get(name, "") if request.endpoint in DRAFT_ENDPOINTS else "")
        if value:
            out[name] = str(value)[:most]
    return out if out.get("text") or out.get("reason") else {}


def required(view):
    """The view needs a login in the jurisdiction of the URL; others get 404 for that jurisdiction.

    A case action POSTed after the session expired is not lost: the login page is shown at once
    with what was typed in hidden fields, and after the login the case page comes back with it
    (views._draft_page). The draft travels in the page, not the session, so it does not depend on
    how sessions are kept or signed."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        user = current()
        if user is None and request.method == "POST" and request.endpoint in DRAFT_ENDPOINTS:
            from .forms import LoginForm
            draft = draft_fields(request.form)
            if draft:
                # The user name of the session that just expired, so only the password is asked.
                was = fetch_user(current_app.extensions["forms_db"], g.get("staff_expired_id", 0) or 0)
                form = LoginForm(formdata=None, data={"username": was.username if was else ""})
                return render_template("staff/login.html", form=form, draft=draft,
                                       next=request.path, message="登录已过期，请重新登录。您写的内容没有丢，登录后回到这件案子。"), 401
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
