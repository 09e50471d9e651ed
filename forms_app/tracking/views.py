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
    found = find_case_with_events(jid, number, code)
    return found[0] if found else None


def find_case_with_events(jid: str, number: str, code: str):
    """(case, its public timeline) if number and code match, else None; one database connection."""
    db = current_app.extensions["forms_db"]
    found = store.fetch_case_with_public_events(db, jid, number)
    protect = current_app.extensions["forms_protector"]
    if found is None:
        protect.lookup_hash(number, code)  # same work either way: timing says nothing
        return None
    return found if protect.code_matches(number, code, found[0].lookup_hash) else None


@bp.route("/<jid>/track", methods=["GET", "POST"])
@limiter.limit(lookup_fail_limit, methods=["POST"], deduct_when=failed_lookup)
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
        return render_template("case_status.html", j=j, case=case, status=status_name(case.status, case),
                               deadline=current_deadline(case), timeline=public_timeline(events, case),
                               category=category(j, case.category), lookup_code=form.code.data,
                               place=place_label(j, case.township, case.village, case.institution))
    return render_template("track.html", j=j, form=form, not_found=False)
