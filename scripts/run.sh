#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run the main job. For now: check the sample jurisdictions and
# answer one sample reimbursement case and one eligibility question. The site build, print and
# the forms app join this script as they land.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/python build.py check
echo "== 示例：资溪县一位贫困人口在县级医院住院 2 万元 =="
.venv/bin/python build.py calc --no-explain < samples/calc-zixi.json
echo "== 示例：资溪县一位 70 岁贫困老人可以享受的政策 =="
.venv/bin/python build.py eligible < samples/eligible-zixi.json
