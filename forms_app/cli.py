"""`flask --app forms_app db upgrade|downgrade|current|revision`: Alembic, configured from the app.

The same convention as Flask-Migrate, without its dependency: migrations live in
forms_app/migrations and run against the app's DATABASE_URL.
"""
from __future__ import annotations

from pathlib import Path

import click
from alembic import command
from alembic.config import Config
from flask import current_app
from flask.cli import with_appcontext

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(url), revision)


@click.group("db", help="数据库迁移（Alembic）")
def db_cli():
    pass


@db_cli.command("upgrade", help="把数据库升级到最新结构（空数据库也可以）")
@click.argument("revision", default="head")
@with_appcontext
def upgrade_cmd(revision):
    upgrade(current_app.config["DATABASE_URL"], revision)
    click.echo("数据库已是最新结构。")


@db_cli.command("downgrade", help="退回到某个版本")
@click.argument("revision")
@with_appcontext
def downgrade_cmd(revision):
    command.downgrade(alembic_config(current_app.config["DATABASE_URL"]), revision)


@db_cli.command("current", help="显示数据库当前的版本")
@with_appcontext
def current_cmd():
    command.current(alembic_config(current_app.config["DATABASE_URL"]))


@db_cli.command("revision", help="（开发者）根据模型的变化生成一个新的迁移")
@click.option("-m", "--message", required=True)
@with_appcontext
def revision_cmd(message):
    command.revision(alembic_config(current_app.config["DATABASE_URL"]), message=message, autogenerate=True)
