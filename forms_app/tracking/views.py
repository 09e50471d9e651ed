"""Case lookup: number + code -> status, the deadline that applies, public replies.

Never personal data. An unknown number and a wrong code get the same answer (404, one message),
so the page does not tell which numbers exist, and only such failures count against the limit.
"""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from .. import store
from ..lifecycle import current_deadline, public_timeline, status_name
from ..limits import give_back_lookup_attempt, take_lookup_attempt
from ..policy_source import category, place_label
from ..views_common import jurisdiction_or_404
from .forms import TrackForm

bp = Blueprint("tracking", __name__)


def find_case(jid: str, number: str, code: str):
    """The case if number and code match, else None (the same for both failures).

    A wrong code costs exactly what an unknown number costs: one query for the case, one HMAC
    compared; nothing else is read until the code matched (the API's timing said which numbers
    exist when the timeline was read before the check)."""
    take_lookup_attempt()  # one budget for /track, the API and the feedback form (limits.py)
    db = current_app.extensions["forms_db"]
    case = store.fetch_case_by_number(db, jid, number)
    protect = current_app.extensions["forms_protector"]
    matches = protect.code_matches(number, code, case.lookup_hash if case is not None else _NO_CASE)
    if case is None or not matches:
        return None
    give_back_lookup_attempt()
    return case


_NO_CASE = "0" * 64  # compared against when the number is unknown: the same work, never a match


def find_case_with_events(jid: str, number: str, code: str):
    """(case, its public timeline) if number and code match, else None."""
    case = find_case(jid, number, code)
    if case is None:
        return None
    return case, store.fetch_public_events(current_app.extensions["forms_db"], case.id)


@bp.route("/<jid>/track", methods=["GET", "POST"])
def track(jid):
    j = jurisdiction_or_404(jid)
    form = TrackForm()
    if form.spam():
        return render_template("refused.html", j=j), 400
    if form.validate_on_submit():
        found = find_case_with_events(jid, form.number.data, form.code.data)
        if found is None:
            return render_template("track.html", j=j, form=form, not_found=True), 404
        case, events = found
        return render_template("case_status.html", j=j, case=case, status=status_name(case.status),
                               deadline=current_deadline(case), timeline=public_timeline(events),
                               category=category(j, case.category), lookup_code=form.code.data,
                               place=place_label(j, case.township, case.village, case.institution))
    return render_template("track.html", j=j, form=form, not_found=False)
