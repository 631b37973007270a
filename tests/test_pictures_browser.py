"""The picture pages in a real browser (Debian's chromium + chromedriver, Selenium) against one real
``duikou-kg serve`` process for the module (the fixtures of test_editor_browser).

Each test loads a page, waits for the drawing (the counts the scripts put in ``data-`` attributes), applies a
filter, checks that the drawing changed, and saves a screenshot to ``$DUIKOU_KG_ARTEFACTS`` or the test's temp
folder. The pages send a CSP without inline script, so a CSP violation would show as a SEVERE console entry.
"""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from test_editor_browser import _artefact_dir, browser, server  # noqa: F401  (module-scoped fixtures)

WAIT = 30


def _number(driver, element_id: str, attribute: str) -> int:
    value = driver.find_element(By.ID, element_id).get_attribute(attribute)
    return int(value) if value and value.isdigit() else -1


def _drawn(driver, element_id: str, attribute: str) -> int:
    WebDriverWait(driver, WAIT).until(lambda d: _number(d, element_id, attribute) > 0)
    return _number(driver, element_id, attribute)


def _changes(driver, element_id: str, attribute: str, before: int) -> int:
    WebDriverWait(driver, WAIT).until(lambda d: _number(d, element_id, attribute) not in (before, -1))
    return _number(driver, element_id, attribute)


def _shoot(driver, tmp_path, name: str) -> None:
    shot = _artefact_dir(tmp_path) / name
    driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


def _no_errors(driver) -> None:
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE" and "favicon" not in e["message"]]
    assert errors == []


def _select_by_value_suffix(driver, element_id: str, suffix: str) -> None:
    select = Select(driver.find_element(By.ID, element_id))
    value = next(o.get_attribute("value") for o in select.options if o.get_attribute("value").endswith(suffix))
    select.select_by_value(value)


def test_map_draws_arcs_and_filters_by_variant_program_and_year(server, browser, tmp_path):  # noqa: F811
    browser.get(server + "/map")
    arcs = _drawn(browser, "picture", "data-arcs")
    assert arcs > 100 and _number(browser, "picture", "data-places") > 50
    # The chart's own option holds the same arcs: three lines series, one per variant.
    in_chart = browser.execute_script(
        "var c = echarts.getInstanceByDom(document.getElementById('picture'));"
        "return c.getOption().series.filter(function (s) { return s.type === 'lines'; })"
        ".reduce(function (n, s) { return n + s.data.length; }, 0);")
    assert in_chart == arcs
    _shoot(browser, tmp_path, "pictures-map.png")

    Select(browser.find_element(By.ID, "f-variant")).select_by_value("cooperation")
    cooperation = _changes(browser, "picture", "data-arcs", arcs)
    assert 0 < cooperation < arcs

    Select(browser.find_element(By.ID, "f-variant")).select_by_value("")
    _changes(browser, "picture", "data-arcs", cooperation)
    _select_by_value_suffix(browser, "f-program", "/program/tibet")
    tibet = _changes(browser, "picture", "data-arcs", arcs)
    assert 0 < tibet < arcs
    _select_by_value_suffix(browser, "f-program", "")

    browser.find_element(By.ID, "f-by-year").click()  # in force in 1979
    in_1979 = _changes(browser, "picture", "data-arcs", arcs)
    assert 0 < in_1979 < arcs
    assert browser.find_element(By.ID, "picture").get_attribute("data-year") == "1979"
    _shoot(browser, tmp_path, "pictures-map-1979.png")
    _no_errors(browser)


def test_map_in_chinese_and_a_place_links_to_its_page(server, browser):  # noqa: F811
    browser.get(server + "/map?lang=zh")
    _drawn(browser, "picture", "data-arcs")
    assert browser.find_element(By.TAG_NAME, "h1").text == "结对关系地图"
    options = [o.text for o in Select(browser.find_element(By.ID, "f-program")).options]
    assert "全部" in options and any("对口援藏" in o for o in options)
    place = browser.execute_script(
        "var c = echarts.getInstanceByDom(document.getElementById('picture'));"
        "var s = c.getOption().series.filter(function (s) { return s.type === 'scatter'; })[0];"
        "return window.duikouPictures.href(s.data[0].iri);")
    assert "/id/actor/" in place and place.endswith("?lang=zh")
    browser.get(server + place)
    assert browser.find_element(By.TAG_NAME, "h1").text


def test_network_filters_by_program_and_highlights_a_search(server, browser, tmp_path):  # noqa: F811
    browser.get(server + "/network")
    nodes = _drawn(browser, "picture", "data-nodes")
    assert nodes > 100 and _number(browser, "picture", "data-edges") > 100
    search = browser.find_element(By.ID, "f-search")
    search.send_keys("Shanghai")
    assert _drawn(browser, "picture", "data-highlighted") >= 1
    _shoot(browser, tmp_path, "pictures-network.png")
    _select_by_value_suffix(browser, "f-program", "/program/xinjiang")
    fewer = _changes(browser, "picture", "data-nodes", nodes)
    assert 0 < fewer < nodes
    _no_errors(browser)


def test_timeline_draws_programs_events_and_pairings_and_filters(server, browser, tmp_path):  # noqa: F811
    browser.get(server + "/timeline")
    points = _drawn(browser, "picture", "data-pairings")
    assert _number(browser, "picture", "data-events") > 5 and _number(browser, "picture", "data-programs") > 3
    _shoot(browser, tmp_path, "pictures-timeline.png")
    _select_by_value_suffix(browser, "f-program", "/program/wenchuan-reconstruction")
    fewer = _changes(browser, "picture", "data-pairings", points)
    assert 0 < fewer < points and _number(browser, "picture", "data-programs") == 1
    _no_errors(browser)


def test_charts_count_per_program_variant_sector_decade_and_filter(server, browser, tmp_path):  # noqa: F811
    browser.get(server + "/charts?lang=zh")
    total = _drawn(browser, "picture", "data-total")
    bars = {kind: _drawn(browser, f"chart-{kind}", "data-bars") for kind in ("program", "variant", "sector", "decade")}
    assert bars["variant"] == 3 and bars["program"] > 5
    _shoot(browser, tmp_path, "pictures-charts.png")
    Select(browser.find_element(By.ID, "f-variant")).select_by_value("cooperation")
    fewer = _changes(browser, "picture", "data-total", total)
    assert 0 < fewer < total
    assert _number(browser, "chart-variant", "data-bars") == 1
    assert _number(browser, "chart-program", "data-bars") < bars["program"]
    _no_errors(browser)
