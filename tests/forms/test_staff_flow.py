"""Issue 27: the staff side as clerks work — the queue keeps its place and puts the urgent first,
a call-back is a call, irreversible steps are confirmed and can be undone, what was typed survives
an expired login, deadlines say how they were counted and when they are estimates."""
from __future__ import annotations

import datetime as dt
import re
import time

from sqlalchemy import select, text

from forms_app import notify
from forms_app.models import AuditEntry, Case, CaseEvent, OutboxMessage, local_date, utcnow

from .formhelpers import csrf, file_complaint
from .staffhelpers import CSRF, PASSWORD, act, make_staff, queue_numbers, staff_client


def _case(app, number) -> Case:
    with app.extensions["forms_db"].reading() as s:
        return s.scalars(select(Case).where(Case.number == number)).one()


def _messages(app, number) -> list[OutboxMessage]:
    with app.extensions["forms_db"].reading() as s:
        return list(s.scalars(select(OutboxMessage).join(Case, Case.id == OutboxMessage.case_id)
                              .where(Case.number == number).order_by(OutboxMessage.id)))


def _set(app, number, **values):
    with app.extensions["forms_db"].writing() as s:
        sets = ", ".join(f"{k} = :{k}" for k in values)
        s.execute(text(f"UPDATE cases SET {sets} WHERE number = :n"), {**values, "n": number})


def _track(client, number, code) -> str:
    return client.post("/zixi/track", data={"number": number, "code": code,
                                            "csrf_token": csrf(client, "/zixi/track")}).get_data(as_text=True)


def _file_callback(client, **extra):
    data = {"person_category": "poverty", "age": "72", "sex": "male", "village": "gaofu-gaofu",
            "diseases": ["hypertension"], "callback": "y", "name": "李大爷", "phone": "13912340000", **extra}
    data["csrf_token"] = csrf(client, "/zixi/query")
    r = client.post("/zixi/query", data=data)
    assert r.status_code == 303, r.get_data(as_text=True)[:1000]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    number = re.search(r"编号 <strong>([^<]+)</strong>", page).group(1)
    code = re.search(r"查询码 <strong>([^<]+)</strong>", page).group(1).replace(" ", "")
    return number, code


# ------------------------------------------------------------------ 1. the queue

def test_the_queue_opens_on_open_cases_most_urgent_first(app):
    today = local_date(utcnow())
    declined, _ = file_complaint(app.test_client())
    overdue, _ = file_complaint(app.test_client())
    later, _ = file_complaint(app.test_client())
    admin, _ = staff_client(app, "admin")
    act(admin, "zixi", declined, "status", status="declined", text="不属于本县受理范围", confirm="1")
    # The declined case keeps an old decision deadline: it must not sort above the overdue one.
    _set(app, declined, decide_by=today - dt.timedelta(days=40))
    _set(app, overdue, decide_by=today - dt.timedelta(days=2))
    # The whole queue (the shared test database holds other tests' cases: more than one page).
    from forms_app.staff.queue import Filters, fetch_queue
    j = app.extensions["forms_policy"].get("zixi")
    from forms_app.models import StaffUser
    with app.extensions["forms_db"].reading() as s:
        user = s.scalars(select(StaffUser).where(StaffUser.role == "admin", StaffUser.jurisdiction == "zixi")).first()
    listed = [c.number for c in fetch_queue(app.extensions["forms_db"], user, Filters.from_args({}, j), today,
                                            page_size=None, j=j)[0]]
    assert declined not in listed and listed.index(overdue) < listed.index(later)
    everything = [c.number for c in fetch_queue(app.extensions["forms_db"], user, Filters.from_args({"f": "1"}, j),
                                                today, page_size=None, j=j)[0]]
    assert declined in everything and everything.index(overdue) < everything.index(later) < everything.index(declined)
    # The page shows the first 50 of that order.
    assert queue_numbers(admin, "") == listed[:50]


