"""Logins, lockout, session expiry, roles — and a handler never reaches another township's case,
whatever staff URL they try (every staff route is exercised, GET and POST)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from forms_app.models import StaffUser

from .formhelpers import BACKENDS, file_complaint, make_app
from .staffhelpers import PASSWORD, act, login, make_staff, queue_numbers, staff_client, staff_routes, token


def test_login_with_argon2_hash_and_wrong_password_refused(app):
    name = make_staff(app, "admin")
    with app.extensions["forms_db"].reading() as s:
        user = s.query(StaffUser).filter_by(username=name).one()
        assert user.password_hash.startswith("$argon2")
    client = app.test_client()
    bad = login(client, name, "not-the-password")
    assert bad.status_code == 401 and "用户名或密码不对" in bad.get_data(as_text=True)
    assert client.get("/staff/zixi/").status_code == 302
    assert login(client, name).status_code == 303
    assert client.get("/staff/zixi/").status_code == 200


def test_account_locks_after_five_failures_and_unlocks_by_cli(app):
    name = make_staff(app, "handler", ["gaofu"])
    client = app.test_client()
    for _ in range(5):
        login(client, name, "wrong-password-x")
    locked = login(client, name)  # even the right password is refused while locked
    assert locked.status_code == 401 and "锁定" in locked.get_data(as_text=True)
    assert app.test_cli_runner().invoke(args=["staff", "unlock", name]).exit_code == 0
    assert login(client, name).status_code == 303
    from forms_app.audit import fetch_entries
    mine = [e for e in fetch_entries(app.extensions["forms_db"], "zixi", limit=None)
            if name in (e["actor"], (e["after"] or {}).get("username"), (e["after"] or {}).get("username"))]
    assert [e["action"] for e in reversed(mine)] == ["user_create"] + ["login_failed"] * 6 + ["user_unlock", "login"]


def test_session_expires_after_idle_time(app):
    client, _ = staff_client(app, "admin")
    assert client.get("/staff/zixi/").status_code == 200
    with client.session_transaction() as sess:
        info = dict(sess["staff"])
        info["seen"] -= app.config["STAFF_IDLE_MINUTES"] * 60 + 1
        sess["staff"] = info
    expired = client.get("/staff/zixi/")
    assert expired.status_code == 302 and "expired=1" in expired.headers["Location"]


def test_session_ends_after_the_longest_time_even_when_busy(app):
    client, _ = staff_client(app, "admin")
    with client.session_transaction() as sess:
        info = dict(sess["staff"])
        info["since"] -= app.config["STAFF_MAX_HOURS"] * 3600 + 1
        sess["staff"] = info
    assert client.get("/staff/zixi/").status_code == 302


def test_disabled_account_loses_its_session(app):
    client, name = staff_client(app, "admin")
    assert app.test_cli_runner().invoke(args=["staff", "disable", name]).exit_code == 0
    assert client.get("/staff/zixi/").status_code == 302


def test_cli_refuses_unknown_township_and_handler_without_one(app):
    runner = app.test_cli_runner()
    r = runner.invoke(args=["staff", "add", "x1", "--jurisdiction", "zixi", "--role", "handler",
                            "--township", "nowhere", "--password-stdin"], input=PASSWORD + "\n")
    assert r.exit_code != 0 and "没有这些乡镇" in r.output
    r = runner.invoke(args=["staff", "add", "x2", "--jurisdiction", "zixi", "--role", "handler", "--password-stdin"],
                      input=PASSWORD + "\n")
    assert r.exit_code != 0 and "至少要有一个乡镇" in r.output
    r = runner.invoke(args=["staff", "add", "x3", "--jurisdiction", "zixi", "--role", "admin", "--password-stdin"],
                      input="short\n")
    assert r.exit_code != 0 and "密码至少" in r.output


ROUTES = staff_routes()


def _fill(rule: str, jid: str, number: str, mid: int, uid: int = 1) -> str:
    return (rule.replace("<jid>", jid).replace("<number>", number).replace("<int:mid>", str(mid))
            .replace("<int:uid>", str(uid)))


@pytest.fixture(scope="module", params=BACKENDS)
def two_townships(request, policy):
    """A gaofu case, a gaotian case (accepted, with an SMS in the outbox) and a gaofu handler."""
    from forms_app.models import Case, OutboxMessage

    app = make_app(policy, request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url"))
    resident = app.test_client()
    own, _ = file_complaint(resident, village="gaofu-gaofu")
    other, _ = file_complaint(resident, village="gaotian-gaotian", institution="none")
    admin, _ = staff_client(app, "admin")
    assert act(admin, "zixi", other, "status", status="accepted", text="").status_code == 303
    with app.extensions["forms_db"].reading() as s:
        other_id = s.query(Case).filter_by(number=other).one().id
        other_msg = s.query(OutboxMessage).filter_by(case_id=other_id).one().id
    handler, _ = staff_client(app, "handler", ["gaofu"])
    yield SimpleNamespace(app=app, own=own, other=other, other_msg=other_msg, handler=handler,
                          token=token(handler, "/staff/zixi/"))
    app.extensions["forms_db"].dispose()


def test_every_staff_route_is_tried():
    assert len(ROUTES) >= 13 and ("/staff/<jid>/case/<number>/status", "POST") in ROUTES


@pytest.mark.parametrize("rule,method", ROUTES, ids=[f"{m} {r}" for r, m in ROUTES])
def test_a_handler_never_reaches_another_townships_case(two_townships, rule, method):
    """The gaotian case (and anything in the other jurisdiction) answers 404 to a gaofu handler on
    every staff route; the own township's case works, so the 404s are not an accident of the test."""
    w = two_townships
    data = {"csrf_token": w.token, "status": "declined", "text": "越权的操作理由", "assignee": "", "version": "1"}

    def call(url):
        return w.handler.get(url) if method == "GET" else w.handler.post(url, data=data)

    if rule.startswith("/staff/<jid>/users"):  # the account pages: the administrator's only
        assert call(_fill(rule, "zixi", w.other, w.other_msg)).status_code == 403
    elif "<number>" in rule or "<int:mid>" in rule:
        assert call(_fill(rule, "zixi", w.other, w.other_msg)).status_code == 404
    else:  # lists: the other case is never among them
        r = call(_fill(rule, "zixi", w.other, w.other_msg))
        assert r.status_code in (200, 404) and w.other not in r.get_data(as_text=True)
        if rule == "/staff/<jid>/":  # by number: the shared database holds other tests' cases too
            assert w.own in w.handler.get(f"/staff/zixi/?number={w.own}").get_data(as_text=True)
    assert call(_fill(rule, "jixian", w.own, w.other_msg)).status_code == 404
    from forms_app.models import Case
    with w.app.extensions["forms_db"].reading() as s:
        assert s.query(Case).filter_by(number=w.other).one().status == "accepted"  # nothing changed
    if rule.endswith("/note"):  # the same route on the handler's own case works
        assert act(w.handler, "zixi", w.own, "note", text="本乡镇的备注").status_code == 303


