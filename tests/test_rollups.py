"""Roll-ups the build precomputes (duikou_kg.rollups): the stored figures equal their definition, the
canned query reads them, and a rebuild after a data change recomputes them."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from duikou_kg.canned import load_catalog, run_query
from duikou_kg.config import Settings
from duikou_kg.linked_data.memory import MemoryStore
from duikou_kg.namespaces import DKO, INFERRED_GRAPH, QB
from duikou_kg.rollups import PAIRINGS_BY_DECADE, ROLLUP_DEFINITIONS
from duikou_kg.store import build_store, open_store

ROOT = Path(__file__).resolve().parents[1]

_STORED = f"""SELECT ?decade ?kind ?pairings WHERE {{
  GRAPH <{INFERRED_GRAPH}> {{
    ?o <{QB}dataSet> <{PAIRINGS_BY_DECADE}> ; <{DKO}decade> ?decade ; <{DKO}pairingKind> ?kind ;
       <{DKO}pairingCount> ?pairings .
  }}
}}"""


def _table(rows) -> dict[tuple[int, str], int]:
    return {(int(r["decade"].value), r["kind"].value): int(r["pairings"].value) for r in rows}


def test_stored_figures_equal_their_definition_on_the_real_data():
    store = MemoryStore.from_sources(ROOT)
    stored = _table(store.query(_STORED, default_graph=None))
    computed = _table(store.query(ROLLUP_DEFINITIONS[PAIRINGS_BY_DECADE]))
    assert computed, "the real data has pairings with start years"
    assert stored == computed
    assert (1970, DKO + "CounterpartSupport") in stored


def test_counts_by_decade_reads_the_rollup_with_labels():
    store = MemoryStore.from_sources(ROOT)
    page = run_query(load_catalog(ROOT / "queries").get("counts-by-decade"), store, {"lang": "zh", "limit": "1000"})
    answered = {(int(r[0].value), r[1].value): int(r[3].value) for r in page.rows}
    assert answered == _table(store.query(ROLLUP_DEFINITIONS[PAIRINGS_BY_DECADE]))
    labels = {r[1].value: r[2] for r in page.rows}
    assert labels[DKO + "CounterpartSupport"].language == "zh"


def test_a_rebuild_recomputes_the_rollup(tiny_root: Path, tmp_path: Path):
    settings = Settings.from_env(environ={}, project_root=tiny_root, data_dir=tmp_path / "var")
    build_store(settings)
    before = _table(open_store(settings).query(_STORED))
    assert before == {(1970, DKO + "CounterpartSupport"): 1}
    extra = tiny_root / "data" / "ttl" / "more.ttl"
    extra.write_text("""@prefix dko: <https://w3id.org/duikou/ontology#> .
<https://w3id.org/duikou/id/pairing/new> a dko:CounterpartSupport ; dko:startYear 1975 .
<https://w3id.org/duikou/id/pairing/newer> a dko:CounterpartSupport ; dko:startYear 2003 .
""", encoding="utf-8")
    info = build_store(settings)
    after = _table(open_store(settings).query(_STORED))
    assert after == {(1970, DKO + "CounterpartSupport"): 2, (2000, DKO + "CounterpartSupport"): 1}
    # The roll-up lives in the inferred graph and is counted with it.
    inferred = ox.Store.read_only(str(info.path / "store"))
    in_graph = sum(1 for _ in inferred.quads_for_pattern(None, None, None, ox.NamedNode(INFERRED_GRAPH)))
    assert in_graph == info.inferred_count


def test_rollup_iris_dereference(client):
    observation = client.get("/id/rollup/pairings-by-decade/1970-CounterpartSupport", headers={"Accept": "text/turtle"})
    assert observation.status_code == 200
    graph = ox.Store()
    graph.load(observation.data, format=ox.RdfFormat.TURTLE)
    iri = ox.NamedNode("https://w3id.org/duikou/id/rollup/pairings-by-decade/1970-CounterpartSupport")
    counts = [q.object.value for q in graph.quads_for_pattern(iri, ox.NamedNode(DKO + "pairingCount"), None)]
    assert counts == ["1"]
    assert client.get("/id/rollup/pairings-by-decade", headers={"Accept": "text/html"}).status_code == 200
