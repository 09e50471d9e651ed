"""Case lookup: number + code -> status, the deadline that applies, public replies.

Never personal data. An unknown number and a wrong code get the same answer (404, one message),
so the page does not tell which numbers exist, and only such failures count against the limit.
"""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from .. import store
from ..lifecycle import current_deadline, public_timeline, status_name
from ..limits import failed_lookup, limiter, lookup_fail_limit
from ..policy_source import category, place_label
from ..views_common import jurisdiction_or_404
from .forms import TrackForm

bp = Blueprint("tracking", __name__)


def find_case(jid: str, number: str, code: str):
    """The case if number and code match, else None (the same for both failures)."""
    db = current_app.extensions["forms_db"]
    case = store.fetch_case_by_number(db, jid, number)
    protect = current_app.extensions["forms_protector"]
    if case is None:
        protect.lookup_hash(number, code)  # same work either way: timing says nothing
        return None
    return case if protect.code_matches(number, code, case.lookup_hash) else None


@bp.route("/<jid>/track", methods=["GET", "POST"])
@limiter.limit(lookup_fail_limit, methods=["POST"], deduct_when=failed_lookup)
def track(jid):
    j = jurisdiction_or_404(jid)
    form = TrackForm()
    if form.spam():
        return render_template("refused.html", j=j), 400
    if form.validate_on_submit():
        case = find_case(jid, form.number.data, form.code.data)
        if case is None:
            return render_template("track.html", j=j, form=form, not_found=True), 404
        events = store.fetch_public_events(current_app.extensions["forms_db"], case.id)
        return render_template("case_status.html", j=j, case=case, status=status_name(case.status),
                               deadline=current_deadline(case), timeline=public_timeline(events),
                               category=category(j, case.category), lookup_code=form.code.data,
                               place=place_label(j, case.township, case.village, case.institution))
    return render_template("track.html", j=j, form=form, not_found=False)
