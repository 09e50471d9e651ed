"""Staff pages under /staff/: login, the queue, a case, the SMS outbox, the audit log (accounts: user_pages.py).

Server-rendered Chinese pages, CSRF on every form, no inline script. Every case lookup goes
through `_case()` (access.can_see), so a handler gets 404 for another township's case whatever
URL they try; auditors get 404 for every form that changes something (they never see one).
"""
from __future__ import annotations

import datetime as dt
import re

from builder.urls import track_url
from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, session, url_for
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from .. import audit, deadlines, notify
from ..audit_view import Context as AuditContext
from ..audit_view import changes as audit_changes
from ..lifecycle import STATUSES, is_callback, lateness, status_name
from ..limits import limiter
from ..models import AuditEntry, Case, CaseEvent, OutboxMessage, StaffUser, local_date, utcnow
from ..policy_source import category, person_in_words, place_label
from ..protect import new_lookup_code
from ..views_common import jurisdiction_or_404
from . import reveal as revealed
from . import session as staff_session
from .access import can_act, can_manage_users, can_read_audit, can_see, visible
from .accounts import ROLES, authenticate, fetch_users
from .audit_filters import AuditFilters
from .forms import ActionForm, LoginForm
from .queue import Filters, deadline_state, fetch_counts, fetch_queue, fetch_same_filer, queue_csv
from .workflow import (IRREVERSIBLE, REPLY_LEAST, Actor, WorkflowError, add_note, allowed_targets, assign,
                       change_status, extension_left, reopen, reveal_phone, undo, undo_window)

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
            kept = _draft_page(result.user, request.args.get("next") or "")
            if kept is not None:
                return kept
            target = request.args.get("next") or ""
            if not target.startswith(f"/staff/{result.user.jurisdiction}/"):
                target = url_for("staff.queue", jid=result.user.jurisdiction)
            return redirect(target, 303)
        message = result.message
    elif form.errors:
        message = "页面已过期，请再登录一次"
    failed = bool(message) and form.is_submitted()
    draft = staff_session.draft_fields(request.form) if failed else {}
    return render_template("staff/login.html", form=form, message=message, draft=draft,
                           next=request.args.get("next") or ""), 401 if failed else 200


_CASE_ACTION = re.compile(r"^/staff/([a-z0-9_]+)/case/([A-Za-z0-9-]{1,24})/(status|note|reply|reopen)$")


def _draft_page(user, target: str):
    """After a login that carried a draft (the session had expired while the clerk typed): the
    case page again with what was typed in its box, ready to save — never saved unseen."""
    draft = staff_session.draft_fields(request.form)
    m = _CASE_ACTION.match(target.split("?")[0])
    if not draft or m is None or m.group(1) != user.jurisdiction:
        return None
    j = jurisdiction_or_404(m.group(1))
    with _db().reading() as s:
        case = s.scalars(select(Case).where(Case.number == m.group(2), Case.jurisdiction == j.id)).first()
    if case is None or not can_see(user, case):
        return None
    # The login began a new session: the CSRF token cached for this request belongs to the old one.
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)
    form = ActionForm(formdata=None, data={k: draft.get(k, "") for k in
                                           ("status", "text", "days", "approver", "approved_on", "reason")})
    return _case_page(user, j, case, form, notice="已重新登录。您刚才写的内容还在下面，请看一下再点保存。",
                      draft_for=m.group(3))


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
    if f.phone and f.page == 1:  # looking a person up by phone is looking at personal data: audited
        with _db().writing() as s:
            audit.record(s, "search_phone", actor_id=user.id, after={"filters": f.query_args(page=1), "rows": total},
                         address=request.remote_addr, jurisdiction=jid)
    # Remembered for "← 案件列表" on the case pages: the clerk comes back to the same filter and page.
    session["staff_queue"] = f.query_args()
    staff = fetch_users(_db(), jid)
    disabled = {u.id for u in staff if not u.active}
    rows = [_row(j, c, today, names, disabled) for c in cases]
    towns = {t: j.townships[t]["name"] for t in (user.townships if user.role == "handler" else j.townships)}
    handlers = [u for u in staff if u.role != "auditor"]
    return render_template("staff/queue.html", j=j, f=f, rows=rows, total=total, towns=towns,
                           counts=fetch_counts(_db(), user, today, j), statuses=STATUSES, handlers=handlers,
                           names=names, pages=(total + 49) // 50, notice=BULK_SAVED.get(request.args.get("saved", ""), ""),
                           error="")


