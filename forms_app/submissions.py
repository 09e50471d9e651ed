"""One path from a validated submission to a stored case, shared by the web forms and the API.

Validation lives in the forms (complaints/forms.py, queries/forms.py) and the API's parser; this
module turns clean values into a `NewCase` (encrypting, masking, computing the deadline), stores
it and returns the receipt (number + the only plain copy of the lookup code).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app

from . import deadlines, store
from policy.drugs import posted_price

from .policy_source import resolve_place
from .protect import mask_id_number, mask_phone, new_lookup_code


@dataclass(frozen=True)
class Receipt:
    jurisdiction: str
    number: str
    code: str
    kind: str
    decide_by: dt.date | None


@dataclass
class Filer:
    anonymous: bool = True
    name: str | None = None
    phone: str | None = None  # E.164
    id_number: str | None = None  # validated, compact form


def _personal(filer: Filer) -> dict:
    if filer.anonymous:
        return {"anonymous": True}
    protect = current_app.extensions["forms_protector"]
    return {
        "anonymous": False, "filer_name": filer.name or None,
        "phone_enc": protect.encrypt(filer.phone) if filer.phone else None,
        "phone_masked": mask_phone(filer.phone) if filer.phone else None,
        "id_number_enc": protect.encrypt(filer.id_number) if filer.id_number else None,
        "id_number_masked": mask_id_number(filer.id_number) if filer.id_number else None,
    }


def _store(new: store.NewCase, j) -> Receipt:
    protect = current_app.extensions["forms_protector"]
    db = current_app.extensions["forms_db"]
    code = new_lookup_code()

    def deadline_for(day):
        d = deadlines.deadline(j, "decide", day)
        return d.day if d else None

    case = store.save_case(db, new, lambda number: protect.lookup_hash(number, code), deadline_for)
    return Receipt(j.id, case.number, code, case.kind, case.decide_by)


def submit_complaint(j, *, category: str, village: str | None, institution: str | None,
                     event_date: dt.date | None, description: str, filer: Filer, channel: str = "web",
                     drug: str | None = None, charged_fen: int | None = None) -> Receipt:
    """A complaint; for a wrong drug price also the drug, the price charged and the price the
    clinic posted on the day it happened (kept with the case: the list may change later)."""
    policy = current_app.extensions["forms_policy"]
    township, village, institution = resolve_place(j, village, institution)
    posted_fen = posted_price(j.drugs, village, drug, event_date or dt.date.today()) if drug and village else None
    new = store.NewCase(jurisdiction=j.id, prefix=policy.prefixes[j.id], kind="complaint", status="submitted",
                        data_version=policy.versions[j.id], channel=channel, category=category,
                        township=township, village=village, institution=institution, event_date=event_date,
                        description=description, first_event="已收到您的投诉",
                        drug=drug, drug_price_charged_fen=charged_fen if drug else None,
                        drug_price_posted_fen=posted_fen, **_personal(filer))
    return _store(new, j)


def submit_query(j, *, person: dict, answer: dict, callback: bool, filer: Filer) -> Receipt:
    """An eligibility query: answered on the spot; open for staff only when a call-back is asked."""
    policy = current_app.extensions["forms_policy"]
    status = "submitted" if callback else "closed"
    new = store.NewCase(jurisdiction=j.id, prefix=policy.prefixes[j.id], kind="query", status=status,
                        data_version=policy.versions[j.id], township=person.get("township"),
                        village=person.get("village"), callback_requested=callback,
                        eligibility_input=person, eligibility_answer=answer,
                        first_event="已在网上自动答复" + ("，并登记了回电请求" if callback else ""),
                        **_personal(filer))
    return _store(new, j)
