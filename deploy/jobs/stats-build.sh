#!/usr/bin/env bash
# stats-build.sh [STATS_DIR] [OUT]: export the complaint statistics and rebuild the sites whose
# figures changed (daily, health-forms-stats.timer); then FORMS_PUBLISH_CMD, if set, copies the
# result (e.g. "rsync -a --delete --exclude '.*' dist/ web:/srv/www/health/": no dot folder).
set -euo pipefail
source "$(dirname "$0")/common.sh"
stats=${1:-${FORMS_STATS_DIR:-/var/lib/health-forms/stats}}
out=${2:-${FORMS_DIST_DIR:-$HERE/dist}}
mkdir -p "$stats"
work() {
    "${FLASK[@]}" stats export --out "$stats" >/dev/null
    "$PYTHON" build.py build --stats "$stats" --out "$out"
    if [ -n "${FORMS_PUBLISH_CMD:-}" ]; then bash -c "$FORMS_PUBLISH_CMD"; fi
}
run_job stats-build work
