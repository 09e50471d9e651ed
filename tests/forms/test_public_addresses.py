"""The forms app's public addresses (issue 20): per jurisdiction from jurisdiction.yaml, the
environment overriding them, and production refusing addresses residents cannot open."""
from __future__ import annotations

import secrets

import pytest
from cryptography.fernet import Fernet

from forms_app import ConfigError, create_app
from forms_app.notify import sms_text

from .formhelpers import file_complaint_page, make_app


def _production(monkeypatch, tmp_path, policy):
    monkeypatch.setenv("FORMS_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", secrets.token_urlsafe(48))
    monkeypatch.setenv("FORMS_ENCRYPTION_KEY", Fernet.generate_key().decode())
    return lambda: create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/x.db", "POLICY": policy})


def test_production_refuses_the_samples_example_addresses(monkeypatch, tmp_path, policy):
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("FORMS_URL", raising=False)
    start = _production(monkeypatch, tmp_path, policy)
    with pytest.raises(ConfigError) as refused:
        start()
    message = str(refused.value)
    assert "资溪县（zixi）的公开地址 https://zixi.example.org" in message and "保留给示例和测试用的域名" in message
    assert "集贤县（jixian）的公开地址 https://forms.jixian.example.org" in message and "FORMS_URL" in message


def test_production_refuses_a_loopback_override_and_starts_with_public_ones(monkeypatch, tmp_path, policy):
    start = _production(monkeypatch, tmp_path, policy)
    monkeypatch.setenv("SITE_URL", "https://ybj.example.gov.cn")
    monkeypatch.setenv("FORMS_URL", "http://127.0.0.1:5000")
    with pytest.raises(ConfigError, match="http://127.0.0.1:5000 是本机地址"):
        start()
    monkeypatch.setenv("FORMS_URL", "https://ts.example.gov.cn")
    app = start()
    app.extensions["forms_db"].dispose()


def test_pages_and_receipts_link_each_jurisdiction_at_its_own_address(policy, sqlite_url, monkeypatch):
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.delenv("FORMS_URL", raising=False)
    app = make_app(policy, sqlite_url, SITE_URL=None, FORMS_URL=None)
    client = app.test_client()
    assert 'href="https://zixi.example.org/zixi/"' in client.get("/zixi/complaint").get_data(as_text=True)
    assert 'href="https://jixian.example.org/jixian/"' in client.get("/jixian/complaint").get_data(as_text=True)
    _number, _code, receipt = file_complaint_page(client)  # the receipt is shown once
    assert "网址：https://forms.zixi.example.org/zixi/track" in receipt
    app.extensions["forms_db"].dispose()


def test_the_sms_names_the_lookup_page_at_the_public_address():
    # Issue 27: the SMS carries the lookup address (a longer text goes out as a concatenated SMS;
    # tests/forms/test_staff_workflow.py keeps each under 160 characters).
    class Case:
        kind, number, status, reply_by = "complaint", "ZX-2026-000001", "received", None
    text = sms_text("资溪县", Case(), link="https://ts.zixi.gov.cn/zixi/track")
    assert text.endswith("凭编号和查询码可在网上查看：https://ts.zixi.gov.cn/zixi/track。")