def test_counters_and_filters_for_what_needs_doing(app):
    today = local_date(utcnow())
    soon, _ = file_complaint(app.test_client())
    rated, _ = file_complaint(app.test_client())
    admin, _ = staff_client(app, "admin")
    _set(app, soon, decide_by=today + dt.timedelta(days=1))
    _set(app, rated, status="closed", rating=1, decide_by=None)
    assert soon in queue_numbers(admin, "due=soon") and rated not in queue_numbers(admin, "due=soon")
    assert soon in queue_numbers(admin, "unassigned=1")
    assert queue_numbers(admin, f"low=1&open=0&number={rated}") == [rated]
    page = admin.get("/staff/zixi/").get_data(as_text=True)
    for label in ("已超期", "快到期", "未分派", "申请复查", "评价低"):
        assert re.search(label + r" <strong>\d+</strong>", page), label
    # A handler who is disabled leaves cases behind: the queue says so and lists them.
    name = make_staff(app, "handler", ["gaofu"])
    with app.extensions["forms_db"].reading() as s:
        uid = s.scalar(text("SELECT id FROM staff_users WHERE username = :u"), {"u": name})
    assert act(admin, "zixi", soon, "assign", assignee=str(uid)).status_code == 303
    assert app.test_cli_runner().invoke(args=["staff", "disable", name]).exit_code == 0
    assert soon in queue_numbers(admin, "orphaned=1")
    assert "经办人已停用" in admin.get("/staff/zixi/").get_data(as_text=True)


def test_the_case_page_returns_to_the_queue_as_it_was(sqlite_app):
    number, _ = file_complaint(sqlite_app.test_client())
    admin, _ = staff_client(sqlite_app, "admin")
    admin.get(f"/staff/zixi/?f=1&open=1&township=gaofu&page=1&number={number[-6:]}")
    assert act(admin, "zixi", number, "status", status="accepted", text="").status_code == 303
    page = admin.get(f"/staff/zixi/case/{number}").get_data(as_text=True)
    back = re.search(r'href="([^"]+)" id="back"', page).group(1).replace("&amp;", "&")
    assert "township=gaofu" in back and f"number={number[-6:]}" in back and back.endswith(f"#c-{number}")
    assert f'id="c-{number}"' in admin.get(back.split("#")[0]).get_data(as_text=True)


def test_bulk_assign_from_the_queue(app):
    a, _ = file_complaint(app.test_client())
    b, _ = file_complaint(app.test_client())
    admin, admin_name = staff_client(app, "admin")
    handler = make_staff(app, "handler", ["gaofu"])
    with app.extensions["forms_db"].reading() as s:
        uid = s.scalar(text("SELECT id FROM staff_users WHERE username = :u"), {"u": handler})
    tok = CSRF.search(admin.get("/staff/zixi/").get_data(as_text=True)).group(1)
    r = admin.post("/staff/zixi/assign", data={"csrf_token": tok, "cases": [a, b], "assignee": str(uid)})
    assert r.status_code == 303
    assert _case(app, a).assigned_to == uid and _case(app, b).assigned_to == uid
    with app.extensions["forms_db"].reading() as s:
        assert s.scalar(select(text("count(*)")).select_from(AuditEntry).where(
            AuditEntry.action == "assign", AuditEntry.case_id.in_([_case(app, a).id, _case(app, b).id]))) == 2
    # A handler may take cases for himself only; each refusal is named.
    hclient, hname = staff_client(app, "handler", ["gaofu"])
    tok = CSRF.search(hclient.get("/staff/zixi/").get_data(as_text=True)).group(1)
    r = hclient.post("/staff/zixi/assign", data={"csrf_token": tok, "cases": [a], "assignee": str(uid)})
    assert r.status_code == 409 and a in r.get_data(as_text=True) and "只能把案件分派给自己" in r.get_data(as_text=True)


# ------------------------------------------------------------------ 2. call-backs

