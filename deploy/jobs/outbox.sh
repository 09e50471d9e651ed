#!/usr/bin/env bash
# Hand due SMS to the sender (FORMS_SMS_SENDER); every minute (health-forms-outbox.timer).
set -euo pipefail
source "$(dirname "$0")/common.sh"
run_job outbox "${FLASK[@]}" outbox send
