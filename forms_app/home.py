"""The front page of the forms app (one link per jurisdiction) and a jurisdiction's own page."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from .views_common import jurisdiction_or_404

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    policy = current_app.extensions["forms_policy"]
    return render_template("index.html", jurisdictions=list(policy.jurisdictions.values()))


@bp.get("/<jid>/")
def jurisdiction(jid):
    return render_template("jurisdiction.html", j=jurisdiction_or_404(jid))
