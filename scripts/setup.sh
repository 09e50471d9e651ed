#!/usr/bin/env bash
# Set up this project on a fresh Debian machine: Debian packages, then a virtual environment in
# .venv with the Python packages of pyproject.toml. Safe to run again: it installs only what is
# missing, and skips pip altogether while pyproject.toml is unchanged since the last set-up.
#   scripts/setup.sh        everything, tests included (scripts/test.sh, CI)
#   scripts/setup.sh run    only what scripts/run.sh needs: scripts/debian-packages.txt and the
#                           site, print, forms, check and audit extras (no Chromium, Node, npm, pytest)
# Quiet: one line per thing it installs; apt's and pip's own output goes to .venv/setup.log,
# whose last lines are shown when something fails.
set -euo pipefail
cd "$(dirname "$0")/.."
MODE=${1:-all}
case "$MODE" in
    all) lists="scripts/debian-packages.txt scripts/debian-packages-test.txt"; extras="site,print,forms,check,audit,test" ;;
    run) lists="scripts/debian-packages.txt"; extras="site,print,forms,check,audit" ;;
    *) echo "用法：scripts/setup.sh [run]（不带参数：全部，包括测试用的；run：只装 scripts/run.sh 需要的）" >&2; exit 2 ;;
esac
mkdir -p .venv
LOG=.venv/setup.log
: > "$LOG"
failed() {
    tail -n 15 "$LOG" >&2
    echo "安装失败：$1（完整记录：$LOG）" >&2
    exit 1
}
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"

want=$(cat $lists | grep -v '^\s*#' | xargs -r echo || true)
missing=()
for pkg in $want; do
    # npm: NodeSource's nodejs bundles it (and conflicts with Debian's npm); Debian's needs it.
    if [ "$pkg" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "安装 Debian 软件包：${missing[*]}"
    { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
        --no-install-recommends "${missing[@]}"; } >>"$LOG" 2>&1 || failed "Debian 软件包"
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    # Debian's own Python needs python3-venv for this; a pyenv or python.org Python has it.
    if ! "$PYTHON" -m venv --help >/dev/null 2>&1; then
        echo "安装 Debian 软件包：python3-venv"
        { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv; } \
            >>"$LOG" 2>&1 || failed "python3-venv"
    fi
    "$PYTHON" -m venv .venv >>"$LOG" 2>&1 || failed "Python 虚拟环境 .venv"
fi
# The stamp names the mode and pyproject.toml's hash: "all" covers "run" too.
sum=$(cksum < pyproject.toml | cut -d' ' -f1)
if [ ! -e ".venv/.ready-$MODE-$sum" ] && [ ! -e ".venv/.ready-all-$sum" ]; then
    echo "安装 Python 软件包（$extras）到 .venv，第一次需要一两分钟……"
    pip=(.venv/bin/python -m pip --disable-pip-version-check --no-input -q)
    { "${pip[@]}" install --upgrade pip && "${pip[@]}" install -e ".[$extras]"; } >>"$LOG" 2>&1 \
        || failed "Python 软件包"
    rm -f .venv/.ready-"$MODE"-*
    touch ".venv/.ready-$MODE-$sum"
fi
# Our own modules compiled to bytecode here, as pip compiles the packages it installs. Python
# would write it on first import, but not where PYTHONDONTWRITEBYTECODE is set (containers, this
# kind of CI machine): there every process compiled them again, 0.1-0.3 s of CPU each (a third
# of the officer's loop, benchmarks/officer_loop.py). Only what changed since is compiled again.
.venv/bin/python -m compileall -q -j 0 build.py builder policy forms_app >>"$LOG" 2>&1 || true

# Test-only JavaScript (axe-core for the accessibility tests), pinned in tests/package-lock.json.
# `npm ci` again only when the lock file is newer than what is installed.
if [ "$MODE" = all ] && { [ ! -f tests/node_modules/.package-lock.json ] \
        || [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; }; then
    echo "安装测试用的 axe-core（npm）"
    (cd tests && npm ci --no-audit --no-fund --loglevel=error) >>"$LOG" 2>&1 || failed "npm ci"
fi
