"""Shared fixtures: a tiny project root (ontology + data written here), its settings, store and app.

Tests of the build, the endpoint and the CLI use this tiny project so they do not depend on how
complete the real data is; tests on the real checkout say so in their names.
"""

from __future__ import annotations

import textwrap
from typing import Any
from pathlib import Path

import pytest

from duikou_kg.config import Settings
from duikou_kg.store import open_store
from duikou_kg.web import create_app

REPO_ROOT = Path(__file__).resolve().parents[1]

PREFIXES = """\
@prefix dko: <https://w3id.org/duikou/ontology#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix actor: <https://w3id.org/duikou/id/actor/> .
@prefix pairing: <https://w3id.org/duikou/id/pairing/> .
@prefix event: <https://w3id.org/duikou/id/event/> .
"""

TINY_ONTOLOGY = PREFIXES + textwrap.dedent("""\
    dko:Actor a owl:Class .
    dko:AdministrativeUnit rdfs:subClassOf dko:Actor .
    dko:CountyLevelUnit rdfs:subClassOf dko:AdministrativeUnit .
    dko:Pairing a owl:Class .
    dko:CounterpartSupport rdfs:subClassOf dko:Pairing .
    dko:CounterpartAssistance rdfs:subClassOf dko:Pairing .
    dko:CounterpartCooperation rdfs:subClassOf dko:Pairing .
    dko:participant rdfs:domain dko:Pairing ; rdfs:range dko:Actor .
    dko:supporter rdfs:subPropertyOf dko:participant .
    dko:recipient rdfs:subPropertyOf dko:participant .
    dko:partner rdfs:subPropertyOf dko:participant .
    dko:partOf a owl:TransitiveProperty ; rdfs:domain dko:AdministrativeUnit ; rdfs:range dko:AdministrativeUnit .
    dko:hasPart a owl:TransitiveProperty ; owl:inverseOf dko:partOf .
    dko:pairedWith a owl:SymmetricProperty ; rdfs:domain dko:Actor ; rdfs:range dko:Actor .
    dko:supports rdfs:subPropertyOf dko:pairedWith ; owl:inverseOf dko:supportedBy ;
        skos:note "Derived rule: ?p a dko:CounterpartSupport ; dko:supporter ?s ; dko:recipient ?r  ⇒  ?s dko:supports ?r ."@en .
    dko:supportedBy rdfs:subPropertyOf dko:pairedWith .
    dko:assists rdfs:subPropertyOf dko:pairedWith ; owl:inverseOf dko:assistedBy ;
        skos:note "Derived rule: ?p a dko:CounterpartAssistance ; dko:supporter ?s ; dko:recipient ?r  ⇒  ?s dko:assists ?r ."@en .
    dko:assistedBy rdfs:subPropertyOf dko:pairedWith .
    dko:cooperatesWith a owl:SymmetricProperty ; rdfs:subPropertyOf dko:pairedWith ; owl:inverseOf dko:cooperatesWith ;
        skos:note "Derived rule: ?p a dko:CounterpartCooperation ; dko:partner ?a , ?b . FILTER(?a != ?b)  ⇒  ?a dko:cooperatesWith ?b ."@en .
    dko:startYear a owl:DatatypeProperty ; rdfs:range xsd:integer .
    dko:label2 rdfs:range rdfs:Literal .
    dko:establishedBy rdfs:range [ a owl:Class ; owl:unionOf ( dko:PolicyEvent dko:PolicyDocument ) ] .
""")

TINY_PAIRINGS = PREFIXES + textwrap.dedent("""\
    # Pairings of the tiny test project.
    pairing:beijing-county a dko:CounterpartSupport ;
        rdfs:label "北京支援县"@zh , "Beijing supports the county"@en ;
        dko:supporter actor:beijing ;
        dko:recipient actor:county ;
        dko:startYear 1979 ;
        dko:establishedBy event:meeting .
    pairing:shanghai-prefecture a dko:CounterpartAssistance ;
        dko:supporter actor:shanghai ;
        dko:recipient actor:prefecture .
    actor:beijing a dko:Actor ; rdfs:label "北京市"@zh , "Beijing"@en .
""")

TINY_PLACES = PREFIXES + textwrap.dedent("""\
    # Places and a cooperation pairing of the tiny test project.
    actor:county a dko:CountyLevelUnit ; dko:partOf actor:prefecture ; rdfs:label "某县"@zh .
    actor:prefecture dko:partOf actor:province .
    pairing:jilin-zhejiang a dko:CounterpartCooperation ;
        dko:partner actor:jilin , actor:zhejiang .
""")


