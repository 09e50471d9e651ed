#!/usr/bin/env bash
# backup.sh [DIR] [KEEP_DAYS]: a backup of the forms database to DIR/forms-YYYY-MM-DD-HHMM.jsonl.gz
# (default /var/backups/health-forms), then the backups older than KEEP_DAYS (default 30) are
# deleted — only after a backup succeeded, and never the newest 7. Daily (health-forms-backup.timer).
# With FORMS_TEXTFILE_DIR (node_exporter's textfile collector folder) it writes
# health_forms_backup_last_success_timestamp_seconds there, for the "backup too old" alert.
set -euo pipefail
source "$(dirname "$0")/common.sh"
dir=${1:-${FORMS_BACKUP_DIR:-/var/backups/health-forms}}
keep=${2:-${FORMS_BACKUP_KEEP_DAYS:-30}}
file="$dir/forms-$(date +%F-%H%M).jsonl.gz"
run_job backup "${FLASK[@]}" backup "$file"
# Retention: keep the newest 7 whatever their age, then drop what is older than $keep days.
{ ls -1t "$dir"/forms-*.jsonl.gz 2>/dev/null || true; } | tail -n +8 | while read -r old; do
    if [ -n "$(find "$old" -maxdepth 0 -mtime +"$keep")" ]; then rm -f -- "$old"; fi
done
if [ -n "${FORMS_TEXTFILE_DIR:-}" ] && [ -d "$FORMS_TEXTFILE_DIR" ]; then
    tmp="$FORMS_TEXTFILE_DIR/.health_forms_backup.prom.$$"
    printf '# HELP health_forms_backup_last_success_timestamp_seconds When the last forms backup succeeded.\n# TYPE health_forms_backup_last_success_timestamp_seconds gauge\nhealth_forms_backup_last_success_timestamp_seconds %s\n' "$(date +%s)" >"$tmp"
    mv "$tmp" "$FORMS_TEXTFILE_DIR/health_forms_backup.prom"
fi
