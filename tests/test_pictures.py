"""The pictures without a browser: the pairing-overview query, grouping and counting, the outlines' decoder,
the picture pages' HTML (languages, CSP, no inline script, SPARQL links) and ``duikou-kg plot`` (PNG and SVG).

Most tests use the tiny project of conftest plus a file of places with coordinates, a program and sectors,
and the pictures' canned queries copied from the checkout; tests on the real checkout say so in their names.
"""

from __future__ import annotations

import json
import re
import shutil
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import PREFIXES, REPO_ROOT
from duikou_kg.canned import load_catalog
from duikou_kg.cli import main
from duikou_kg.config import Settings
from duikou_kg.pictures.data import (
    COUNT_KINDS, NONE_KEY, count_by, filter_pairings, load_picture_data, network, pairings_from_rows,
)
from duikou_kg.pictures.geo import decode_ring, outlines
from duikou_kg.store import open_store
from duikou_kg.web import create_app

QUERIES = ("pairing-overview.rq", "events-timeline.rq")

PICTURE_PLACES = PREFIXES + textwrap.dedent("""\
    # Coordinates, a program and sectors for the pictures' tests.
    @prefix geo: <http://www.w3.org/2003/01/geo/wgs84_pos#> .
    @prefix program: <https://w3id.org/duikou/id/program/> .
    @prefix sector: <https://w3id.org/duikou/id/concept/sector/> .
    actor:beijing geo:lat 39.9 ; geo:long 116.4 .
    actor:shanghai geo:lat 31.2 ; geo:long 121.5 ; rdfs:label "上海市"@zh , "Shanghai <b>&</b>"@en .
    actor:prefecture a dko:PrefectureLevelUnit ; geo:lat 29.6 ; geo:long 91.1 ; rdfs:label "某州"@zh , "A prefecture"@en .
    actor:province a dko:ProvinceLevelUnit ; geo:lat 30.0 ; geo:long 100.0 .
    dko:Program a owl:Class .
    program:tibet a dko:Program ; rdfs:label "对口援藏"@zh , "Aid to Tibet"@en .
    pairing:beijing-county dko:program program:tibet ; dko:sector sector:education , sector:health .
    pairing:shanghai-prefecture dko:program program:tibet ; dko:startYear 1994 ; dko:endYear 2000 .
    sector:education rdfs:label "教育"@zh , "education"@en .
    sector:health rdfs:label "医疗卫生"@zh , "health"@en .
    event:meeting a dko:Meeting ; dko:year 1979 ; rdfs:label "会议"@zh , "A meeting"@en .
""")


@pytest.fixture
def picture_settings(tiny_root: Path, tmp_path: Path) -> Settings:
    (tiny_root / "data" / "ttl" / "places" / "pictures.ttl").write_text(PICTURE_PLACES, encoding="utf-8")
    (tiny_root / "queries").mkdir()
    for name in QUERIES:
        shutil.copy(REPO_ROOT / "queries" / name, tiny_root / "queries" / name)
    return Settings.from_env(environ={}, project_root=tiny_root, data_dir=tmp_path / "picture-var")


@pytest.fixture
def picture_store(picture_settings):
    return open_store(picture_settings)


@pytest.fixture
def picture_client(picture_settings, picture_store):
    app = create_app(picture_settings, store=picture_store)
    app.config["TESTING"] = True
    return app.test_client()


# ---------------------------------------------------------------------- the query and the data layer


def test_pairing_overview_places_sides_and_counties_at_their_prefecture(picture_client):
    body = picture_client.get("/api/queries/pairing-overview.json?limit=1000").get_json()
    rows = {(r["pairing"].rsplit("/", 1)[1], r["sector"] and r["sector"].rsplit("/", 1)[1]): r for r in body["rows"]}
    assert set(rows) == {("beijing-county", "education"), ("beijing-county", "health"),
                         ("shanghai-prefecture", None), ("jilin-zhejiang", None)}
    county = rows[("beijing-county", "education")]
    assert (county["supporterLat"], county["supporterLong"]) == (39.9, 116.4)
    assert county["recipientAt"].endswith("/actor/prefecture")  # the county has no coordinates of its own
    assert (county["recipientLat"], county["recipientLong"]) == (29.6, 91.1)
    assert county["variant"].endswith("#CounterpartSupport") and county["startYear"] == 1979
    assert county["sectorLabel"] == "education" and county["programLabel"] == "Aid to Tibet"
    cooperation = rows[("jilin-zhejiang", None)]  # partners in the two columns, no coordinates anywhere
    assert cooperation["supporter"].endswith("/jilin") and cooperation["recipient"].endswith("/zhejiang")
    assert cooperation["supporterLat"] is None and cooperation["supporterAt"] is None
    zh = picture_client.get("/api/queries/pairing-overview.json?lang=zh").get_json()["rows"]
    assert {r["sectorLabel"] for r in zh if r["sector"]} == {"教育", "医疗卫生"}