BULK_SAVED = {"bulk": "已分派选中的案件。"}


@bp.post("/<jid>/assign")
@staff_session.required
def bulk_assign(user, jid):
    """Assign the cases ticked on the queue at once; each goes through workflow.assign (its rules,
    its timeline entry, its audit entry); any refused is named, the others are saved."""
    j = jurisdiction_or_404(jid)
    form = ActionForm()
    if not can_act(user):
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    raw = form.assignee.data or ""
    numbers = [n[:24] for n in request.form.getlist("cases")[:200]]
    refused, missing = [], 0
    if raw and not (raw.isascii() and raw.isdigit() and len(raw) < 10):
        refused = ["请从列表里选经办人"]
    else:
        for number in numbers:
            try:
                assign(_db(), _actor(user), number, None, int(raw) if raw else None)
            except WorkflowError as exc:
                refused.append(f"{number}：{exc}")
            except LookupError:  # not named: a number out of reach does not reveal that it exists
                missing += 1
    if missing:
        refused.append(f"有 {missing} 件找不到")
    if refused or not numbers:
        j, f, today, cases, total, names = _filtered_queue(user, jid, args=session.get("staff_queue") or {})
        staff = fetch_users(_db(), jid)
        disabled = {u.id for u in staff if not u.active}
        towns = {t: j.townships[t]["name"] for t in (user.townships if user.role == "handler" else j.townships)}
        return render_template("staff/queue.html", j=j, f=f, rows=[_row(j, c, today, names, disabled) for c in cases],
                               total=total, towns=towns, counts=fetch_counts(_db(), user, today, j),
                               statuses=STATUSES, handlers=[u for u in staff if u.role != "auditor"], names=names,
                               pages=(total + 49) // 50, notice="",
                               error="请先勾选要分派的案件" if not numbers else "；".join(refused)), 409
    return redirect(url_for("staff.queue", jid=jid, saved="bulk", **(session.get("staff_queue") or {})), 303)


def _filtered_queue(user, jid: str, args=None, **page):
    """The queue page and its CSV export select the same cases: the filters in the URL, the
    user's own townships, today's deadlines; plus the staff names to show as assignees."""
    j = jurisdiction_or_404(jid)
    f = Filters.from_args(request.args if args is None else args, j)
    today = _today()
    cases, total = fetch_queue(_db(), user, f, today, j=j, **page)
    names = {u.id: u.display_name for u in fetch_users(_db(), jid)}
    return j, f, today, cases, total, names


def _row(j, c: Case, today, names, disabled=frozenset()) -> dict:
    cat = category(j, c.category)
    return {"case": c, "category": cat["name"] if cat else ("政策咨询，要求回电" if is_callback(c) else "政策咨询" if c.kind == "query" else ""),
            "place": place_label(j, c.township, c.village, None), "deadline": deadline_state(j, c, today),
            "assignee": names.get(c.assigned_to, ""), "assignee_disabled": c.assigned_to in disabled}


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


def _case_page(user, j, case: Case, form=None, error: str = "", phone: str | None = None, code: int = 200, *,
               notice: str = "", draft_for: str = "", confirm: dict | None = None, new_code: str = ""):
    """The case page. `form` carries what was typed back into the box it came from (`draft_for`:
    status | note | reply | reopen) whenever an action was not saved."""
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
    pending_undo = undo_window(case, events) if can_act(user) else None
    if pending_undo is not None and user.role != "admin" and pending_undo.actor_id != user.id:
        pending_undo = None
    saved = request.args.get("saved", "") if request.method == "GET" else ""
    return render_template(
        "staff/case.html", j=j, case=case, events=events, names=names, messages=messages,
        category=cat, place=place_label(j, case.township, case.village, case.institution),
        deadline=deadline_state(j, case, _today()), targets=allowed_targets(case) if can_act(user) else [],
        assignees=assignees, form=form or ActionForm(formdata=None), error=error, phone=phone,
        extension_left=extension_left(j, case), outbox_status=notify.OUTBOX_STATUS,
        institution=place_label(j, None, None, case.institution), notice=notice or SAVED.get(saved, ""),
        draft_for=draft_for, confirm=confirm, pending_undo=pending_undo, undo_minutes=_undo_minutes(),
        callback=is_callback(case), person=person_in_words(j, case.eligibility_input) if case.kind == "query" else [],
        counted=_how_counted(j, case, events), back=_back_to_queue(j, case),
        can_reopen=user.role == "admin" and case.kind == "complaint" and case.status in ("declined", "closed"),
        today=_today(), late=lateness(case, local_date), same_filer=fetch_same_filer(_db(), user, case), institution_phone=_institution_phone(j, case.institution), new_code=new_code), code


