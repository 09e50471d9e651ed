"""Public statistics (interfaces.md's file; no case field leaks; `build --stats` publishes it) and
backup / restore (a round trip compares every row, on both databases and across them)."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from forms_app import backup
from forms_app.cli import upgrade
from forms_app.lifecycle import STATUSES, status_name
from forms_app.models import Case
from forms_app.stats import month_figures

from .formhelpers import BACKENDS, file_complaint, make_app
from .staffhelpers import act, staff_client

ROOT = Path(__file__).resolve().parents[2]
KEYS = {"month", "received", "by_category", "by_status", "closed_on_time", "closed_late", "median_days_to_close"}


def _c(status, submitted, closed=None, reply_by=None, category="deposit_charged"):
    at = dt.datetime.fromisoformat(submitted)
    return SimpleNamespace(status=status, category=category, submitted_at=at, reply_by=reply_by, decide_by=None,
                           closed_at=dt.datetime.fromisoformat(closed) if closed else None)


def test_month_figures_count_on_time_late_and_the_median():
    cases = [_c("closed", "2026-10-01T02:00", "2026-10-05T02:00", dt.date(2026, 10, 10)),
             _c("closed", "2026-10-02T02:00", "2026-10-20T02:00", dt.date(2026, 10, 10)),  # late
             _c("closed", "2026-10-03T02:00", "2026-10-10T15:59", dt.date(2026, 10, 10), "other"),  # 23:59 Beijing
             _c("in_progress", "2026-10-04T02:00")]
    f = month_figures(cases)
    assert f == {"received": 4, "by_category": {"deposit_charged": 3, "other": 1},
                 "by_status": {"closed": 3, "in_progress": 1}, "closed_on_time": 2, "closed_late": 1,
                 "median_days_to_close": 7}
    assert month_figures(cases[:2])["median_days_to_close"] == 11  # (4 + 18) / 2
    assert month_figures([cases[0], cases[2]])["median_days_to_close"] == 5.5
    assert month_figures([])["median_days_to_close"] is None


def test_stats_export_has_the_interface_shape_and_no_case_field(app, tmp_path):
    client = app.test_client()
    marker = "独一无二的描述文字甲乙丙"
    number, _ = file_complaint(client, description=marker, name="张特征", phone="13800001111",
                               id_number="11010519491231002X", event_date="2026-02-03")
    admin, _ = staff_client(app, "admin")
    act(admin, "zixi", number, "status", status="accepted", text="受理说明特征文字")
    act(admin, "zixi", number, "note", text="内部备注特征文字")
    result = app.test_cli_runner().invoke(args=["stats", "export", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    path = tmp_path / "zixi" / "complaint-stats.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert set(data) == {"jurisdiction", "generated", "months", "audit_chain", "status_names"}
    assert data["jurisdiction"] == "zixi"
    # The staff pages' words for every status, in the lifecycle's order (issue 27 point 15).
    assert data["status_names"] == {s: status_name(s) for s in STATUSES}
    assert list(data["status_names"]) == list(STATUSES)
    assert dt.datetime.fromisoformat(data["generated"]).utcoffset() == dt.timedelta(hours=8)
    for m in data["months"]:
        assert set(m) == KEYS and re.fullmatch(r"\d{4}-\d{2}", m["month"])
        assert all(isinstance(v, int) for v in m["by_category"].values())
        assert sum(m["by_status"].values()) == m["received"]
    # No value of any field of the case, nor of its timeline, appears in the file.
    with app.extensions["forms_db"].reading() as s:
        case = s.query(Case).filter_by(number=number).one()
        values = [getattr(case, c.name) for c in Case.__table__.columns]
        values += [e.body for e in case.events]
    allowed = {case.category, case.status, case.jurisdiction, case.kind}
    raw = path.read_text(encoding="utf-8")
    for v in values:
        if v is None or isinstance(v, bool) or v in allowed:
            continue
        text = v.isoformat() if hasattr(v, "isoformat") else str(v)
        if isinstance(v, int) or len(text) < 4:
            continue
        assert text not in raw, f"case field value {text!r} leaked into the statistics"
    for word in (marker, "张特征", "13800001111", "1111", number, "gaofu", "特征文字", "2026-02-03"):
        assert word not in raw


def test_build_publishes_the_exported_stats(sqlite_app, tmp_path, monkeypatch):
    """forms app -> stats export -> build --stats -> the statistics page. The PDFs are left out (this
    test is about the statistics page; printing has its own tests)."""
    from builder import fingerprint
    available = fingerprint.module_available
    monkeypatch.setattr(fingerprint, "module_available", lambda name: name != "builder.printing" and available(name))
    client = sqlite_app.test_client()
    file_complaint(client)
    stats_dir = tmp_path / "stats"
    assert sqlite_app.test_cli_runner().invoke(args=["stats", "export", "--out", str(stats_dir),
                                                     "--only", "zixi"]).exit_code == 0
    exported = json.loads((stats_dir / "zixi" / "complaint-stats.json").read_text(encoding="utf-8"))
    from builder.pipeline import build
    out = tmp_path / "dist"
    code = build(ROOT / "policy_data", out, only=["zixi"], stats_dir=stats_dir, log=lambda *a, **k: None,
                 preview=True)  # the samples' example.org addresses (issue 20)
    assert code == 0
    page = (out / "zixi" / "stats" / "index.html").read_text(encoding="utf-8")
    assert "暂未公布" not in page
    for m in exported["months"]:
        year, month = m["month"].split("-")
        cell = rf"{int(year)}年</span><span class=\"nowrap\">{int(month)}月</span></td>"
        assert re.search(rf"{cell}\s*<td[^>]*>{m['received']}</td>", page), m["month"]
    assert "住院被收了押金" in page or "押金" in page
    assert f"<td>{status_name('submitted')}</td>" in page  # the staff pages' status names, not ids
    generated = dt.datetime.fromisoformat(exported["generated"])
    assert f"统计时间：{generated.year}年{generated.month}月{generated.day}日" in page
    head = exported["audit_chain"]["head"]  # the audit log's head, printed where others keep it
    assert f"共 {exported['audit_chain']['length']} 条" in page and f"{head[:16]} {head[16:32]}" in page


# ------------------------------------------------------------------ backup and restore

def _target(kind: str, tmp_path, request) -> str:
    if kind == "sqlite":
        url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    else:
        import uuid

        import psycopg

        from .formhelpers import PG_BASE
        schema = f"forms_restore_{uuid.uuid4().hex[:8]}"
        plain = PG_BASE.replace("+psycopg", "")
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')

        def drop():
            with psycopg.connect(plain, autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        request.addfinalizer(drop)
        url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
    upgrade(url)
    return url


@pytest.mark.parametrize("target", BACKENDS)
def test_backup_and_restore_round_trip_every_row(app, policy, tmp_path, request, target):
    number, _ = file_complaint(app.test_client())
    admin, _ = staff_client(app, "admin")
    act(admin, "zixi", number, "status", status="accepted", text="受理")
    act(admin, "zixi", number, "note", text="备注 <b>原样</b> 😀")
    file_complaint(app.test_client(), anonymous="y", name=None, phone=None, id_number=None)
    path = tmp_path / "forms.backup.jsonl.gz"
    result = app.test_cli_runner().invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    url = _target(target, tmp_path, request)
    restored = make_app(policy, url)
    try:
        result = restored.test_cli_runner().invoke(args=["restore", str(path)])
        assert result.exit_code == 0, result.output
        before, after = backup.dump_rows(app.extensions["forms_db"]), backup.dump_rows(restored.extensions["forms_db"])
        assert set(before) == set(backup.TABLES)
        for table in backup.TABLES:
            assert after[table] == before[table], table
        assert sum(len(rows) for rows in before.values()) > 5
        # The restored database keeps working: new cases get new ids and the next number.
        n2, _ = file_complaint(restored.test_client())
        assert n2 > number
        # And it refuses a second restore on top of data.
        again = restored.test_cli_runner().invoke(args=["restore", str(path)])
        assert again.exit_code != 0 and "不是空的" in again.output
    finally:
        restored.extensions["forms_db"].dispose()
