"""The one settings source of the forms app: a file of KEY=VALUE lines read into the environment.

Every way the app runs reads it the same way: gunicorn's master (forms_app/gunicorn_conf.py, for
FORMS_WORKERS and FORMS_BIND), every worker and every `flask --app forms_app ...` command
(create_app calls `load` first), and the scheduled jobs (deploy/, which run those commands).

Which file:
- `FORMS_SETTINGS=/etc/health-forms.env` names it; a named file that is missing is an error,
  never "no settings" (that is how a nightly backup ended up reading an empty SQLite file).
- otherwise `instance/forms.env` in the project folder, if it exists (scripts/install-production.sh
  links it to /etc/health-forms.env, so a command typed by hand in /srv/health reads it too).

The format is the subset of systemd's EnvironmentFile= that both understand: `KEY=VALUE`, blank
lines, `#` comments, values optionally in single or double quotes. A variable already in the
real environment wins over the file (a one-off `DATABASE_URL=... flask ...` still works); a value
the file set earlier is replaced when the file changes, so `kill -HUP` picks up a changed file.

Standard library only: gunicorn's master loads this module by its path without importing the
forms_app package, so a reload imports the new code in new workers (gunicorn_conf.py).
"""
from __future__ import annotations

import os
import re
from pathlib import Path

ENV_NAME = "FORMS_SETTINGS"
DEFAULT_NAME = "forms.env"
# The keys this loader put into os.environ, so the next load may replace them (and only them).
_FROM_FILE = "_FORMS_SETTINGS_KEYS"
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class SettingsFileError(RuntimeError):
    """The settings file is named but missing, or has a line that is not KEY=VALUE."""


def settings_path(instance_path: Path) -> Path | None:
    named = os.environ.get(ENV_NAME, "").strip()
    if named:
        path = Path(named)
        if not path.is_file():
            raise SettingsFileError(f"{ENV_NAME}={named}：找不到这个设置文件（或不是文件）。"
                                    "请检查路径，或去掉 FORMS_SETTINGS")
        return path
    default = Path(instance_path) / DEFAULT_NAME
    return default if default.is_file() else None


def parse(path: Path) -> dict[str, str]:
    values: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsFileError(f"{path}：读不出来（{exc}）") from None
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        key, sep, value = line.partition("=")
        key, value = key.strip(), value.strip()
        if not sep or not _KEY.match(key):
            raise SettingsFileError(f"{path} 第 {number} 行：应是 名称=值（例如 DATABASE_URL=postgresql://...），"
                                    f"这里是“{line[:60]}”")
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key] = value
    return values


def load(instance_path: Path) -> Path | None:
    """Read the settings file (if any) into os.environ; returns the file read."""
    path = settings_path(instance_path)
    earlier = set(filter(None, os.environ.get(_FROM_FILE, "").split(",")))
    for key in earlier:  # a key the file no longer has goes away on a reload, like the file says
        os.environ.pop(key, None)
    if path is None:
        os.environ.pop(_FROM_FILE, None)
        return None
    taken = []
    for key, value in parse(path).items():
        if key in os.environ:  # the real environment wins (earlier file values were removed above)
            continue
        os.environ[key] = value
        taken.append(key)
    os.environ[_FROM_FILE] = ",".join(taken)
    return path