def test_a_call_back_is_a_call_not_a_complaint(app):
    resident = app.test_client()
    number, code = _file_callback(resident)
    case = _case(app, number)
    # Its own deadline (commitments.callback, days), not the 15-day decision.
    j = app.extensions["forms_policy"].get("zixi")
    from forms_app.deadlines import deadline
    assert case.decide_by == deadline(j, "callback", local_date(case.submitted_at)).day
    admin, _ = staff_client(app, "admin")
    page = admin.get(f"/staff/zixi/case/{number}").get_data(as_text=True)
    main = re.search(r"<main.*</main>", page, re.S).group(0)
    assert "待回电" in main and "回电期限" in main and '"category"' not in main and "poverty" not in main
    assert "72 岁" in main and "高血压" in main and "男" in main
    for program in case.eligibility_answer["eligible"]:  # the answer he saw
        assert program["name"] in main
    assert 'value="accepted"' not in main and "记为已回电" in main
    r = act(admin, "zixi", number, "status", status="closed", text="")
    assert r.status_code == 409 and "回电时说了什么" in r.get_data(as_text=True)
    r = act(admin, "zixi", number, "status", status="closed", text="已电话告知可办慢病卡，带身份证去卫生院")
    assert r.status_code == 303
    case = _case(app, number)
    assert case.status == "closed"
    sms = [m.body for m in _messages(app, number)]
    assert len(sms) == 1 and "回了电话" in sms[0] and "办结" not in sms[0] and "受理" not in sms[0]
    shown = _track(resident, number, code)
    assert "已回电" in shown and "办结" not in shown and "慢病卡" not in shown  # the call note stays internal
    assert "回电记录：已电话告知" in admin.get(f"/staff/zixi/case/{number}").get_data(as_text=True)


# ------------------------------------------------------------------ 4. confirm, undo, reopen

def test_a_decline_is_confirmed_held_and_can_be_undone(app):
    resident = app.test_client()
    number, code = file_complaint(resident)
    admin, _ = staff_client(app, "admin")
    r = act(admin, "zixi", number, "status", status="declined", text="不属于卫生健康部门职责")
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and "请确认" in body and "不属于卫生健康部门职责" in body
    assert _case(app, number).status == "submitted" and _messages(app, number) == []
    assert act(admin, "zixi", number, "status", status="declined", text="不属于卫生健康部门职责",
               confirm="1").status_code == 303
    (msg,) = _messages(app, number)
    assert "理由：不属于卫生健康部门职责" in msg.body and msg.next_attempt_at > utcnow() + dt.timedelta(minutes=9)
    sent = []

    class Sender:
        def send(self, phone, body):
            if number in body:  # other tests' messages share the database
                sent.append(body)
    notify.deliver_due(app.extensions["forms_db"], Sender(), app.extensions["forms_protector"].decrypt)
    assert sent == []  # held for the undo window
    assert "撤销这一步" in admin.get(f"/staff/zixi/case/{number}").get_data(as_text=True)
    assert act(admin, "zixi", number, "undo").status_code == 303
    assert _case(app, number).status == "submitted"
    assert [m.status for m in _messages(app, number)] == ["cancelled"]
    assert "不予受理" not in re.sub(r"<select.*?</select>", "", _track(resident, number, code), flags=re.S)
    notify.deliver_due(app.extensions["forms_db"], Sender(), app.extensions["forms_protector"].decrypt,
                       utcnow() + dt.timedelta(hours=1))
    assert sent == []
    with app.extensions["forms_db"].reading() as s:
        assert "undo" in set(s.scalars(select(AuditEntry.action).where(AuditEntry.case_id == _case(app, number).id)))


