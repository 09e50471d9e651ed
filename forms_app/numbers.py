"""Case numbers: readable, per jurisdiction and year (ZX-2026-000123), unique under concurrency.

The counter row for (jurisdiction, year) is incremented with UPDATE ... RETURNING inside the
submission's own transaction: PostgreSQL holds the row lock until commit and SQLite's writer
lock (BEGIN IMMEDIATE, see db.py) serialises writers, so two submissions never get one number,
and a rolled-back submission gives its number back. Every submission of a county waits for that
lock, so store.py takes it as the last thing before the commit (`take_serial`).
"""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .models import CaseCounter

_INITIAL = r"(?:zh|ch|sh|[bpmfdtnlgkhjqxrzcsyw])?"
_FINAL = (r"(?:iang|iong|uang|ueng|ian|iao|ing|ong|ang|eng|uai|uan|van|ai|ei|ao|ou|an|en|er|ia|ie|in|iu"
          r"|ua|uo|ui|un|ue|ve|a|o|e|i|u|v)")
_SYLLABLE = re.compile(f"{_INITIAL}{_FINAL}")


def _syllables(word: str) -> list[str] | None:
    """Split pinyin into syllables, longest first syllable first; None if it is not pinyin."""
    if not word:
        return []
    for end in range(min(len(word), 6), 0, -1):
        if _SYLLABLE.fullmatch(word, 0, end):
            rest = _syllables(word[end:])
            if rest is not None:
                return [word[:end], *rest]
    return None


def default_prefix(jid: str) -> str:
    """The pinyin initials of a jurisdiction id: zixi -> ZX, jixian -> JX; else its first letters.
    `FORMS_CASE_PREFIXES` overrides it (config.py)."""
    parts = _syllables(jid.lower())
    if parts and len(parts) >= 2:
        return "".join(p[0] for p in parts).upper()[:4]
    letters = re.sub(r"[^a-z]", "", jid.lower())
    return (letters[:2] or "CASE").upper()


def format_number(prefix: str, year: int, serial: int) -> str:
    return f"{prefix}-{year}-{serial:06d}"


NUMBER_RE = re.compile(r"^[A-Z]{1,6}-\d{4}-\d{6,}$")


_LOOSE_NUMBER = re.compile(r"([A-Z]{1,6})[-_.]?(\d{4})[-_.]?(\d{6,})")


def normalise_number(text: str) -> str:
    """What a resident types: lower case, spaces, full-width letters, any dash or none at all
    ("zx2026000123", "ZX 2026 000123") -> ZX-2026-000123."""
    text = unicodedata.normalize("NFKC", text).upper()
    text = re.sub(r"[\s\u2010-\u2015\u2212\uFE58\uFE63]", lambda m: "" if m[0].isspace() else "-", text)
    m = _LOOSE_NUMBER.fullmatch(text)
    return f"{m[1]}-{m[2]}-{m[3]}" if m else text


def _ensure_counter(session: Session, jurisdiction: str, year: int) -> None:
    """The counter row exists (the year's first submission creates it); an existing row is not locked."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(CaseCounter).values(jurisdiction=jurisdiction, year=year, last=0)
                    .on_conflict_do_nothing())


def take_serial(session: Session, jurisdiction: str, year: int) -> int:
    """The next serial; the counter row stays locked until the transaction ends. One statement in
    the usual case; the year's first submission creates the row first (two at once: the second
    INSERT waits for the first and does nothing, its UPDATE then sees the row)."""
    serial = _increment(session, jurisdiction, year)
    if serial is None:
        _ensure_counter(session, jurisdiction, year)
        serial = _increment(session, jurisdiction, year)
    return serial


def _increment(session: Session, jurisdiction: str, year: int) -> int | None:
    return session.execute(
        update(CaseCounter)
        .where(CaseCounter.jurisdiction == jurisdiction, CaseCounter.year == year)
        .values(last=CaseCounter.last + 1)
        .returning(CaseCounter.last)
        # No ORM-side "evaluate" of the WHERE against loaded objects (none are loaded here): it cost
        # about 13 ms per submission (benchmarks/forms_load.py).
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
