"""The complaint form and its receipt: GET the form (deep links pre-select category and village),
POST it, redirect to the receipt."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from wtforms.validators import ValidationError

from .. import store
from ..formkit import resubmission_notice
from ..limits import limiter, submit_limit
from ..policy_source import (
    DRUG_PRICE,
    category,
    category_choices,
    drug_choices,
    institution_choices,
    place_label,
    village_choices,
)
from ..settlement import parse_settlement, summary_text
from ..submissions import Filer, submit_complaint
from ..views_common import jurisdiction_or_404, recalled_receipt, remember_receipt
from .forms import DESCRIPTION_MAX, ComplaintForm

bp = Blueprint("complaints", __name__)


@bp.route("/<jid>/complaint", methods=["GET", "POST"])
@limiter.limit(submit_limit, methods=["POST"])
def complaint(jid):
    j = jurisdiction_or_404(jid)
    form = ComplaintForm(j)
    notice = ""
    if request.method == "GET":
        wanted_category, wanted_village = request.args.get("category"), request.args.get("village")
        if category(j, wanted_category):
            form.category.data = wanted_category
        if wanted_village in j.villages:
            form.village.data = wanted_village
        settlement, notice = _settlement_from_link(j, form)
    elif form.spam():
        return render_template("refused.html", j=j), 400
    elif form.validate_on_submit():
        filer = Filer(anonymous=bool(form.anonymous.data), name=form.name.data or None,
                      phone=form.clean_phone, id_number=form.clean_id_number)
        try:
            receipt = submit_complaint(j, category=form.category.data, village=form.village.data,
                                       institution=form.institution.data, event_date=form.clean_date,
                                       description=form.description.data, filer=filer,
                                       drug=form.drug.data or None, charged_fen=form.clean_charged,
                                       settlement=form.clean_settlement,
                                       resubmission_id=form.resubmission_id.data)
        except store.ResubmissionConflict as conflict:
            notice = resubmission_notice(conflict, "投诉")
            form.resubmission_id.data = None  # a new id: submitting again is a new complaint, knowingly
        else:
            remember_receipt(receipt)
            return redirect(url_for("complaints.receipt", jid=jid), 303)
    form.keep_or_new_resubmission_id()
    if request.method == "POST":
        settlement = form.clean_settlement or _quietly(j, form.settlement.data)
    return render_template("complaint.html", j=j, form=form, notice=notice, categories=category_choices(j),
                           settlement=settlement, data_version=current_app.extensions["forms_policy"].versions[j.id],
                           villages=village_choices(j), institutions=institution_choices(j),
                           drugs=drug_choices(j, form.village.data) if j.drugs else None, drug_price=DRUG_PRICE,
                           description_max=DESCRIPTION_MAX)


def _settlement_from_link(j, form):
    """The slip check page's link: its figures checked here, the description started for the resident."""
    raw = request.args.get("settlement")
    if not raw:
        return None, ""
    try:
        settlement = parse_settlement(j, raw)
    except ValidationError as exc:
        return None, f"附带的结算单数字没有带过来（{exc}），请在“发生了什么”里写明。"
    form.settlement.data = raw
    if not form.description.data:
        form.description.data = summary_text(settlement)
    return settlement, ""


def _quietly(j, raw):
    try:
        return parse_settlement(j, raw)
    except ValidationError:
        return None


@bp.route("/<jid>/receipt")
def receipt(jid):
    j = jurisdiction_or_404(jid)
    kept = recalled_receipt(jid)
    case = store.fetch_case_by_number(current_app.extensions["forms_db"], jid, kept["number"]) if kept else None
    if case is None:
        return redirect(url_for("tracking.track", jid=jid), 303)
    cat = category(j, case.category)
    return render_template("receipt.html", j=j, case=case, code=kept["code"], category=cat,
                           place=place_label(j, case.township, case.village, case.institution))
