"""Helpers the feature blueprints share: the jurisdiction from the URL, the receipt in the session."""
from __future__ import annotations

from flask import abort, current_app, session

from policy.model import Jurisdiction


def jurisdiction_or_404(jid: str) -> Jurisdiction:
    j = current_app.extensions["forms_policy"].get(jid)
    if j is None:
        abort(404)
    return j


def remember_receipt(receipt) -> None:
    """For the one receipt page after the redirect. The lookup code goes into the (signed, but
    readable) session cookie only encrypted, and `recalled_receipt` takes it out again: the page
    shows it once, so on a shared phone the next person never sees the previous filer's code."""
    protect = current_app.extensions["forms_protector"]
    session["receipt"] = {"jurisdiction": receipt.jurisdiction, "number": receipt.number,
                          "code_enc": protect.encrypt(receipt.code), "kind": receipt.kind}


def recalled_receipt(jid: str) -> dict | None:
    """The receipt remembered for this jurisdiction, removed from the session (shown once)."""
    receipt = session.get("receipt")
    if not isinstance(receipt, dict) or receipt.get("jurisdiction") != jid:
        return None
    session.pop("receipt", None)
    code = current_app.extensions["forms_protector"].decrypt(str(receipt.get("code_enc") or ""))
    if code is None:
        return None
    return {**receipt, "code": code}