def test_undo_is_refused_after_the_window_and_the_administrator_reopens_with_a_reason(app):
    number, _ = file_complaint(app.test_client())
    admin, _ = staff_client(app, "admin")
    act(admin, "zixi", number, "status", status="accepted", text="")
    act(admin, "zixi", number, "status", status="closed", text="押金已全额退还给您", confirm="1")
    with app.extensions["forms_db"].writing() as s:
        s.execute(text("UPDATE case_events SET at = :t WHERE case_id = :c AND status_to = 'closed'"),
                  {"t": utcnow() - dt.timedelta(minutes=11), "c": _case(app, number).id})
    r = act(admin, "zixi", number, "undo")
    assert r.status_code == 409 and "重新打开" in r.get_data(as_text=True)
    handler, _ = staff_client(app, "handler", ["gaofu"])
    r = act(handler, "zixi", number, "reopen", reason="发现押金其实没有退")
    assert r.status_code == 409 and _case(app, number).status == "closed"
    r = act(admin, "zixi", number, "reopen", reason="")
    assert r.status_code == 409 and "重新打开的理由" in r.get_data(as_text=True)
    assert act(admin, "zixi", number, "reopen", reason="发现押金其实没有退").status_code == 303
    case = _case(app, number)
    assert case.status == "reopened" and case.reply_by is not None and case.closed_at is None
    with app.extensions["forms_db"].reading() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.case_id == case.id, AuditEntry.action == "reopen")).one()
    assert entry.after["reason"] == "发现押金其实没有退"


# ------------------------------------------------------------------ 3. typed text across an expired login

def test_a_reply_typed_when_the_login_expired_comes_back_after_logging_in(sqlite_app):
    number, _ = file_complaint(sqlite_app.test_client())
    client = sqlite_app.test_client()
    name = make_staff(sqlite_app, "admin")
    from .staffhelpers import login
    assert login(client, name).status_code == 303
    page = client.get(f"/staff/zixi/case/{number}").get_data(as_text=True)
    tok = CSRF.search(page).group(1)
    sqlite_app.config["STAFF_IDLE_MINUTES"] = 0
    time.sleep(1.1)
    typed = "您反映的押金问题，卫生院已承认并将在三日内退还。"
    r = client.post(f"/staff/zixi/case/{number}/reply", data={"csrf_token": tok, "text": typed})
    sqlite_app.config["STAFF_IDLE_MINUTES"] = 30
    body = r.get_data(as_text=True)
    assert r.status_code == 401 and "登录已过期" in body and typed in body
    assert 'name="draft_text"' in body
    action = re.search(r'<form method="post" novalidate action="([^"]+)"', body).group(1).replace("&amp;", "&")
    r = client.post(action, data={"username": name, "password": PASSWORD, "csrf_token": CSRF.search(body).group(1),
                                  "draft_text": typed})
    body = r.get_data(as_text=True)
    assert r.status_code == 200 and number in body and "您刚才写的内容还在" in body
    assert re.search(r'id="reply-text"[^>]*>' + re.escape(typed) + "<", body)
    with sqlite_app.extensions["forms_db"].reading() as s:  # shown again, not saved unseen
        assert not list(s.scalars(select(CaseEvent).where(CaseEvent.kind == "reply", CaseEvent.body == typed)))
    # ... and the page's forms work in the new session (its CSRF token is the new session's).
    r = client.post(f"/staff/zixi/case/{number}/reply", data={"csrf_token": CSRF.search(body).group(1), "text": typed})
    assert r.status_code == 303


# ------------------------------------------------------------------ 7. deadlines

def test_a_deadline_beyond_the_calendar_is_an_estimate_everywhere(app):
    resident = app.test_client()
    number, code = file_complaint(resident)
    admin, _ = staff_client(app, "admin")
    act(admin, "zixi", number, "status", status="accepted", text="")
    _set(app, number, reply_by=dt.date(2027, 3, 1))
    staff_page = admin.get(f"/staff/zixi/case/{number}").get_data(as_text=True)
    assert "估算" in staff_page and "还没有写进本县的工作日历" in staff_page
    assert "估算" in admin.get(f"/staff/zixi/?number={number}").get_data(as_text=True)
    assert "还没有写进本县的工作日历" in _track(resident, number, code)
    # The SMS of an acceptance whose deadline falls in 2027 says it is an estimate.
    from forms_app.lifecycle import current_deadline  # noqa: F401
    text_ = notify.sms_text("资溪县", _case(app, number), "accepted", estimated=True)
    assert "3月1日（估算" in text_


