"""`flask --app forms_app audit verify [--length N --head H]`: check the audit log's hash chain."""
from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from . import audit_chain


@click.group("audit", help="审计日志")
def audit_cli():
    pass


@audit_cli.command("verify", help="从头核对审计日志的哈希链；发现问题时指出第一条有问题的记录并以 1 退出")
@click.option("--length", type=int, default=None, help="公开统计里公布的条数（complaint-stats.json 的 audit_chain.length）")
@click.option("--head", default=None, help="同时公布的哈希（audit_chain.head）")
@with_appcontext
def verify_cmd(length, head):
    if (length is None) != (head is None):
        raise click.UsageError("--length 和 --head 要一起给")
    with current_app.extensions["forms_db"].reading() as session:
        verdict = audit_chain.verify(session, length=length, head=head)
    if not verdict.ok:
        click.echo(f"审计日志有问题：{verdict.problem}", err=True)
        sys.exit(1)
    click.echo(f"审计日志完好：{verdict.length} 条，链头 {verdict.head}")
