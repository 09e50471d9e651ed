#!/usr/bin/env bash
# Set up (scripts/setup.sh), then take the guides' pictures in docs/img/guide/ (committed): the
# end-to-end tests walk the resident's and the clerk's paths in Chromium and, with GUIDE_IMAGES set,
# save each named screen (360×640 phone, 1280×800 desk) and the village notice at low resolution.
# Run it again after the pages or the notice change. Only the SQLite run is needed for pictures.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The full browser, not the tests' headless shell (tests/chromium.py): the pictures show what a phone shows.
GUIDE_IMAGES="$PWD/docs/img/guide" TEST_CHROMIUM=/usr/bin/chromium .venv/bin/python -m pytest -q tests/e2e/test_e2e_flows.py -k "not postgresql" "$@"
ls -l docs/img/guide