def _institution_phone(j, institution: str | None) -> dict | None:
    """The hospital's or the village clinic's phone from the policy data, to call about a complaint."""
    if not institution:
        return None
    if institution.startswith("clinic:"):
        village = j.villages.get(institution.split(":", 1)[1])
        clinic = (village[1].get("clinic") or {}) if village else {}
        return {"name": "卫生室", "phone": clinic["phone"]} if clinic.get("phone") else None
    h = j.hospitals.get(institution) or {}
    return {"name": h.get("name", "医院"), "phone": h["phone"]} if h.get("phone") else None


SAVED = {"status": "已保存，状态已改。", "assign": "已保存分派。", "note": "已保存内部备注。",
         "reply": "答复已发出（投诉人能在网上看到，并会收到短信）。", "undo": "已撤销，短信不会发出。",
         "reopen": "案件已重新打开。"}


def _undo_minutes() -> int:
    return int(current_app.config.get("STAFF_UNDO_MINUTES", 10))


def _back_to_queue(j, case: Case) -> str:
    """"← 案件列表": the queue as the clerk left it (filters, page), scrolled to this case."""
    kept = session.get("staff_queue")
    args = kept if isinstance(kept, dict) else {}
    return url_for("staff.queue", jid=j.id, **{k: str(v)[:40] for k, v in list(args.items())[:12]}) + f"#c-{case.number}"


def _how_counted(j, case: Case, events) -> list[str]:
    """How each of the case's deadlines was counted, in one sentence each (issue 27 point 7)."""
    out = []
    if case.decide_by:
        what = "回电期限" if is_callback(case) else "受理期限"
        commitment = "callback" if is_callback(case) and "callback" in j.commitments else "decide"
        out.append(f"{what} {case.decide_by.isoformat()}：" + deadlines.how_counted(j, commitment, local_date(case.submitted_at)))
    if case.reply_by:
        starts = [e for e in events if e.kind in ("status", "review") and e.status_to in ("accepted", "reopened")]
        start = local_date(starts[-1].at) if starts else local_date(case.accepted_at or case.submitted_at)
        line = f"办结期限 {case.reply_by.isoformat()}：" + deadlines.how_counted(j, "reply", start)
        approvals = [e.body.rsplit("（", 1)[-1].rstrip("）") for e in events
                     if e.kind == "status" and e.status_to == "extended" and e.body and "批准" in e.body]
        if case.extended_days:
            line += f"；又延期 {case.extended_days} 天" + (f"（{'；'.join(approvals)}）" if approvals else "")
        if deadlines.is_estimate(j, case.reply_by) and deadlines.ESTIMATE_NOTE not in line:
            line += "；" + deadlines.ESTIMATE_NOTE
        out.append(line)
    return out


@bp.get("/<jid>/case/<number>")
@staff_session.required
def case(user, jid, number):
    j = jurisdiction_or_404(jid)
    current = _case(user, jid, number)
    return _case_page(user, j, current, phone=revealed.take(f"case:{jid}:{number}"))


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
        refusal = _case_page(user, j, current, form, "页面已过期，请再提交一次（您写的内容还在）", code=400,
                             draft_for=_what())
    return j, current, form, refusal


def _what() -> str:
    """Which of the case page's forms this POST came from (the last part of its URL)."""
    return request.path.rsplit("/", 1)[-1]


