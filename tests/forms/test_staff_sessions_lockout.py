"""Issue 23, causes 2, 3, 8 and 15: the lockout counts atomically (login and /staff/password),
sessions can be ended (logout, password change and reset, disable/enable, lock end every copy of
the cookie), one answer for unknown, locked and disabled accounts, the last active administrator
stays, weak passwords are refused. On both databases."""
from __future__ import annotations

import re
import threading
import time

import pytest

from forms_app.models import StaffUser
from forms_app.staff import accounts

from .staffhelpers import CSRF, PASSWORD, login, make_staff, staff_client, token


def _user(app, username: str) -> StaffUser:
    with app.extensions["forms_db"].reading() as s:
        return s.query(StaffUser).filter_by(username=username).one()


def _copy(client, app):
    """A second browser holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    assert thief.get("/staff/zixi/").status_code == 200
    return thief


def _logged_out(client) -> bool:
    """The next staff page sends to the login page (not, say, to the forced password change)."""
    r = client.get("/staff/zixi/")
    return r.status_code == 302 and "/staff/login" in r.headers["Location"]


def _count_real_checks(monkeypatch):
    """Count the password checks against a real account's hash (not the timing dummy), slowly,
    so concurrent attempts overlap as they do with production's argon2 cost."""
    checks = []
    real = accounts._verify

    def counting(hashed, password):
        if hashed != accounts._DUMMY_HASH:
            checks.append(password)
        time.sleep(0.02)
        return real(hashed, password)
    monkeypatch.setattr(accounts, "_verify", counting)
    return checks


