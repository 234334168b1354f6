#!/usr/bin/env bash
# Install the headless browser the dashboard tests drive (tests/test_browser.py).
# Idempotent: does nothing when Debian's chromium is already present. The Python side
# (playwright, which bundles its own node driver) comes from requirements.txt; we never
# run `playwright install`: the tests launch /usr/bin/chromium directly.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
    echo "chromium already installed: $(/usr/bin/chromium --version 2>/dev/null || true)"
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core
/usr/bin/chromium --version
