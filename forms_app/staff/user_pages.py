"""The county administrator's account pages (/staff/<jid>/users...) and everyone's own password
page (/staff/password). Handlers and auditors get 403 on every account route; an account of
another jurisdiction is 404 even for an administrator. The changes themselves: user_admin.py.
"""
from __future__ import annotations

from flask import abort, current_app, redirect, render_template, request, url_for

from ..models import StaffUser, utcnow
from ..views_common import jurisdiction_or_404
from . import session as staff_session
from .access import can_manage_users
from .accounts import ROLES, AccountError, fetch_users
from .forms import ActionForm, PasswordForm, UserForm
from .user_admin import change_own_password, create_user, reset_password, set_active, set_role, unlock
from .views import bp


def _db():
    return current_app.extensions["forms_db"]


def _admin_only(user, jid: str):
    j = jurisdiction_or_404(jid)
    if not can_manage_users(user):
        abort(403)
    return j


def _account(user, uid: int) -> StaffUser:
    with _db().reading() as s:
        account = s.get(StaffUser, uid)
    if account is None or account.jurisdiction != user.jurisdiction:
        abort(404)
    return account


def _list_page(j, form=None, error: str = "", code: int = 200):
    return render_template("staff/users.html", j=j, users=fetch_users(_db(), j.id), form=form or UserForm(formdata=None),
                           error=error, roles=ROLES, now=utcnow()), code


def _account_page(j, account, error: str = "", temp: str | None = None, code: int = 200, form=None):
    return render_template("staff/user.html", j=j, account=account, error=error, temp=temp, roles=ROLES, now=utcnow(),
                           form=form or UserForm(formdata=None), action_form=ActionForm(formdata=None)), code


@bp.get("/<jid>/users")
@staff_session.required
def users(user, jid):
    return _list_page(_admin_only(user, jid))


@bp.post("/<jid>/users")
@staff_session.required
def user_create(user, jid):
    j = _admin_only(user, jid)
    form = UserForm()
    if not form.validate_on_submit():
        return _list_page(j, form, "页面已过期，请再提交一次", 400)
    try:
        account, temp = create_user(_db(), j, user, request.remote_addr, username=(form.username.data or "")[:100],
                                    display_name=(form.display_name.data or "")[:100], role=form.role.data or "",
                                    townships=list(form.townships.data or [])[:100])
    except AccountError as exc:
        return _list_page(j, form, str(exc), 400)
    return _account_page(j, account, temp=temp)


@bp.get("/<jid>/users/<int:uid>")
@staff_session.required
def user_page(user, jid, uid):
    j = _admin_only(user, jid)
    return _account_page(j, _account(user, uid))


def _account_post(user, jid, uid, do):
    """The common path of the account page's POSTs: admin only, own jurisdiction, CSRF, then `do`."""
    j = _admin_only(user, jid)
    account = _account(user, uid)
    form = UserForm()
    if not form.validate_on_submit():
        return _account_page(j, account, "页面已过期，请再提交一次", code=400)
    try:
        temp = do(j, form)
    except AccountError as exc:
        return _account_page(j, _account(user, uid), str(exc), code=400, form=form)
    except LookupError:
        abort(404)
    if temp:  # shown once, on this answer only (no-store), never stored in plain text
        return _account_page(j, _account(user, uid), temp=temp)
    return redirect(url_for("staff.user_page", jid=jid, uid=uid), 303)


@bp.post("/<jid>/users/<int:uid>/role")
@staff_session.required
def user_role(user, jid, uid):
    def do(j, form):
        set_role(_db(), j, user, uid, request.remote_addr, form.role.data or "", list(form.townships.data or [])[:100])
    return _account_post(user, jid, uid, do)


@bp.post("/<jid>/users/<int:uid>/disable")
@staff_session.required
def user_disable(user, jid, uid):
    def do(j, form):
        set_active(_db(), user, uid, request.remote_addr, False)
    return _account_post(user, jid, uid, do)


@bp.post("/<jid>/users/<int:uid>/enable")
@staff_session.required
def user_enable(user, jid, uid):
    def do(j, form):
        set_active(_db(), user, uid, request.remote_addr, True)
    return _account_post(user, jid, uid, do)


@bp.post("/<jid>/users/<int:uid>/password")
@staff_session.required
def user_password(user, jid, uid):
    def do(j, form):
        return reset_password(_db(), user, uid, request.remote_addr)[1]
    return _account_post(user, jid, uid, do)


@bp.post("/<jid>/users/<int:uid>/unlock")
@staff_session.required
def user_unlock(user, jid, uid):
    def do(j, form):
        unlock(_db(), user, uid, request.remote_addr)
    return _account_post(user, jid, uid, do)


# ------------------------------------------------------------------ one's own password

@bp.route("/password", methods=["GET", "POST"])
@staff_session.required
def own_password(user):
    form = PasswordForm()
    error = ""
    if request.method == "POST":
        if not form.validate_on_submit():
            error = "页面已过期，请再提交一次"
        else:
            try:
                changed = change_own_password(_db(), user.id, request.remote_addr, (form.current.data or "")[:200],
                                              (form.new.data or "")[:200], (form.repeat.data or "")[:200])
            except AccountError as exc:
                error = str(exc)
            else:
                staff_session.keep_this_session(changed)  # every other session has ended
                return redirect(url_for("staff.queue", jid=user.jurisdiction), 303)
    j = current_app.extensions["forms_policy"].get(user.jurisdiction)
    return render_template("staff/password.html", j=j, form=PasswordForm(formdata=None), error=error,
                           forced=user.must_change_password), 400 if error else 200
