"""OWL 2 consistency checking with HermiT.

``check_consistency`` hands a graph (rdflib, or a pyoxigraph store) to HermiT and reports whether the
ontology plus data is consistent and which named classes are unsatisfiable. With a running
``duikou_kg.hermit.HermitServer`` the graph goes to that long-lived JVM as N-Triples; without one (or
when Java cannot start) it goes through owlready2 (a fresh ``World`` and a new JVM per call).
``ReasoningResult.engine`` says which was used.

HermiT accepts only the datatypes of the OWL 2 datatype map; ``xsd:gYear`` and ``xsd:date`` are not in it
and make HermiT stop with an error. Before the hand-over, literals of any other datatype (and ill-typed
literals) are dropped, and so are ``rdfs:range`` axioms naming such a datatype. ``owl:imports`` triples are
dropped too, so that nothing outside the graph is ever fetched.
"""

from __future__ import annotations

import dataclasses
import re
import tempfile
import time
import urllib.parse
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Union

import owlready2
import pyoxigraph as ox
import rdflib
import rdflib.collection
from rdflib import OWL, RDF, RDFS, XSD, Literal, URIRef

from .hermit import HermitServer, JavaUnavailable
from .hermit.server import HermitFailed, HermitTimeout

__all__ = [
    "OWL2_DATATYPES",
    "ReasoningError",
    "ReasoningResult",
    "check_consistency",
    "diagnose_inconsistency",
    "hermit_document",
    "prepare_for_hermit",
]

#: ``ReasoningResult.engine``: the long-lived JVM, or owlready2's JVM per call.
ENGINE_SERVER = "hermit-server"
ENGINE_OWLREADY2 = "owlready2"

#: The OWL 2 datatype map (OWL 2 Structural Specification §4) plus rdf:langString (RDF 1.1).
OWL2_DATATYPES: frozenset[URIRef] = frozenset(
    [RDF.PlainLiteral, RDF.XMLLiteral, RDF.langString, RDFS.Literal, OWL.real, OWL.rational]
    + [
        XSD[name]
        for name in (
            "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger long int "
            "short byte unsignedLong unsignedInt unsignedShort unsignedByte double float string "
            "normalizedString token language Name NCName NMTOKEN boolean hexBinary base64Binary anyURI "
            "dateTime dateTimeStamp"
        ).split()
    ]
)


@dataclasses.dataclass(frozen=True)
class ReasoningResult:
    """What HermiT said about a graph."""

    consistent: bool
    unsatisfiable_classes: list[str]
    explanation: str
    seconds: float
    engine: str = ENGINE_OWLREADY2

    @property
    def coherent(self) -> bool:
        """True when consistent and no named class is unsatisfiable."""
        return self.consistent and not self.unsatisfiable_classes


class ReasoningError(RuntimeError):
    """HermiT could not run on the graph (not the same as an inconsistency)."""


def _literal_ok(lit: Literal) -> bool:
    if lit.datatype is None:  # plain or language-tagged
        return True
    if lit.datatype not in OWL2_DATATYPES:
        return False
    return not getattr(lit, "ill_typed", False)


_URI_SAFE = ":/?#[]@!$&'()*+,;=%~-._"


def _ascii_any_uri(lit: Literal) -> Literal:
    """HermiT only accepts ASCII URIs as xsd:anyURI: percent-encode an IRI's other characters (RFC 3987 §3.1)."""
    text = str(lit)
    if text.isascii() and " " not in text:
        return lit
    return Literal(urllib.parse.quote(text, safe=_URI_SAFE), datatype=XSD.anyURI)


def _for_hermit(p: URIRef, o: rdflib.term.Node) -> rdflib.term.Node | None:
    """The object HermiT gets for a triple with predicate ``p`` and object ``o``; None to drop the triple."""
    if isinstance(o, Literal) and o.datatype == XSD.anyURI:
        o = _ascii_any_uri(o)
    if p == OWL.imports:
        return None
    if isinstance(o, Literal) and not _literal_ok(o):
        return None
    if p == RDFS.range and isinstance(o, URIRef) and o.startswith(str(XSD)) and o not in OWL2_DATATYPES:
        return None
    return o


def prepare_for_hermit(graph: rdflib.Graph) -> tuple[rdflib.Graph, int]:
    """Return a copy of ``graph`` that HermiT accepts, and how many triples were dropped.

    Literals outside the OWL 2 datatype map and ill-typed literals are dropped, as are ``rdfs:range``
    axioms naming such datatypes and ``owl:imports``; IRIs typed xsd:anyURI are percent-encoded to URIs.
    """
    out = rdflib.Graph()
    dropped = 0
    for s, p, o in graph:
        o = _for_hermit(p, o)
        if o is None:
            dropped += 1
            continue
        out.add((s, p, o))
    return out, dropped


_PLAIN = frozenset({str(XSD.string), str(RDF.langString)})
_RANGE, _IMPORTS = str(RDFS.range), str(OWL.imports)


