"""The county administrator's account pages: create, role and townships, disable/enable, password
reset with a forced change, unlock; every action audited and CSRF-protected; handlers and auditors
get 403 on every account route, and nobody reaches another jurisdiction's accounts."""
from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest

from forms_app.audit import fetch_entries
from forms_app.models import StaffUser

from .staffhelpers import CSRF, PASSWORD, login, make_staff, staff_client, staff_routes, token


def _user(app, username: str) -> StaffUser:
    with app.extensions["forms_db"].reading() as s:
        return s.query(StaffUser).filter_by(username=username).one()


ACCOUNT_ROUTES = staff_routes("/staff/<jid>/users")


def test_every_account_route_is_listed():
    rules = {rule for rule, _ in ACCOUNT_ROUTES}
    assert {"/staff/<jid>/users", "/staff/<jid>/users/<int:uid>", "/staff/<jid>/users/<int:uid>/role",
            "/staff/<jid>/users/<int:uid>/disable", "/staff/<jid>/users/<int:uid>/enable",
            "/staff/<jid>/users/<int:uid>/password", "/staff/<jid>/users/<int:uid>/unlock"} <= rules


@pytest.mark.parametrize("role", ["handler", "auditor"])
def test_handlers_and_auditors_get_403_on_every_account_route(app, role):
    target = make_staff(app, "handler", ["gaotian"])
    target_id = _user(app, target).id
    client, _ = staff_client(app, role, ["gaofu"] if role == "handler" else [])
    tok = token(client, "/staff/zixi/")
    data = {"csrf_token": tok, "username": "intruder-x", "display_name": "越权", "role": "admin",
            "townships": ["gaofu", "gaotian"]}
    for rule, method in ACCOUNT_ROUTES:
        url = rule.replace("<jid>", "zixi").replace("<int:uid>", str(target_id))
        r = client.get(url) if method == "GET" else client.post(url, data=data)
        assert r.status_code == 403, (rule, method)
        assert target not in r.get_data(as_text=True)  # nothing about the other township's account
    after = _user(app, target)
    assert (after.role, after.townships, after.active) == ("handler", ["gaotian"], True)
    assert not any(e["action"] == "user_create" and (e["after"] or {}).get("username") == "intruder-x"
                   for e in fetch_entries(app.extensions["forms_db"], "zixi", limit=None))


def test_the_queue_links_to_accounts_only_for_the_administrator(app):
    handler, _ = staff_client(app, "handler", ["gaofu"])
    admin, _ = staff_client(app, "admin")
    assert "/staff/zixi/users" not in handler.get("/staff/zixi/").get_data(as_text=True)
    assert "/staff/zixi/users" in admin.get("/staff/zixi/").get_data(as_text=True)


def _create(admin, **fields):
    data = {"csrf_token": token(admin, "/staff/zixi/users"), "username": "", "display_name": "", "role": "handler",
            "townships": []}
    data.update(fields)
    return admin.post("/staff/zixi/users", data=data)


def test_an_administrator_creates_an_account_whose_temporary_password_must_be_changed(app):
    admin, admin_name = staff_client(app, "admin")
    username = f"zhang-{uuid.uuid4().hex[:8]}"
    r = _create(admin, username=username, display_name="张<b>三</b>", role="handler", townships=["gaofu", "gaotian"])
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "张&lt;b&gt;三&lt;/b&gt;" in page
    temp = re.search(r'id="temp-password">([^<]+)<', page).group(1)
    account = _user(app, username)
    assert (account.role, account.townships, account.must_change_password) == ("handler", ["gaofu", "gaotian"], True)
    assert temp not in account.password_hash and account.password_hash.startswith("$argon2")
    # The page does not show the temporary password again.
    assert temp not in admin.get(f"/staff/zixi/users/{account.id}").get_data(as_text=True)

    newcomer = app.test_client()
    assert login(newcomer, username, temp).status_code == 303
    for url in ("/staff/zixi/", "/staff/zixi/outbox"):  # nothing else until the password is changed
        r = newcomer.get(url)
        assert r.status_code == 302 and r.headers["Location"].endswith("/staff/password")
    tok = token(newcomer, "/staff/password")
    short = newcomer.post("/staff/password", data={"csrf_token": tok, "current": temp, "new": "short", "repeat": "short"})
    assert short.status_code == 400 and "至少 10 个字符" in short.get_data(as_text=True)
    ok = newcomer.post("/staff/password", data={"csrf_token": tok, "current": temp, "new": "my-own-secret-1",
                                                "repeat": "my-own-secret-1"})
    assert ok.status_code == 303
    assert newcomer.get("/staff/zixi/").status_code == 200
    assert login(app.test_client(), username, temp).status_code == 401
    assert login(app.test_client(), username, "my-own-secret-1").status_code == 303

    entries = [e for e in fetch_entries(app.extensions["forms_db"], "zixi", limit=None)
               if e["action"] in ("user_create", "password_change") and
               username in ((e["after"] or {}).get("username", ""), e["actor"])]
    assert [e["action"] for e in reversed(entries)] == ["user_create", "password_change"]
    assert entries[-1]["actor"] == admin_name
    assert all(temp not in str(e) and "my-own-secret" not in str(e) for e in entries)


