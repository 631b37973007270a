"""Incremental validation: check a submission against the current store without re-validating everything.

A submission (triples to add, triples to remove) can change the results of only a few resources:

* the resources it **touches** (subjects of its triples, and their resource objects);
* resources that **refer** to a touched resource whose *visible* facts change (``rdf:type``, ``dko:partOf``,
  ``skos:inScheme``: what shapes and checks read on a value node), and everything **below** such a
  resource on ``dko:partOf`` chains, with their referrers (the checks follow ``dko:partOf*``);
* resources that share a **key** with a touched one (a zh label or alt label, a ``skos:exactMatch``):
  the duplicate checks pair them.

These are the focus nodes. Their bounded neighbourhood is read from the store by index lookups (no
query text): the focus nodes' own triples, the visible facts of the nodes they point to and of the
nodes those point to on ``dko:partOf`` (where the chains end, at province-level units, with their Wikidata
links), and one province with a Wikidata link (a check applies only once some province is linked).
Inferred triples come from the store's inferred graph; where a removal can take an inferred fact away,
the affected nodes get their asserted triples (outgoing and incoming) instead and are inferred anew.

On that subgraph (plus the ontology, minus the removals, plus the additions) HermiT starts first, on the
asserted triples, in the context's long-lived JVM (a thread waits for it, so it overlaps the rest); then
the build's inference runs, then the project's shapes on the focus nodes (compiled once per context;
nested shapes see every value node, see ``shacl.CompiledShapes``) and the SPARQL checks, whose results
are kept for the focus nodes. ``tests/test_incremental.py`` shows that this agrees with a full
validation on broken and valid submissions.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import time
from collections.abc import Iterable
from typing import Any, Protocol

import pyoxigraph as ox
import rdflib

from ..inference import materialise
from ..namespaces import DKO, INFERRED_GRAPH, RDF, RDFS, SKOS
from .checks import run_checks
from .context import ValidationContext
from .engine import owl_results
from .materialise import store_to_graph
from .report import ValidationReport

__all__ = ["Neighbourhood", "QuadSource", "extract_neighbourhood", "validate_incremental"]

TYPE = ox.NamedNode(RDF + "type")
PART_OF = ox.NamedNode(DKO + "partOf")
IN_SCHEME = ox.NamedNode(SKOS + "inScheme")
EXACT_MATCH = ox.NamedNode(SKOS + "exactMatch")
LABELS = (ox.NamedNode(RDFS + "label"), ox.NamedNode(SKOS + "altLabel"))
PROVINCE = ox.NamedNode(DKO + "ProvinceLevelUnit")
#: What shapes and checks read on a node they reach as a value.
VISIBLE = frozenset({TYPE, PART_OF, IN_SCHEME})
INFERRED = ox.NamedNode(INFERRED_GRAPH)
SKOLEM_AUTHORITY = "https://w3id.org"
SKOLEM_PATH = "/duikou/.well-known/genid/"


class QuadSource(Protocol):
    """A ``duikou_kg.store.KnowledgeStore`` or a ``pyoxigraph.Store`` laid out like a build."""

    def quads_for_pattern(self, subject: Any, predicate: Any, obj: Any, graph: Any = None) -> Iterable[ox.Quad]: ...


@dataclasses.dataclass
class Neighbourhood:
    """The focus nodes of a submission and the triples of the store around them."""

    focus: set[ox.NamedNode | ox.BlankNode]
    recomputed: set[ox.NamedNode | ox.BlankNode]  # nodes whose inferred facts are derived anew
    triples: set[ox.Triple]

    def stats(self) -> dict[str, int]:
        return {"focus_nodes": len(self.focus), "recomputed_nodes": len(self.recomputed),
                "context_triples": len(self.triples)}


def _is_resource(term: Any, ontology_terms: frozenset) -> bool:
    return isinstance(term, (ox.NamedNode, ox.BlankNode)) and term not in ontology_terms


def _triple(quad: ox.Quad) -> ox.Triple:
    return ox.Triple(quad.subject, quad.predicate, quad.object)


def extract_neighbourhood(
    store: QuadSource,
    additions: list[ox.Triple],
    removals: list[ox.Triple],
    ontology_terms: frozenset[ox.NamedNode],
) -> Neighbourhood:
    """Focus nodes and context triples of a submission (see the module text for the rules)."""

    def lookup(s: Any = None, p: Any = None, o: Any = None) -> Iterable[ox.Quad]:
        return store.quads_for_pattern(s, p, o, None)

    def node(term: Any) -> bool:
        return _is_resource(term, ontology_terms)

    removed = set(removals)
    delta = [*additions, *removals]
    subjects = {t.subject for t in delta if node(t.subject)}
    objects = {t.object for t in delta if node(t.object)}
    touched = subjects | objects

    # Nodes whose visible facts may change: referrers and partOf descendants must be re-validated.
    changed = {t.subject for t in delta if t.predicate in VISIBLE and node(t.subject)}
    changed |= {t.subject for t in removals if node(t.subject)}
    for t in removals:
        if node(t.object) and not any(
            _triple(q) not in removed for q in lookup(None, t.predicate, t.object) if q.subject != t.subject
        ):
            changed.add(t.object)  # its last incoming edge of this kind goes: range types may go too

    descendants = {q.subject for x in changed for q in lookup(None, PART_OF, x) if node(q.subject)}
    referrers = {q.subject for x in changed | descendants for q in lookup(None, None, x) if node(q.subject)}
    key_sharers: set = set()
    for t in delta:
        if t.predicate in LABELS and isinstance(t.object, ox.Literal):
            for predicate in LABELS:
                key_sharers |= {q.subject for q in lookup(None, predicate, t.object) if node(q.subject)}
        elif t.predicate == EXACT_MATCH:
            key_sharers |= {q.subject for q in lookup(None, EXACT_MATCH, t.object) if node(q.subject)}
    focus = touched | descendants | referrers | key_sharers

    # Removals may take inferred facts away: those nodes are inferred anew from asserted triples.
    recomputed: set = set()
    for t in removals:
        recomputed |= {x for x in (t.subject, t.object) if node(x)}
    if any(t.predicate in (PART_OF, TYPE) for t in removals):
        recomputed |= {q.subject for x in set(recomputed) for q in lookup(None, PART_OF, x) if node(q.subject)}

    triples: set[ox.Triple] = set()
    for x in recomputed:
        triples |= {_triple(q) for q in lookup(x) if q.graph_name != INFERRED}
        if x in changed:
            triples |= {_triple(q) for q in lookup(None, None, x) if q.graph_name != INFERRED}
        else:  # a much-used node keeping other incoming edges of the same kind keeps their range types
            triples |= {_triple(q) for q in lookup(x, TYPE)}
    for x in focus - recomputed:
        triples |= {
            _triple(q) for q in lookup(x)
            if q.graph_name != INFERRED or q.object not in recomputed
        }
    # Visible facts of what the focus nodes point to (and, on partOf chains, what those point to).
    values = {t.object for t in triples if node(t.object)} | {t.subject for t in triples if node(t.subject)}
    values |= {t.object for t in additions if node(t.object)}
    values -= focus | recomputed
    for x in values:
        for predicate in VISIBLE:
            triples |= {_triple(q) for q in lookup(x, predicate)
                        if q.graph_name != INFERRED or q.object not in recomputed}
    second = {t.object for t in triples if t.predicate == PART_OF and node(t.object)} - focus - recomputed - values
    for x in second:
        triples |= {_triple(q) for q in lookup(x, TYPE)}
    # Where the partOf chains end: Wikidata links of the provinces reached, and one linked province anywhere
    # (the province-without-Wikidata check applies only once some province is linked).
    reached = {t.subject for t in triples if t.predicate == TYPE and t.object == PROVINCE}
    for x in reached:
        triples |= {_triple(e) for e in lookup(x, EXACT_MATCH)}
    for q in lookup(None, TYPE, PROVINCE):
        links = [_triple(e) for e in lookup(q.subject, EXACT_MATCH)]
        if links:
            triples |= {_triple(q), *links}
            break
    return Neighbourhood(focus=focus, recomputed=recomputed, triples=triples)


def _to_rdflib(store: ox.Store) -> rdflib.Graph:
    return store_to_graph(store)


def validate_incremental(
    additions: rdflib.Graph,
    *,
    store: QuadSource,
    context: ValidationContext,
    removals: rdflib.Graph | None = None,
    reasoning: bool = True,
    checks: bool = True,
) -> ValidationReport:
    """Validate the store's graph with ``additions`` added and ``removals`` removed, looking only at what changes.

    The report lists the results of the focus nodes (see the module text); ``report.scope`` holds their
    number, the size of the subgraph and which HermiT ran (``reasoner``: ``hermit-server`` or ``owlready2``),
    ``report.timings`` the time of each step.
    """
    from .context import rdflib_to_quads

    timings: dict[str, float] = {}
    started = time.perf_counter()
    # Blank nodes of the submission become skolem IRIs, so results can name them.
    added = rdflib_to_quads(additions.skolemize(authority=SKOLEM_AUTHORITY, basepath=SKOLEM_PATH))
    taken = rdflib_to_quads(removals) if removals is not None else []
    hood = extract_neighbourhood(store, added, taken, context.ontology_terms)
    timings["extract"] = time.perf_counter() - started

    t = time.perf_counter()
    taken_set = set(taken)
    sub = ox.Store()
    sub.bulk_extend(ox.Quad(x.subject, x.predicate, x.object, ox.DefaultGraph()) for x in context.ontology_triples)
    sub.bulk_extend(
        ox.Quad(x.subject, x.predicate, x.object, ox.DefaultGraph())
        for x in hood.triples | set(added) if x not in taken_set
    )
    for x in taken_set:  # the ontology's own triples too, should a submission remove one
        sub.remove(ox.Quad(x.subject, x.predicate, x.object, ox.DefaultGraph()))
    asserted = list(sub)  # HermiT's input: the asserted subgraph with the ontology
    scope: dict[str, Any] = {"mode": "incremental", **hood.stats()}
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        # HermiT works in its own process: started first, it overlaps inference, pySHACL and the checks.
        owl = pool.submit(_timed, owl_results, asserted, context.reasoner) if reasoning else None
        materialise(sub)
        data = _to_rdflib(sub)
        timings["inference"] = time.perf_counter() - t

        t = time.perf_counter()
        wanted = {_rdflib_term(x) for x in hood.focus}
        results = context.compiled_shapes.validate(data, wanted)
        timings["shacl"] = time.perf_counter() - t
        if checks:
            t = time.perf_counter()
            results.extend(r for r in run_checks(sub, context.checks) if r.focus_node in wanted)
            timings["checks"] = time.perf_counter() - t
        if owl is not None:
            (owl_found, scope["reasoner"]), timings["owl"] = owl.result()
            results.extend(owl_found)
    timings["total"] = time.perf_counter() - started
    return ValidationReport(results=results, timings=timings, triples=len(data), scope=scope)


def _timed(function, *args):
    t = time.perf_counter()
    value = function(*args)
    return value, time.perf_counter() - t


def _rdflib_term(term: ox.NamedNode | ox.BlankNode) -> rdflib.term.Node:
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    return rdflib.BNode(term.value)
