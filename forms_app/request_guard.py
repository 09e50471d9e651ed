"""Checks on the raw request, before any form is parsed or any database is asked.

- A form body may hold at most MAX_FORM_PARTS fields. Werkzeug parses an urlencoded body whole
  with no limit on the number of fields, so half a million empty parameters in 4 MB cost a worker
  a second each; counting the separators first costs microseconds. Multipart bodies get the same
  cap through Flask's MAX_FORM_PARTS.
- NUL (`%00`) anywhere in the path, the query or a form body is refused with 400: no field has
  a use for it, and PostgreSQL refuses it in text (a 500 otherwise).
"""
from __future__ import annotations

from flask import Flask, abort, request

MAX_FORM_PARTS = 200  # the longest form (the eligibility query with every box ticked) has ~60


def install(app: Flask) -> None:
    app.config.setdefault("MAX_FORM_PARTS", MAX_FORM_PARTS)
    # First of all before_request functions: the limiter and the views see only checked requests.
    app.before_request_funcs.setdefault(None, []).insert(0, _guard)


def _guard():
    if "\x00" in request.path or b"%00" in request.query_string or b"\x00" in request.query_string:
        abort(400)
    if request.method in ("POST", "PUT", "PATCH") and request.mimetype == "application/x-www-form-urlencoded":
        body = request.get_data(cache=True)  # bounded by MAX_CONTENT_LENGTH; the form parser reuses it
        if body.count(b"&") >= MAX_FORM_PARTS:
            abort(413)
        if b"%00" in body or b"\x00" in body:
            abort(400)
