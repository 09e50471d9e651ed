"""A revealed phone number, kept for the one page view after the reveal (issue 27 point 11).

The reveal is a POST (audited); answering it with the page itself would make a refresh send the
POST again and write another audit entry. So the POST keeps the number here and redirects; the
GET that follows takes it out. The session is a signed cookie, readable by whoever holds it, so
the number is stored encrypted (the forms app's Protector, Fernet) and only for a short while:
a page opened later, or for another case or message, shows the masked number again.
"""
from __future__ import annotations

import time

from flask import current_app, session

KEY = "staff_revealed"
FRESH_SECONDS = 120  # the redirect follows at once; anything older was never shown


def keep(where: str, phone: str) -> None:
    """Keep `phone` for the next view of `where` (e.g. "case:zixi:TS-…" or "outbox:zixi:12")."""
    session[KEY] = {"for": where, "phone": current_app.extensions["forms_protector"].encrypt(phone),
                    "at": int(time.time())}


def take(where: str) -> str | None:
    """The number kept for `where`, once: any staff view that asks clears it, shown or not."""
    kept = session.pop(KEY, None)
    if not isinstance(kept, dict) or kept.get("for") != where:
        return None
    if not 0 <= time.time() - int(kept.get("at", 0)) <= FRESH_SECONDS:
        return None
    return current_app.extensions["forms_protector"].decrypt(str(kept.get("phone", "")))
