"""Staff pages under /staff/: login, the queue, a case, the SMS outbox, the audit log (accounts: user_pages.py).

Server-rendered Chinese pages, CSRF on every form, no inline script. Every case lookup goes
through `_case()` (access.can_see), so a handler gets 404 for another township's case whatever
URL they try; auditors get 404 for every form that changes something (they never see one).
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from .. import audit, notify
from ..audit_view import Context as AuditContext
from ..audit_view import changes as audit_changes
from ..lifecycle import STATUSES, status_name
from ..limits import limiter
from ..models import Case, CaseEvent, OutboxMessage, StaffUser, local_date, utcnow
from ..policy_source import category, place_label
from ..views_common import jurisdiction_or_404
from . import session as staff_session
from .access import can_act, can_manage_users, can_read_audit, can_see, visible
from .accounts import ROLES, authenticate, fetch_users
from .forms import ActionForm, LoginForm
from .queue import Filters, deadline_state, fetch_counts, fetch_queue, queue_csv
from .workflow import Actor, WorkflowError, add_note, allowed_targets, assign, change_status, extension_left, reveal_phone

bp = Blueprint("staff", __name__, url_prefix="/staff")
STALE = "这件案子刚被别人改过。请看一下最新的情况，再重新操作（您写的内容还在）"


def _db():
    return current_app.extensions["forms_db"]


def _actor(user) -> Actor:
    return Actor(user, request.remote_addr)


def _today():
    return local_date(utcnow())


@bp.context_processor
def _globals():
    return {"staff_user": staff_session.current(), "ROLES": ROLES, "status_name": status_name,
            "can_read_audit": can_read_audit, "can_act": can_act, "can_manage_users": can_manage_users}


# ------------------------------------------------------------------ login

@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LIMIT_STAFF_LOGIN"], methods=["POST"])
def login():
    form = LoginForm()
    message = "登录已过期，请重新登录" if request.args.get("expired") else ""
    if form.validate_on_submit():
        result = authenticate(_db(), (form.username.data or "")[:60], (form.password.data or "")[:200])
        with _db().writing() as s:
            if result.user is None:
                audit.record(s, "login_failed", after={"username": (form.username.data or "")[:60],
                                                       "reason": result.reason or result.message},
                             address=request.remote_addr, jurisdiction=result.jurisdiction)
            else:
                audit.record(s, "login", actor_id=result.user.id, address=request.remote_addr,
                             jurisdiction=result.user.jurisdiction)
        if result.user is not None:
            staff_session.login(result.user)
            target = request.args.get("next") or ""
            if not target.startswith(f"/staff/{result.user.jurisdiction}/"):
                target = url_for("staff.queue", jid=result.user.jurisdiction)
            return redirect(target, 303)
        message = result.message
    elif form.errors:
        message = "页面已过期，请再登录一次"
    failed = bool(message) and form.is_submitted()
    return render_template("staff/login.html", form=form, message=message), 401 if failed else 200


@bp.post("/logout")
def logout():
    form = LoginForm()
    user = staff_session.current()
    if form.validate_on_submit() and user is not None:
        with _db().writing() as s:
            account = s.get(StaffUser, user.id)
            staff_session.end_sessions(account)  # a copied cookie dies with this one
            audit.record(s, "logout", actor_id=user.id, address=request.remote_addr, jurisdiction=user.jurisdiction)
        staff_session.logout()
    return redirect(url_for("staff.login"), 303)


@bp.get("/")
@staff_session.required
def home(user):
    return redirect(url_for("staff.queue", jid=user.jurisdiction))


# ------------------------------------------------------------------ the queue

@bp.get("/<jid>/")
@staff_session.required
def queue(user, jid):
    j, f, today, cases, total, names = _filtered_queue(user, jid)
    rows = [_row(j, c, today, names) for c in cases]
    towns = {t: j.townships[t]["name"] for t in (user.townships if user.role == "handler" else j.townships)}
    return render_template("staff/queue.html", j=j, f=f, rows=rows, total=total, towns=towns,
                           counts=fetch_counts(_db(), user, today), statuses=STATUSES,
                           pages=(total + 49) // 50)


def _filtered_queue(user, jid: str, **page):
    """The queue page and its CSV export select the same cases: the filters in the URL, the
    user's own townships, today's deadlines; plus the staff names to show as assignees."""
    j = jurisdiction_or_404(jid)
    f = Filters.from_args(request.args, j)
    today = _today()
    cases, total = fetch_queue(_db(), user, f, today, **page)
    names = {u.id: u.display_name for u in fetch_users(_db(), jid)}
    return j, f, today, cases, total, names


def _row(j, c: Case, today, names) -> dict:
    cat = category(j, c.category)
    return {"case": c, "category": cat["name"] if cat else ("政策咨询" if c.kind == "query" else ""),
            "place": place_label(j, c.township, c.village, None), "deadline": deadline_state(j, c, today),
            "assignee": names.get(c.assigned_to, "")}


@bp.get("/<jid>/cases.csv")
@staff_session.required
def export_queue(user, jid):
    j, f, today, cases, total, names = _filtered_queue(user, jid, page_size=None)
    with _db().writing() as s:
        audit.record(s, "export_queue", actor_id=user.id, after={"filters": f.query_args(page=1), "rows": total},
                     address=request.remote_addr, jurisdiction=jid)
    return _csv(queue_csv(j, cases, names, today), f"{jid}-cases-{today.isoformat()}.csv")


def _csv(text: str, filename: str) -> Response:
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


# ------------------------------------------------------------------ a case

def _case(user, jid: str, number: str) -> Case:
    with _db().reading() as s:
        case = s.scalars(select(Case).where(Case.number == number, Case.jurisdiction == jid)).first()
    if case is None or not can_see(user, case):
        abort(404)
    return case


def _case_page(user, j, case: Case, form=None, error: str = "", phone: str | None = None, code: int = 200):
    with _db().reading() as s:
        events = list(s.scalars(select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)))
        messages = list(s.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case.id)
                                  .order_by(OutboxMessage.id)))
        staff = list(s.scalars(select(StaffUser).where(StaffUser.jurisdiction == j.id)))
    names = {u.id: u.display_name for u in staff}
    assignees = [(u.id, f"{u.display_name}（{ROLES[u.role]}）") for u in staff
                 if u.active and u.role != "auditor" and can_see(u, case)
                 and (user.role == "admin" or u.id == user.id)]
    cat = category(j, case.category)
    return render_template(
        "staff/case.html", j=j, case=case, events=events, names=names, messages=messages,
        category=cat, place=place_label(j, case.township, case.village, case.institution),
        deadline=deadline_state(j, case, _today()), targets=allowed_targets(case) if can_act(user) else [],
        assignees=assignees, form=form or ActionForm(formdata=None), error=error, phone=phone,
        extension_left=extension_left(j, case), outbox_status=notify.OUTBOX_STATUS,
        institution=place_label(j, None, None, case.institution)), code


@bp.get("/<jid>/case/<number>")
@staff_session.required
def case(user, jid, number):
    j = jurisdiction_or_404(jid)
    return _case_page(user, j, _case(user, jid, number))


def _checked_post(user, jid, number):
    """(jurisdiction, case, form, refusal page or None): 404 for cases out of reach or read-only users,
    the page again with a message when the CSRF token is missing or stale."""
    j = jurisdiction_or_404(jid)
    current = _case(user, jid, number)
    if not can_act(user):
        abort(404)
    form = ActionForm()
    refusal = None
    if not form.validate_on_submit():
        refusal = _case_page(user, j, current, form, "页面已过期，请再提交一次（您写的内容还在）", code=400)
    return j, current, form, refusal


def _action(user, jid, number, do):
    """Common path of the case page's POSTs, then the workflow (its refusals shown on the page)."""
    j, _current, form, refusal = _checked_post(user, jid, number)
    if refusal is not None:
        return refusal
    raw = form.version.data or ""
    # A version that is not a plain number never matches, so the action is refused, not unchecked.
    version = None if not raw else int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else -1
    try:
        do(j, form, version)
    except WorkflowError as exc:
        return _case_page(user, j, _case(user, jid, number), form, str(exc), code=409)
    except StaleDataError:
        # Someone saved the case between our read and our write (PostgreSQL; SQLite writers queue):
        # the current state, with what was typed still in the form, as forms-app.md promises.
        return _case_page(user, j, _case(user, jid, number), form, STALE, code=409)
    except LookupError:
        abort(404)
    _deliver_now()
    return redirect(url_for("staff.case", jid=jid, number=number), 303)