def _prepare_quads(quads: Iterable[ox.Quad | ox.Triple]) -> tuple[list[ox.Triple], int]:
    """``prepare_for_hermit`` on pyoxigraph quads (graph names ignored), converting only the terms the rules read."""
    out: list[ox.Triple] = []
    dropped = 0
    for quad in quads:
        p, o = quad.predicate, quad.object
        if isinstance(o, ox.Literal) and o.datatype.value not in _PLAIN or p.value in (_RANGE, _IMPORTS):
            if isinstance(o, ox.Literal):
                kept = _for_hermit(URIRef(p.value), Literal(o.value, lang=o.language, datatype=None if o.language
                                                            else URIRef(o.datatype.value)))
                if kept is not None and str(kept) != o.value:  # a percent-encoded xsd:anyURI
                    o = ox.Literal(str(kept), datatype=o.datatype)
            else:
                kept = _for_hermit(URIRef(p.value), URIRef(o.value) if isinstance(o, ox.NamedNode) else o)
            if kept is None:
                dropped += 1
                continue
        out.append(ox.Triple(quad.subject, p, o))
    return out, dropped


#: What HermiT can be given: an rdflib graph, a pyoxigraph store (its union) or pyoxigraph quads/triples.
HermitInput = Union[rdflib.Graph, ox.Store, Sequence[ox.Quad], Sequence[ox.Triple]]


_BUILT_IN_ANNOTATIONS = frozenset(str(x) for x in (RDFS.label, RDFS.comment, RDFS.seeAlso, RDFS.isDefinedBy))
_TYPE = str(RDF.type)
_PROPERTY_KINDS = {str(OWL.AnnotationProperty): "annotation", str(OWL.ObjectProperty): "other",
                   str(OWL.DatatypeProperty): "other"}


def _annotation_properties(triples: Iterable[tuple[str, str, str]]) -> frozenset[str]:
    """Properties used only as annotation properties: rdfs:label and the like, and those declared so (not punned)."""
    kinds: dict[str, set[str]] = {"annotation": set(_BUILT_IN_ANNOTATIONS), "other": set()}
    for s, p, o in triples:
        if p == _TYPE and o in _PROPERTY_KINDS:
            kinds[_PROPERTY_KINDS[o]].add(s)
    return frozenset(kinds["annotation"] - kinds["other"])


def hermit_document(graph: HermitInput) -> tuple[bytes, int]:
    """``graph`` prepared for HermiT (see ``prepare_for_hermit``) as N-Triples, and how many triples were dropped.

    Annotation assertions (labels, definitions, SKOS mappings) are left out as well: they carry no meaning in
    OWL 2 DL, so the verdict is the same, and they are half of what the reasoner would otherwise parse.
    """
    if isinstance(graph, rdflib.Graph):
        prepared, dropped = prepare_for_hermit(graph)
        skip = _annotation_properties((str(s), str(p), str(o)) for s, p, o in prepared)
        kept = rdflib.Graph()
        for triple in prepared:
            if str(triple[1]) not in skip:
                kept.add(triple)
        return kept.serialize(format="nt", encoding="utf-8"), dropped
    triples, dropped = _prepare_quads(graph)
    skip = _annotation_properties((t.subject.value, t.predicate.value, getattr(t.object, "value", ""))
                                  for t in triples if t.predicate.value == _TYPE)
    triples = [t for t in triples if t.predicate.value not in skip]
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), dropped


def _as_rdflib(graph: HermitInput) -> rdflib.Graph:
    if isinstance(graph, rdflib.Graph):
        return graph
    data = ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in graph), format=ox.RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=data, format="nt")


_ONTOLOGY_BASE = "https://w3id.org/duikou/reasoning-input"


def _superclasses(graph: rdflib.Graph, cls: rdflib.term.Node) -> set:
    return set(graph.transitive_objects(cls, RDFS.subClassOf))


def _disjoint_pairs(graph: rdflib.Graph) -> set[frozenset]:
    pairs: set[frozenset] = set()
    for a, b in graph.subject_objects(OWL.disjointWith):
        pairs.add(frozenset((a, b)))
    for node in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        for members in graph.objects(node, OWL.members):
            items = list(rdflib.collection.Collection(graph, members))
            for i, a in enumerate(items):
                for b in items[i + 1 :]:
                    pairs.add(frozenset((a, b)))
    return pairs


