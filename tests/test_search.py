"""Label search (duikou_kg.search, /search)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from duikou_kg.linked_data.memory import MemoryStore
from duikou_kg.search import build_index, normalise
from duikou_kg.web.search import label_index
from test_linked_data import BROWSER, make_app

ROOT = Path(__file__).resolve().parents[1]
BEIJING = "https://w3id.org/duikou/id/actor/beijing"


@pytest.fixture(scope="module")
def store():
    return MemoryStore.from_sources(ROOT)


@pytest.fixture(scope="module")
def index(store):
    return build_index(store)


@pytest.mark.parametrize("query", ["北京", "北京市", "Beijing", "beijing", "bei jing", "Bei3 Jing1", "běijīng"])
def test_beijing_is_found_first_by_label_pinyin_and_tones(index, query):
    hits = index.search(query, lang="en")
    assert hits[0].iri == BEIJING and hits[0].match == "exact"


def test_traditional_characters_find_simplified_labels(index):
    hits = index.search("內蒙古", lang="zh")
    assert hits[0].iri.endswith("/actor/neimenggu") and hits[0].label == "内蒙古自治区"


def test_ranking_exact_before_prefix_before_substring(index):
    hits = index.search("汶川", lang="zh")
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].match == "exact" and any(h.match != "exact" for h in hits)
    assert index.search("chuan", lang="zh")[0].match in ("prefix", "substring")


def test_kinds_cover_actors_programs_events_concepts(index):
    kinds = {k for e in index.entries.values() for k in e.kinds}
    assert kinds == {"actor", "program", "event", "concept"}


def test_normalise_folds_case_space_and_tones():
    assert normalise("Bei Jing") == normalise("bei3jing1") == "beijing"
    assert normalise("") == ""


def test_search_json_and_html(tmp_path, store):
    client = make_app(tmp_path, store).test_client()
    data = client.get("/search?q=bei+jing", headers={"Accept": "application/json"}).get_json()
    assert data["results"][0]["iri"] == BEIJING and data["results"][0]["href"] == "/id/actor/beijing"
    html = client.get("/search?q=%E5%8C%97%E4%BA%AC", headers={"Accept": BROWSER})
    assert html.mimetype == "text/html" and 'href="/id/actor/beijing"' in html.get_data(as_text=True)
    assert client.get("/search?q=zzzzqqq").get_json()["results"] == []


def test_index_is_rebuilt_when_the_store_version_changes(tmp_path):
    app = make_app(tmp_path, MemoryStore.from_sources(ROOT))
    with app.app_context():
        first = label_index()
        assert label_index() is first  # cached for one version
        assert not first.search("test-qilin-county")
        extra = '<https://w3id.org/duikou/id/actor/qilin> a <https://w3id.org/duikou/ontology#CountyLevelUnit> ; ' \
                '<http://www.w3.org/2000/01/rdf-schema#label> "麒麟县"@zh .'
        app.extensions["duikou_kg"]["store"] = MemoryStore.from_sources(ROOT, extra_turtle={"urn:x:g": extra})
        second = label_index()
        assert second is not first and second.search("qilinxian")[0].iri.endswith("/actor/qilin")


def _scan_every_entry(index, query, *, lang="zh", limit=20, kind=None):
    """The definition of the ranking, written as a plain loop over the entries: the reference for search()."""
    q = normalise(query)
    hits = []
    for entry in index.entries.values():
        if kind and kind not in entry.kinds:
            continue
        best, matched = 0, ""
        for key, text in entry.keys:
            score = 3 if key == q else 2 if key.startswith(q) else 1 if q and q in key else 0
            if score > best or (score == best and score and len(text) < len(matched)):
                best, matched = score, text
        if best:
            hits.append((-best, len(matched), entry.label(lang), entry.iri, matched))
    return [(iri, matched, -score) for score, _, _, iri, matched in sorted(hits)[:limit]]


def test_search_finds_what_a_scan_of_every_entry_finds(index):
    rng = random.Random(7)
    keys = [key for entry in index.entries.values() for key, _ in entry.keys if key]
    queries = ["北京", "bei", "a", "县", "xinjiang", "shi", "zz-none", "對口", "Hu Bei"]
    for key in rng.sample(keys, 150):  # pieces of real keys: whole keys, their starts, their middles
        start = rng.randrange(len(key))
        queries += [key, key[:max(1, len(key) // 2)], key[start:start + rng.randint(1, 4)]]
    for query in queries:
        for kind, limit in ((None, 20), ("actor", 5), ("concept", 50)):
            got = [(h.iri, h.matched, h.score) for h in index.search(query, kind=kind, limit=limit)]
            assert got == _scan_every_entry(index, query, kind=kind, limit=limit), (query, kind)


def test_control_characters_cannot_match_across_keys(index):
    assert normalise("北\x00京") == "北京"
    assert index.search("\x00") == []


@pytest.mark.parametrize("limit", ["0", "51", "ten", "-1", "２"])
def test_a_bad_limit_is_refused_with_a_message_naming_it(tmp_path, limit):
    from duikou_kg.config import Settings
    from duikou_kg.web import create_app

    app = create_app(Settings.from_env(environ={}, project_root=ROOT, data_dir=tmp_path),
                     store=MemoryStore.from_sources(ROOT))
    client = app.test_client()
    refused = client.get("/search", query_string={"q": "beijing", "limit": limit})
    error = refused.get_json()["error"]
    assert refused.status_code == 400 and error["code"] == "invalid_parameter" and "'limit'" in error["message"]
    assert len(client.get("/search", query_string={"q": "bei", "limit": "2"}).get_json()["results"]) <= 2
    assert client.get("/search", query_string={"q": "bei", "limit": "50"}).status_code == 200
