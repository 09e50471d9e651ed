#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run every test. This is the README's test command; CI runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/python build.py check
.venv/bin/python -m pytest "$@"
