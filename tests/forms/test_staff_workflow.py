"""A clerk takes a case from the queue to closed within its deadline, every action audited; invalid
transitions refused; deadlines in working days; overdue cases stand out; SMS through the outbox."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

from sqlalchemy import select, text

from forms_app import notify
from forms_app.deadlines import count, deadline
from forms_app.models import AuditEntry, Case, OutboxMessage, local_date, utcnow

from .formhelpers import file_complaint
from .staffhelpers import CSRF, act, login, make_staff, queue_numbers, staff_client


def _case(app, number) -> Case:
    with app.extensions["forms_db"].reading() as s:
        return s.scalars(select(Case).where(Case.number == number)).one()


def _audit(app, case_id) -> list[AuditEntry]:
    with app.extensions["forms_db"].reading() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.id)))


def test_queue_to_closed_within_the_deadline_every_action_audited(app, policy):
    resident = app.test_client()
    number, code = file_complaint(resident)
    admin, _ = staff_client(app, "admin")
    assert queue_numbers(admin, f"status=submitted&number={number}") == [number]
    assert queue_numbers(admin, f"status=accepted&number={number}") == []
    assert act(admin, "zixi", number, "status", status="accepted", text="").status_code == 303
    case = _case(app, number)
    j = policy.get("zixi")
    assert case.reply_by == deadline(j, "reply", local_date(case.accepted_at)).day
    assert act(admin, "zixi", number, "assign", assignee="").status_code == 303
    assert act(admin, "zixi", number, "note", text="已电话联系卫生院，内部先核实").status_code == 303
    assert act(admin, "zixi", number, "status", status="in_progress", text="").status_code == 303
    assert act(admin, "zixi", number, "reply", text="正在核实押金的事，请耐心等待").status_code == 303
    assert act(admin, "zixi", number, "status", status="closed", text="经核实，押金已全额退还",
               confirm="1").status_code == 303
    case = _case(app, number)
    assert case.status == "closed" and local_date(case.closed_at) <= case.reply_by
    actions = [e.action for e in _audit(app, case.id)]
    assert actions == ["status", "assign", "note", "status", "reply", "status"]
    first = _audit(app, case.id)[0]
    assert first.before["status"] == "submitted" and first.after["status"] == "accepted"
    # The filer sees public replies and status changes, never the internal note.
    page = resident.post("/zixi/track", data={"number": number, "code": code,
                                              "csrf_token": CSRF.search(resident.get("/zixi/track").get_data(as_text=True)).group(1)})
    body = page.get_data(as_text=True)
    assert "押金已全额退还" in body and "正在核实押金的事" in body and "内部先核实" not in body
    # Every status change queued an SMS to the named filer (the default sender: the outbox only).
    with app.extensions["forms_db"].reading() as s:
        texts = list(s.scalars(select(OutboxMessage.body).where(OutboxMessage.case_id == case.id)))
    assert len(texts) == 4 and all(number in t and "/zixi/track" in t and len(t) <= 160 for t in texts)
    assert "已办结。答复：经核实，押金已全额退还" in texts[-1] and "新的答复：正在核实押金的事" in texts[-2]


def test_invalid_transitions_are_refused(app):
    number, _ = file_complaint(app.test_client())
    admin, _ = staff_client(app, "admin")
    r = act(admin, "zixi", number, "status", status="closed", text="直接办结不行的答复")
    assert r.status_code == 409 and "不能从" in r.get_data(as_text=True)
    r = act(admin, "zixi", number, "status", status="declined", text="")
    assert r.status_code == 409 and "不予受理的理由" in r.get_data(as_text=True)
    r = act(admin, "zixi", number, "status", status="reopened", text="员工复查")
    assert r.status_code == 409 and "投诉人" in r.get_data(as_text=True)
    assert act(admin, "zixi", number, "status", status="accepted", text="").status_code == 303
    r = act(admin, "zixi", number, "status", status="closed", text="")
    assert r.status_code == 409 and "答复" in r.get_data(as_text=True)
    assert _case(app, number).status == "accepted"
    assert [e.action for e in _audit(app, _case(app, number).id)] == ["status"]  # refusals change nothing


def test_stale_row_version_is_refused(app):
    number, _ = file_complaint(app.test_client())
    admin, _ = staff_client(app, "admin")
    r = act(admin, "zixi", number, "status", status="accepted", text="", version="99")
    assert r.status_code == 409 and "刚被别人改过" in r.get_data(as_text=True)


def test_extension_is_bounded_approved_and_moves_the_deadline(app, policy):
    number, _ = file_complaint(app.test_client())
    admin, _ = staff_client(app, "admin")
    act(admin, "zixi", number, "status", status="accepted", text="")
    before = _case(app, number).reply_by
    today = local_date(utcnow()).isoformat()
    approval = {"approver": "县卫健局 李局长", "approved_on": today}
    r = act(admin, "zixi", number, "status", status="extended", text="情况复杂需要调查", days="31", **approval)
    assert r.status_code == 409 and "最多还能延长 30 天" in r.get_data(as_text=True)
    r = act(admin, "zixi", number, "status", status="extended", text="", days="5", **approval)
    assert r.status_code == 409 and "延期的理由" in r.get_data(as_text=True)
    # The regulation's "经……负责人批准": who approved and when are required and recorded.
    r = act(admin, "zixi", number, "status", status="extended", text="情况复杂需要调查", days="10")
    assert r.status_code == 409 and "批准延期的负责人" in r.get_data(as_text=True)
    assert act(admin, "zixi", number, "status", status="extended", text="情况复杂需要调查", days="10",
               **approval).status_code == 303
    case = _case(app, number)
    j = policy.get("zixi")
    assert case.extended_days == 10
    assert case.reply_by == count(j, j.commitments["extend_max"].unit, before, 10).day
    entry = _audit(app, case.id)[-1]
    assert entry.after["approved_by"] == "县卫健局 李局长" and entry.after["approved_on"] == today
    page = admin.get(f"/staff/zixi/case/{number}").get_data(as_text=True)
    assert f"经县卫健局 李局长于{today}批准" in page and "期限怎么算的" in page


def test_overdue_cases_stand_out_and_filter(app):
    number, _ = file_complaint(app.test_client())
    fresh, _ = file_complaint(app.test_client())
    db = app.extensions["forms_db"]
    with db.writing() as s:  # as if filed long ago
        s.execute(text("UPDATE cases SET decide_by = :d WHERE number = :n"),
                  {"d": local_date(utcnow()) - dt.timedelta(days=3), "n": number})
    admin, _ = staff_client(app, "admin")
    page = admin.get("/staff/zixi/?overdue=1").get_data(as_text=True)
    assert number in page and fresh not in page and "已超期" in page
    card = re.search(rf'<li class="case-card overdue" id="c-{number}">\s*<input[^>]+>\s*<a class="case-no" href="[^"]+">{number}</a>', page)
    assert card, "the overdue case is marked"


def test_queue_and_csv_mask_personal_data(app):
    number, _ = file_complaint(app.test_client(), phone="13912345678", id_number="11010519491231002X")
    admin, _ = staff_client(app, "admin")
    page = admin.get("/staff/zixi/").get_data(as_text=True)
    assert "139****5678" in page and "13912345678" not in page
    export = admin.get("/staff/zixi/cases.csv?category=deposit_charged")
    assert export.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(export.get_data(as_text=True).lstrip("\ufeff"))))
    row = next(r for r in rows if r[0] == number)
    assert "139****5678" in row and "110105********002X" in row
    assert not any("13912345678" in c or "押金，说是" in c or "王某甲" in c for c in row)
    # The full number only on purpose, and that look is audited.
    r = act(admin, "zixi", number, "phone")
    assert r.status_code == 303  # POST → redirect → GET: a refresh does not reveal (and audit) again
    kept = app.session_interface.get_signing_serializer(app).loads(admin.get_cookie("session").value)
    assert kept["staff_revealed"]["phone"] and "13912345678" not in json.dumps(kept)  # encrypted in the cookie
    shown = admin.get(r.headers["Location"]).get_data(as_text=True)
    assert 'href="tel:+8613912345678"' in shown
    again = admin.get(r.headers["Location"]).get_data(as_text=True)  # the refresh
    assert "+8613912345678" not in again and "139****5678" in again
    assert [e.action for e in _audit(app, _case(app, number).id)] == ["reveal_phone"]


def test_a_revealed_phone_is_for_its_own_case_and_one_view_only(app):
    number, _ = file_complaint(app.test_client(), phone="13912345678")
    other, _ = file_complaint(app.test_client(), phone="13800001111")
    admin, _ = staff_client(app, "admin")
    r = act(admin, "zixi", number, "phone")
    assert "+8613912345678" not in admin.get(f"/staff/zixi/case/{other}").get_data(as_text=True)
    assert "+8613912345678" not in admin.get(r.headers["Location"]).get_data(as_text=True)  # taken by the look above


def test_citizen_text_is_escaped_on_staff_pages(app):
    number, _ = file_complaint(app.test_client(), description="<script>alert(1)</script> 押金被收了两千元")
    admin, _ = staff_client(app, "admin")
    page = admin.get(f"/staff/zixi/case/{number}")
    body = page.get_data(as_text=True)
    assert "<script>alert(1)" not in body and "&lt;script&gt;" in body
    assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert "<script>" not in re.sub(r'<script src="[^"]+" defer></script>', "", body)


class FlakySender:
    """Fails the first `failures` sends of one case's messages (other tests' messages go through)."""

    def __init__(self, failures: int, number: str):
        self.failures, self.number, self.sent = failures, number, []

    def send(self, phone, text):
        if self.number not in text:
            return
        if self.failures:
            self.failures -= 1
            raise notify.SendError("网关超时")
        self.sent.append((phone, text))


def test_failed_sms_is_retried_and_visible(app):
    number, _ = file_complaint(app.test_client())
    admin, _ = staff_client(app, "admin")
    act(admin, "zixi", number, "status", status="accepted", text="")
    db, decrypt = app.extensions["forms_db"], app.extensions["forms_protector"].decrypt
    sender = FlakySender(failures=1, number=number)
    now = utcnow()
    case_id = _case(app, number).id
    notify.deliver_due(db, sender, decrypt, now)
    with db.reading() as s:
        msg = s.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case_id)).one()
    assert msg.status == "pending" and msg.attempts == 1 and "网关超时" in msg.last_error
    assert "网关超时" in admin.get("/staff/zixi/outbox").get_data(as_text=True)
    notify.deliver_due(db, sender, decrypt, now)  # not due yet: backoff
    assert sender.sent == []
    notify.deliver_due(db, sender, decrypt, now + dt.timedelta(minutes=2))
    assert sender.sent == [("+8613912345678", msg.body)]
    with db.reading() as s:
        assert s.get(OutboxMessage, msg.id).status == "sent"


def test_sms_gives_up_after_max_attempts_and_staff_can_retry(app):
    number, _ = file_complaint(app.test_client())
    admin, _ = staff_client(app, "admin")
    act(admin, "zixi", number, "status", status="accepted", text="")
    db, decrypt = app.extensions["forms_db"], app.extensions["forms_protector"].decrypt
    case_id = _case(app, number).id
    sender = FlakySender(failures=100, number=number)
    t = utcnow()
    for _ in range(notify.MAX_ATTEMPTS):
        notify.deliver_due(db, sender, decrypt, t)
        t += dt.timedelta(hours=3)
    with db.reading() as s:
        msg = s.scalars(select(OutboxMessage).where(OutboxMessage.case_id == case_id)).one()
    assert msg.status == "failed" and msg.attempts == notify.MAX_ATTEMPTS
    page = admin.get("/staff/zixi/outbox").get_data(as_text=True)
    assert "发送失败" in page and "重新发送" in page
    tok = CSRF.search(page).group(1)
    assert admin.post(f"/staff/zixi/outbox/{msg.id}/retry", data={"csrf_token": tok}).status_code == 303
    with db.reading() as s:
        assert s.get(OutboxMessage, msg.id).status == "pending"


def test_anonymous_filer_gets_no_sms(app):
    number, _ = file_complaint(app.test_client(), anonymous="y", name=None, phone=None, id_number=None)
    admin, _ = staff_client(app, "admin")
    act(admin, "zixi", number, "status", status="accepted", text="")
    with app.extensions["forms_db"].reading() as s:
        assert not list(s.scalars(select(OutboxMessage).where(OutboxMessage.case_id == _case(app, number).id)))


def test_filer_rates_or_asks_for_review_which_reopens(app):
    resident = app.test_client()
    number, code = file_complaint(resident)
    admin, _ = staff_client(app, "admin")
    act(admin, "zixi", number, "status", status="accepted", text="")
    act(admin, "zixi", number, "status", status="closed", text="押金已退还给您", confirm="1")
    page = resident.post("/zixi/track", data={"number": number, "code": code,
                                              "csrf_token": CSRF.search(resident.get("/zixi/track").get_data(as_text=True)).group(1)})
    tok = CSRF.search(page.get_data(as_text=True)).group(1)
    wrong = resident.post("/zixi/track/feedback", data={"number": number, "code": "00000000", "action": "review",
                                                        "reason": "还没有退钱给我", "csrf_token": tok})
    assert wrong.status_code == 404 and _case(app, number).status == "closed"
    rated = resident.post("/zixi/track/feedback", data={"number": number, "code": code, "action": "rate",
                                                        "rating": "2", "csrf_token": tok})
    assert rated.status_code == 200 and _case(app, number).rating == 2
    review = resident.post("/zixi/track/feedback", data={"number": number, "code": code, "action": "review",
                                                         "reason": "钱其实还没有退给我", "csrf_token": tok})
    assert review.status_code == 200 and "复查" in review.get_data(as_text=True)
    case = _case(app, number)
    assert case.status == "reopened" and case.reply_by is not None and case.closed_at is None
    assert [e.action for e in _audit(app, case.id)][-2:] == ["filer_rating", "filer_review"]
    log = re.sub(r"\s+", " ", admin.get("/staff/zixi/audit").get_data(as_text=True))
    assert "<strong>投诉人评价</strong> 投诉人 ·" in log and "<strong>投诉人申请复查</strong> 投诉人 ·" in log
    assert act(admin, "zixi", number, "status", status="in_progress", text="").status_code == 303


def test_audit_export_lists_actions_and_the_log_refuses_changes(app):
    number, _ = file_complaint(app.test_client())
    admin, _ = staff_client(app, "admin")
    act(admin, "zixi", number, "status", status="accepted", text="")
    auditor, _ = staff_client(app, "auditor")
    export = auditor.get("/staff/zixi/audit.csv").get_data(as_text=True)
    assert number in export and "status" in export and "user_create" in export
    db = app.extensions["forms_db"]
    statements = ["UPDATE audit_log SET action = 'x'", "DELETE FROM audit_log"]
    if not db.is_sqlite:
        statements.append("TRUNCATE audit_log")  # bypasses row triggers: refused by a statement trigger
    for sql in statements:
        try:
            with db.writing() as s:
                s.execute(text(sql))
        except Exception as exc:  # noqa: BLE001
            assert "append-only" in str(exc)
        else:
            raise AssertionError(f"{sql} was allowed")


HOSTILE = ["<script>alert(1)</script>", "x" * 100_000, "\x00\x01控制字符", "'; DROP TABLE cases; --", "-1", "99999999999",
           "１２", ""]


def test_hostile_values_in_every_staff_field_get_a_message_never_a_500(app):
    number, _ = file_complaint(app.test_client())
    admin, _ = staff_client(app, "admin")
    for what, fields in (("status", ("status", "text", "days", "version")), ("assign", ("assignee", "version")),
                         ("note", ("text",)), ("reply", ("text",))):
        for field in fields:
            for value in HOSTILE:
                data = {"status": "accepted", "text": "说明文字足够长", "days": "1", "assignee": ""}
                data[field] = value
                r = act(admin, "zixi", number, what, **data)
                assert r.status_code in (303, 400, 409), (what, field, value[:20], r.status_code)
                if r.status_code == 409:
                    assert 'class="error-summary"' in r.get_data(as_text=True)
    page = admin.get(f"/staff/zixi/case/{number}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "\x00" not in page
    with app.extensions["forms_db"].reading() as s:
        bodies = list(s.scalars(select(text("body")).select_from(text("case_events"))))
    assert all(b is None or (len(b) <= 2000 and "\x00" not in b) for b in bodies)


def test_the_audit_page_and_export_show_changes_field_by_field_in_chinese_with_personal_data_masked(app):
    number, _ = file_complaint(app.test_client(), village="gaofu-gaofu")
    admin, _ = staff_client(app, "admin")
    handler_name = make_staff(app, "handler", ["gaofu"])
    assert act(admin, "zixi", number, "status", status="accepted", text="").status_code == 303
    assert act(admin, "zixi", number, "status", status="in_progress", text="").status_code == 303
    assert act(admin, "zixi", number, "note", text="已电话联系 13912345678，身份证 11010519491231002X").status_code == 303
    assert app.test_cli_runner().invoke(args=["staff", "role", handler_name, "--role", "handler",
                                              "--township", "gaotian"]).exit_code == 0
    login(app.test_client(), "13800001111")  # a phone number typed as a user name
    login(app.test_client(), handler_name, "wrong-password-x")
    auditor, _ = staff_client(app, "auditor")
    page = auditor.get("/staff/zixi/audit").get_data(as_text=True)
    export = auditor.get("/staff/zixi/audit.csv").get_data(as_text=True)
    for shown in (page, export):
        assert '{"status"' not in shown and "&#34;status&#34;" not in shown  # no raw JSON
        assert "13912345678" not in shown and "139****5678" in shown
        assert "11010519491231002X" not in shown and "110105********002X" in shown
        assert "13800001111" not in shown
    assert '状态：<span class="old">已收到，等待受理</span> → 已受理' in page
    assert '状态：<span class="old">已受理</span> → 正在办理' in page
    assert '负责的乡镇：<span class="old">高阜镇</span> → 高田乡' in page
    assert f"账号：{handler_name}" in page  # the changed account is named
    assert "状态：已受理 → 正在办理" in export and "负责的乡镇：" in export and "操作代码" in export
    # Who, when no staff account did it: the failed login's nobody, the command on the server.
    flat = re.sub(r"\s+", " ", page)
    assert "<strong>登录失败</strong> （未登录）" in flat and "<strong>修改账号</strong> 命令行" in flat
    actors = {(row["操作代码"], row["操作人"]) for row in csv.DictReader(io.StringIO(export.lstrip("\ufeff")))}
    assert {("login_failed", "（未登录）"), ("user_update", "命令行")} <= actors
