#!/usr/bin/env bash
# Set up (scripts/setup.sh), check the sample jurisdictions, answer one sample case, build every
# static output (`build.py build`: the web sites, open data; print and the calculator join it as
# they land) and serve it on localhost until Ctrl+C.
# Servers: one line each in serve_all below: the site on 8000, the forms app on 5000
# (SITE_PORT=8001 FORMS_PORT=5001 scripts/run.sh for others).
set -euo pipefail
cd "$(dirname "$0")/.."
SITE_PORT=${SITE_PORT:-8000}
FORMS_PORT=${FORMS_PORT:-5000}
# The sites' links and QR codes point at the two servers started below (builder/settings.py).
export SITE_URL=${SITE_URL:-http://127.0.0.1:$SITE_PORT}
export FORMS_URL=${FORMS_URL:-http://127.0.0.1:$FORMS_PORT}
for port in "$SITE_PORT" "$FORMS_PORT"; do  # a port in use: said before the set-up and build, not after
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "端口 $port 已被别的程序占用。换端口运行，例如：SITE_PORT=8001 FORMS_PORT=5001 scripts/run.sh" >&2
        exit 1
    fi
done
scripts/setup.sh
.venv/bin/python build.py check
echo "== 示例：资溪县一位贫困人口在县级医院住院 2 万元 =="
.venv/bin/python build.py calc --no-explain < samples/calc-zixi.json
echo "== 示例：资溪县一位 70 岁贫困老人可以享受的政策 =="
.venv/bin/python build.py eligible < samples/eligible-zixi.json
echo "== 生成网站 =="
.venv/bin/python build.py build --preview  # localhost addresses: every page and sheet marked 样张

# ---- forms app (complaints, eligibility queries, case lookup; forms_app/) -------------------
# Migrate the embedded SQLite database (instance/forms.sqlite3; or DATABASE_URL); it is served
# by the second line of serve_all. Production (gunicorn, PostgreSQL, Redis): docs/operators.md.
.venv/bin/flask --app forms_app db upgrade
# ---- end of the forms app block -------------------------------------------------------------

pids=()
stop_all() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap stop_all EXIT INT TERM
serve_all() {
    .venv/bin/python build.py serve --port "$SITE_PORT" & pids+=($!)
    .venv/bin/gunicorn --workers 2 --bind "127.0.0.1:${FORMS_PORT}" "forms_app:create_app()" & pids+=($!)
}
serve_all
echo "网站：http://127.0.0.1:${SITE_PORT}/ · 投诉与咨询：http://127.0.0.1:${FORMS_PORT}/zixi/complaint （按 Ctrl+C 停止）"
wait
