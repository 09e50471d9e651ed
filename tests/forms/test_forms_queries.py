"""The eligibility query: the same answer as `build.py eligible`, stored with the data version."""
from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from forms_app.models import Case, local_date, utcnow
from .formhelpers import csrf, main_text


def _ask(client, **data):
    data["csrf_token"] = csrf(client, "/zixi/query")
    return client.post("/zixi/query", data=data)


def _latest(app) -> Case:
    with app.extensions["forms_db"].reading() as s:
        return s.scalars(select(Case).where(Case.kind == "query").order_by(Case.id.desc())).first()


def test_the_answer_is_what_build_eligible_answers(app, client, cli):
    response = _ask(client, person_category="poverty", age="70", sex="male", village="gaofu-gaofu",
                    diseases=["hypertension", "diabetes"], disabilities=["physical"])
    assert response.status_code == 303
    case = _latest(app)
    assert case.eligibility_input == {"category": "poverty", "age": 70, "sex": "male", "village": "gaofu-gaofu",
                                      "township": "gaofu", "diseases": ["diabetes", "hypertension"],
                                      "disabilities": ["physical"]}
    code, out, err = cli(["eligible"], json.dumps({"jurisdiction": "zixi", "date": local_date(utcnow()).isoformat(),
                                                  "person": case.eligibility_input}))
    assert code == 0, err
    assert case.eligibility_answer == json.loads(out)
    assert case.data_version == app.extensions["forms_policy"].versions["zixi"]
    page = main_text(client.get(response.headers["Location"]))
    for program in case.eligibility_answer["eligible"]:
        assert program["name"] in page
    assert case.number in page


def test_a_query_without_call_back_is_answered_and_closed(app, client):
    _ask(client, person_category="general")
    case = _latest(app)
    assert (case.status, case.callback_requested, case.phone_enc, case.decide_by) == ("closed", False, None, None)


def test_a_call_back_request_needs_a_phone_and_is_queued_for_staff(app, client):
    page = main_text(_ask(client, person_category="dibao", callback="y"))
    assert 'href="#phone"' in page and "要工作人员回电，请留一个电话" in page
    assert _ask(client, person_category="dibao", callback="y", phone="13912345678").status_code == 303
    case = _latest(app)
    assert (case.status, case.callback_requested, case.phone_masked) == ("submitted", True, "139****5678")
    assert case.decide_by is not None


def test_bad_answers_get_messages_naming_each_question(page_client):
    page = main_text(_ask(page_client, person_category="king", age="七十", sex="x", diseases=["plague"],
                          pregnant="maybe"))
    for field in ("person_category", "age", "sex", "diseases", "pregnant"):
        assert f'href="#{field}"' in page
    assert "0 到 150 之间的整数" in page


def test_full_width_age_is_understood(app, client):
    assert _ask(client, person_category="poverty", age="７０岁").status_code == 303
    assert _latest(app).eligibility_input["age"] == 70


def test_the_answer_is_by_the_policy_of_today_in_beijing(app, client, monkeypatch):
    """At 01:30 in Beijing the server's UTC clock still says the day before; the answer is by
    Beijing's day, as the screener on the resident's phone judges."""
    from forms_app.queries import views
    monkeypatch.setattr(views, "utcnow", lambda: dt.datetime(2026, 11, 25, 17, 30))
    _ask(client, person_category="general")
    assert _latest(app).eligibility_answer["date"] == "2026-11-26"


def test_not_knowing_the_category_hides_no_benefit_of_the_poor(app, client, policy):
    """The page used to advise "不清楚的，选普通城乡居民", which answered a poor resident as an
    ordinary one. "不清楚" is a choice now, and the answer says what each category would add."""
    form = main_text(client.get("/zixi/query"))
    assert "不清楚的，选“普通城乡居民”" not in form and 'value="unknown"' in form
    response = _ask(client, person_category="unknown", age="70", sex="male")
    assert response.status_code == 303
    page = main_text(client.get(response.headers["Location"]))
    assert "您说不清楚自己属于哪一类" in page
    j = policy.get("zixi")
    case = _latest(app)
    assert case.eligibility_input["category"] == j.baseline_category
    extras = {c["category"]: c["programs"] for c in case.eligibility_answer["if_category"]}
    poor = extras[j.categories["poverty"]["name"]]
    assert poor and all(name in page for name in poor)
    # what the poor get beyond an ordinary resident is exactly what `eligible` says for each
    from forms_app.queries.views import answer_for
    with app.app_context():
        base = {p["id"] for p in answer_for(j, {"category": j.baseline_category, "age": 70, "sex": "male"})["eligible"]}
        want = [p["name"] for p in answer_for(j, {"category": "poverty", "age": 70, "sex": "male"})["eligible"]
                if p["id"] not in base]
    assert poor == want
