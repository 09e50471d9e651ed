#!/usr/bin/env bash
# Production install of the forms app and the site build on one Debian server, without test tools:
#
#   sudo scripts/install-production.sh [--cron] [--dry-run]      (in the checkout, e.g. /srv/health)
#
# - Debian packages from scripts/debian-packages.txt only (test-only ones are in
#   scripts/debian-packages-test.txt, installed by scripts/setup.sh for developers), plus
#   python3-venv and logrotate;
# - the service account `forms` (no login, no home); the code stays owned by root, read-only to
#   the service; only instance/, dist/ and the data folders below are the service's;
# - .venv with the extras site, print and forms (no pytest, Playwright, schemathesis, npm/axe);
# - /etc/health-forms.env from deploy/health-forms.env.example if there is none (0640 root:forms),
#   linked as instance/forms.env so a flask command typed in the checkout reads it too;
# - the systemd units of deploy/systemd/ (paths set to this checkout) and their timers enabled,
#   or with --cron the crontab deploy/cron/health-forms; the logrotate file; the folders
#   /var/backups/health-forms, /var/lib/health-forms/stats, /var/log/health-forms.
# It starts nothing: fill in /etc/health-forms.env, migrate, add the first administrator, then
# `systemctl start health-forms` (docs/operators.md §2). Safe to run again (after an upgrade too).
# --dry-run prints the commands instead of running them.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
USER_NAME=${FORMS_USER:-forms}
DRY=0; CRON=0
for arg in "$@"; do
    case $arg in
        --dry-run) DRY=1 ;;
        --cron) CRON=1 ;;
        *) echo "usage: $0 [--cron] [--dry-run]" >&2; exit 2 ;;
    esac
done
run() { if [ "$DRY" = 1 ]; then printf '+ %s\n' "$*"; else "$@"; fi; }
if [ "$DRY" = 0 ] && [ "$(id -u)" -ne 0 ]; then
    echo "请用 root 运行（sudo $0）：要安装 Debian 软件包、建服务账号、装 systemd 单元" >&2
    exit 1
fi

packages=$(grep -v '^\s*#' scripts/debian-packages.txt | xargs -r echo)
run apt-get update -qq
run env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    $packages python3 python3-venv logrotate

if ! id -u "$USER_NAME" >/dev/null 2>&1; then
    run adduser --system --group --no-create-home --home /nonexistent --shell /usr/sbin/nologin "$USER_NAME"
fi

if [ ! -x .venv/bin/python ]; then run python3 -m venv .venv; fi
run .venv/bin/python -m pip install -q --upgrade pip
run .venv/bin/python -m pip install -q -e ".[site,print,forms,audit]"
# Bytecode written now, by root: the service account cannot write it beside the sources, and every
# gunicorn worker and scheduled job would compile them again (scripts/setup.sh says why).
run .venv/bin/python -m compileall -q build.py builder policy forms_app

run install -d -o "$USER_NAME" -g "$USER_NAME" -m 0700 instance   # instance/secrets.json: the service's alone
run install -d -o "$USER_NAME" -g "$USER_NAME" -m 0750 dist /var/backups/health-forms \
    /var/lib/health-forms /var/lib/health-forms/stats /var/log/health-forms
if [ ! -e /etc/health-forms.env ]; then
    run install -o root -g "$USER_NAME" -m 0640 deploy/health-forms.env.example /etc/health-forms.env
fi
run ln -sfn /etc/health-forms.env instance/forms.env

if [ "$CRON" = 1 ]; then
    if [ "$DRY" = 1 ]; then echo "+ sed s#/srv/health#$ROOT#g deploy/cron/health-forms > /etc/cron.d/health-forms"
    else sed "s#/srv/health#$ROOT#g" deploy/cron/health-forms > /etc/cron.d/health-forms; chmod 0644 /etc/cron.d/health-forms; fi
    units=(health-forms.service)
else
    units=(deploy/systemd/*)
fi
for unit in "${units[@]}"; do
    unit=deploy/systemd/$(basename "$unit")
    target=/etc/systemd/system/$(basename "$unit")
    if [ "$DRY" = 1 ]; then echo "+ sed s#/srv/health#$ROOT#g;s#^User=forms#User=$USER_NAME# $unit > $target"
    else sed "s#/srv/health#$ROOT#g; s#^User=forms#User=$USER_NAME#; s#^Group=forms#Group=$USER_NAME#" "$unit" > "$target"; fi
done
if [ "$DRY" = 1 ]; then echo "+ install deploy/logrotate/health-forms /etc/logrotate.d/health-forms"
else sed "s#su forms forms#su $USER_NAME $USER_NAME#; s#create 0640 forms#create 0640 $USER_NAME#" deploy/logrotate/health-forms > /etc/logrotate.d/health-forms; fi
run systemctl daemon-reload
run systemctl enable health-forms.service
if [ "$CRON" = 0 ]; then
    run systemctl enable --now health-forms-outbox.timer health-forms-backup.timer \
        health-forms-stats.timer health-forms-restore-drill.timer
fi
cat <<MSG
安装完成（还没有启动表单服务）。接下来（docs/operators.md §1–§3）：
  1. 编辑 /etc/health-forms.env：DATABASE_URL、REDIS_URL、SITE_URL、FORMS_URL …（密钥第一次启动时自动生成）
  2. runuser -u $USER_NAME -- $ROOT/.venv/bin/flask --app forms_app db upgrade
  3. runuser -u $USER_NAME -- $ROOT/.venv/bin/flask --app forms_app staff add 管理员账号 --jurisdiction <地区> --role admin
  4. systemctl start health-forms && curl -s http://127.0.0.1:5000/readyz
MSG