def diagnose_inconsistency(graph: rdflib.Graph, limit: int = 5) -> list[str]:
    """Find the common, easily explained causes of an inconsistency (a cheap look, not a proof)."""
    findings: list[str] = []
    disjoint = _disjoint_pairs(graph)
    if disjoint:
        for individual in set(graph.subjects(RDF.type, None)):
            types: dict = {}
            for asserted in graph.objects(individual, RDF.type):
                for sup in _superclasses(graph, asserted):
                    types.setdefault(sup, asserted)
            for pair in disjoint:
                a, b = tuple(pair)
                if a in types and b in types:
                    findings.append(
                        f"{individual} is typed {types[a]} and {types[b]}, but {a} and {b} are disjoint"
                    )
                    break
            if len(findings) >= limit:
                return findings
    functional = set(graph.subjects(RDF.type, OWL.FunctionalProperty))
    for prop in sorted(functional):
        for subject in set(graph.subjects(prop, None)):
            values = sorted(set(graph.objects(subject, prop)))
            for i, a in enumerate(values):
                for b in values[i + 1 :]:
                    different = (a, OWL.differentFrom, b) in graph or (b, OWL.differentFrom, a) in graph
                    if different or (isinstance(a, Literal) and isinstance(b, Literal) and not a.eq(b)):
                        findings.append(
                            f"{subject} has two different values of the functional property {prop}: {a} and {b}"
                        )
            if len(findings) >= limit:
                return findings
    return findings


def _explain_inconsistency(output: str, graph: rdflib.Graph) -> str:
    lines = [line for line in output.strip().splitlines() if line.strip() and not line.lstrip().startswith("at ")]
    detail = re.sub(r"\s+", " ", " ".join(lines[:6]))[:800]
    findings = diagnose_inconsistency(graph)
    explanation = "HermiT found the ontology and data inconsistent: no model satisfies all axioms and facts."
    if findings:
        explanation += " Likely cause: " + "; ".join(findings) + "."
    else:
        explanation += (
            " Typical causes: a resource typed with two disjoint classes, or two different values of a"
            " functional property."
        )
    if detail:
        explanation += f" Reasoner output: {detail}"
    return explanation


def _consistent(unsat: list[str], dropped: int, started: float, engine: str) -> ReasoningResult:
    if unsat:
        explanation = "Consistent, but these classes can have no members: " + ", ".join(unsat) + "."
    else:
        explanation = "Consistent and coherent (no unsatisfiable classes)."
    if dropped:
        explanation += f" {dropped} triple(s) outside HermiT's datatype map or owl:imports were left out."
    return ReasoningResult(consistent=True, unsatisfiable_classes=unsat, explanation=explanation,
                           seconds=time.perf_counter() - started, engine=engine)


def check_consistency(graph: HermitInput, *, server: HermitServer | None = None) -> ReasoningResult:
    """Run HermiT on ``graph`` (ontology and data together) and report consistency and coherence.

    With ``server`` the check goes to that running JVM; when it cannot start Java, or without one, the
    check goes through owlready2 (a fresh ``World`` per call; nothing is left in owlready2's default world).
    """
    started = time.perf_counter()
    if server is not None:
        document, dropped = hermit_document(graph)
        try:
            answer = server.check(document)
        except JavaUnavailable:
            pass  # no Java to keep running: owlready2 below reports whether it can start one
        except (HermitTimeout, HermitFailed) as exc:
            raise ReasoningError(f"HermiT failed to run: {exc}") from exc
        else:
            if answer.status == "error":
                raise ReasoningError(f"HermiT failed to run: {answer.message[:800]}")
            if answer.status == "inconsistent":
                prepared = rdflib.Graph().parse(data=document, format="nt")
                return ReasoningResult(consistent=False, unsatisfiable_classes=[],
                                       explanation=_explain_inconsistency(answer.message, prepared),
                                       seconds=time.perf_counter() - started, engine=ENGINE_SERVER)
            return _consistent(sorted(answer.unsatisfiable), dropped, started, ENGINE_SERVER)
    return _check_with_owlready2(_as_rdflib(graph), started)


def _check_with_owlready2(graph: rdflib.Graph, started: float) -> ReasoningResult:
    prepared, dropped = prepare_for_hermit(graph)
    world = owlready2.World()
    try:
        with tempfile.TemporaryDirectory(prefix="duikou-hermit-") as tmp:
            nt_file = Path(tmp) / "input.nt"
            prepared.serialize(destination=nt_file, format="nt", encoding="utf-8")
            onto = world.get_ontology(_ONTOLOGY_BASE)
            with nt_file.open("rb") as fh:
                onto.load(fileobj=fh, format="ntriples", only_local=True)
            try:
                with onto:
                    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
            except owlready2.OwlReadyInconsistentOntologyError as exc:
                return ReasoningResult(
                    consistent=False,
                    unsatisfiable_classes=[],
                    explanation=_explain_inconsistency(str(exc), prepared),
                    seconds=time.perf_counter() - started,
                )
            except owlready2.OwlReadyJavaError as exc:
                raise ReasoningError(f"HermiT failed to run: {str(exc)[:800]}") from exc
            unsat = sorted(
                cls.iri for cls in world.inconsistent_classes() if cls is not owlready2.Nothing
            )
    finally:
        world.close()
    return _consistent(unsat, dropped, started, ENGINE_OWLREADY2)
