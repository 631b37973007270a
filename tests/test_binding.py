"""Values bound as a VALUES row (duikou_kg.binding): the same answers as pyoxigraph's substitutions."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from duikou_kg.binding import bind_values, can_bind_values
from duikou_kg.config import Settings
from duikou_kg.store import open_store
from duikou_kg.linked_data.describe import describe

from conftest import write_tiny_project

EX = "https://example.org/"


def test_the_block_goes_first_in_the_outermost_group_and_quotes_terms():
    hostile = ox.Literal('a" } ; DROP ALL')
    text = bind_values("SELECT ?name WHERE { }", {ox.Variable("name"): hostile})
    assert text.startswith("SELECT ?name WHERE { VALUES (?name)")
    assert [row["name"] for row in ox.Store().query(text)] == [hostile]  # one query, the term intact


def test_blank_nodes_and_bodyless_queries_are_left_to_substitutions():
    assert not can_bind_values("SELECT * WHERE { ?s ?p ?o }", {ox.Variable("s"): ox.BlankNode()})
    assert not can_bind_values(f"DESCRIBE <{EX}a>", {ox.Variable("s"): ox.NamedNode(EX + "a")})
    assert can_bind_values("ASK { ?s ?p ?o }", {ox.Variable("s"): ox.NamedNode(EX + "a")})
    with pytest.raises(ValueError):
        bind_values("SELECT * WHERE { ?s ?p ?o }", {ox.Variable("s"): ox.BlankNode()})


@pytest.fixture
def store(tmp_path):
    settings = Settings.from_env(environ={}, project_root=write_tiny_project(tmp_path / "project"),
                                 data_dir=tmp_path / "var")
    return open_store(settings)


@pytest.mark.parametrize("text", [
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?p ?o",
    "SELECT ?s ?x WHERE { { ?s ?p ?x } UNION { ?x ?p ?s } } ORDER BY ?x",
    "SELECT ?s ?o (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s ?o ORDER BY ?o",
])
def test_the_embedded_store_answers_as_with_substitutions(store, text):
    subject = next(q.subject for q in store.quads() if isinstance(q.subject, ox.NamedNode))
    subs = {ox.Variable("s"): subject}
    bound = [tuple(row) for row in store.query(text, substitutions=subs)]
    # pyoxigraph's own substitutions (which need the variable projected)
    raw = store._store.query(text, substitutions=subs, use_default_graph_as_union=True)
    assert bound and bound == [tuple(row) for row in raw]


@pytest.fixture(scope="module")
def real_store(tmp_path_factory):
    root = Path(__file__).resolve().parents[1]
    return open_store(Settings.from_env(environ={}, project_root=root, data_dir=tmp_path_factory.mktemp("var")))


def test_a_page_description_keeps_the_sources_of_the_bound_resource_only(real_store):
    # The sources query reaches the pairings of the bound IRI through a union: with the IRI as a VALUES row,
    # a branch that did not bind it itself would list every pairing's sources.
    pairing = next(q.subject for q in real_store.quads()
                   if q.predicate.value.endswith("#hasSource") and "/pairing/" in q.subject.value)
    assert list(describe(real_store, pairing.value).sources) == [pairing.value]
    actor = next(q.object for q in real_store.quads() if q.subject == pairing and q.predicate.value.endswith("#supporter"))
    sources = describe(real_store, actor.value).sources
    assert pairing.value in sources
    supported = {q.subject.value for q in real_store.quads() if q.object == actor and "/pairing/" in q.subject.value}
    assert set(sources) <= supported
