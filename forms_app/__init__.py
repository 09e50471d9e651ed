"""The forms app: residents file complaints and eligibility queries and follow their cases.

`create_app(test_config=None)` reads its settings from the environment (config.py); tests pass
overrides. Run with `flask --app forms_app db upgrade` then `flask --app forms_app run`.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from .config import ConfigError, from_env
from .db import Database
from .protect import Protector

__all__ = ["create_app", "ConfigError"]


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(from_env(Path(app.instance_path)))
    if test_config:
        app.config.update(test_config)
    app.extensions["forms_db"] = Database(app.config["DATABASE_URL"])
    # Without Redis the counters live in the database, so every worker shares one budget
    # (rate_storage.py); tests may choose "memory://" for counters of their own.
    from . import rate_storage  # noqa: F401 - registers the formsdb:// storage with `limits`

    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "formsdb://")
    if app.config["RATELIMIT_STORAGE_URI"].startswith("formsdb:"):
        app.config["RATELIMIT_STORAGE_OPTIONS"] = {"db": app.extensions["forms_db"]}
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    if app.config.get("PROXIES"):  # FORMS_PROXIES: the client's address and scheme from the proxy's headers
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.json.ensure_ascii = False
    app.json.sort_keys = False

    from .policy_source import PolicySource

    policy = app.config.get("POLICY") or PolicySource.load(app.config["DATA_DIR"], app.config["CASE_PREFIXES"])
    app.extensions["forms_policy"] = policy
    app.extensions["forms_protector"] = Protector(app.config["ENCRYPTION_KEYS"], app.config["LOOKUP_PEPPER"])

    from .limits import limiter
    from .staff.accounts import configure_hasher

    configure_hasher(app.config.get("ARGON2_PARAMS"))

    from .request_guard import install as install_request_guard

    limiter.init_app(app)
    install_request_guard(app)
    _register_blueprints(app)
    _register_errors(app)
    _register_headers(app)
    _register_templates(app, policy)
    if app.config["PRODUCTION"]:
        from .addresses import public_problems

        problems = public_problems(app)
        if problems:
            raise ConfigError("FORMS_ENV=production 时公开地址必须是群众能打开的网址：\n" + "\n".join(problems))

    from .audit_cli import audit_cli
    from .cli import db_cli
    from .ops_cli import backup_cmd, outbox_cli, restore_cmd, stats_cli
    from .staff.cli import staff_cli

    for command in (db_cli, staff_cli, stats_cli, backup_cmd, restore_cmd, outbox_cli, audit_cli):
        app.cli.add_command(command)
    return app


def _register_blueprints(app: Flask) -> None:
    from .api.views import bp as api
    from .complaints.views import bp as complaints
    from .home import bp as home
    from .queries.views import bp as queries
    from .staff.views import bp as staff
    from .tracking.feedback import bp as feedback
    from .tracking.views import bp as tracking

    for bp in (home, complaints, queries, tracking, feedback, api, staff):
        app.register_blueprint(bp)


def _register_headers(app: Flask) -> None:
    from .security import add_headers, add_hsts

    app.after_request(add_headers)
    if app.config["PRODUCTION"]:
        app.after_request(add_hsts)


ERROR_TEXT = {
    400: "提交的内容有误，请返回上一页再试一次。",
    403: "您的账号没有权限做这件事。需要的话，请找县级管理员。",
    404: "没有这个页面。请检查网址，或从县里的健康扶贫网站进入。",
    405: "请从页面上的按钮提交。",
    413: "提交的内容太长了，请删减后再试。",
    429: "尝试次数太多了。为了保护大家的信息，请过一个小时再试；着急的话请打县里的投诉电话。",
    500: "系统出了点问题，您的内容没有保存。请稍后再试，或打县里的投诉电话。",
}


def _register_errors(app: Flask) -> None:
    def handle(exc):
        code = exc.code if isinstance(exc, HTTPException) and exc.code else 500
        text = ERROR_TEXT.get(code, ERROR_TEXT[400] if code < 500 else ERROR_TEXT[500])
        if request.path.startswith("/api/"):
            return jsonify([{"code": code, "description": text}]), code
        return render_template("error.html", code=code, text=text), code

    app.register_error_handler(HTTPException, handle)

    @app.errorhandler(Exception)
    def _unexpected(exc):
        app.logger.exception("unexpected error")
        return handle(exc)


def _register_templates(app: Flask, policy) -> None:
    from builder.urls import page_url, track_url

    from .addresses import forms_root, site_root

    from .deadlines import reading as deadline_reading
    from policy.money import fmt

    from .formkit import zh
    from .policy_source import drug_label
    from .lifecycle import status_name
    from .models import local_date, local_time

    from flask_wtf.csrf import generate_csrf

    app.jinja_env.globals["csrf_token"] = generate_csrf
    app.jinja_env.filters["zh"] = zh
    app.jinja_env.filters["cn_date"] = lambda utc: local_date(utc).isoformat()
    app.jinja_env.filters["cn_time"] = lambda utc: local_time(utc).strftime("%Y-%m-%d %H:%M")
    # The reading mark (按本县理解 / 示例数字) of the commitment a deadline comes from.
    app.jinja_env.globals["reading"] = lambda j, commitment, utc: deadline_reading(j, commitment, local_date(utc))
    app.jinja_env.globals.update(
        site_page=lambda jid, path="": page_url(jid, path, site_root(jid, app)),
        versions=policy.versions, status_name=status_name,
        track_link=lambda jid: track_url(jid, forms_root(jid, app)),
        drug_label=drug_label, yuan=fmt,
    )
