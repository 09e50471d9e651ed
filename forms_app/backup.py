"""Backup and restore of the forms database, the same file format for SQLite and PostgreSQL.

A backup is one gzip'd JSON-lines file: a header (format, schema revision, time), then for each
table in foreign-key order a line naming it and one line per row, values tagged by column type so
dates, times and JSON come back exactly; last, a manifest (row counts, the SHA-256 of every line
before it) with its HMAC under the installation's key (`Protector.backup_mac`). The file is
written 0600. Restore refuses a file whose manifest is missing or does not verify (a planted
administrator, removed audit lines), a restored audit log whose hash chain breaks, and rows of the
wrong type (`townships` must be a list). It is read in one REPEATABLE READ / BEGIN transaction, so
the rows are consistent with each other while submissions go on. A backup restores only into an
empty database at the same migration (`flask --app forms_app db upgrade` first); it may cross
databases (SQLite -> PostgreSQL and back). PostgreSQL sequences are moved past the restored ids.

Native tools work too and are faster for big databases: `pg_dump -Fc` / `pg_restore`, and
`sqlite3 forms.sqlite3 ".backup copy.sqlite3"`.
"""
from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import hmac
import json
import os
from pathlib import Path

from sqlalchemy import Date, DateTime, LargeBinary, func, select, text
from sqlalchemy.orm import Session

from . import audit_chain
from .db import Database
from .models import Base

FORMAT = "forms-backup-2"  # 2: with the authenticated manifest
TABLES = ["staff_users", "case_counters", "cases", "case_events", "audit_log", "audit_chain", "outbox",
          "resubmissions"]


class BackupError(RuntimeError):
    pass


def _revision(conn) -> str | None:
    try:
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:  # noqa: BLE001 - no alembic table: not a forms database
        return None


def _encode(col, value):
    if value is None:
        return None
    if isinstance(col.type, DateTime):
        return value.isoformat()
    if isinstance(col.type, Date):
        return value.isoformat()
    if isinstance(col.type, LargeBinary):
        return base64.b64encode(value).decode()
    return value


def _decode(col, value):
    if value is None:
        return None
    if isinstance(col.type, DateTime):
        return dt.datetime.fromisoformat(value)
    if isinstance(col.type, Date):
        return dt.date.fromisoformat(value)
    if isinstance(col.type, LargeBinary):
        return base64.b64decode(value)
    return value


def backup(db: Database, path: Path, mac) -> dict[str, int]:
    """Write the backup; `mac(text) -> hex` authenticates its manifest (Protector.backup_mac)."""
    counts = {}
    tmp = path.with_name(path.name + ".tmp")
    digest = hashlib.sha256()

    def write(out, line: str) -> None:
        digest.update(line.encode())
        out.write(line)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # phone numbers, hashes: owner only
    os.fchmod(fd, 0o600)
    with db.engine.connect() as conn, os.fdopen(fd, "wb") as raw:
        if db.engine.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin(), gzip.open(raw, "wt", encoding="utf-8") as out:
            revision = _revision(conn)
            write(out, json.dumps({"format": FORMAT, "revision": revision,
                                   "at": dt.datetime.now(dt.UTC).isoformat()}) + "\n")
            for name in TABLES:
                table = Base.metadata.tables[name]
                write(out, json.dumps({"table": name}) + "\n")
                n = 0
                for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                    write(out, json.dumps({c.name: _encode(c, row._mapping[c.name]) for c in table.columns},
                                          ensure_ascii=False) + "\n")
                    n += 1
                counts[name] = n
            manifest = json.dumps({"format": FORMAT, "revision": revision, "rows": counts,
                                   "sha256": digest.hexdigest()}, sort_keys=True)
            out.write(json.dumps({"manifest": manifest, "mac": mac(manifest)}) + "\n")
    tmp.replace(path)
    return counts


