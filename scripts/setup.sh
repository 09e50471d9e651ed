#!/usr/bin/env bash
# Set up everything this project needs on a fresh Debian machine: Debian packages listed in
# scripts/debian-packages.txt, then a virtual environment in .venv with the Python packages.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

want=$(grep -v '^\s*#' scripts/debian-packages.txt | xargs -r echo || true)
missing=()
for pkg in $want; do
    # npm: NodeSource's nodejs bundles it (and conflicts with Debian's npm); Debian's needs it.
    if [ "$pkg" = npm ] && command -v npm >/dev/null 2>&1; then continue; fi
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    # Debian's own Python needs python3-venv for this; a pyenv or python.org Python has it.
    if ! "$PYTHON" -m venv --help >/dev/null 2>&1; then
        SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
        $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-venv
    fi
    "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".[site,print,forms,test,check]"

# Test-only JavaScript (axe-core for the accessibility tests), pinned in tests/package-lock.json.
# `npm ci` again only when the lock file is newer than what is installed.
if [ ! -f tests/node_modules/.package-lock.json ] || [ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]; then
    (cd tests && npm ci --no-audit --no-fund --loglevel=error)
fi
