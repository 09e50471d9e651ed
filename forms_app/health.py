"""Health for nginx, systemd and orchestrators: `/healthz` (the process answers) and `/readyz`
(it can do its work: the database answers and is at the code's migration, Redis answers when set).

`flask --app forms_app ready` runs the same checks from the command line, after loading the app
(so also the policy data and the settings): `systemctl reload health-forms` runs it before the HUP,
and a failed check leaves the running workers alone.
"""
from __future__ import annotations

import click
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from flask.cli import with_appcontext
from sqlalchemy import text

from .cli import alembic_config

bp = Blueprint("health", __name__)


def code_revision() -> str | None:
    """The migration this code expects (alembic's head), read once per process."""
    ext = current_app.extensions
    if "forms_head" not in ext:
        ext["forms_head"] = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    return ext["forms_head"]


def _database() -> str | None:
    try:
        with current_app.extensions["forms_db"].engine.connect() as conn:
            here = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception as exc:  # noqa: BLE001 - any failure is "not ready"; the log has the detail
        current_app.logger.warning("readyz: database: %s", exc)
        return "数据库连不上，或还没有迁移（flask --app forms_app db upgrade）"
    head = code_revision()
    if here != head:
        return f"数据库在迁移 {here}，代码需要 {head}：请运行 flask --app forms_app db upgrade"
    return None


def _redis() -> str | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    try:
        import redis

        client = current_app.extensions.get("forms_redis_ping")
        if client is None:
            client = current_app.extensions["forms_redis_ping"] = redis.Redis.from_url(
                url, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except Exception as exc:  # noqa: BLE001
        current_app.logger.warning("readyz: redis: %s", exc)
        return "Redis 连不上（REDIS_URL）"
    return None


def readiness() -> dict[str, str]:
    """{check: "ok" or what is wrong}; ready when every value is "ok"."""
    return {name: problem or "ok" for name, problem in (("database", _database()), ("redis", _redis()))}


@bp.get("/healthz")
def healthz():
    return {"ok": True}


@bp.get("/readyz")
def readyz():
    checks = readiness()
    ready = all(v == "ok" for v in checks.values())
    response = jsonify({"ready": ready, "checks": checks})
    response.status_code = 200 if ready else 503
    return response


@click.command("ready", help="检查能否开始服务：政策数据和设置能读、数据库连得上且已迁移到最新、Redis 连得上（重新加载前运行）")
@with_appcontext
def ready_cmd():
    checks = readiness()
    problems = [f"{name}：{v}" for name, v in checks.items() if v != "ok"]
    if problems:
        raise click.ClickException("不能开始服务：" + "；".join(problems))
    settings = current_app.config.get("SETTINGS_FILE")
    click.echo(f"可以开始服务：数据库在最新迁移 {code_revision()}，{len(current_app.extensions['forms_policy'].jurisdictions)} 个地区的政策数据已读入"
               + (f"，设置文件 {settings}" if settings else "，没有设置文件"))


WARM_UP = "forms.warm_up"  # a WSGI environ key: no HTTP client can set it


def warm_up(app) -> None:
    """Render the main pages once in a new gunicorn worker before it takes requests: the first
    rendering compiles the templates and opens a database connection, seconds on a busy machine,
    which a resident's request would otherwise wait for. Not counted in the metrics."""
    client = app.test_client()
    jids = sorted(app.extensions["forms_policy"].jurisdictions)[:1]
    for path in ["/", "/readyz", *(f"/{j}/{page}" for j in jids for page in ("", "complaint", "query", "track"))]:
        try:
            client.get(path, environ_base={WARM_UP: True})
        except Exception:  # noqa: BLE001 - a page that fails here fails for residents too, and is logged there
            app.logger.exception("warm-up of %s failed", path)