def _checked_manifest(path: Path, mac) -> dict:
    """Read the whole file once: its manifest must be there, authentic, and match every line."""
    digest = hashlib.sha256()
    last = None
    counts: dict[str, int] = {}
    table = None
    try:
        with gzip.open(path, "rt", encoding="utf-8") as src:
            for line in src:
                if last is not None:
                    digest.update(last.encode())
                    item = json.loads(last)
                    if set(item) == {"table"}:
                        table = item["table"]
                        counts[table] = 0
                    elif table is not None:
                        counts[table] += 1
                last = line
    except (OSError, EOFError, ValueError) as exc:
        raise BackupError(f"{path} 读不出来或不完整（{exc}）") from None
    try:
        final = json.loads(last or "{}")
        manifest_text = final["manifest"]
        manifest = json.loads(manifest_text)
    except (ValueError, KeyError, TypeError):
        raise BackupError(f"{path} 没有签名的清单：不是本系统这个版本写的备份，或者被截断、改过；不恢复") from None
    if not hmac.compare_digest(str(final.get("mac", "")), mac(manifest_text)):
        raise BackupError(f"{path} 的清单签名不对：文件被改过，或者是另一套安装（另一把密钥）写的；不恢复")
    if manifest.get("sha256") != digest.hexdigest() or manifest.get("rows") != counts:
        raise BackupError(f"{path} 的内容与签名的清单不符：有行被加、删或改过；不恢复")
    return manifest


def restore(db: Database, path: Path, mac, batch: int = 500) -> dict[str, int]:
    """Restore into an empty database at the same migration; nothing is written unless the manifest,
    every row's type and the restored audit chain all check out (one transaction)."""
    _checked_manifest(path, mac)
    counts: dict[str, int] = {}
    with gzip.open(path, "rt", encoding="utf-8") as src, db.engine.begin() as conn:
        header = json.loads(src.readline() or "{}")
        if header.get("format") != FORMAT:
            raise BackupError(f"{path} 不是表单数据库的备份文件")
        here = _revision(conn)
        if here != header.get("revision"):
            raise BackupError(f"备份的数据库版本是 {header.get('revision')}，这里是 {here}；"
                              "请先把目标数据库迁移到相同版本（flask --app forms_app db upgrade）")
        for name in TABLES:
            if conn.execute(select(func.count()).select_from(Base.metadata.tables[name])).scalar():
                raise BackupError(f"目标数据库的 {name} 表不是空的：只能恢复到空数据库，以免混在一起")
        table, rows = None, []
        for line in src:
            item = json.loads(line)
            if set(item) == {"manifest", "mac"}:
                break
            if set(item) == {"table"}:
                _flush(conn, table, rows)
                table, rows = Base.metadata.tables[item["table"]], []
                counts[table.name] = 0
                continue
            row = {c.name: _decode(c, item.get(c.name)) for c in table.columns}
            _check_types(table.name, row)
            rows.append(row)
            counts[table.name] += 1
            if len(rows) >= batch:
                _flush(conn, table, rows)
                rows = []
        _flush(conn, table, rows)
        with Session(bind=conn) as session:
            verdict = audit_chain.verify(session)
        if not verdict.ok:
            raise BackupError(f"备份里的审计日志核对不上（{verdict.problem}）；不恢复")
        if db.engine.dialect.name == "postgresql":
            for name in TABLES:
                t = Base.metadata.tables[name]
                if "id" in t.columns:
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                      f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"))
    return counts


def _check_types(table: str, row: dict) -> None:
    """Values a JSON column could hold but the code must never see: a handler's townships as a
    string would match case townships by substring."""
    if table == "staff_users":
        towns = row.get("townships")
        if not isinstance(towns, list) or not all(isinstance(t, str) for t in towns):
            raise BackupError(f"账号 {row.get('username')!r} 的 townships 应是乡镇编号的列表，这里是 {towns!r}；不恢复")
        if row.get("role") not in ("admin", "handler", "auditor"):
            raise BackupError(f"账号 {row.get('username')!r} 的角色 {row.get('role')!r} 不认识；不恢复")


def _flush(conn, table, rows) -> None:
    if table is not None and rows:
        conn.execute(table.insert(), rows)


def dump_rows(db: Database) -> dict[str, list[dict]]:
    """Every row of every table, for comparing two databases (the round-trip test)."""
    out = {}
    with db.engine.connect() as conn:
        for name in TABLES:
            table = Base.metadata.tables[name]
            out[name] = [dict(r._mapping) for r in conn.execute(select(table).order_by(*table.primary_key.columns))]
    return out
