"""The audit log as a hash chain: an entry rewritten, removed, inserted or reordered shows.

Triggers keep the app's own connection from changing `audit_log`, but whoever owns the tables
(or the SQLite file) can drop them. So each entry also carries `entry_hash` = SHA-256 over its
content and the previous entry's hash (`prev_hash`), and its place `seq` (1, 2, 3, ...). One row of
`audit_chain` holds the length and the last hash; every append locks it, so entries form a single
line on both databases (SQLite: writers already queue on BEGIN IMMEDIATE).

`verify()` recomputes the whole chain (`flask --app forms_app audit verify`). Someone who can
write the database could recompute every hash after a rewrite, so the head and length are also
published with the public statistics (stats.py): a later rewrite no longer matches what the
county's own site printed (`audit verify --length N --head H`).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

GENESIS = "0" * 64
FIELDS = ("seq", "at", "jurisdiction", "actor_id", "action", "case_id", "before", "after", "address")


def digest(entry: dict, prev_hash: str) -> str:
    """The hash of one entry (a dict with FIELDS) after `prev_hash`; identical on both databases."""
    content = {k: entry.get(k) for k in FIELDS}
    at = content["at"]
    if isinstance(at, dt.datetime):
        content["at"] = at.replace(tzinfo=None).isoformat(timespec="microseconds")
    text = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}\n{text}".encode()).hexdigest()


def append(session: Session, entry) -> None:
    """Give `entry` (an AuditEntry not yet flushed) its place and hashes, under the chain's lock."""
    head = _locked_head(session)
    entry.seq = head.length + 1
    entry.prev_hash = head.head
    entry.entry_hash = digest({k: getattr(entry, k) for k in FIELDS}, head.head)
    head.length, head.head = entry.seq, entry.entry_hash


def _locked_head(session: Session):
    from .models import AuditChainHead

    table = AuditChainHead.__table__
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    # The row exists once the first entry is written; creating it is idempotent between workers.
    session.execute(insert(table).values(id=1, length=0, head=GENESIS).on_conflict_do_nothing())
    return session.scalars(select(AuditChainHead).where(AuditChainHead.id == 1).with_for_update()
                           .execution_options(populate_existing=True)).one()


@dataclass
class Verdict:
    ok: bool
    length: int
    head: str
    problem: str = ""  # the first bad entry, in Chinese
    bad_id: int | None = None


def verify(session: Session, *, length: int | None = None, head: str | None = None) -> Verdict:
    """Walk the whole log in order; the first entry that does not fit is named. With `length`
    and `head` (as published), the entry at that place must still carry that hash."""
    from .models import AuditChainHead, AuditEntry

    prev, n, published_seen = GENESIS, 0, length is None
    rows = session.execute(select(AuditEntry).order_by(AuditEntry.seq.is_(None), AuditEntry.seq, AuditEntry.id))
    for (e,) in rows:
        n += 1
        if e.seq != n:
            return Verdict(False, n - 1, prev, f"第 {n} 条应在的位置是编号 {e.id} 的记录（序号 {e.seq}）："
                                               "有记录被删掉、插入或调换了顺序", e.id)
        if e.prev_hash != prev:
            return Verdict(False, n - 1, prev, f"编号 {e.id} 的记录（第 {n} 条）接不上前一条：前面有记录被改过或删掉", e.id)
        if digest({k: getattr(e, k) for k in FIELDS}, prev) != e.entry_hash:
            return Verdict(False, n - 1, prev, f"编号 {e.id} 的记录（第 {n} 条）内容被改过", e.id)
        prev = e.entry_hash
        if length is not None and n == length:
            if prev != head:
                return Verdict(False, n, prev, f"第 {n} 条的哈希与公布的不同：公布之后日志被重写过", e.id)
            published_seen = True
    if not published_seen:
        return Verdict(False, n, prev, f"公布时日志有 {length} 条，现在只有 {n} 条：末尾的记录被删掉了")
    stored = session.get(AuditChainHead, 1)
    if (stored.length if stored else 0) != n or (stored.head if stored else GENESIS) != prev:
        return Verdict(False, n, prev, f"链头记录的是 {stored.length if stored else 0} 条，实际有 {n} 条："
                                       "末尾的记录被删掉或链头被改过")
    return Verdict(True, n, prev)


def published(session: Session) -> dict:
    """The head and length for the public statistics."""
    from .models import AuditChainHead

    stored = session.get(AuditChainHead, 1)
    return {"length": stored.length if stored else 0, "head": stored.head if stored else GENESIS}
