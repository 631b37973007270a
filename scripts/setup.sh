#!/usr/bin/env bash
# Sets up duikou-kg on a fresh Debian machine: system packages it needs, a virtual environment in .venv,
# and the package itself (editable). `--test` also installs what the test suite needs.
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
[ "${1:-}" = "--test" ] && with_tests=1

apt_packages=()
command -v javac >/dev/null 2>&1 || apt_packages+=(default-jdk-headless)  # HermiT: java, and javac for its long-lived process
command -v npm >/dev/null 2>&1 || apt_packages+=(npm)                      # front-end assets (YASGUI, ECharts)
if [ "$with_tests" -eq 1 ]; then                                           # browser test of the editor page
    command -v chromium >/dev/null 2>&1 || apt_packages+=(chromium)
    command -v chromedriver >/dev/null 2>&1 || apt_packages+=(chromium-driver)
    fc-list :lang=zh 2>/dev/null | grep -q . || apt_packages+=(fonts-noto-cjk)   # Chinese in screenshots
    command -v virtuoso-t >/dev/null 2>&1 || apt_packages+=(virtuoso-opensource)   # remote-backend tests
    [ -f /usr/share/java/jena-arq.jar ] || apt_packages+=(libapache-jena-java)     # remote-backend tests on Jena ARQ
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
# The long-lived HermiT process (src/duikou_kg/hermit/HermitServer.java), compiled once into the user's cache
# (again only when the source or owlready2's jar changed), so the first validation does not wait for javac.
.venv/bin/python -m duikou_kg.hermit

# Front-end assets from the npm registry at the versions frontend/package-lock.json pins, their built files
# copied into the package's static folder (git ignores it) so no page needs a CDN: YASGUI (@zazuko/yasgui) for
# the editor; Apache ECharts and the province outlines of echarts 4.9.0 (map/json/china.json, Apache-2.0)
# for the pictures (map, network, timeline, charts; `duikou-kg plot` reads the outlines too).
# A copy of the lock file next to each marks which install they came from.
vendor=src/duikou_kg/web/static/vendor
if ! cmp -s frontend/package-lock.json "$vendor/yasgui/package-lock.json" \
   || ! cmp -s frontend/package-lock.json "$vendor/echarts/package-lock.json"; then
    npm ci --prefix frontend --no-audit --no-fund --ignore-scripts --loglevel=error
    mkdir -p "$vendor/yasgui" "$vendor/echarts"
    cp frontend/node_modules/@zazuko/yasgui/build/yasgui.min.js \
       frontend/node_modules/@zazuko/yasgui/build/yasgui.min.css "$vendor/yasgui/"
    cp frontend/node_modules/echarts/dist/echarts.min.js \
       frontend/node_modules/echarts-4-maps/map/json/china.json "$vendor/echarts/"
    cp frontend/node_modules/echarts/LICENSE "$vendor/echarts/LICENSE"
    cp frontend/package-lock.json "$vendor/yasgui/package-lock.json"
    cp frontend/package-lock.json "$vendor/echarts/package-lock.json"
fi
echo "setup: done (.venv ready, browser assets in $vendor)"
