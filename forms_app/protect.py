"""Personal data at rest and the private lookup code.

ID card numbers and phone numbers are encrypted with Fernet (keys from the environment; a list,
so keys can be rotated) and shown only masked. Lookup codes are eight digits, easy to read out
on the phone; they are stored as an HMAC under a server key, so a copied database does not
reveal them, and wrong guesses are rate-limited by the lookup views.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class Protector:
    def __init__(self, keys: list[str], pepper: str):
        self._fernet = MultiFernet([Fernet(k.encode()) for k in keys])
        self._pepper = pepper.encode()

    def encrypt(self, text: str) -> str:
        return self._fernet.encrypt(text.encode()).decode()

    def decrypt(self, token: str) -> str | None:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            return None

    def lookup_hash(self, number: str, code: str) -> str:
        return hmac.new(self._pepper, f"{number}:{code}".encode(), hashlib.sha256).hexdigest()

    def code_matches(self, number: str, code: str, stored: str) -> bool:
        return hmac.compare_digest(self.lookup_hash(number, code), stored)

    # Resubmission ids (store.save_case_once). `scope` is "channel:kind:jurisdiction", so one id
    # means nothing in another form, channel or county.
    def resubmission_key(self, scope: str, resubmission_id: str) -> str:
        return self._mac(f"resubmission:{scope}:{resubmission_id}")

    def resubmission_code(self, scope: str, resubmission_id: str) -> str:
        """The lookup code of the submission with this id: a retry can show the same code again
        although only its HMAC is stored. Unguessable as long as the id is (128 random bits for
        the web form; the API asks for 16+ characters) and the server key is secret."""
        return f"{int(self._mac(f'lookup-code:{scope}:{resubmission_id}'), 16) % 10**8:08d}"

    def fingerprint(self, values: dict) -> str:
        """What was submitted, as an HMAC: a retry must carry the same values to get the receipt again."""
        return self._mac("fingerprint:" + json.dumps(values, sort_keys=True, ensure_ascii=False, default=str))

    def backup_mac(self, manifest: str) -> str:
        """The authentication of a backup's manifest (backup.py), under the installation's key."""
        return self._mac("backup-manifest:" + manifest)

    def _mac(self, text: str) -> str:
        return hmac.new(self._pepper, text.encode(), hashlib.sha256).hexdigest()


def new_lookup_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


def new_resubmission_id() -> str:
    """The hidden field of a freshly rendered form: 128 random bits."""
    return secrets.token_urlsafe(16)


RESUBMISSION_ID = re.compile(r"^[A-Za-z0-9._:~-]{16,100}$")


def valid_resubmission_id(text: str | None) -> bool:
    return bool(text) and RESUBMISSION_ID.fullmatch(text) is not None


def normalise_code(text: str) -> str:
    """What a resident types: spaces, dashes and full-width digits are fine."""
    text = text.translate(str.maketrans("０１２３４５６７８９", "0123456789"))
    return "".join(ch for ch in text if ch.isdigit() and ch.isascii())


def mask_id_number(number: str) -> str:
    """110101********123X: region kept for staff, birth date and serial hidden."""
    return number[:6] + "*" * 8 + number[-4:]


def mask_phone(e164: str) -> str:
    """+8613812345678 -> 138****5678."""
    digits = e164[3:] if e164.startswith("+86") else e164.lstrip("+")
    return digits[:3] + "****" + digits[-4:] if len(digits) >= 8 else "****"