def write_tiny_project(root: Path) -> Path:
    (root / "ontology").mkdir(parents=True)
    (root / "data" / "ttl" / "places").mkdir(parents=True)
    (root / "ontology" / "tiny.ttl").write_text(TINY_ONTOLOGY, encoding="utf-8")
    (root / "data" / "ttl" / "pairings.ttl").write_text(TINY_PAIRINGS, encoding="utf-8")
    (root / "data" / "ttl" / "places" / "units.ttl").write_text(TINY_PLACES, encoding="utf-8")
    return root


@pytest.fixture
def tiny_root(tmp_path: Path) -> Path:
    return write_tiny_project(tmp_path / "project")


@pytest.fixture
def tiny_settings(tiny_root: Path, tmp_path: Path) -> Settings:
    return Settings.from_env(environ={}, project_root=tiny_root, data_dir=tmp_path / "var")


@pytest.fixture
def tiny_store(tiny_settings: Settings):
    return open_store(tiny_settings)


@pytest.fixture
def app(tiny_settings: Settings, tiny_store):
    app = create_app(tiny_settings, store=tiny_store)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def client(app):
    return app.test_client()


# --- the remote backend: one throw-away Virtuoso for the session --------------------------------

BACKENDS = ["embedded", "virtuoso", "jena"]


def pushable(store):
    """``store`` with what ``duikou-kg push`` reads (``manifest``, ``graphs``): a build as is, an in-memory
    test store (``MemoryStore``) with a manifest made from its graph counts."""
    import types

    from duikou_kg.namespaces import INFERRED_GRAPH
    from duikou_kg.store import BuildInfo

    if hasattr(store, "manifest"):
        return store
    counts = {row["g"].value: int(row["n"].value) for row in store.query(
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")}
    inferred = counts.pop(INFERRED_GRAPH, 0)
    manifest = BuildInfo(build_id=f"memory-{store.version[:12]}", path=Path(), fingerprint=store.version,
                         graph_counts=counts, graph_sources={g: g for g in counts}, inferred_count=inferred,
                         inference_rounds=0, build_seconds=0.0, inference_seconds=0.0, built_at="")
    return types.SimpleNamespace(manifest=manifest, graphs=[*counts, INFERRED_GRAPH], query=store.query,
                                 version=store.version)


class RemoteForTests:
    """A throw-away remote store for the session; ``remote(key, store)`` pushes ``store`` unless the load in it
    already came from ``key`` — a push replaces the previous load."""

    server: Any  # with settings_overrides() and stop()

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.key: str | None = None

    def settings(self, **overrides) -> Settings:
        return Settings.from_env(environ={}, project_root=REPO_ROOT, data_dir=self.folder / "var",
                                 **{**self.server.settings_overrides(), **overrides})

    def remote(self, key: str, store):
        from duikou_kg.backends.push import push
        from duikou_kg.backends.remote import RemoteStore

        settings = self.settings()
        if key != self.key:
            push(settings, pushable(store))
            self.key = key
        return RemoteStore(settings)


class VirtuosoForTests(RemoteForTests):
    """Virtuoso (Debian's virtuoso-opensource) on 127.0.0.1 with a throw-away database."""

    def __init__(self, folder: Path) -> None:
        from duikou_kg.backends.virtuoso_server import VirtuosoServer

        super().__init__(folder)
        self.server = VirtuosoServer(folder / "db", buffers=30_000).start()


class JenaForTests(RemoteForTests):
    """Apache Jena ARQ (``tests/jena_endpoint.py``): a strict SPARQL 1.1 engine, no credentials."""

    def __init__(self, folder: Path) -> None:
        from jena_endpoint import ArqEndpoint

        super().__init__(folder)
        self.server = ArqEndpoint.start(folder / "endpoint")


@pytest.fixture(scope="session")
def virtuoso(tmp_path_factory):
    from duikou_kg.backends.virtuoso_server import installed

    if not installed():
        pytest.fail("Virtuoso is not installed (virtuoso-t, isql-vt): run scripts/setup.sh --test")
    instance = VirtuosoForTests(tmp_path_factory.mktemp("virtuoso"))
    yield instance
    instance.server.stop()


@pytest.fixture(scope="session")
def jena(tmp_path_factory):
    from jena_endpoint import JenaUnavailable

    try:
        instance = JenaForTests(tmp_path_factory.mktemp("jena"))
    except JenaUnavailable as exc:
        pytest.fail(f"no Jena endpoint: {exc}")
    yield instance
    instance.server.stop()


def backend_store(request, key: str, store):
    """``store`` itself for the embedded parameter, its copy in Virtuoso or Jena for the other two."""
    if request.param == "embedded":
        return store
    return request.getfixturevalue(request.param).remote(key, store)