def test_concurrent_wrong_logins_check_at_most_five_passwords(app, monkeypatch):
    name = make_staff(app, "handler", ["gaofu"])
    checks = _count_real_checks(monkeypatch)
    db = app.extensions["forms_db"]
    start = threading.Barrier(24)

    def guess(i):
        start.wait()
        accounts.authenticate(db, name, f"wrong-guess-{i}")
    threads = [threading.Thread(target=guess, args=(i,)) for i in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(checks) <= accounts.MAX_FAILURES, len(checks)
    assert _user(app, name).locked_until is not None
    assert login(app.test_client(), name).status_code == 401  # locked: even the right password


def test_wrong_current_passwords_on_the_password_page_lock_the_account(app, monkeypatch):
    client, name = staff_client(app, "handler", ["gaofu"])
    checks = _count_real_checks(monkeypatch)
    for i in range(8):
        tok = token(client, "/staff/password")
        client.post("/staff/password", data={"csrf_token": tok, "current": f"guess-number-{i}",
                                             "new": "Fresh-harbour-lantern-7", "repeat": "Fresh-harbour-lantern-7"})
        if _user(app, name).locked_until is not None:
            break
    assert len(checks) == accounts.MAX_FAILURES
    assert _user(app, name).locked_until is not None
    assert _logged_out(client)  # the lock ended this session too


def test_logout_ends_every_copy_of_the_session(app):
    client, _ = staff_client(app, "admin")
    thief = _copy(client, app)
    client.post("/staff/logout", data={"csrf_token": token(client, "/staff/zixi/")})
    assert _logged_out(thief)


def test_own_password_change_ends_other_sessions_and_keeps_this_one(app):
    client, _ = staff_client(app, "handler", ["gaofu"])
    thief = _copy(client, app)
    tok = token(client, "/staff/password")
    r = client.post("/staff/password", data={"csrf_token": tok, "current": PASSWORD,
                                             "new": "Orchid-kettle-river-42", "repeat": "Orchid-kettle-river-42"})
    assert r.status_code == 303, r.get_data(as_text=True)[:500]
    assert _logged_out(thief)
    assert client.get("/staff/zixi/").status_code == 200


@pytest.mark.parametrize("action", ["password", "disable+enable", "lock"])
def test_administrator_actions_and_a_lock_end_the_accounts_sessions(app, action):
    admin, _ = staff_client(app, "admin")
    worker, name = staff_client(app, "handler", ["gaofu"])
    uid = _user(app, name).id
    thief = _copy(worker, app)

    def post(what):
        page = admin.get(f"/staff/zixi/users/{uid}").get_data(as_text=True)
        return admin.post(f"/staff/zixi/users/{uid}/{what}", data={"csrf_token": CSRF.search(page).group(1)})
    if action == "lock":
        for _ in range(accounts.MAX_FAILURES):
            login(app.test_client(), name, "wrong-password-x")
    else:
        for what in action.split("+"):
            assert post(what).status_code in (200, 303)
    assert _logged_out(thief)
    assert _logged_out(worker)


def test_unknown_locked_and_disabled_accounts_get_the_same_answer(app):
    locked = make_staff(app, "handler", ["gaofu"])
    for _ in range(accounts.MAX_FAILURES):
        login(app.test_client(), locked, "wrong-password-x")
    disabled = make_staff(app, "handler", ["gaofu"])
    assert app.test_cli_runner().invoke(args=["staff", "disable", disabled]).exit_code == 0
    known = make_staff(app, "handler", ["gaofu"])

    def answer(name, password):
        r = login(app.test_client(), name, password)
        page = r.get_data(as_text=True)
        return r.status_code, re.search(r'<div class="error-summary".*?</div>', page, re.S).group(0)
    wrong = answer(known, "wrong-password-x")
    assert answer("nobody-at-all-x", "wrong-password-x") == wrong
    assert answer(locked, PASSWORD) == wrong
    assert answer(disabled, PASSWORD) == wrong  # the right password of a disabled account confirms nothing
    assert answer(disabled, "wrong-password-x") == wrong


def test_the_timing_dummy_is_made_at_the_first_login_that_needs_it_at_the_configured_cost(sqlite_app, monkeypatch):
    """A wrong name is checked against a dummy hash, as long as a real check. The dummy is made when
    first needed, not when the app starts (two hashes at the default cost were 0.5 s of CPU in every
    `flask` command and gunicorn worker), with the parameters the app configured."""
    assert accounts._DUMMY_HASH is None  # create_app configured the hasher and hashed nothing
    checked = []
    real = accounts._verify
    monkeypatch.setattr(accounts, "_verify", lambda hashed, password: checked.append(hashed) or real(hashed, password))
    for _ in range(2):
        assert login(sqlite_app.test_client(), "nobody-at-all-x", "wrong-password-x").status_code == 401
    assert len(checked) == 2 and checked[0] == checked[1] == accounts._DUMMY_HASH
    assert checked[0].startswith("$argon2id$v=19$m=1024,t=1,p=1$")  # the app's (the tests' cheap) parameters


@pytest.mark.parametrize("password", ["password123", "qwertyuiop", "1234567890", "aaaaaaaaaaaa", "weakling-2026"])
def test_weak_passwords_are_refused(sqlite_app, password):
    result = sqlite_app.test_cli_runner().invoke(
        args=["staff", "add", "weakling", "--name", "weakling", "--jurisdiction", "zixi", "--role", "auditor", "--password-stdin"],
        input=password + "\n")
    assert result.exit_code != 0 and ("常见密码" in result.output or "太容易猜" in result.output), result.output


def test_a_weak_new_password_is_refused_on_the_password_page(sqlite_app):
    client, _ = staff_client(sqlite_app, "auditor")
    tok = token(client, "/staff/password")
    r = client.post("/staff/password", data={"csrf_token": tok, "current": PASSWORD,
                                             "new": "password1234", "repeat": "password1234"})
    assert r.status_code == 400 and ("常见密码" in r.get_data(as_text=True) or "太容易猜" in r.get_data(as_text=True))


def test_two_administrators_cannot_disable_each_other(fresh_app):
    app = fresh_app
    a, a_name = staff_client(app, "admin")
    b, b_name = staff_client(app, "admin")
    a_id, b_id = _user(app, a_name).id, _user(app, b_name).id

    def disable(client, uid):
        page = client.get(f"/staff/zixi/users/{uid}").get_data(as_text=True)
        return client.post(f"/staff/zixi/users/{uid}/disable", data={"csrf_token": CSRF.search(page).group(1)})
    tokens = {}
    for client, uid in ((a, b_id), (b, a_id)):
        page = client.get(f"/staff/zixi/users/{uid}").get_data(as_text=True)
        tokens[uid] = CSRF.search(page).group(1)
    results = {}
    start = threading.Barrier(2)

    def go(client, uid):
        start.wait()
        results[uid] = client.post(f"/staff/zixi/users/{uid}/disable", data={"csrf_token": tokens[uid]}).status_code
    threads = [threading.Thread(target=go, args=(a, b_id)), threading.Thread(target=go, args=(b, a_id))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    actives = [u for u in (_user(app, a_name), _user(app, b_name)) if u.active]
    assert len(actives) == 1, results
    # and the one left cannot be demoted by the CLI-free way either: no admin would remain
    survivor = a if actives[0].username == a_name else b
    other_id = b_id if survivor is a else a_id
    assert disable(survivor, other_id).status_code in (200, 303)  # already disabled: nothing changes
    assert _user(app, actives[0].username).active
