#!/usr/bin/env bash
# One command for data officers: set up on first use (a .venv with what `check` needs), then
# check the policy data. Arguments go to `build.py check`, e.g. scripts/check.sh --data 我的数据
# Relative paths are taken from where you run it, not from the project folder.
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
PY="$ROOT/.venv/bin/python"
# Set up again only when pyproject.toml changed since the last set-up (its hash is the stamp).
STAMP="$ROOT/.venv/.check-ready-$(cksum < "$ROOT/pyproject.toml" | cut -d' ' -f1)"
if [ ! -x "$PY" ] || [ ! -e "$STAMP" ]; then
    echo "第一次运行（或程序有更新）：正在安装检查需要的程序，需要联网，大约一两分钟，只需一次……" >&2
    PYTHON=${PYTHON:-python3}
    if ! command -v "$PYTHON" >/dev/null 2>&1; then
        echo "找不到 python3：请先安装 Python 3.11 或更新的版本（Debian/Ubuntu：sudo apt-get install python3 python3-venv）" >&2
        exit 2
    fi
    if [ ! -x "$PY" ]; then
        if ! "$PYTHON" -m venv "$ROOT/.venv" >/dev/null 2>&1; then
            rm -rf "$ROOT/.venv"
            echo "无法建立 Python 虚拟环境：请先安装 python3-venv（Debian/Ubuntu：sudo apt-get install python3-venv），再运行 scripts/check.sh" >&2
            exit 2
        fi
    fi
    # The core dependencies of pyproject.toml and its `check` group (the national holiday
    # calendar): not the site, print or forms packages, which check does not use.
    LOG="$ROOT/.venv/check-setup.log"
    if ! "$PY" -c 'import sys, tomllib; p = tomllib.load(open(sys.argv[1], "rb"))["project"]
print("\n".join(p["dependencies"] + p.get("optional-dependencies", {}).get("check", [])))' \
            "$ROOT/pyproject.toml" > "$ROOT/.venv/check-requirements.txt" 2>"$LOG" \
        || ! "$PY" -m pip install -q --disable-pip-version-check -r "$ROOT/.venv/check-requirements.txt" >>"$LOG" 2>&1; then
        tail -n 5 "$LOG" >&2
        echo "安装检查需要的程序失败（多半是没有联网）：联网后再运行 scripts/check.sh；仍不行，请把上面几行和 .venv/check-setup.log 发给技术人员" >&2
        exit 2
    fi
    rm -f "$ROOT"/.venv/.check-ready-*
    touch "$STAMP"
fi
exec "$PY" "$ROOT/build.py" check "$@"
