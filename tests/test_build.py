"""Sources, settings, and store builds: layout, manifest, atomic switch, stale rebuilds, parse errors."""

from __future__ import annotations

import dataclasses
import json

import pyoxigraph as ox
import pytest

from duikou_kg.config import Settings, find_project_root, settings_table
from duikou_kg.namespaces import DKO, GRAPH_BASE, ID_PREFIXES, INFERRED_GRAPH
from duikou_kg.sources import discover_sources, fingerprint
from duikou_kg.store import (
    BuildError, SourceParseError, StoreNotBuilt, build_store, current_build, open_store,
)

from conftest import REPO_ROOT

ACTOR = ID_PREFIXES["actor"]


def count(store, sparql: str, **options) -> int:
    return int(next(iter(store.query(sparql, **options)))["n"].value)


# --- settings -----------------------------------------------------------------------------------

def test_settings_defaults_env_and_overrides(tmp_path):
    defaults = Settings.from_env(environ={})
    assert defaults.project_root == REPO_ROOT.resolve() == find_project_root()
    assert defaults.data_dir == defaults.project_root / "var"
    assert (defaults.host, defaults.port, defaults.public_base) == ("127.0.0.1", 8000, "https://w3id.org/duikou/")
    env = {"DUIKOU_KG_PORT": "9000", "DUIKOU_KG_DATA_DIR": str(tmp_path)}
    assert Settings.from_env(environ=env).port == 9000
    assert Settings.from_env(environ=env).data_dir == tmp_path.resolve()
    assert Settings.from_env(environ=env, port=9100).port == 9100  # overrides beat the environment


def test_bad_environment_values_name_the_variable():
    with pytest.raises(ValueError, match="DUIKOU_KG_PORT"):
        Settings.from_env(environ={"DUIKOU_KG_PORT": "eighty"})
    with pytest.raises(ValueError, match="DUIKOU_KG_MAX_QUERY_LENGTH"):
        Settings.from_env(environ={"DUIKOU_KG_MAX_QUERY_LENGTH": "0"})


def test_the_settings_table_documents_every_field_once():
    names = [row.name for row in settings_table()]
    assert sorted(names) == sorted(field.name for field in dataclasses.fields(Settings))
    assert all(row.env.startswith("DUIKOU_KG_") and row.help for row in settings_table())
    assert len({row.env for row in settings_table()}) == len(names)


def test_frozen_settings():
    with pytest.raises(dataclasses.FrozenInstanceError):
        Settings.from_env(environ={}).port = 1  # type: ignore[misc]


# --- sources ------------------------------------------------------------------------------------

def test_sources_are_sorted_with_their_graphs(tiny_root):
    sources = discover_sources(tiny_root)
    assert [s.relative_path for s in sources] == [
        "ontology/tiny.ttl", "data/ttl/pairings.ttl", "data/ttl/places/units.ttl"]
    assert sources[2].graph == GRAPH_BASE + "data/ttl/places/units"
    (tiny_root / "data" / "notes.ttl").write_text("# outside data/ttl: not a source\n")
    assert len(discover_sources(tiny_root)) == 3


def test_fingerprint_follows_content_and_names(tiny_root):
    before = fingerprint(discover_sources(tiny_root))
    assert before == fingerprint(discover_sources(tiny_root))
    places = tiny_root / "data" / "ttl" / "places" / "units.ttl"
    places.write_text(places.read_text() + "\n# edited\n")
    edited = fingerprint(discover_sources(tiny_root))
    assert edited != before
    places.rename(places.with_name("renamed.ttl"))
    assert fingerprint(discover_sources(tiny_root)) not in (before, edited)


# --- builds -------------------------------------------------------------------------------------

def test_build_writes_a_store_a_manifest_and_the_current_pointer(tiny_settings):
    info = build_store(tiny_settings)
    assert info.path.parent == tiny_settings.data_dir / "builds"
    assert info.build_id.startswith(info.fingerprint[:12] + "-")
    assert (tiny_settings.data_dir / "current").read_text().strip() == info.build_id
    manifest = json.loads((info.path / "manifest.json").read_text())
    assert manifest["fingerprint"] == info.fingerprint
    assert manifest["graphs"][GRAPH_BASE + "data/ttl/pairings"] == {"source": "data/ttl/pairings.ttl", "triples": 13}
    assert manifest["inferred_triples"] == info.inferred_count > 0
    assert {"build_seconds", "built_at", "inference_seconds"} <= set(manifest)


def test_open_store_queries_the_union_and_can_narrow_the_default_graph(tiny_settings):
    store = open_store(tiny_settings)
    assert store.version == fingerprint(discover_sources(tiny_settings.project_root))
    total = count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert total == store.triple_count == store.manifest.asserted_count + store.manifest.inferred_count
    assert store.query("ASK { actor:beijing dko:supports actor:county }")
    only_inferred = count(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=[INFERRED_GRAPH])
    assert only_inferred == store.manifest.inferred_count
    assert not store.query("ASK { ?s ?p ?o }", default_graph=[])
    named = list(store.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }",
                             named_graphs=[GRAPH_BASE + "ontology/tiny"]))
    assert [row["g"].value for row in named] == [GRAPH_BASE + "ontology/tiny"]