def test_creation_refuses_bad_input_with_a_message(app):
    admin, _ = staff_client(app, "admin")
    taken = make_staff(app, "auditor")
    for fields, message in [({"username": "a", "display_name": "甲"}, "3 到 60 个字符"),
                            ({"username": "bad name!", "display_name": "甲"}, "3 到 60 个字符"),
                            ({"username": taken, "display_name": "甲", "townships": ["gaofu"]}, "已经有人用了"),
                            ({"username": "newhandler1", "display_name": "甲", "townships": []}, "至少要负责一个乡镇"),
                            ({"username": "newhandler2", "display_name": "甲", "townships": ["nowhere"]}, "请从列表里选乡镇"),
                            ({"username": "newhandler3", "display_name": "甲", "role": "root"}, "选一个角色")]:
        r = _create(admin, **fields)
        assert r.status_code == 400 and message in r.get_data(as_text=True), fields
    with app.extensions["forms_db"].reading() as s:
        assert s.query(StaffUser).filter(StaffUser.username.like("newhandler%")).count() == 0


def test_role_townships_disable_enable_reset_and_unlock_are_audited_before_and_after(app):
    admin, admin_name = staff_client(app, "admin")
    name = make_staff(app, "handler", ["gaofu"])
    uid = _user(app, name).id
    worker = app.test_client()
    assert login(worker, name).status_code == 303

    def post(what, **data):
        page = admin.get(f"/staff/zixi/users/{uid}").get_data(as_text=True)
        data.setdefault("csrf_token", CSRF.search(page).group(1))
        return admin.post(f"/staff/zixi/users/{uid}/{what}", data=data)

    assert post("role", role="handler", townships=["gaotian"]).status_code == 303
    assert _user(app, name).townships == ["gaotian"]
    assert post("disable").status_code == 303
    assert worker.get("/staff/zixi/").status_code == 302  # the session ends at once
    assert login(app.test_client(), name).status_code == 401
    assert post("enable").status_code == 303
    assert login(worker, name).status_code == 303
    reset = post("password")
    temp = re.search(r'id="temp-password">([^<]+)<', reset.get_data(as_text=True)).group(1)
    assert login(app.test_client(), name).status_code == 401  # the old password is gone
    assert _user(app, name).must_change_password
    for _ in range(5):
        login(app.test_client(), name, "wrong-password-x")
    until = _user(app, name).locked_until
    assert until is not None
    shown = f"锁定到 {(until + dt.timedelta(hours=8)):%Y-%m-%d %H:%M}（北京时间）"  # stored in UTC, read in Beijing
    assert shown in admin.get("/staff/zixi/users").get_data(as_text=True)
    assert shown in admin.get(f"/staff/zixi/users/{uid}").get_data(as_text=True)
    assert post("unlock").status_code == 303
    assert _user(app, name).locked_until is None
    assert login(app.test_client(), name, temp).status_code == 303

    mine = [e for e in reversed(fetch_entries(app.extensions["forms_db"], "zixi", limit=None))
            if e["actor"] == admin_name and e["action"].startswith("user_")]
    assert [e["action"] for e in mine] == ["user_update", "user_update", "user_update", "user_password", "user_unlock"]
    assert mine[0]["before"]["townships"] == ["gaofu"] and mine[0]["after"]["townships"] == ["gaotian"]
    assert (mine[1]["before"]["active"], mine[1]["after"]["active"]) == (True, False)
    assert (mine[2]["before"]["active"], mine[2]["after"]["active"]) == (False, True)
    assert mine[3]["after"]["must_change_password"] is True and temp not in str(mine[3])


