"""The query editor page (duikou_kg.web.editor) as HTML: configuration, examples, assets, escaping."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from duikou_kg.canned import load_catalog
from duikou_kg.config import Settings
from duikou_kg.linked_data.memory import MemoryStore
from duikou_kg.web import editor
from duikou_kg.web import create_app

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def store():
    return MemoryStore.from_sources(ROOT)


@pytest.fixture()
def client(tmp_path, store):
    app = create_app(Settings.from_env(environ={}, project_root=ROOT, data_dir=tmp_path), store=store)
    return app.test_client()


def config_of(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="editor-config">(.*?)</script>', page, re.S)
    assert match, "configuration block missing"
    return json.loads(match.group(1))


@pytest.mark.parametrize("path", ["/", "/query"])
def test_editor_page_and_its_configuration(client, path):
    r = client.get(path, headers={"Accept-Language": "en"})
    assert r.status_code == 200 and r.mimetype == "text/html"
    page = r.get_data(as_text=True)
    config = config_of(page)
    assert config["endpoint"] == "/sparql"
    assert config["prefixes"]["dko"] == "https://w3id.org/duikou/ontology#"
    assert {"actor", "pairing", "program", "rdfs", "skos"} <= set(config["prefixes"])
    assert config["defaultQuery"].startswith("PREFIX dko: <https://w3id.org/duikou/ontology#>")
    names = [e["name"] for e in config["examples"]]
    assert names == load_catalog(ROOT / "queries").names
    place = next(e for e in config["examples"] if e["name"] == "place-pairings")
    assert 'VALUES (?actor ?variant ?lang) { (<https://w3id.org/duikou/id/actor/shanghai> ' in place["text"]
    assert page.count('data-example="') == len(names)


def test_no_inline_script_and_local_assets_only(client):
    page = client.get("/").get_data(as_text=True)
    for tag in re.findall(r"<script\b[^>]*>", page):
        assert 'type="application/json"' in tag or " src=" in tag, tag
    sources = re.findall(r'<(?:script|link)\b[^>]*(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    for source in sources:
        response = client.get(source)
        assert response.status_code == 200 and len(response.get_data()) > 100, source
        response.close()
    assert "/assets/vendor/yasgui/yasgui.min.js" in sources


def test_vendor_files_are_installed():
    """scripts/setup.sh copies YASGUI from frontend/node_modules; the page is useless without them."""
    assert editor.vendor_missing() == []
    lock = json.loads((ROOT / "frontend" / "package-lock.json").read_text())
    assert "node_modules/@zazuko/yasgui" in lock["packages"]


def test_chinese_page_titles_and_escaped_config(client):
    page = client.get("/?lang=zh").get_data(as_text=True)
    assert "SPARQL 查询编辑器" in page and "某一主体的全部结对关系" in page
    block = re.search(r'id="editor-config">(.*?)</script>', page, re.S).group(1)
    assert "</" not in block and "<" not in block  # tojson escapes markup, so the block cannot be closed early
    assert json.loads(block)["lang"] == "zh"
    assert html.escape("<") not in block
