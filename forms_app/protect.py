"""Personal data at rest and the private lookup code.

ID card numbers and phone numbers are encrypted with Fernet (keys from the environment; a list,
so keys can be rotated) and shown only masked. Lookup codes are eight digits, easy to read out
on the phone; they are stored as an HMAC under a server key, so a copied database does not
reveal them, and wrong guesses are rate-limited by the lookup views.
"""
from __future__ import annotations

import hashlib
import hmac
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


def new_lookup_code() -> str:
    return f"{secrets.randbelow(10**8):08d}"


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
