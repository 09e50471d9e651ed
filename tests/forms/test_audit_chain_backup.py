"""Issue 23, causes 4 and 5: the audit log is a hash chain that `audit verify` checks (a rewritten,
removed or truncated entry is named, exit 1), its head and length are published with the
statistics; backups are 0600 and carry an authenticated manifest, and restore refuses a changed
file, a broken audit chain and townships that are not a list. On both databases."""
from __future__ import annotations

import gzip
import json
import stat

import pytest
from sqlalchemy import text

from forms_app import backup
from forms_app.models import StaffUser
from forms_app.staff.access import can_see

from .formhelpers import BACKENDS, file_complaint, make_app
from .staffhelpers import act, login, staff_client
from .test_staff_stats_backup import _target


def _activity(app) -> str:
    number, _ = file_complaint(app.test_client())
    admin, _ = staff_client(app, "admin")
    act(admin, "zixi", number, "status", status="accepted", text="受理")
    act(admin, "zixi", number, "note", text="内部备注")
    login(app.test_client(), "nobody-here", "wrong-password-x")
    return number


def _verify(app, *args):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def _raw(app, *statements):
    """As the tables' owner (or whoever holds the SQLite file), outside the app's own code."""
    with app.extensions["forms_db"].engine.begin() as conn:
        for sql in statements:
            conn.execute(text(sql))


def _ids(app) -> list[int]:
    with app.extensions["forms_db"].engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT id FROM audit_log ORDER BY id"))]


def test_an_intact_log_verifies(fresh_app):
    _activity(fresh_app)
    result = _verify(fresh_app)
    assert result.exit_code == 0 and "完好" in result.output, result.output


def _disable_triggers(app) -> list[str]:
    if app.extensions["forms_db"].is_sqlite:
        return ["DROP TRIGGER audit_log_no_update", "DROP TRIGGER audit_log_no_delete"]
    return ["ALTER TABLE audit_log DISABLE TRIGGER USER"]


def test_a_rewritten_entry_is_named(fresh_app):
    _activity(fresh_app)
    victim = _ids(fresh_app)[2]
    if fresh_app.extensions["forms_db"].is_sqlite:
        # REPLACE is a DELETE + INSERT that SQLite's BEFORE DELETE trigger does not see.
        _raw(fresh_app, f"REPLACE INTO audit_log (id, at, action, jurisdiction, seq, prev_hash, entry_hash) "
                        f"SELECT id, at, 'login', jurisdiction, seq, prev_hash, entry_hash FROM audit_log WHERE id = {victim}")
    else:
        _raw(fresh_app, *_disable_triggers(fresh_app), f"UPDATE audit_log SET action = 'login' WHERE id = {victim}")
    result = _verify(fresh_app)
    assert result.exit_code == 1 and f"编号 {victim} " in result.output and "改过" in result.output, result.output


def test_a_deleted_entry_is_found(fresh_app):
    _activity(fresh_app)
    ids = _ids(fresh_app)
    _raw(fresh_app, *_disable_triggers(fresh_app), f"DELETE FROM audit_log WHERE id = {ids[1]}")
    result = _verify(fresh_app)
    assert result.exit_code == 1 and f"编号 {ids[2]} " in result.output, result.output


def test_a_truncated_tail_shows_against_the_published_head(fresh_app, tmp_path):
    app = fresh_app
    _activity(app)
    assert app.test_cli_runner().invoke(args=["stats", "export", "--out", str(tmp_path), "--only", "zixi"]).exit_code == 0
    published = json.loads((tmp_path / "zixi" / "complaint-stats.json").read_text())["audit_chain"]
    ids = _ids(app)
    assert published["length"] == len(ids) and len(published["head"]) == 64
    assert _verify(app, "--length", str(published["length"]), "--head", published["head"]).exit_code == 0
    # Whoever owns the tables removes the last entry and rewrites the chain's head to match.
    with app.extensions["forms_db"].engine.connect() as conn:
        prev = conn.execute(text(f"SELECT entry_hash FROM audit_log WHERE id = {ids[-2]}")).scalar()
    _raw(app, *_disable_triggers(app), f"DELETE FROM audit_log WHERE id = {ids[-1]}",
         f"UPDATE audit_chain SET length = {len(ids) - 1}, head = '{prev}'")
    assert _verify(app).exit_code == 0  # consistent in itself ...
    result = _verify(app, "--length", str(published["length"]), "--head", published["head"])
    assert result.exit_code == 1 and "末尾" in result.output, result.output  # ... but not with what was published


