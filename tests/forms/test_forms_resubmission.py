"""A retry of a submission (same resubmission id) gets the first receipt back, never a second case:
the web forms (hidden field), the API (Idempotency-Key), and two retries racing each other."""
from __future__ import annotations

import datetime as dt
import re
import threading
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from forms_app import store
from forms_app.models import Case, Resubmission

from .formhelpers import complaint_data, csrf

RID = re.compile(r'name="resubmission_id" value="([^"]*)"')


def _cases_with(app, text: str) -> list[str]:
    with app.extensions["forms_db"].reading() as s:
        return list(s.scalars(select(Case.number).where(Case.description.contains(text))))


def _receipt(client, response) -> tuple[str, str]:
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    return (re.search(r'id="case-number">([^<]+)<', page).group(1),
            re.search(r'id="lookup-code">([^<]+)<', page).group(1).replace(" ", ""))


def _form(client, path="/zixi/complaint") -> tuple[str, str]:
    page = client.get(path).get_data(as_text=True)
    return (re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1),
            RID.search(page).group(1))


def test_every_rendering_of_the_form_has_a_new_resubmission_id(page_client):
    ids = {_form(page_client)[1] for _ in range(3)}
    assert len(ids) == 3 and all(len(i) >= 16 for i in ids)


def test_the_same_complaint_sent_twice_is_stored_once_with_the_same_receipt(app):
    client = app.test_client()
    token, rid = _form(client)
    text = f"重复提交测试 {uuid.uuid4().hex}"
    data = complaint_data(description=text, csrf_token=token, resubmission_id=rid)
    first = _receipt(client, client.post("/zixi/complaint", data=data))
    # The answer was lost (or the resident tapped twice): the browser sends the same form again,
    # here from a second client with the same page (the cookie jar is no help: the answer never came).
    again = app.test_client()
    with client.session_transaction() as sess:
        saved = dict(sess)
    with again.session_transaction() as sess:
        sess.update({k: v for k, v in saved.items() if k != "receipt"})
    second = _receipt(again, again.post("/zixi/complaint", data=data))
    assert second == first
    assert _cases_with(app, text) == [first[0]]
    # The code shown again is the real one: the lookup works with it.
    track = client.post("/zixi/track", data={"number": first[0], "code": first[1], "website": "",
                                              "csrf_token": csrf(client, "/zixi/track")})
    assert track.status_code == 200 and first[0] in track.get_data(as_text=True)


def test_the_same_page_sent_with_other_contents_shows_no_code_and_stores_nothing(app):
    client = app.test_client()
    token, rid = _form(client)
    text = f"改了内容再提交 {uuid.uuid4().hex}"
    number, code = _receipt(client, client.post("/zixi/complaint", data=complaint_data(
        description=text, csrf_token=token, resubmission_id=rid)))
    changed = client.post("/zixi/complaint", data=complaint_data(description=text + "（补充）", csrf_token=token,
                                                                 resubmission_id=rid))
    page = changed.get_data(as_text=True)
    assert changed.status_code == 200 and "已经提交过" in page and number in page
    assert code not in page and code[:4] + " " + code[4:] not in page
    assert _cases_with(app, text) == [number]
    # The form comes back with a new id: sending it now is a second complaint, knowingly.
    new_rid = RID.search(page).group(1)
    assert new_rid != rid
    again = _receipt(client, client.post("/zixi/complaint", data=complaint_data(
        description=text + "（补充）", csrf_token=token, resubmission_id=new_rid)))
    assert again[0] != number and sorted(_cases_with(app, text)) == sorted([number, again[0]])


def test_a_corrected_form_keeps_its_resubmission_id(page_client):
    token, rid = _form(page_client)
    wrong = page_client.post("/zixi/complaint", data=complaint_data(phone="123", csrf_token=token,
                                                                    resubmission_id=rid))
    assert wrong.status_code == 200 and RID.search(wrong.get_data(as_text=True)).group(1) == rid


def test_the_same_query_sent_twice_is_stored_once(app):
    client = app.test_client()
    token, rid = _form(client, "/zixi/query")
    data = {"person_category": next(iter(app.extensions["forms_policy"].get("zixi").categories)), "age": "70",
            "callback": "y", "phone": "13912345678", "name": f"重复{uuid.uuid4().hex[:6]}",
            "csrf_token": token, "resubmission_id": rid, "website": ""}
    first = client.post("/zixi/query", data=data)
    second = client.post("/zixi/query", data=data)
    assert first.status_code == second.status_code == 303
    with app.extensions["forms_db"].reading() as s:
        assert s.scalar(select(func.count(Case.id)).where(Case.filer_name == data["name"])) == 1


API = "/api/open311/v2/requests.json"


def _api_body(text: str, **extra) -> dict:
    return {"jurisdiction_id": "zixi", "service_code": "other", "address_id": "gaofu-gaofu", "description": text,
            **extra}


def test_an_api_retry_with_the_same_key_gets_the_same_request(app):
    client = app.test_client()
    text, key = f"接口重试 {uuid.uuid4().hex}", str(uuid.uuid4())
    first = client.post(API, data=_api_body(text), headers={"Idempotency-Key": key})
    second = client.post(API, data=_api_body(text), headers={"Idempotency-Key": f'"{key}"'})  # the draft's quoted form
    assert first.status_code == second.status_code == 201
    assert first.get_json() == second.get_json()
    assert "Idempotent-Replayed" not in first.headers and second.headers["Idempotent-Replayed"] == "true"
    assert _cases_with(app, text) == [first.get_json()[0]["service_request_id"]]
    got = first.get_json()[0]
    read = client.get(f"{API.removesuffix('.json')}/{got['service_request_id']}.json",
                      query_string={"jurisdiction_id": "zixi", "token": got["token"]})
    assert read.status_code == 200
    # The documented parameter does the same as the header.
    key2 = uuid.uuid4().hex
    a = client.post(API, data=_api_body(text + "二", idempotency_key=key2))
    b = client.post(API, data=_api_body(text + "二", idempotency_key=key2))
    assert a.status_code == b.status_code == 201 and a.get_json() == b.get_json()