def _deliver_now() -> None:
    """Hand the new SMS to the sender at once when one is configured; failures wait for a retry."""
    sender = notify.load_sender(current_app.config.get("SMS_SENDER"))
    if sender is not None:
        try:
            notify.deliver_due(_db(), sender, current_app.extensions["forms_protector"].decrypt)
        except Exception:  # noqa: BLE001 - the action is saved; the outbox keeps the message
            current_app.logger.exception("SMS delivery failed")


@bp.post("/<jid>/case/<number>/status")
@staff_session.required
def set_status(user, jid, number):
    def do(j, form, version):
        days = form.days.data.strip() if form.days.data else ""
        n = int(days) if days.isascii() and days.isdigit() and len(days) < 5 else (None if not days else -1)
        change_status(_db(), j, _actor(user), number, version, form.status.data or "", text=form.text.data or "",
                      days=n)
    return _action(user, jid, number, do)


@bp.post("/<jid>/case/<number>/assign")
@staff_session.required
def set_assignee(user, jid, number):
    def do(j, form, version):
        raw = form.assignee.data or ""
        if raw and not (raw.isascii() and raw.isdigit() and len(raw) < 10):
            raise WorkflowError("请从列表里选经办人")
        assign(_db(), _actor(user), number, version, int(raw) if raw else None)
    return _action(user, jid, number, do)


