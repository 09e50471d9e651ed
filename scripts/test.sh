#!/usr/bin/env bash
# Set up (scripts/setup.sh) and run every test. This is the README's test command; CI runs it.
# In parallel (pytest-xdist), one worker per core and one more (a worker waits for Chromium, a
# server or a child process about a fifth of its time; the extra one fills those waits: 244 s
# against 259 s on two cores, the same CPU); each test module runs whole on one worker, so
# a module's fixtures (a built site, printed sheets, a browser, the servers of the end-to-end
# tests) are made once; tests/e2e and tests/web each run whole on one worker too, and the longest
# units start first (tests/conftest.py). Every worker has its own temporary folders, ports,
# SQLite files and PostgreSQL schemas or databases (tests/forms/conftest.py, tests/e2e/conftest.py).
# TEST_WORKERS=1 runs them one after the other; arguments go to pytest (e.g. -x, -k, a path).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/python build.py check
workers=${TEST_WORKERS:-$(( $(nproc) + 1 ))}
if [ "$workers" = 1 ]; then
    exec .venv/bin/python -m pytest "$@"
fi
exec .venv/bin/python -m pytest -n "$workers" --dist loadfile "$@"