def test_an_api_key_reused_for_other_contents_is_refused(app):
    client = app.test_client()
    text, key = f"接口换内容 {uuid.uuid4().hex}", str(uuid.uuid4())
    assert client.post(API, data=_api_body(text), headers={"Idempotency-Key": key}).status_code == 201
    other = client.post(API, data=_api_body(text + "不一样"), headers={"Idempotency-Key": key})
    assert other.status_code == 422 and "Idempotency-Key" in other.get_json()[0]["description"]
    assert len(_cases_with(app, text)) == 1
    # Without a key, or with another one, a client may of course file the same text twice.
    assert client.post(API, data=_api_body(text)).status_code == 201
    assert len(_cases_with(app, text)) == 2


@pytest.mark.parametrize("key", ["short", "x" * 101, "有中文的键有中文的键有中文的键有中文", "with space in it 123"])
def test_an_unusable_api_key_is_a_clear_error(page_client, key):
    r = page_client.post(API, data=_api_body("键不对的请求", idempotency_key=key))
    assert r.status_code == 400 and r.get_json()[0]["description"].startswith("Idempotency-Key:")


def test_a_retry_after_the_replay_window_gets_no_receipt(app):
    db = app.extensions["forms_db"]
    once = store.Once(uuid.uuid4().hex * 2, "f" * 64)
    new = store.NewCase(jurisdiction="zixi", prefix="ZX", kind="complaint", status="submitted", data_version="t",
                        description="过期的重试")
    then = dt.datetime(2026, 3, 1, 8, 0)
    case, replayed = store.save_case_once(db, new, once, lambda n: "0" * 64, lambda d: None, now=then)
    assert not replayed
    assert store.save_case_once(db, new, once, lambda n: "0" * 64, lambda d: None,
                                now=then + dt.timedelta(hours=1))[0].number == case.number
    with pytest.raises(store.ResubmissionConflict) as late:
        store.save_case_once(db, new, once, lambda n: "0" * 64, lambda d: None,
                             now=then + dt.timedelta(hours=store.REPLAY_HOURS + 1))
    assert late.value.reason == "expired" and late.value.number == case.number


def test_two_retries_racing_store_one_case(app, monkeypatch):
    """Both retries pass the "seen before?" check before either has stored anything (a barrier
    holds them there): on PostgreSQL the unique constraint must turn the second into a replay. On
    SQLite the writer lock lets only one in at a time, so the barrier times out and the second
    retry's check finds the first case."""
    db = app.extensions["forms_db"]
    barrier = threading.Barrier(2)
    checks, integrity = [], []
    real_earlier = store._earlier

    def earlier_then_wait(session, once, now):
        found = real_earlier(session, once, now)
        checks.append(found)
        if found is None and len(checks) <= 2:
            try:
                barrier.wait(timeout=3)
            except threading.BrokenBarrierError:
                pass
        return found

    monkeypatch.setattr(store, "_earlier", earlier_then_wait)
    once = store.Once(uuid.uuid4().hex * 2, "e" * 64)
    text = f"并发重试 {uuid.uuid4().hex}"
    new = store.NewCase(jurisdiction="zixi", prefix="ZX", kind="complaint", status="submitted", data_version="t",
                        description=text)
    results, failures = [], []

    def work():
        try:
            results.append(store.save_case_once(db, new, once, lambda n: "0" * 64, lambda d: None))
        except Exception as exc:  # noqa: BLE001 - asserted below
            failures.append(repr(exc))

    real_writing = db.writing

    @contextmanager
    def writing_noting_conflicts():
        try:
            with real_writing() as s:
                yield s
        except IntegrityError:
            integrity.append(True)
            raise

    monkeypatch.setattr(db, "writing", writing_noting_conflicts)
    threads = [threading.Thread(target=work) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    assert len({case.number for case, _ in results}) == 1
    assert sorted(replayed for _, replayed in results) == [False, True]
    assert _cases_with(app, text) == [results[0][0].number]
    with db.reading() as s:
        assert s.scalar(select(func.count(Resubmission.id)).where(Resubmission.key_hash == once.key_hash)) == 1
    if db.is_sqlite:
        assert checks.count(None) == 1 and not integrity
    else:  # both passed the check; the constraint decided
        assert checks[:2] == [None, None] and integrity == [True]


def test_two_api_retries_at_once_get_one_request(app):
    text, key = f"接口并发 {uuid.uuid4().hex}", str(uuid.uuid4())
    start = threading.Barrier(4)
    answers = []

    def post():
        client = app.test_client()
        start.wait()
        r = client.post(API, data=_api_body(text), headers={"Idempotency-Key": key})
        answers.append((r.status_code, r.get_json()[0]["service_request_id"]))

    threads = [threading.Thread(target=post) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {status for status, _ in answers} == {201}
    assert len({number for _, number in answers}) == 1
    assert _cases_with(app, text) == [answers[0][1]]