def _action(user, jid, number, do):
    """Common path of the case page's POSTs, then the workflow (its refusals shown on the page)."""
    j, _current, form, refusal = _checked_post(user, jid, number)
    if refusal is not None:
        return refusal
    raw = form.version.data or ""
    # A version that is not a plain number never matches, so the action is refused, not unchecked.
    version = None if not raw else int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else -1
    try:
        held = do(j, form, version)
    except WorkflowError as exc:
        return _case_page(user, j, _case(user, jid, number), form, str(exc), code=409, draft_for=_what())
    except StaleDataError:
        # Someone saved the case between our read and our write (PostgreSQL; SQLite writers queue):
        # the current state, with what was typed still in the form, as forms-app.md promises.
        return _case_page(user, j, _case(user, jid, number), form, STALE, code=409, draft_for=_what())
    except LookupError:
        abort(404)
    if held is not None and not isinstance(held, Case):
        return held  # a page to show first (the confirmation of a decline or a closing)
    _deliver_now()
    return redirect(url_for("staff.case", jid=jid, number=number, saved=_what()), 303)


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
        new = form.status.data or ""
        current = _case(user, jid, number)
        if new in IRREVERSIBLE and new in allowed_targets(current) and current.kind == "complaint" \
                and form.confirm.data != "1":
            # Irreversible for the filer: say what will happen and ask once more (the text is kept).
            if len((form.text.data or "").strip()) < REPLY_LEAST:
                raise WorkflowError(f"请写{'不予受理的理由' if new == 'declined' else '给投诉人的答复'}（至少 {REPLY_LEAST} 个字）")
            preview = notify.sms_text(j.name, current, new, text=form.text.data or "", track=_track(jid))
            return _case_page(user, j, current, form, draft_for="status",
                              confirm={"status": new, "sms": preview if current.phone_enc and not current.anonymous else ""})
        return change_status(_db(), j, _actor(user), number, version, new, text=form.text.data or "", days=n,
                             approver=form.approver.data or "", approved_on=_date(form.approved_on.data),
                             track=_track(jid), hold_minutes=_undo_minutes())
    return _action(user, jid, number, do)


def _date(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((text or "").strip()[:10])
    except ValueError:
        return None


def _track(jid: str) -> str:
    """The lookup page the SMS names, at the jurisdiction's public address (forms_app/addresses.py)."""
    from ..addresses import forms_root
    return track_url(jid, forms_root(jid))


@bp.post("/<jid>/case/<number>/undo")
@staff_session.required
def undo_status(user, jid, number):
    return _action(user, jid, number, lambda j, form, v: undo(_db(), _actor(user), number, v, _undo_minutes()))


@bp.post("/<jid>/case/<number>/reopen")
@staff_session.required
def reopen_case(user, jid, number):
    return _action(user, jid, number, lambda j, form, v: reopen(_db(), j, _actor(user), number, v, form.reason.data or ""))


@bp.post("/<jid>/case/<number>/assign")
@staff_session.required
def set_assignee(user, jid, number):
    def do(j, form, version):
        raw = form.assignee.data or ""
        if raw and not (raw.isascii() and raw.isdigit() and len(raw) < 10):
            raise WorkflowError("请从列表里选经办人")
        return assign(_db(), _actor(user), number, version, int(raw) if raw else None)
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
                                                                   public=True, county=j.name, track=_track(jid)))


@bp.post("/<jid>/case/<number>/phone")
@staff_session.required
def phone(user, jid, number):
    j, current, _form, refusal = _checked_post(user, jid, number)
    if refusal is not None:
        return refusal
    full = reveal_phone(_db(), _actor(user), number, current_app.extensions["forms_protector"].decrypt)
    revealed.keep(f"case:{jid}:{number}", full or "（没有电话）")
    # POST → redirect → GET: refreshing the page does not reveal (and audit) again.
    return redirect(url_for("staff.case", jid=jid, number=number, _anchor="phone"), 303)


# ------------------------------------------------------------------ outbox, audit

@bp.get("/<jid>/outbox")
@staff_session.required
def outbox(user, jid):
    mid = request.args.get("shown", "")
    full = revealed.take(f"outbox:{jid}:{mid}") if mid.isdigit() else None
    return _outbox_page(user, jid, {int(mid): full} if full else None)


def _outbox_page(user, jid, shown: dict | None = None):
    j = jurisdiction_or_404(jid)
    status = request.args.get("status", "") if request.args.get("status", "") in notify.FILTERS else ""
    from .queue import _number_part
    number = _number_part(request.args.get("number", ""))
    items = notify.fetch_outbox(_db(), visible(user), status=status, number=number)
    return render_template("staff/outbox.html", j=j, items=items, outbox_status=notify.OUTBOX_STATUS,
                           form=ActionForm(formdata=None), sender=current_app.config.get("SMS_SENDER"),
                           filters=notify.FILTERS, status=status, number=number, revealed=shown or {},
                           now=utcnow())


