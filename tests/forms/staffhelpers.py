"""Helpers for the staff-side tests: accounts made through the real CLI, logins like a browser."""
from __future__ import annotations

import re
import uuid

PASSWORD = "correct-horse-battery"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def make_staff(app, role: str, townships=(), jid: str = "zixi", password: str = PASSWORD) -> str:
    name = f"{role}-{uuid.uuid4().hex[:8]}"
    args = ["staff", "add", name, "--jurisdiction", jid, "--role", role, "--name", name, "--password-stdin"]
    for t in townships:
        args += ["--township", t]
    result = app.test_cli_runner().invoke(args=args, input=password + "\n")
    assert result.exit_code == 0, result.output
    return name


def token(client, path: str) -> str:
    return CSRF.search(client.get(path).get_data(as_text=True)).group(1)


def login(client, username: str, password: str = PASSWORD):
    return client.post("/staff/login", data={"username": username, "password": password,
                                             "csrf_token": token(client, "/staff/login")})


def staff_client(app, role: str, townships=(), jid: str = "zixi"):
    client = app.test_client()
    name = make_staff(app, role, townships, jid)
    response = login(client, name)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    return client, name


def act(client, jid: str, number: str, what: str, **data):
    """POST one of the case page's forms with a fresh token and the current row version."""
    page = client.get(f"/staff/{jid}/case/{number}").get_data(as_text=True)
    version = re.search(r'name="version" value="(\d+)"', page)
    data.setdefault("csrf_token", CSRF.search(page).group(1))
    if version and "version" not in data:
        data["version"] = version.group(1)
    return client.post(f"/staff/{jid}/case/{number}/{what}", data=data)


def staff_routes(prefix: str = "/staff/<jid>") -> list[tuple[str, str]]:
    """Every (rule, method) of the staff blueprint under `prefix`, read from the blueprint itself:
    a new staff page is covered by the tests that go through them without editing those."""
    from flask import Flask

    from forms_app.staff.views import bp
    probe = Flask("routes")
    probe.register_blueprint(bp)
    return sorted({(rule.rule, m) for rule in probe.url_map.iter_rules() if rule.rule.startswith(prefix)
                   for m in rule.methods if m in ("GET", "POST")})


def queue_numbers(client, query: str = "", jid: str = "zixi") -> list[str]:
    """The case numbers listed on the queue page for `query` (not the search box's echo)."""
    html = client.get(f"/staff/{jid}/?{query}").get_data(as_text=True)
    return re.findall(r'class="case-no"[^>]*>([^<]+)<', html)
