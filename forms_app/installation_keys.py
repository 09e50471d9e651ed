"""The installation's own secrets: generated at the first start, kept in the instance folder.

No key is built into the code. When the environment does not give one (`SECRET_KEY`,
`FORMS_ENCRYPTION_KEY`, `FORMS_LOOKUP_PEPPER`), the app reads it from `<instance>/secrets.json`,
which the first start writes with fresh random values and mode 0600. So `scripts/run.sh`, a bare
gunicorn command or a mistyped environment file all run on keys that only this machine knows:
nobody can forge a staff session or a receipt, or decrypt phone numbers from a copied database,
with a key read from the source.

Keys given in the environment must be strong: at least 32 characters, not a key published
anywhere (`KNOWN`), not a run of one or two characters. A Fernet key list is checked key by key;
the first (the one that encrypts) must not be a known one, later ones only decrypt old data.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from pathlib import Path

from cryptography.fernet import Fernet

FILE_NAME = "secrets.json"
MIN_LENGTH = 32
# Keys that were ever printed in this project (the old embedded-run key) or are typical
# placeholders; refused wherever they come from.
_OLD_DEV = "dev-only-not-secret"
KNOWN = {_OLD_DEV, "changeme", "change-me", "secret", "secret-key", "your-secret-key", "dev", "development",
         "test", "please-change-me", "replace-me"}
KNOWN_FERNET = {base64.urlsafe_b64encode(hashlib.sha256(b"forms-fernet:" + _OLD_DEV.encode()).digest()).decode()}


class KeyProblem(ValueError):
    """A key is unusable; the message (Chinese) says which and how to make a good one."""


def weak_reason(value: str) -> str | None:
    """Why `value` may not be a signing key or pepper, or None when it is fine."""
    if value.strip().lower() in KNOWN:
        return "是公开过的示例或开发用密钥"
    if len(value) < MIN_LENGTH:
        return f"太短（至少 {MIN_LENGTH} 个字符）"
    if len(set(value)) < 8:
        return "字符种类太少，不像随机生成的"
    return None


def check_fernet_keys(keys: list[str]) -> str | None:
    for i, key in enumerate(keys):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            return f"第 {i + 1} 个不是有效的 Fernet 密钥"
    if keys and keys[0] in KNOWN_FERNET:
        return "第 1 个（用来加密的）是公开过的开发用密钥；它只能排在后面，用来解密旧数据"
    return None


def generate() -> dict[str, str]:
    return {"secret_key": secrets.token_urlsafe(48), "encryption_key": Fernet.generate_key().decode(),
            "lookup_pepper": secrets.token_urlsafe(48)}


def load_or_create(instance_path: Path) -> dict[str, str]:
    """The installation's keys, written on the first call (0600), read as they are afterwards.

    Two gunicorn workers starting at once must agree: the file is written under a temporary
    name and linked into place, which fails for the second writer, who then reads the first's.
    """
    path = Path(instance_path) / FILE_NAME
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{FILE_NAME}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(generate(), out, indent=1)
                out.write("\n")
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass  # another process was first: use its keys
        finally:
            tmp.unlink(missing_ok=True)
    mode = path.stat().st_mode & 0o777
    if mode & 0o077:
        raise KeyProblem(f"{path} 的权限是 {mode:o}，别人也能读；请执行 chmod 600 {path}")
    try:
        keys = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise KeyProblem(f"{path} 读不出来（{exc}）；它是本机的密钥文件，请从备份恢复") from None
    missing = [k for k in ("secret_key", "encryption_key", "lookup_pepper") if not keys.get(k)]
    if missing:
        raise KeyProblem(f"{path} 缺少 {', '.join(missing)}；请从备份恢复这个文件")
    return keys
