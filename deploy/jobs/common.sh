# Sourced by the job scripts: the project folder, its virtual environment, the settings file
# (FORMS_SETTINGS, else instance/forms.env, read by every flask command: forms_app/settings_file.py)
# and run_job, which logs ONE line of outcome per job (stdout: the journal under systemd, the
# mail or log file under cron) and returns the job's exit status:
#   health-forms backup: ok in 3 s: 已备份到 /var/backups/health-forms/forms-2026-12-06-0230.jsonl.gz：…
#   health-forms backup: FAILED (exit 1) in 2 s: Error: 备份失败：数据库里一行数据都没有…
# A failed run's whole output is kept in $FORMS_JOB_LOG_DIR/NAME.last when that folder exists.
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$HERE"
FLASK=("$HERE/.venv/bin/flask" --app forms_app)
PYTHON="$HERE/.venv/bin/python"

run_job() {
    local name=$1 out start status took last
    shift
    out=$(mktemp)
    start=$(date +%s)
    if "$@" >"$out" 2>&1; then status=0; else status=$?; fi
    took=$(( $(date +%s) - start ))
    last=$(grep -v '^[[:space:]]*$' "$out" | tail -n 1 | cut -c1-400 || true)
    if [ "$status" -eq 0 ]; then
        echo "health-forms $name: ok in ${took} s: $last"
    else
        echo "health-forms $name: FAILED (exit $status) in ${took} s: $last"
        if [ -n "${FORMS_JOB_LOG_DIR:-}" ] && [ -d "$FORMS_JOB_LOG_DIR" ]; then cp "$out" "$FORMS_JOB_LOG_DIR/$name.last"; fi
    fi
    rm -f "$out"
    return "$status"
}