@bp.post("/<jid>/case/<number>/note")
@staff_session.required
def note(user, jid, number):
    return _action(user, jid, number, lambda j, form, v: add_note(_db(), _actor(user), number, form.text.data or "",
                                                                   public=False))


@bp.post("/<jid>/case/<number>/reply")
@staff_session.required
def reply(user, jid, number):
    return _action(user, jid, number, lambda j, form, v: add_note(_db(), _actor(user), number, form.text.data or "",
                                                                   public=True, county=j.name))


@bp.post("/<jid>/case/<number>/phone")
@staff_session.required
def phone(user, jid, number):
    j, current, _form, refusal = _checked_post(user, jid, number)
    if refusal is not None:
        return refusal
    full = reveal_phone(_db(), _actor(user), number, current_app.extensions["forms_protector"].decrypt)
    return _case_page(user, j, current, phone=full or "（没有电话）")


# ------------------------------------------------------------------ outbox, audit

@bp.get("/<jid>/outbox")
@staff_session.required
def outbox(user, jid):
    j = jurisdiction_or_404(jid)
    items = notify.fetch_outbox(_db(), visible(user))
    return render_template("staff/outbox.html", j=j, items=items, outbox_status=notify.OUTBOX_STATUS,
                           form=ActionForm(formdata=None), sender=current_app.config.get("SMS_SENDER"))


@bp.post("/<jid>/outbox/<int:mid>/retry")
@staff_session.required
def outbox_retry(user, jid, mid):
    jurisdiction_or_404(jid)
    if not can_act(user) or not ActionForm().validate_on_submit():
        abort(404 if not can_act(user) else 400)
    with _db().writing() as s:
        msg = s.get(OutboxMessage, mid)
        case = s.get(Case, msg.case_id) if msg else None
        if msg is None or case is None or not can_see(user, case):
            abort(404)
        if msg.status == "failed":
            notify.retry(s, msg)
            audit.record(s, "outbox_retry", actor_id=user.id, case_id=case.id, after={"message": mid},
                         address=request.remote_addr, jurisdiction=jid)
    return redirect(url_for("staff.outbox", jid=jid), 303)


@bp.get("/<jid>/audit")
@staff_session.required
def audit_log(user, jid):
    j = jurisdiction_or_404(jid)
    if not can_read_audit(user):
        abort(404)
    try:
        page = max(1, min(100_000, int(request.args.get("page", "1"))))
    except ValueError:
        page = 1
    entries = audit.fetch_entries(_db(), jid, limit=100, offset=(page - 1) * 100)
    ctx = AuditContext(j, fetch_users(_db(), jid))
    for e in entries:
        e["changes"] = audit_changes(e, ctx)
    return render_template("staff/audit.html", j=j, entries=entries, page=page)


@bp.get("/<jid>/audit.csv")
@staff_session.required
def audit_export(user, jid):
    j = jurisdiction_or_404(jid)
    if not can_read_audit(user):
        abort(404)
    with _db().writing() as s:
        audit.record(s, "export_audit", actor_id=user.id, address=request.remote_addr, jurisdiction=jid)
    entries = audit.fetch_entries(_db(), jid, limit=None)
    ctx = AuditContext(j, fetch_users(_db(), jid))
    return _csv(audit.entries_csv(entries, lambda e: audit_changes(e, ctx)), f"{jid}-audit-{_today().isoformat()}.csv")


# The account pages (county administrator) and one's own password: their own module, same blueprint.
from . import user_pages  # noqa: E402,F401
