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
    # Kept in the (signed) session cookie so the receipt page survives a reload; it is the
    # filer's own code on the filer's own phone, and the next submission replaces it.
    session["receipt"] = {"jurisdiction": receipt.jurisdiction, "number": receipt.number,
                          "code": receipt.code, "kind": receipt.kind}


def recalled_receipt(jid: str) -> dict | None:
    receipt = session.get("receipt")
    if not isinstance(receipt, dict) or receipt.get("jurisdiction") != jid:
        return None
    return receipt
