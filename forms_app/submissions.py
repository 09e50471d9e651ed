"""One path from a validated submission to a stored case, shared by the web forms and the API.

Validation lives in the forms (complaints/forms.py, queries/forms.py) and the API's parser; this
module turns clean values into a `NewCase` (encrypting, masking, computing the deadline), stores
it and returns the receipt (number + the only plain copy of the lookup code).

A submission that carries a resubmission id (the form's hidden field, the API's Idempotency-Key) is
stored at most once: a retry with the same id and the same values gets the same case number and
the same lookup code again (`replayed`), derived from the id, never read back from the database.
The same id with other values gets no receipt (store.ResubmissionConflict).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app

from policy.drugs import posted_price

from . import deadlines, store
from .models import local_date, utcnow
from .policy_source import resolve_place
from .protect import mask_id_number, mask_phone, new_lookup_code, valid_resubmission_id


@dataclass(frozen=True)
class Receipt:
    jurisdiction: str
    number: str
    code: str
    kind: str
    decide_by: dt.date | None
    replayed: bool = False  # a retry: the receipt of the case stored the first time


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
        "phone_index": protect.blind_index("phone", filer.phone) if filer.phone else None,
        "id_number_index": protect.blind_index("id", filer.id_number) if filer.id_number else None,
    }


def _store(new: store.NewCase, j, resubmission_id: str | None, typed: dict) -> Receipt:
    """`typed`: the submitted values as validated (plain text), for the retry's fingerprint."""
    protect = current_app.extensions["forms_protector"]
    db = current_app.extensions["forms_db"]

    def deadline_for(day):
        # A call-back has its own (short) deadline; a complaint, the decision's.
        d = (deadlines.deadline(j, "callback", day) if new.kind == "query" else None) or deadlines.deadline(j, "decide", day)
        return d.day if d else None

    if not valid_resubmission_id(resubmission_id):
        code = new_lookup_code()
        case = store.save_case(db, new, lambda number: protect.lookup_hash(number, code), deadline_for)
        return Receipt(j.id, case.number, code, case.kind, case.decide_by)
    scope = f"{new.channel}:{new.kind}:{j.id}"
    code = protect.resubmission_code(scope, resubmission_id)
    once = store.Once(protect.resubmission_key(scope, resubmission_id), protect.fingerprint(typed))
    case, replayed = store.save_case_once(db, new, once, lambda number: protect.lookup_hash(number, code),
                                          deadline_for)
    return Receipt(j.id, case.number, code, case.kind, case.decide_by, replayed)


def _typed(filer: Filer, **values) -> dict:
    return {**values, "anonymous": filer.anonymous, "name": None if filer.anonymous else filer.name,
            "phone": None if filer.anonymous else filer.phone,
            "id_number": None if filer.anonymous else filer.id_number}


def submit_complaint(j, *, category: str, village: str | None, institution: str | None,
                     event_date: dt.date | None, description: str, filer: Filer, channel: str = "web",
                     drug: str | None = None, charged_fen: int | None = None,
                     settlement: dict | None = None, resubmission_id: str | None = None) -> Receipt:
    """A complaint; for a wrong drug price also the drug, the price charged and the price the
    clinic posted on the day it happened (kept with the case: the list may change later)."""
    policy = current_app.extensions["forms_policy"]
    township, village, institution = resolve_place(j, village, institution)
    posted_fen = posted_price(j.drugs, village, drug, event_date or local_date(utcnow())) if drug and village else None
    new = store.NewCase(jurisdiction=j.id, prefix=policy.prefixes[j.id], kind="complaint", status="submitted",
                        data_version=policy.versions[j.id], channel=channel, category=category,
                        township=township, village=village, institution=institution, event_date=event_date,
                        description=description, first_event="已收到您的投诉",
                        drug=drug, drug_price_charged_fen=charged_fen if drug else None,
                        drug_price_posted_fen=posted_fen, settlement=settlement, **_personal(filer))
    typed = _typed(filer, category=category, village=village, institution=institution, event_date=event_date,
                   description=description, drug=drug, charged_fen=charged_fen if drug else None,
                   **({"settlement": settlement} if settlement else {}))
    return _store(new, j, resubmission_id, typed)


def submit_query(j, *, person: dict, answer: dict, callback: bool, filer: Filer,
                 resubmission_id: str | None = None) -> Receipt:
    """An eligibility query: answered on the spot; open for staff only when a call-back is asked."""
    policy = current_app.extensions["forms_policy"]
    status = "submitted" if callback else "closed"
    new = store.NewCase(jurisdiction=j.id, prefix=policy.prefixes[j.id], kind="query", status=status,
                        data_version=policy.versions[j.id], township=person.get("township"),
                        village=person.get("village"), callback_requested=callback,
                        eligibility_input=person, eligibility_answer=answer,
                        first_event="已在网上自动答复" + ("，并登记了回电请求" if callback else ""),
                        **_personal(filer))
    return _store(new, j, resubmission_id, _typed(filer, person=person, callback=callback))
