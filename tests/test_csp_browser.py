"""The Content-Security-Policy holds in a real browser: Debian's chromium (Selenium) loads the editor, runs an
example, and loads a resource page, the search page and the validation page of the real server; no CSP
violation is reported, neither as a ``securitypolicyviolation`` event nor in the console.

Uses the server and browser fixtures of test_editor_browser.py (real checkout, ``duikou-kg serve``).
"""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from test_editor_browser import browser, server  # noqa: F401  (pytest fixtures)

# Runs before any script of each page: every violation is kept on window.__csp.
RECORDER = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline') + ' ' + (e.sourceFile || ''));
});
"""


def _violations(driver) -> list[str]:
    recorded = driver.execute_script("return window.__csp || null;")
    assert recorded is not None, "the violation recorder did not run"
    console = [entry["message"] for entry in driver.get_log("browser")
               if "Content Security Policy" in entry["message"] or "Content-Security-Policy" in entry["message"]]
    return recorded + console


def _load(driver, url: str) -> None:
    driver.get(url)
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")


def test_pages_load_without_csp_violations(server, browser):  # noqa: F811
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER})
    browser.get_log("browser")  # drop what earlier tests left

    _load(browser, server + "/")
    WebDriverWait(browser, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".yasqe .CodeMirror"))
    browser.find_element(By.CSS_SELECTOR, 'button[data-name="place-pairings"]').click()
    WebDriverWait(browser, 30).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, ".yasr table.dataTable tbody tr td a.iri"))
    assert _violations(browser) == []

    for path in ("/id/actor/beijing", "/search?q=%E5%8C%97%E4%BA%AC&format=html", "/validate"):
        _load(browser, server + path)
        assert browser.find_elements(By.CSS_SELECTOR, "h1"), path
        assert _violations(browser) == [], path
    # The stylesheet that replaced the inline <style> of /validate is applied.
    width = browser.execute_script("return getComputedStyle(document.querySelector('textarea')).width")
    body = browser.execute_script("return document.body.getBoundingClientRect().width")
    assert abs(float(width.removesuffix("px")) - body) < 40


def test_the_recorder_sees_a_violation(server, browser):  # noqa: F811
    # Guards the test above: an inline script on a page of this origin is blocked and recorded.
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": RECORDER})
    _load(browser, server + "/validate")
    browser.execute_script("""
        var s = document.createElement('script'); s.textContent = 'window.__ran = 1;';
        document.body.appendChild(s);""")
    WebDriverWait(browser, 10).until(lambda d: d.execute_script("return window.__csp.length") > 0)
    assert browser.execute_script("return window.__ran || 0") == 0
    assert any("script-src" in v for v in _violations(browser))