def test_account_forms_need_the_csrf_token(app):
    admin, _ = staff_client(app, "admin")
    name = make_staff(app, "handler", ["gaofu"])
    uid = _user(app, name).id
    for what in ("role", "disable", "password", "unlock"):
        r = admin.post(f"/staff/zixi/users/{uid}/{what}", data={"role": "admin"})
        assert r.status_code == 400 and "页面已过期" in r.get_data(as_text=True), what
    r = admin.post("/staff/zixi/users", data={"username": "nocsrf1", "display_name": "甲", "role": "admin"})
    assert r.status_code == 400
    after = _user(app, name)
    assert (after.role, after.active, after.must_change_password) == ("handler", True, False)


def test_an_administrator_cannot_lock_themselves_out(app):
    admin, admin_name = staff_client(app, "admin")
    uid = _user(app, admin_name).id
    tok = token(admin, f"/staff/zixi/users/{uid}")
    r = admin.post(f"/staff/zixi/users/{uid}/disable", data={"csrf_token": tok})
    assert r.status_code == 400 and "不能停用自己" in r.get_data(as_text=True)
    r = admin.post(f"/staff/zixi/users/{uid}/role", data={"csrf_token": tok, "role": "auditor"})
    assert r.status_code == 400 and "不能改自己的角色" in r.get_data(as_text=True)
    assert _user(app, admin_name).role == "admin" and _user(app, admin_name).active


def test_another_jurisdictions_accounts_are_out_of_reach(app):
    admin, _ = staff_client(app, "admin")
    other = make_staff(app, "admin", jid="jixian")
    other_id = _user(app, other).id
    assert other not in admin.get("/staff/zixi/users").get_data(as_text=True)
    assert admin.get(f"/staff/zixi/users/{other_id}").status_code == 404
    tok = token(admin, "/staff/zixi/users")
    for what in ("role", "disable", "password", "unlock"):
        assert admin.post(f"/staff/zixi/users/{other_id}/{what}",
                          data={"csrf_token": tok, "role": "auditor"}).status_code == 404
    assert admin.get("/staff/jixian/users").status_code == 404
    assert _user(app, other).active and _user(app, other).role == "admin"


def test_own_password_needs_the_current_one(app):
    client, name = staff_client(app, "auditor")
    tok = token(client, "/staff/password")
    r = client.post("/staff/password", data={"csrf_token": tok, "current": "not-it-at-all", "new": "another-secret-2",
                                             "repeat": "another-secret-2"})
    assert r.status_code == 400 and "原来的密码不对" in r.get_data(as_text=True)
    r = client.post("/staff/password", data={"csrf_token": tok, "current": PASSWORD, "new": "another-secret-2",
                                             "repeat": "another-secret-3"})
    assert r.status_code == 400 and "不一样" in r.get_data(as_text=True)
    assert login(app.test_client(), name).status_code == 303


def test_a_lock_that_has_run_out_is_no_longer_shown(app):
    from sqlalchemy import update

    admin, _ = staff_client(app, "admin")
    name = make_staff(app, "handler", ["gaofu"])
    uid = _user(app, name).id
    past = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=1)
    with app.extensions["forms_db"].writing() as s:
        s.execute(update(StaffUser).where(StaffUser.id == uid).values(locked_until=past))
    row = re.search(rf"<tr[^>]*>(?:(?!</tr>).)*{name}(?:(?!</tr>).)*</tr>", admin.get("/staff/zixi/users").get_data(as_text=True), re.S)
    assert row and "在用" in row.group(0) and "锁定" not in row.group(0)
    assert "锁定到" not in admin.get(f"/staff/zixi/users/{uid}").get_data(as_text=True)
    assert login(app.test_client(), name).status_code == 303  # and it no longer holds at the login