def test_concurrent_staff_actions_keep_one_chain(fresh_app):
    import threading
    app = fresh_app
    number, _ = file_complaint(app.test_client())
    clients = [staff_client(app, "admin")[0] for _ in range(4)]
    start = threading.Barrier(len(clients))

    def notes(client):
        start.wait()
        for i in range(3):
            act(client, "zixi", number, "note", text=f"备注 {i}")
    threads = [threading.Thread(target=notes, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _verify(app).exit_code == 0


# ------------------------------------------------------------------ backups

def _backup(app, tmp_path):
    path = tmp_path / "forms.jsonl.gz"
    result = app.test_cli_runner().invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    return path


def _lines(path) -> list[str]:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return f.readlines()


def _write(path, lines):
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.writelines(lines)


def _resign(app, lines) -> list[str]:
    """What only a holder of the installation key can do: a valid manifest for changed lines."""
    import hashlib
    body = lines[:-1]
    manifest = json.loads(json.loads(lines[-1])["manifest"])
    manifest["sha256"] = hashlib.sha256("".join(body).encode()).hexdigest()
    text_ = json.dumps(manifest, sort_keys=True)
    mac = app.extensions["forms_protector"].backup_mac(text_)
    return body + [json.dumps({"manifest": text_, "mac": mac}) + "\n"]


def _restore(policy, tmp_path, request, kind, path):
    restored = make_app(policy, _target(kind, tmp_path, request))
    try:
        result = restored.test_cli_runner().invoke(args=["restore", str(path)])
        with restored.extensions["forms_db"].engine.connect() as conn:
            users = conn.execute(text("SELECT COUNT(*) FROM staff_users")).scalar()
        return result, users
    finally:
        restored.extensions["forms_db"].dispose()


def test_backups_are_written_for_the_owner_only(sqlite_app, tmp_path):
    _activity(sqlite_app)  # rows of its own: run alone or first, the session's database was empty
    assert stat.S_IMODE(_backup(sqlite_app, tmp_path).stat().st_mode) == 0o600


@pytest.mark.parametrize("target", BACKENDS)
def test_restore_refuses_a_planted_administrator(app, policy, tmp_path, request, target):
    _activity(app)
    path = _backup(app, tmp_path)
    lines = _lines(path)
    i = lines.index('{"table": "staff_users"}\n')
    planted = json.loads(lines[i + 1])
    planted.update(id=99999, username="planted-admin", role="admin", townships=[])
    _write(path, lines[:i + 1] + [json.dumps(planted, ensure_ascii=False) + "\n"] + lines[i + 1:])
    result, users = _restore(policy, tmp_path, request, target, path)
    assert result.exit_code != 0 and "清单" in result.output, result.output
    assert users == 0


@pytest.mark.parametrize("target", BACKENDS)
def test_restore_refuses_removed_audit_lines_even_with_a_valid_manifest(app, policy, tmp_path, request, target):
    _activity(app)
    path = _backup(app, tmp_path)
    lines = _lines(path)
    start = lines.index('{"table": "audit_log"}\n')
    removed = lines[:start + 1] + lines[start + 3:]  # two entries gone
    _write(path, removed)
    result, users = _restore(policy, tmp_path, request, target, path)
    assert result.exit_code != 0 and "清单" in result.output and users == 0
    manifest = json.loads(json.loads(removed[-1])["manifest"])
    manifest["rows"]["audit_log"] -= 2
    removed[-1] = json.dumps({"manifest": json.dumps(manifest, sort_keys=True), "mac": ""}) + "\n"
    _write(path, _resign(app, removed))  # even signed: the audit chain does not verify
    result, users = _restore(policy, tmp_path, request, target, path)
    assert result.exit_code != 0 and "审计日志核对不上" in result.output, result.output
    assert users == 0


def test_restore_refuses_a_backup_made_by_another_installation(app, policy, tmp_path, request):
    _activity(app)
    other = make_app(policy, app.config["DATABASE_URL"], LOOKUP_PEPPER="another-installation-" + "x7Q" * 10)
    # create_app built its Protector from the settings: this one signs with the other key.
    path = tmp_path / "other.jsonl.gz"
    assert other.test_cli_runner().invoke(args=["backup", str(path)]).exit_code == 0
    other.extensions["forms_db"].dispose()
    result, users = _restore(policy, tmp_path, request, "sqlite", path)
    assert result.exit_code != 0 and "签名" in result.output and users == 0


@pytest.mark.parametrize("target", BACKENDS)
def test_restore_refuses_townships_that_are_not_a_list(app, policy, tmp_path, request, target):
    _activity(app)
    path = _backup(app, tmp_path)
    lines = _lines(path)
    i = lines.index('{"table": "staff_users"}\n')
    row = json.loads(lines[i + 1])
    row.update(role="handler", townships="gaofu-gaotian")
    lines[i + 1] = json.dumps(row, ensure_ascii=False) + "\n"
    _write(path, _resign(app, lines))
    result, users = _restore(policy, tmp_path, request, target, path)
    assert result.exit_code != 0 and "townships" in result.output and users == 0


def test_townships_must_be_a_list_in_the_model_and_never_match_by_substring():
    with pytest.raises(ValueError):
        StaffUser(username="x", townships="gaofu")
    from types import SimpleNamespace
    user = SimpleNamespace(jurisdiction="zixi", role="handler", townships="gaofu-gaotian")  # as a bad row loads
    case = SimpleNamespace(jurisdiction="zixi", township="gaofu")
    assert not can_see(user, case)


def test_the_round_trip_keeps_a_verifying_chain(app, policy, tmp_path, request):
    _activity(app)
    path = _backup(app, tmp_path)
    restored = make_app(policy, _target("sqlite", tmp_path, request))
    try:
        assert restored.test_cli_runner().invoke(args=["restore", str(path)]).exit_code == 0
        assert _verify(restored).exit_code == 0
    finally:
        restored.extensions["forms_db"].dispose()
