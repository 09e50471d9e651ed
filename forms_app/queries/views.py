"""The eligibility query: answered at once by policy.cases.run_eligible (what `build.py eligible`
answers), stored with the answer and the data version, and queued for a call-back if asked."""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, redirect, render_template, request, url_for

from policy.cases import run_eligible
from policy.formats import DISABILITIES

from .. import store
from ..formkit import resubmission_notice
from ..limits import limiter, submit_limit
from ..models import local_date, utcnow
from ..policy_source import village_choices
from ..submissions import Filer, submit_query
from ..views_common import jurisdiction_or_404, recalled_receipt, remember_receipt
from .forms import UNKNOWN, QueryForm

bp = Blueprint("queries", __name__)


def answer_for(j, person: dict, today: dt.date | None = None) -> dict:
    """By the policy of today in Beijing (the server's clock may be UTC: from midnight to 8 a.m.
    its date is the day before), as the screener page on a resident's phone judges."""
    service = current_app.extensions["forms_policy"].service
    return run_eligible(service, {"jurisdiction": j.id, "person": person}, today=today or local_date(utcnow()))


def answer_not_knowing_the_category(j, person: dict) -> dict:
    """The answer for a resident who does not know his category: as the baseline resident, plus,
    for each other category, the programs it would add ("如果您是低保对象，还能享受…")."""
    answer = answer_for(j, person)
    have = {p["id"] for p in answer["eligible"]}
    more = []
    for cid, category in j.categories.items():
        if cid == person["category"]:
            continue
        other = answer_for(j, {**person, "category": cid})
        extra = [p["name"] for p in other["eligible"] if p["id"] not in have]
        if extra:
            more.append({"category": category["name"], "description": category.get("description") or "",
                         "programs": extra})
    return {**answer, "category_unknown": True, "if_category": more}


@bp.route("/<jid>/query", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"])
def query(jid):
    j = jurisdiction_or_404(jid)
    form = QueryForm(j)
    notice = ""
    if request.method == "POST" and form.spam():
        return render_template("refused.html", j=j), 400
    if form.validate_on_submit():
        person = form.person()
        callback = bool(form.callback.data)
        filer = Filer(anonymous=not form.clean_phone, name=form.name.data or None, phone=form.clean_phone)
        try:
            unknown = form.person_category.data == UNKNOWN
            answer = answer_not_knowing_the_category(j, person) if unknown else answer_for(j, person)
            receipt = submit_query(j, person=person, answer=answer, callback=callback, filer=filer,
                                   resubmission_id=form.resubmission_id.data)
        except store.ResubmissionConflict as conflict:
            notice = resubmission_notice(conflict, "咨询")
            form.resubmission_id.data = None
        else:
            remember_receipt(receipt)
            return redirect(url_for("queries.answer", jid=jid), 303)
    form.keep_or_new_resubmission_id()
    return render_template("query.html", j=j, form=form, notice=notice, villages=village_choices(j),
                           category_choices=[(c, v["name"]) for c, v in j.categories.items()] + [(UNKNOWN, "不清楚")],
                           diseases=[(d, v["name"]) for d, v in j.diseases.items()],
                           disabilities=list(DISABILITIES.items()))


@bp.route("/<jid>/query/answer")
def answer(jid):
    j = jurisdiction_or_404(jid)
    kept = recalled_receipt(jid)
    case = store.fetch_case_by_number(current_app.extensions["forms_db"], jid, kept["number"]) if kept else None
    if case is None or case.kind != "query":
        return redirect(url_for("queries.query", jid=jid), 303)
    return render_template("query_answer.html", j=j, case=case, code=kept["code"], answer=case.eligibility_answer)