def test_real_checkout_pairing_overview_has_every_pairing_once_per_sector_and_most_placed():
    from duikou_kg.store import open_store as open_real

    settings = Settings.from_env()
    data = load_picture_data(open_real(settings), REPO_ROOT / "queries")
    counted = open_real(settings).query(
        "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a <https://w3id.org/duikou/ontology#Pairing> }")
    total = int(next(iter(counted))["n"].value)
    assert len(data.pairings) == total and len({p.iri for p in data.pairings}) == total
    placed = [p for p in data.pairings if p.supporter_point and p.recipient_point]
    assert len(placed) > 0.8 * total
    for p in placed:
        for long, lat in (p.supporter_point, p.recipient_point):
            assert 73 <= long <= 135.5 and 18 <= lat <= 54  # inside China's frame
    assert sum(n for _, n in count_by(data.pairings, "variant")) == total


def test_grouping_filters_and_counts(picture_store, picture_settings):
    data = load_picture_data(picture_store, picture_settings.project_root / "queries", lang="en")
    by_slug = {p.iri.rsplit("/", 1)[1]: p for p in data.pairings}
    assert [s for s, _ in by_slug["beijing-county"].sectors] == [
        "https://w3id.org/duikou/id/concept/sector/education", "https://w3id.org/duikou/id/concept/sector/health"]
    assert by_slug["shanghai-prefecture"].in_force(1996) and not by_slug["shanghai-prefecture"].in_force(2001)
    assert not by_slug["jilin-zhejiang"].in_force(2000)  # no start year: never "in force" in a chosen year
    assert [p.iri.rsplit("/", 1)[1] for p in filter_pairings(data.pairings, year=1996)] == [
        "beijing-county", "shanghai-prefecture"]
    assert [p.iri.rsplit("/", 1)[1] for p in filter_pairings(data.pairings, year=2001)] == ["beijing-county"]
    assert len(filter_pairings(data.pairings, variant="cooperation")) == 1
    assert len(filter_pairings(data.pairings, program="tibet")) == 2
    assert len(filter_pairings(data.pairings, sector="health")) == 1
    assert count_by(data.pairings, "variant") == [("support", 1), ("assistance", 1), ("cooperation", 1)]
    assert count_by(data.pairings, "decade") == [("1970", 1), ("1990", 1), (NONE_KEY, 1)]
    assert dict(count_by(data.pairings, "sector")) == {
        "https://w3id.org/duikou/id/concept/sector/education": 1,
        "https://w3id.org/duikou/id/concept/sector/health": 1, NONE_KEY: 2}
    assert data.label_of("decade", "1970") == "1970s" and data.label_of("program", NONE_KEY) == "not stated"
    nodes, edges = network(data.pairings)
    assert len(edges) == 3 and {n["pairings"] for n in nodes} == {1}
    assert len(data.events) == 1 and data.events[0].year == 1979
    with pytest.raises(ValueError):
        count_by(data.pairings, "colour")
    assert set(COUNT_KINDS) == {"program", "variant", "sector", "decade"}


def test_rows_of_one_pairing_and_several_sectors_make_one_pairing():
    row = {"pairing": "p", "variant": "https://w3id.org/duikou/ontology#CounterpartAssistance",
           "supporterLat": 1.0, "supporterLong": 2.0, "recipientLat": None, "recipientLong": None}
    pairings = pairings_from_rows([{**row, "sector": "s1", "sectorLabel": "one"}, {**row, "sector": "s2"},
                                   {**row, "sector": "s1", "sectorLabel": "one"}])
    assert len(pairings) == 1
    assert pairings[0].sectors == (("s1", "one"), ("s2", "s2"))
    assert pairings[0].variant == "assistance" and pairings[0].supporter_point == (2.0, 1.0)
    assert pairings[0].recipient_point is None


def test_decode_ring_follows_echarts_encoding():
    # zigzag: 'A' (65-64=1) is -1, 'B' (2) is +1, '@' (0) is 0; deltas from the offsets, divided by the scale.
    assert decode_ring("B@AB", [1024, 2048]) == [(1025 / 1024, 2.0), (1.0, 2049 / 1024)]


def test_outlines_read_plain_geojson(tmp_path):
    plain = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "x"},
             "geometry": {"type": "Polygon", "coordinates": [[[100, 30], [101, 30], [101, 31], [100, 30]]]}}]}
    path = tmp_path / "plain.json"
    path.write_text(json.dumps(plain), encoding="utf-8")
    assert outlines(path) == {"x": [[(100.0, 30.0), (101.0, 30.0), (101.0, 31.0), (100.0, 30.0)]]}
    assert outlines(tmp_path / "missing.json") is None


def test_real_checkout_installed_outlines_cover_the_provinces():
    shapes = outlines()
    if shapes is None:
        pytest.skip("static/vendor/echarts/china.json not installed (scripts/setup.sh)")
    assert len(shapes) >= 34 and "北京" in shapes and "西藏" in shapes
    points = [p for rings in shapes.values() for ring in rings for p in ring]
    assert 73 <= min(x for x, _ in points) and max(x for x, _ in points) <= 136
    assert 3 <= min(y for _, y in points) and max(y for _, y in points) <= 54


