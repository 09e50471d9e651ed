"""The public addresses the forms app prints (receipts, SMS texts, links to policy pages), per
jurisdiction, from the same place as the build's (builder/settings.py): `SITE_URL` / `FORMS_URL`
(the app's settings, from the environment) override, else the jurisdiction's `site_url` /
`forms_url` in `jurisdiction.yaml`.

In production (`FORMS_ENV=production`) the app refuses to start when one of them is not an
address a resident's phone can open (`check_public`): a receipt pointing at 127.0.0.1 would
send every resident nowhere.
"""
from __future__ import annotations

from flask import current_app

from builder import settings


def _jurisdiction(app, jid: str):
    return app.extensions["forms_policy"].get(jid)


def site_root(jid: str, app=None) -> str:
    app = app or current_app
    return (app.config.get("SITE_URL") or settings.site_url(_jurisdiction(app, jid))).rstrip("/")


def forms_root(jid: str, app=None) -> str:
    app = app or current_app
    return (app.config.get("FORMS_URL") or settings.forms_url(_jurisdiction(app, jid))).rstrip("/")


def public_problems(app) -> list[str]:
    """One message per jurisdiction and address that residents could not open."""
    out = []
    for jid, j in sorted(app.extensions["forms_policy"].jurisdictions.items()):
        for key, env, value, why in settings.unpublishable(site_root(jid, app), forms_root(jid, app)):
            out.append(f"{j.name}（{jid}）的公开地址 {value} {why}：回执、短信和页面链接会指向它。"
                       f"请设置环境变量 {env}，或在 policy_data/{jid}/jurisdiction.yaml 写上真实的 {key}")
    return out
