#!/usr/bin/env bash
# restore-drill.sh [DIR]: restore the newest backup of DIR into a scratch SQLite database, migrated
# for it, and throw it away: proves the backups restore (weekly, health-forms-restore-drill.timer).
# The scratch database is given as DATABASE_URL, which wins over the settings file.
set -euo pipefail
source "$(dirname "$0")/common.sh"
dir=${1:-${FORMS_BACKUP_DIR:-/var/backups/health-forms}}
newest=$(ls -1t "$dir"/forms-*.jsonl.gz 2>/dev/null | head -n 1 || true)
if [ -z "$newest" ]; then
    echo "health-forms restore-drill: FAILED: no backup in $dir"
    exit 1
fi
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
export DATABASE_URL="sqlite:///$scratch/drill.sqlite3"
drill() {
    "${FLASK[@]}" db upgrade >/dev/null && "${FLASK[@]}" restore "$newest"
}
run_job restore-drill drill