# ---------------------------------------------------------------------- pages


@pytest.mark.parametrize("page", ["map", "network", "timeline", "charts"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_pages_have_no_inline_script_and_link_their_sparql(picture_client, page, lang):
    response = picture_client.get(f"/{page}?lang={lang}")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    for attrs, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
        assert "src=" in attrs and not body.strip() or 'type="application/json"' in attrs
    config = json.loads(re.search(r'<script type="application/json" id="pictures-config">(.*?)</script>',
                                  html, flags=re.S).group(1))
    assert config["lang"] == lang and config["queries"]["pairing-overview"].startswith("/api/queries/pairing-overview.json")
    assert config["variantOrder"] == ["support", "assistance", "cooperation"]
    assert "/pictures/sparql/pairing-overview.rq" in html
    assert "/query?example=pairing-overview" in html
    assert ("地图" if lang == "zh" else "Map") in html


def test_sparql_link_serves_the_rq_file_and_refuses_other_names(picture_client):
    response = picture_client.get("/pictures/sparql/pairing-overview.rq")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert response.get_data(as_text=True) == (REPO_ROOT / "queries" / "pairing-overview.rq").read_text(encoding="utf-8")
    missing = picture_client.get("/pictures/sparql/no-such-query.rq")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"


def test_every_picture_query_is_in_the_catalog():
    from duikou_kg.web.pictures import PAGES

    catalog = load_catalog(REPO_ROOT / "queries")
    assert {name for names in PAGES.values() for name in names} <= set(catalog.names)


def test_editor_opens_the_example_named_in_the_url(picture_client):
    html = picture_client.get("/query?example=pairing-overview").get_data(as_text=True)
    config = json.loads(re.search(r'id="editor-config">(.*?)</script>', html, flags=re.S).group(1))
    assert config["open"] == "pairing-overview"
    other = picture_client.get("/query?example=<nope>").get_data(as_text=True)
    assert '"open": null' in other and "<nope>" not in other


# ---------------------------------------------------------------------- duikou-kg plot


@pytest.fixture
def plot(picture_settings, picture_store):
    env = {"DUIKOU_KG_ROOT": str(picture_settings.project_root), "DUIKOU_KG_DATA_DIR": str(picture_settings.data_dir)}
    runner = CliRunner()
    return lambda *args: runner.invoke(main, ["plot", *args], env=env, catch_exceptions=False)


@pytest.mark.parametrize("kind", ["map", "network", "timeline", "program", "variant", "sector", "decade"])
def test_plot_writes_png_and_svg(plot, tmp_path, kind):
    png, svg = tmp_path / f"{kind}.png", tmp_path / f"{kind}.svg"
    result = plot(kind, "--out", str(png))
    assert result.exit_code == 0, result.output
    assert f"wrote {png}" in result.output
    data = png.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
    assert plot(kind, "--out", str(svg)).exit_code == 0
    text = svg.read_text(encoding="utf-8")
    assert text.lstrip().startswith("<?xml") and "<svg" in text and len(text) > 5_000
    assert text.count("<path") > 10


def test_plot_reports_what_it_drew_and_filters(plot, tmp_path):
    result = plot("map", "--out", str(tmp_path / "m.png"))
    assert "arcs 2" in result.output and "pairings 3" in result.output  # the cooperation has no coordinates
    result = plot("map", "--year", "2001", "--out", str(tmp_path / "m2001.png"))
    assert "arcs 1" in result.output and "pairings 1" in result.output
    result = plot("variant", "--variant", "cooperation", "--out", str(tmp_path / "v.svg"))
    assert "bars 1" in result.output


def test_plot_usage_errors(plot, tmp_path):
    result = plot("map", "--out", str(tmp_path / "map.jpg"))
    assert result.exit_code == 2 and ".png or .svg" in result.output
    assert plot("pie", "--out", str(tmp_path / "x.png")).exit_code == 2


def test_plot_in_chinese_when_a_cjk_font_is_installed(plot, tmp_path):
    from duikou_kg.pictures.plot import cjk_font

    if cjk_font() is None:
        pytest.skip("no CJK font installed (fonts-noto-cjk)")
    result = plot("program", "--lang", "zh", "--out", str(tmp_path / "zh.png"))
    assert result.exit_code == 0 and (tmp_path / "zh.png").stat().st_size > 10_000


def test_every_picture_route_and_kind_is_documented(picture_client):
    doc = (REPO_ROOT / "docs" / "pictures.md").read_text(encoding="utf-8")
    app = picture_client.application
    routes = {rule.rule for rule in app.url_map.iter_rules() if rule.endpoint.split(".")[0] == "pictures"}
    assert routes == {"/map", "/network", "/timeline", "/charts", "/pictures/sparql/<name>.rq"}
    assert all(f"`{route}`" in doc for route in routes), routes
    from duikou_kg.pictures.data import KINDS

    assert all(f"`{kind}`" in doc for kind in KINDS)
