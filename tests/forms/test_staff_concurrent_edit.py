"""Issue 23, cause 6: two staff saving one case at once. The second gets 409 with the case as it
now is and what they typed still in the form, never a 500 that loses the text. PostgreSQL only:
on SQLite a writing transaction holds the write lock from its first read, so the two queue."""
from __future__ import annotations

import html

import pytest
from sqlalchemy import text

from forms_app.staff import workflow

from .formhelpers import PG, file_complaint
from .staffhelpers import act, staff_client


@pytest.mark.skipif(not PG, reason="PostgreSQL 不可达")
@pytest.mark.parametrize("what, field", [("status", "status-text"), ("note", "note-text"), ("reply", "reply-text")])
def test_a_concurrent_save_answers_409_and_keeps_the_text(policy, pg_url, monkeypatch, what, field):
    from .formhelpers import make_app
    app = make_app(policy, pg_url)
    try:
        number, _ = file_complaint(app.test_client())
        admin, _ = staff_client(app, "admin")
        real = workflow._text
        engine = app.extensions["forms_db"].engine

        def someone_else_saves_meanwhile(*args, **kwargs):
            # Between this request's read of the case and its write, another worker saves it.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("UPDATE cases SET row_version = row_version + 1 WHERE number = :n"), {"n": number})
            return real(*args, **kwargs)
        monkeypatch.setattr(workflow, "_text", someone_else_saves_meanwhile)
        typed = "已电话联系医院 <核实> 押金情况"
        data = {"text": typed}
        if what == "status":
            data["status"] = "accepted"
        r = act(admin, "zixi", number, what, **data)
        page = r.get_data(as_text=True)
        assert r.status_code == 409, page[:300]
        assert "刚被别人改过" in page
        textarea = page[page.index(f'id="{field}"'):]
        assert textarea[textarea.index(">") + 1:].startswith(html.escape(typed, quote=False))
    finally:
        app.extensions["forms_db"].dispose()
