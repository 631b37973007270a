#!/usr/bin/env bash
# Sets up duikou-kg on a fresh Debian machine: system packages it needs, a virtual environment in .venv,
# and the package itself (editable). `--test` also installs what the test suite needs.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
[ "${1:-}" = "--test" ] && with_tests=1

apt_packages=()
command -v java >/dev/null 2>&1 || apt_packages+=(default-jre-headless)   # HermiT (OWL reasoning)
if [ ${#apt_packages[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "setup: need root to install: ${apt_packages[*]}" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${apt_packages[@]}"
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ "$with_tests" -eq 1 ]; then
    .venv/bin/python -m pip install -q -e '.[test]'
else
    .venv/bin/python -m pip install -q -e .
fi
echo "setup: done (.venv ready)"