# ------------------------------------------------------------------ 6. the outbox without a sender

def test_manual_notification_and_a_reissued_lookup_code(app):
    resident = app.test_client()
    number, code = file_complaint(resident)
    admin, _ = staff_client(app, "admin")
    act(admin, "zixi", number, "status", status="accepted", text="")
    (msg,) = _messages(app, number)
    page = admin.get(f"/staff/zixi/outbox?status=todo&number={number}").get_data(as_text=True)
    assert f'id="m-{msg.id}"' in page and "139****5678" in page and "13912345678" not in page
    tok = CSRF.search(page).group(1)
    r = admin.post(f"/staff/zixi/outbox/{msg.id}/phone?status=todo&number={number}", data={"csrf_token": tok})
    assert r.status_code == 303  # a refresh of the page shown next does not reveal (and audit) again
    shown = admin.get(r.headers["Location"]).get_data(as_text=True)
    assert 'href="tel:+8613912345678"' in shown and f'id="m-{msg.id}"' in shown
    again = admin.get(r.headers["Location"]).get_data(as_text=True)
    assert "+8613912345678" not in again and "139****5678" in again
    assert admin.post(f"/staff/zixi/outbox/{msg.id}/manual", data={"csrf_token": tok}).status_code == 303
    assert [m.status for m in _messages(app, number)] == ["manual"]
    assert f'id="m-{msg.id}"' not in admin.get("/staff/zixi/outbox?status=todo").get_data(as_text=True)
    # A lost code: a new one, shown once; the old one no longer opens the case.
    r = act(admin, "zixi", number, "code")
    new = re.search(r'id="new-code".*?<p class="big">(\d{4}) (\d{4})</p>', r.get_data(as_text=True), re.S)
    new_code = new.group(1) + new.group(2)
    assert new_code != code
    assert "<h1>办理进度</h1>" not in _track(resident, number, code)
    assert "<h1>办理进度</h1>" in _track(resident, number, new_code)
    with app.extensions["forms_db"].reading() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.case_id == _case(app, number).id)))
    assert {"reveal_phone", "outbox_manual", "reissue_code"} <= set(actions)
    assert actions.count("reveal_phone") == 1


# ------------------------------------------------------------------ 5. the same filer's cases

def test_the_same_filers_earlier_cases_are_listed_without_the_numbers_in_clear(app):
    first, _ = file_complaint(app.test_client(), phone="13700001234", id_number=None)
    second, _ = file_complaint(app.test_client(), phone="13700001234", id_number=None, village="gaotian-gaotian",
                               institution="none")
    other, _ = file_complaint(app.test_client(), phone="13700009999", id_number=None)
    by_id, _ = file_complaint(app.test_client(), phone="13600005555", id_number="11010519491231002X")
    admin, _ = staff_client(app, "admin")
    page = admin.get(f"/staff/zixi/case/{first}").get_data(as_text=True)
    listed = re.search(r'id="same-filer">(.*?)</ul>', page, re.S).group(1)
    assert second in listed and other not in listed
    # Matched on keyed hashes: the stored index is not the number, nor its plain hash.
    case = _case(app, first)
    assert case.phone_index and "13700001234" not in case.phone_index and len(case.phone_index) == 64
    # The ID number matches on its own too (another phone, the same ID card).
    again, _ = file_complaint(app.test_client(), phone="13600006666", id_number="11010519491231002X")
    assert by_id in re.search(r'id="same-filer">(.*?)</ul>', admin.get(f"/staff/zixi/case/{again}")
                              .get_data(as_text=True), re.S).group(1)
    # A township handler sees only his own townships' cases among them.
    handler, _ = staff_client(app, "handler", ["gaofu"])
    assert second not in handler.get(f"/staff/zixi/case/{first}").get_data(as_text=True)
    # Searching by the phone's last digits works within one's scope and is audited.
    assert {first, second} <= set(queue_numbers(admin, "phone=1234&f=1"))
    assert second not in queue_numbers(handler, "phone=1234&f=1")
    with app.extensions["forms_db"].reading() as s:
        assert s.scalars(select(AuditEntry).where(AuditEntry.action == "search_phone")).first() is not None


