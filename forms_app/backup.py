"""Backup and restore of the forms database, the same file format for SQLite and PostgreSQL.

A backup is one gzip'd JSON-lines file: a header (format, schema revision, time), then for each
table in foreign-key order a line naming it and one line per row, values tagged by column type so
dates, times and JSON come back exactly. It is read in one REPEATABLE READ / BEGIN transaction, so
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
import json
from pathlib import Path

from sqlalchemy import Date, DateTime, LargeBinary, func, select, text

from .db import Database
from .models import Base

FORMAT = "forms-backup-1"
TABLES = ["staff_users", "case_counters", "cases", "case_events", "audit_log", "outbox", "resubmissions"]


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


def refuse_unusable(db: Database, allow_empty: bool = False) -> None:
    """A backup that would look fine and hold nothing is refused: a database never migrated (the
    wrong DATABASE_URL, the settings file not read) or one without a single row."""
    with db.engine.connect() as conn:
        if _revision(conn) is None:
            raise BackupError(f"数据库 {db.engine.url.render_as_string(hide_password=True)} 还没有迁移"
                              "（没有 alembic_version 表）：DATABASE_URL 是不是指错了？设置文件（FORMS_SETTINGS）读了吗？")
        if not allow_empty and not any(
                conn.execute(select(func.count()).select_from(Base.metadata.tables[name])).scalar()
                for name in TABLES):
            raise BackupError("数据库里一行数据都没有（连工作人员账号也没有）：DATABASE_URL 是不是指错了？"
                              "确实要备份空数据库，请加 --allow-empty")


def backup(db: Database, path: Path) -> dict[str, int]:
    counts = {}
    tmp = path.with_name(path.name + ".tmp")
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "postgresql":
            conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin(), gzip.open(tmp, "wt", encoding="utf-8") as out:
            out.write(json.dumps({"format": FORMAT, "revision": _revision(conn),
                                  "at": dt.datetime.now(dt.UTC).isoformat()}) + "\n")
            for name in TABLES:
                table = Base.metadata.tables[name]
                out.write(json.dumps({"table": name}) + "\n")
                n = 0
                for row in conn.execute(select(table).order_by(*table.primary_key.columns)):
                    out.write(json.dumps({c.name: _encode(c, row._mapping[c.name]) for c in table.columns},
                                         ensure_ascii=False) + "\n")
                    n += 1
                counts[name] = n
    tmp.replace(path)
    return counts


def restore(db: Database, path: Path, batch: int = 500) -> dict[str, int]:
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
            if set(item) == {"table"}:
                _flush(conn, table, rows)
                table, rows = Base.metadata.tables[item["table"]], []
                counts[table.name] = 0
                continue
            rows.append({c.name: _decode(c, item.get(c.name)) for c in table.columns})
            counts[table.name] += 1
            if len(rows) >= batch:
                _flush(conn, table, rows)
                rows = []
        _flush(conn, table, rows)
        if db.engine.dialect.name == "postgresql":
            for name in TABLES:
                t = Base.metadata.tables[name]
                if "id" in t.columns:
                    conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                                      f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"))
    return counts


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
