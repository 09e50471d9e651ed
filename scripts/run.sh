#!/usr/bin/env bash
# Set up what running needs (scripts/setup.sh run), check the sample jurisdictions, answer two
# sample questions, build every static output (`build.py build`: sites, calculator, open data,
# printed sheets) and serve it on localhost until Ctrl+C.
# Servers: one line each in serve_all below: the site on 8000, the forms app on 5000
# (SITE_PORT=8001 FORMS_PORT=5001 scripts/run.sh for others).
# Short output: five numbered steps, one line per sample answer (the full JSON goes to
# samples/answers/), a bar per county while it builds, the two addresses in a frame at the end.
# The servers' own logs go to instance/logs/; a server that stops shows its last lines here.
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
step() { echo "[$1/5] $2"; }

step 1 "安装运行需要的程序（测试用的由 scripts/test.sh 安装）"
scripts/setup.sh run
step 2 "检查示例数据"
.venv/bin/python build.py check
step 3 "示例（完整的 JSON 在 samples/answers/）"
mkdir -p samples/answers
.venv/bin/python build.py calc --no-explain < samples/calc-zixi.json > samples/answers/calc-zixi.json
echo "  资溪县一位贫困人口在县级医院住院 2 万元：$(.venv/bin/python -m builder.sample_summary calc samples/answers/calc-zixi.json)"
.venv/bin/python build.py eligible < samples/eligible-zixi.json > samples/answers/eligible-zixi.json
echo "  资溪县一位 70 岁贫困老人：$(.venv/bin/python -m builder.sample_summary eligible samples/answers/eligible-zixi.json)"
step 4 "生成网站和打印件"
.venv/bin/python build.py build --preview  # localhost addresses: every page and sheet marked 样张

step 5 "启动网站和投诉咨询（日志在 instance/logs/）"
mkdir -p instance/logs
# ---- forms app (complaints, eligibility queries, case lookup; forms_app/) -------------------
# Migrate the embedded SQLite database (instance/forms.sqlite3; or DATABASE_URL); it is served
# by the second line of serve_all. Production (gunicorn, PostgreSQL, Redis): docs/operators.md.
if ! .venv/bin/flask --app forms_app db upgrade > instance/logs/db-upgrade.log 2>&1; then
    tail -n 15 instance/logs/db-upgrade.log >&2
    echo "投诉咨询的数据库升级失败（完整记录：instance/logs/db-upgrade.log）" >&2
    exit 1
fi
# ---- end of the forms app block -------------------------------------------------------------

pids=()
stop_all() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap stop_all EXIT
trap 'stop_all; exit 0' INT TERM  # Ctrl+C: both servers stop, and nothing more is said
serve_all() {
    .venv/bin/python build.py serve --port "$SITE_PORT" > instance/logs/site.log 2>&1 & pids+=($!)
    # The production command (docs/operators.md §2) with 2 workers; its logs go to instance/logs/.
    FORMS_WORKERS=2 FORMS_BIND="127.0.0.1:${FORMS_PORT}" FORMS_ACCESS_LOG= \
        .venv/bin/gunicorn -c forms_app/gunicorn_conf.py > instance/logs/forms.log 2>&1 & pids+=($!)
}
serve_all
# Both answer before the addresses are shown (gunicorn loads the app in about a second).
for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$SITE_PORT") 2>/dev/null && (exec 3<>"/dev/tcp/127.0.0.1/$FORMS_PORT") 2>/dev/null && break
    sleep 0.2
done
site="网站：        http://127.0.0.1:${SITE_PORT}/"
forms="投诉与咨询：  http://127.0.0.1:${FORMS_PORT}/zixi/complaint"
bar="════════════════════════════════════════════════════════"
printf '\n╔%s\n║  %s\n║  %s\n║  按 Ctrl+C 停止\n╚%s\n' "$bar" "$site" "$forms" "$bar"
# A server that stops (a crash, a port taken meanwhile) is said, with its log, and stops the other.
set +e
wait -n "${pids[@]}"
echo "有一个服务停止了；日志的最后几行：" >&2
tail -n 5 instance/logs/site.log instance/logs/forms.log >&2
exit 1