def test_the_case_number_search_finds_a_case_and_keeps_townships_apart(two_townships):
    """A clerk types the number a filer reads out (or its last digits); a handler's search never
    finds another township's case."""
    w = two_townships
    assert w.own in queue_numbers(w.handler, f"number={w.own[-6:].lower()}")
    assert w.other not in queue_numbers(w.handler, f"number={w.other[-6:]}")
    assert queue_numbers(w.handler, f"number={w.other}") == []
    odd = w.handler.get("/staff/zixi/?number=%25%27%3Cscript%3E_")
    assert odd.status_code == 200 and "<script>" not in odd.get_data(as_text=True)
    assert queue_numbers(w.handler, "number=%25%27%3Cscript%3E_") == []


def test_auditor_reads_but_changes_nothing(app):
    number, _ = file_complaint(app.test_client())
    auditor, _ = staff_client(app, "auditor")
    assert queue_numbers(auditor, f"number={number}") == [number]
    page = auditor.get(f"/staff/zixi/case/{number}").get_data(as_text=True)
    assert "改为" not in page and "保存备注" not in page
    tok = token(auditor, "/staff/zixi/")
    for what in ("status", "note", "reply", "assign", "phone"):
        r = auditor.post(f"/staff/zixi/case/{number}/{what}", data={"csrf_token": tok, "status": "accepted",
                                                                    "text": "审计不能写"})
        assert r.status_code == 404, what
    assert auditor.get("/staff/zixi/audit").status_code == 200
    assert auditor.get("/staff/zixi/users").status_code == 403


@pytest.mark.parametrize("role", ["handler", "auditor"])
def test_only_admin_and_auditor_read_the_audit_log(app, role):
    client, _ = staff_client(app, role, ["gaofu"] if role == "handler" else [])
    expected = 404 if role == "handler" else 200
    assert client.get("/staff/zixi/audit").status_code == expected
    assert client.get("/staff/zixi/audit.csv").status_code == expected


def test_staff_forms_need_the_csrf_token(app):
    number, _ = file_complaint(app.test_client())
    admin, _ = staff_client(app, "admin")
    r = admin.post(f"/staff/zixi/case/{number}/status", data={"status": "accepted", "version": "1"})
    assert r.status_code == 400 and "页面已过期" in r.get_data(as_text=True)
    r = app.test_client().post("/staff/login", data={"username": "x", "password": "y"})
    assert r.status_code == 401 and "页面已过期" in r.get_data(as_text=True)
