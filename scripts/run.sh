#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run the main job. For now: check the sample jurisdictions and
# answer one sample reimbursement case and one eligibility question, then serve the forms app (below;
# the site build and print join this script as they land).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/python build.py check
echo "== 示例：资溪县一位贫困人口在县级医院住院 2 万元 =="
.venv/bin/python build.py calc --no-explain < samples/calc-zixi.json
echo "== 示例：资溪县一位 70 岁贫困老人可以享受的政策 =="
.venv/bin/python build.py eligible < samples/eligible-zixi.json

# ---- forms app (complaints, eligibility queries, case lookup; forms_app/) -------------------
# Migrates the embedded SQLite database (instance/forms.sqlite3; or DATABASE_URL) and serves the
# forms on 127.0.0.1:5000 (FORMS_PORT) until Ctrl-C. Production: see docs/forms-app.md.
FORMS_PORT=${FORMS_PORT:-5000}
.venv/bin/flask --app forms_app db upgrade
.venv/bin/gunicorn --workers 2 --bind "127.0.0.1:${FORMS_PORT}" --access-logfile - "forms_app:create_app()" &
FORMS_PID=$!
trap 'kill "$FORMS_PID" 2>/dev/null || true' EXIT INT TERM
echo "== 投诉与咨询：http://127.0.0.1:${FORMS_PORT}/zixi/complaint · /zixi/query · /zixi/track（Ctrl-C 停止）=="
wait "$FORMS_PID"
# ---- end of the forms app block -------------------------------------------------------------
