"""The filer's answer to a closed case, with the number and lookup code: a rating (1–5) or a
request for review (复查), which reopens the case with a new reply deadline (staff/workflow.py)."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from .. import store
from ..formkit import BaseForm, clean_text
from ..lifecycle import current_deadline, public_timeline, status_name
from ..numbers import normalise_number
from ..policy_source import category, place_label
from ..protect import normalise_code
from ..staff.workflow import WorkflowError, filer_rate, filer_review
from ..views_common import jurisdiction_or_404
from .views import find_case

bp = Blueprint("feedback", __name__)


def status_page(j, case, code: str, message: str = "", error: str = "", status: int = 200):
    events = store.fetch_public_events(current_app.extensions["forms_db"], case.id)
    return render_template("case_status.html", j=j, case=case, status=status_name(case.status),
                           deadline=current_deadline(case), timeline=public_timeline(events),
                           category=category(j, case.category), lookup_code=code, message=message, error=error,
                           place=place_label(j, case.township, case.village, case.institution)), status


@bp.post("/<jid>/track/feedback")
def feedback(jid):
    j = jurisdiction_or_404(jid)
    form = BaseForm()
    number = normalise_number((request.form.get("number") or "")[:40])
    code = normalise_code((request.form.get("code") or "")[:40])
    case = find_case(jid, number, code) if number and code else None  # counts against the lookup budget
    if case is None:
        return render_template("error.html", j=j, code=404, text="案件编号或查询码不对，请回到查询页重新查询。"), 404
    if not form.validate_on_submit() or form.spam():
        return status_page(j, case, code, error="页面已过期，请再提交一次", status=400)
    db = current_app.extensions["forms_db"]
    try:
        if request.form.get("action") == "review":
            reason = clean_text((request.form.get("reason") or "")[:2000])
            case = filer_review(db, j, case.id, reason)
            message = "已收到您的复查申请，案件重新办理"
        else:
            raw = request.form.get("rating") or ""
            case = filer_rate(db, case.id, int(raw) if raw in ("1", "2", "3", "4", "5") else 0)
            message = "谢谢您的评价"
    except WorkflowError as exc:
        return status_page(j, case, code, error=str(exc), status=409)
    return status_page(j, case, code, message=message)