def _message(user, jid, mid):
    """(message, case) the user may act on, or 404; the CSRF token checked."""
    jurisdiction_or_404(jid)
    if not can_act(user):
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    with _db().reading() as s:
        msg = s.get(OutboxMessage, mid)
        case = s.get(Case, msg.case_id) if msg else None
    if msg is None or case is None or not can_see(user, case):
        abort(404)
    return msg, case


@bp.post("/<jid>/outbox/<int:mid>/phone")
@staff_session.required
def outbox_phone(user, jid, mid):
    """The number to call for a message no sender will deliver; every look audited, as on the case page."""
    msg, case = _message(user, jid, mid)
    full = reveal_phone(_db(), _actor(user), case.number, current_app.extensions["forms_protector"].decrypt)
    revealed.keep(f"outbox:{jid}:{mid}", full or "（没有电话）")
    return redirect(url_for("staff.outbox", jid=jid, status=request.args.get("status") or None,
                            number=request.args.get("number") or None, shown=mid, _anchor=f"m-{mid}"), 303)


@bp.post("/<jid>/outbox/<int:mid>/manual")
@staff_session.required
def outbox_manual(user, jid, mid):
    _message(user, jid, mid)
    with _db().writing() as s:
        msg = s.get(OutboxMessage, mid)
        if msg.status in ("pending", "failed"):
            notify.mark_manual(s, msg)
            audit.record(s, "outbox_manual", actor_id=user.id, case_id=msg.case_id, after={"message": mid},
                         address=request.remote_addr, jurisdiction=jid)
    return redirect(url_for("staff.outbox", jid=jid, status=request.args.get("status") or None,
                            number=request.args.get("number") or None), 303)


@bp.post("/<jid>/case/<number>/code")
@staff_session.required
def reissue_code(user, jid, number):
    """A filer lost the lookup code: a new one, shown once to read out on the phone; the old one
    stops working at once (only the new code's hash is kept). Audited."""
    j, current, _form, refusal = _checked_post(user, jid, number)
    if refusal is not None:
        return refusal
    code = new_lookup_code()
    protect = current_app.extensions["forms_protector"]
    with _db().writing() as s:
        case = s.get(Case, current.id)
        case.lookup_hash = protect.lookup_hash(case.number, code)
        s.add(CaseEvent(case_id=case.id, at=utcnow(), kind="note", actor_kind="staff", actor_id=user.id,
                        body="重新给了查询码（旧的作废）", public=False))
        audit.record(s, "reissue_code", actor_id=user.id, case_id=case.id, address=request.remote_addr,
                     jurisdiction=jid)
    return _case_page(user, j, _case(user, jid, number), new_code=code)


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
    f = AuditFilters.from_args(request.args)
    entries = audit.fetch_entries(_db(), jid, limit=100, offset=(page - 1) * 100, where=f.conditions())
    staff = fetch_users(_db(), jid)
    return render_template("staff/audit.html", j=j, entries=_readable(j, staff, entries), page=page, f=f,
                           staff=staff, case_page=None)


def _readable(j, staff, entries: list[dict]) -> list[dict]:
    """Each entry's changes in words and its actor's display name beside the user name."""
    ctx = AuditContext(j, staff)
    shown = {u.username: u.display_name for u in staff}
    for e in entries:
        e["changes"] = audit_changes(e, ctx)
        e["display_name"] = shown.get(e["actor"], "")
    return entries


@bp.get("/<jid>/case/<number>/history")
@staff_session.required
def case_history(user, jid, number):
    """One case's whole audit history, oldest first, readable on its own page."""
    j = jurisdiction_or_404(jid)
    if not can_read_audit(user):
        abort(404)
    case = _case(user, jid, number)
    entries = audit.fetch_entries(_db(), jid, limit=None, where=[AuditEntry.case_id == case.id])
    staff = fetch_users(_db(), jid)
    return render_template("staff/audit.html", j=j, entries=list(reversed(_readable(j, staff, entries))), page=1,
                           f=AuditFilters(), staff=staff, case_page=case)


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
