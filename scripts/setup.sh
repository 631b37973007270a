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
command -v npm >/dev/null 2>&1 || apt_packages+=(npm)                      # front-end assets (YASGUI editor)
if [ "$with_tests" -eq 1 ]; then                                           # browser test of the editor page
    command -v chromium >/dev/null 2>&1 || apt_packages+=(chromium)
    command -v chromedriver >/dev/null 2>&1 || apt_packages+=(chromium-driver)
    fc-list :lang=zh 2>/dev/null | grep -q . || apt_packages+=(fonts-noto-cjk)   # Chinese in screenshots
fi
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

# Front-end assets: YASGUI (@zazuko/yasgui) from the npm registry at the versions frontend/package-lock.json
# pins, its built files copied into the package's static folder (git ignores them) so the editor page
# needs no CDN. A copy of the lock file next to them marks which install they came from.
vendor=src/duikou_kg/web/static/vendor/yasgui
if ! cmp -s frontend/package-lock.json "$vendor/package-lock.json"; then
    npm ci --prefix frontend --no-audit --no-fund --ignore-scripts --loglevel=error
    mkdir -p "$vendor"
    cp frontend/node_modules/@zazuko/yasgui/build/yasgui.min.js \
       frontend/node_modules/@zazuko/yasgui/build/yasgui.min.css "$vendor/"
    cp frontend/package-lock.json "$vendor/package-lock.json"
fi
echo "setup: done (.venv ready, editor assets in $vendor)"