def test_reindex_fills_the_index_of_cases_stored_before_it(app):
    number, _ = file_complaint(app.test_client(), phone="13700004321", id_number="11010519491231002X")
    _set(app, number, phone_index=None, id_number_index=None)
    result = app.test_cli_runner().invoke(args=["staff", "reindex-filers"])
    assert result.exit_code == 0 and "补上了" in result.output
    case = _case(app, number)
    protect = app.extensions["forms_protector"]
    assert case.phone_index == protect.blind_index("phone", "+8613700004321")
    assert case.id_number_index == protect.blind_index("id", "11010519491231002X")


# ------------------------------------------------------------------ 8. disabling a handler with open cases

def test_disabling_a_handler_asks_where_his_open_cases_go(app):
    number, _ = file_complaint(app.test_client())
    admin, _ = staff_client(app, "admin")
    leaving = make_staff(app, "handler", ["gaofu"])
    heir = make_staff(app, "handler", ["gaofu"])
    with app.extensions["forms_db"].reading() as s:
        ids = dict(s.execute(text("SELECT username, id FROM staff_users WHERE username IN (:a, :b)"),
                             {"a": leaving, "b": heir}).all())
    act(admin, "zixi", number, "assign", assignee=str(ids[leaving]))
    page = admin.get(f"/staff/zixi/users/{ids[leaving]}").get_data(as_text=True)
    assert "他手上还有 1 件未办结的案件" in page
    tok = CSRF.search(page).group(1)
    r = admin.post(f"/staff/zixi/users/{ids[leaving]}/disable", data={"csrf_token": tok})
    assert r.status_code == 400 and "交给谁" in r.get_data(as_text=True)
    r = admin.post(f"/staff/zixi/users/{ids[leaving]}/disable", data={"csrf_token": tok, "handover": str(ids[heir])})
    assert r.status_code == 303
    assert _case(app, number).assigned_to == ids[heir]


# ------------------------------------------------------------------ 9. the audit page

def test_the_audit_page_filters_by_case_person_and_beijing_date(app):
    one, _ = file_complaint(app.test_client())
    two, _ = file_complaint(app.test_client())
    admin, admin_name = staff_client(app, "admin")
    other, other_name = staff_client(app, "admin")
    act(admin, "zixi", one, "note", text="第一件的备注")
    act(other, "zixi", two, "note", text="第二件的备注")
    with app.extensions["forms_db"].reading() as s:
        other_id = s.scalar(text("SELECT id FROM staff_users WHERE username = :u"), {"u": other_name})
    page = admin.get(f"/staff/zixi/audit?case={one}").get_data(as_text=True)
    assert "第一件的备注" in page and "第二件的备注" not in page
    page = admin.get(f"/staff/zixi/audit?actor={other_id}").get_data(as_text=True)
    assert "第二件的备注" in page and "第一件的备注" not in page
    assert f"{other_name}（{other_name}）" in page  # the display name beside the user name
    today = local_date(utcnow())  # Beijing
    now_bj = utcnow().replace(tzinfo=dt.UTC).astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert now_bj.strftime("%Y-%m-%d %H:") in admin.get(f"/staff/zixi/audit?case={one}").get_data(as_text=True)
    assert "第一件的备注" in admin.get(f"/staff/zixi/audit?since={today}&until={today}").get_data(as_text=True)
    yesterday = today - dt.timedelta(days=1)
    assert "第一件的备注" not in admin.get(f"/staff/zixi/audit?until={yesterday}").get_data(as_text=True)
    history = admin.get(f"/staff/zixi/case/{one}/history").get_data(as_text=True)
    assert "第一件的备注" in history and "第二件的备注" not in history and f"{one} 的全部审计记录" in history
    handler, _ = staff_client(app, "handler", ["gaofu"])
    assert handler.get(f"/staff/zixi/case/{one}/history").status_code == 404


