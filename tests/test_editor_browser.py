"""The query editor in a real browser: Debian's chromium + chromedriver, driven by Selenium, against the
real server process (`duikou-kg serve` in a subprocess, with its own data directory).

Opens ``/``, runs an example (a canned query as plain SPARQL through ``/sparql``) and waits for result rows
in YASGUI's table. The screenshot goes to ``$DUIKOU_KG_ARTEFACTS`` if set, else to the test's temp folder.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from real_server import serve

ROOT = Path(__file__).resolve().parents[1]
# Debian's packages (scripts/setup.sh --test installs them); Selenium never downloads a browser here.
CHROMIUM = shutil.which("chromium")
CHROMEDRIVER = shutil.which("chromedriver")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--window-size=1400,1000")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """``duikou-kg serve`` on the real checkout, for the module; yields its base URL."""
    # Rate limit off: the page's asset requests and the tests share one client address.
    with serve(ROOT, tmp_path_factory.mktemp("data"), env={"DUIKOU_KG_RATE_LIMIT": "0"}) as running:
        yield running.base


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    assert CHROMIUM and CHROMEDRIVER, "chromium and chromium-driver missing: run scripts/setup.sh --test"
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument("--user-data-dir=" + str(tmp_path_factory.mktemp("chromium-profile")))
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _artefact_dir(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("DUIKOU_KG_ARTEFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_editor_runs_an_example_and_shows_rows(server, browser, tmp_path):
    browser.get(server + "/")
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".yasqe .CodeMirror"))
    endpoint = browser.find_element(By.CSS_SELECTOR, ".yasgui input.autocomplete")
    assert endpoint.get_attribute("value") == "/sparql"

    browser.find_element(By.CSS_SELECTOR, 'button[data-name="place-pairings"]').click()
    wanted = ".yasr table.dataTable tbody tr td a.iri[href$='/id/pairing/seed-1950s-shanghai-shaanxi']"
    links = WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, wanted))
    shot = _artefact_dir(tmp_path) / "editor-place-pairings.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    assert links
    rows = browser.find_elements(By.CSS_SELECTOR, ".yasr table.dataTable tbody tr")
    assert len(rows) >= 5  # Shanghai's pairings: Shaanxi, Yunnan, Ningxia, Xinjiang, Tibet, …
    # The query that ran is the canned one, bound by VALUES, in the active tab.
    query_text = browser.execute_script("return window.duikouEditor.yasgui.getTab().getQuery();")
    assert "VALUES (?actor ?variant ?lang)" in query_text
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE" and "favicon" not in e["message"]]
    assert errors == []