def test_values_are_bound_with_substitutions(tiny_store):
    rows = tiny_store.query("SELECT ?r ?s WHERE { ?s dko:supports ?r }",
                            substitutions={ox.Variable("s"): ox.NamedNode(ACTOR + "beijing")})
    assert [row["r"].value for row in rows] == [ACTOR + "county"]


def test_two_read_only_openers_share_a_build(tiny_settings):
    first = open_store(tiny_settings)
    second = open_store(tiny_settings, rebuild_if_stale=False)
    assert first.manifest.build_id == second.manifest.build_id
    assert bool(first.query("ASK { ?s ?p ?o }")) and bool(second.query("ASK { ?s ?p ?o }"))


def test_changed_sources_rebuild_switch_and_prune(tiny_settings):
    first = open_store(tiny_settings).manifest
    assert open_store(tiny_settings).manifest.build_id == first.build_id  # fresh: no rebuild
    units = tiny_settings.project_root / "data" / "ttl" / "places" / "units.ttl"
    units.write_text(units.read_text() + "actor:county2 a dko:CountyLevelUnit .\n")
    second = open_store(tiny_settings)
    assert second.manifest.build_id != first.build_id
    assert second.query("ASK { actor:county2 a dko:Actor }")
    units.write_text(units.read_text() + "actor:county3 a dko:CountyLevelUnit .\n")
    third = open_store(tiny_settings).manifest
    kept = sorted(p.name for p in (tiny_settings.data_dir / "builds").iterdir())
    assert kept == sorted([second.manifest.build_id, third.build_id])  # current + the one before


def test_a_parse_error_names_file_line_and_column_and_keeps_the_old_build(tiny_settings):
    good = build_store(tiny_settings)
    bad = tiny_settings.project_root / "data" / "ttl" / "broken.ttl"
    bad.write_text("@prefix dko: <https://w3id.org/duikou/ontology#> .\n\ndko:a dko:b dko:c dko:d .\n")
    with pytest.raises(SourceParseError) as caught:
        build_store(tiny_settings)
    error = caught.value
    assert (error.relative_path, error.line) == ("data/ttl/broken.ttl", 3)
    assert str(error).startswith(f"data/ttl/broken.ttl:3:{error.column}: ")
    assert current_build(tiny_settings).build_id == good.build_id
    assert [p.name for p in (tiny_settings.data_dir / "builds").iterdir()] == [good.build_id]


def test_no_build_and_no_rebuild_is_an_error(tiny_settings):
    with pytest.raises(StoreNotBuilt):
        open_store(tiny_settings, rebuild_if_stale=False)


def test_a_root_without_ontology_is_refused(tmp_path):
    settings = Settings.from_env(environ={}, project_root=tmp_path, data_dir=tmp_path / "var")
    with pytest.raises(BuildError, match="no ontology"):
        build_store(settings)


def test_the_real_checkout_builds_with_shortcut_triples(tmp_path):
    settings = Settings.from_env(environ={}, data_dir=tmp_path / "var")
    store = open_store(settings)
    assert store.manifest.graph_counts[GRAPH_BASE + "ontology/duikou"] > 0
    supports = count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s dko:supports ?o } }",
                     named_graphs=[INFERRED_GRAPH])
    asserted_pairings = count(store, "SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a dko:CounterpartSupport }")
    assert asserted_pairings > 0 and supports > 0
    # every inferred supports has its supportedBy and pairedWith both ways
    assert not store.query(
        "ASK { ?s dko:supports ?o . FILTER NOT EXISTS { ?o dko:supportedBy ?s . ?o dko:pairedWith ?s . ?s dko:pairedWith ?o } }")
    assert DKO  # the ontology namespace is what the data uses


def test_the_app_follows_a_build_made_elsewhere(tiny_settings, tiny_root):
    """The app re-reads the pointer only when its stat changes; a new build replaces the file, so it shows."""
    from duikou_kg.web import create_app

    build_store(tiny_settings)
    client = create_app(tiny_settings).test_client()
    ask = {"query": "ASK { <https://w3id.org/duikou/id/pairing/late> ?p ?o }"}
    assert client.get("/sparql", query_string=ask, headers={"Accept": "application/sparql-results+json"}).json["boolean"] is False
    (tiny_root / "data" / "ttl" / "late.ttl").write_text(
        "<https://w3id.org/duikou/id/pairing/late> a <https://w3id.org/duikou/ontology#Pairing> .\n", encoding="utf-8")
    build_store(tiny_settings)
    assert client.get("/sparql", query_string=ask, headers={"Accept": "application/sparql-results+json"}).json["boolean"] is True