# ------------------------------------------------------------------ 16. the residents' form

def test_a_real_zixi_id_number_is_accepted_and_refusals_say_which_part_is_wrong():
    from wtforms.validators import ValidationError
    from stdnum.cn import ric
    from forms_app.formkit import parse_id_number

    body = "36102819550301002"  # 资溪县's area code, which python-stdnum's list does not know
    number = body + ric.calc_check_digit(body + "0")
    assert not ric.is_valid(number)  # what refused it before
    assert parse_id_number(number) == number
    for wrong, said in ((body + ("0" if number[-1] != "0" else "1"), "校验位对不上"),
                        ("36102819551301002", "不是有效的日期"), ("3610281955030100", "应是 18 位")):
        if len(wrong) == 17:
            wrong += ric.calc_check_digit(wrong + "0")
        try:
            parse_id_number(wrong)
        except ValidationError as exc:
            assert said in str(exc), (wrong, str(exc))
        else:
            raise AssertionError(wrong)


# ------------------------------------------------------------------ 14. late decisions

def test_a_late_decision_is_marked_on_the_case_and_in_the_csv(app):
    import csv
    import io
    number, _ = file_complaint(app.test_client())
    admin, _ = staff_client(app, "admin")
    _set(app, number, decide_by=local_date(utcnow()) - dt.timedelta(days=4))
    act(admin, "zixi", number, "status", status="accepted", text="")
    assert "受理决定晚了 4 天" in admin.get(f"/staff/zixi/case/{number}").get_data(as_text=True)
    export = admin.get(f"/staff/zixi/cases.csv?number={number}").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(export.lstrip("\ufeff"))))
    assert rows[0]["是否按期"] == "晚了 4 天" and rows[0]["受理日期"] == local_date(utcnow()).isoformat()


# ------------------------------------------------------------------ 12. an edit conflict names who changed what

def test_an_edit_conflict_names_who_changed_what_and_keeps_the_text(sqlite_app):
    number, _ = file_complaint(sqlite_app.test_client())
    first, _ = staff_client(sqlite_app, "admin")
    second, second_name = staff_client(sqlite_app, "admin")
    page = first.get(f"/staff/zixi/case/{number}").get_data(as_text=True)
    stale = re.search(r'name="version" value="(\d+)"', page).group(1)
    act(second, "zixi", number, "status", status="accepted", text="")
    r = first.post(f"/staff/zixi/case/{number}/status", data={
        "csrf_token": CSRF.search(page).group(1), "version": stale, "status": "declined",
        "text": "我写的不予受理理由"})
    body = r.get_data(as_text=True)
    assert r.status_code == 409 and f"{second_name} 在" in body and "改为“已受理”" in body
    assert "我写的不予受理理由" in body


def test_the_worked_examples_of_the_two_readings_in_commitments_yaml_are_what_the_code_counts(policy):
    """docs/readings.md quotes these (issue 21 item 4): calendar days moved off holidays, and the
    working-day alternative, from the same day."""
    from forms_app.deadlines import count
    for jid in ("zixi", "jixian"):
        j = policy.get(jid)
        for start, n, calendar_day, moved_from, working_day in (
                (dt.date(2026, 9, 20), 15, dt.date(2026, 10, 8), dt.date(2026, 10, 5), dt.date(2026, 10, 16)),
                (dt.date(2026, 3, 2), 60, dt.date(2026, 5, 6), dt.date(2026, 5, 1), dt.date(2026, 5, 28)),
                (dt.date(2026, 9, 10), 30, dt.date(2026, 10, 10), None, dt.date(2026, 10, 28))):
            d = count(j, "days", start, n)
            assert (d.day, d.moved_from, d.estimated) == (calendar_day, moved_from, False), (jid, start)
            assert count(j, "working_days", start, n).day == working_day, (jid, start)
        text = (j.folder / "commitments.yaml").read_text(encoding="utf-8")
        assert "顺延到 10-08；按工作日是 10-16" in text and "顺延到 05-06；按工作日是 05-28" in text
