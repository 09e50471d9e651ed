"""Operations commands: `stats export`, `backup`, `restore`, `outbox send`."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from . import backup as backups
from . import notify
from .stats import export


@click.group("stats", help="公开统计")
def stats_cli():
    pass


@stats_cli.command("export", help="写出 DIR/<地区>/complaint-stats.json（供 build.py build --stats DIR 发布）")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--only", multiple=True, help="只导出这些地区")
@with_appcontext
def stats_export(out, only):
    policy = current_app.extensions["forms_policy"]
    jids = list(only) or sorted(policy.jurisdictions)
    unknown = [j for j in jids if j not in policy.jurisdictions]
    if unknown:
        raise click.UsageError(f"没有这些地区：{', '.join(unknown)}")
    for path in export(current_app.extensions["forms_db"], jids, out):
        click.echo(str(path))


@click.command("backup", help="把整个表单数据库备份到一个文件（SQLite 和 PostgreSQL 通用）")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup_cmd(path):
    counts = backups.backup(current_app.extensions["forms_db"], path, current_app.extensions["forms_protector"].backup_mac)
    click.echo(f"已备份到 {path}：" + "，".join(f"{k} {v} 行" for k, v in counts.items()))


@click.command("restore", help="把备份恢复到一个空的、已迁移的数据库")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_cmd(path):
    try:
        counts = backups.restore(current_app.extensions["forms_db"], path,
                                 current_app.extensions["forms_protector"].backup_mac)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo("已恢复：" + "，".join(f"{k} {v} 行" for k, v in counts.items()))


@click.group("outbox", help="给投诉人的短信")
def outbox_cli():
    pass


@outbox_cli.command("send", help="把到期的待发短信交给短信通道（失败的稍后重试）；可放进 cron 每分钟运行")
@with_appcontext
def outbox_send():
    app = current_app
    sender = notify.load_sender(app.config.get("SMS_SENDER"))
    if sender is None:
        click.echo("没有配置短信通道（FORMS_SMS_SENDER）：短信留在发件箱，由工作人员在“短信”页查看")
        return
    counts = notify.deliver_due(app.extensions["forms_db"], sender, app.extensions["forms_protector"].decrypt)
    click.echo(f"发送 {counts['sent']}，稍后重试 {counts['retry']}，放弃 {counts['failed']}")
