"""Build settings in one place: the public base URLs of the static site and the forms app.

Each is the ROOT under which a jurisdiction's pages live (site pages at `{site_url}/<jid>/…`,
forms at `{forms_url}/<jid>/complaint`). They come from the jurisdiction's data
(`site_url`, `forms_url` in `jurisdiction.yaml`); `SITE_URL` / `FORMS_URL` in the environment
override them for one deployment (the embedded run, `scripts/run.sh`, points them at its own two
servers). Without either, the embedded run's localhost addresses are used — which are not
public, so `build` and `print` refuse them unless `--preview` is given (`address_problem`).
"""
from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit

DEFAULT_SITE_URL = "http://127.0.0.1:8000"
DEFAULT_FORMS_URL = "http://127.0.0.1:5000"

# Names that never reach a county's residents (RFC 2606 / RFC 6761 reserved names).
_RESERVED_SUFFIXES = (".example", ".test", ".invalid", ".localhost", ".local")
_RESERVED_NAMES = {"localhost", "example.org", "example.com", "example.net"}


def _declared(jur, key: str) -> str:
    if jur is None:
        return ""
    value = jur.get(key) if isinstance(jur, dict) else getattr(jur, key, "")
    return (value or "").strip()


def site_url(jur=None) -> str:
    """The site's root for this jurisdiction: SITE_URL, else its `site_url`, else localhost."""
    return (os.environ.get("SITE_URL") or _declared(jur, "site_url") or DEFAULT_SITE_URL).rstrip("/")


def forms_url(jur=None) -> str:
    """The forms app's root for this jurisdiction: FORMS_URL, else its `forms_url`, else localhost."""
    return (os.environ.get("FORMS_URL") or _declared(jur, "forms_url") or DEFAULT_FORMS_URL).rstrip("/")


def address_problem(url: str) -> str | None:
    """Why `url` cannot be printed for residents to visit, in words; None when it is public."""
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".").lower()
    if not host:
        return "不是完整的网址"
    if host in _RESERVED_NAMES or host.endswith(_RESERVED_SUFFIXES) or any(
            host.endswith("." + name) for name in _RESERVED_NAMES):
        return "是保留给示例和测试用的域名，群众打不开"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        if "." not in host:
            return "只是一台机器的名字，不是公网域名"
        return None
    if ip.is_loopback:
        return "是本机地址（只有这台电脑能打开）"
    if ip.is_link_local:
        return "是链路本地地址（只在一根网线内有效）"
    if ip.is_private or ip.is_reserved or ip.is_unspecified or ip.is_multicast:
        return "是内网或保留地址，群众的手机打不开"
    return None


def problems(jur=None) -> list[str]:
    """Each address that is not a well-formed URL, in words: it would be printed in QR codes."""
    out = []
    for name, value in (("SITE_URL", site_url(jur)), ("FORMS_URL", forms_url(jur))):
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
            out.append(f"{name} 应是完整的网址，以 http:// 或 https:// 开头，例如 https://zixi.example.gov.cn，"
                       f"这里是“{value}”")
    return out


def unpublishable(site: str, forms: str) -> list[tuple[str, str, str, str]]:
    """(data key, environment variable, address, why) for each of a jurisdiction's two addresses
    residents could not open. The build and the forms app word their messages apart: what the
    address would end up on differs (printed sheets or receipts and SMS)."""
    pairs = (("site_url", "SITE_URL", site), ("forms_url", "FORMS_URL", forms))
    return [(key, env, value, why) for key, env, value in pairs if (why := address_problem(value)) is not None]


def public_problems(jid: str, name: str, jur) -> list[str]:
    """One message per address of this jurisdiction that is not public: what, why, how to set it."""
    out = []
    for key, env, value, why in unpublishable(site_url(jur), forms_url(jur)):
        where = (f"环境变量 {env}" if os.environ.get(env) else
                 f"policy_data/{jid}/jurisdiction.yaml 的 {key}" if _declared(jur, key) else
                 f"默认值（policy_data/{jid}/jurisdiction.yaml 没有写 {key}）")
        out.append(f"{name}（{jid}）的公开地址 {value} {why}（来自{where}）。二维码和印出的网址会指向它，"
                   f"不能张贴。请在 policy_data/{jid}/jurisdiction.yaml 写上真实的 {key}"
                   f"（如 https://ybj.{jid}.gov.cn），或为这次部署设置环境变量 {env}；"
                   f"只想先看看效果，加 --preview（每页都会标明“样张（预览，不得张贴）”）")
    return out
