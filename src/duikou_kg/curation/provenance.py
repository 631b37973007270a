"""PROV-O record of an accepted submission: who, when, from which source document, which submission."""

from __future__ import annotations

import re
from typing import Any

import rdflib
from rdflib import RDF, RDFS, XSD, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV

from ..namespaces import ID_BASE

__all__ = ["provenance_turtle", "submission_iri"]

SUBMISSION = Namespace(ID_BASE + "submission/")
CURATOR = Namespace(ID_BASE + "curator/")
_IRI = re.compile(r"^(https?|urn):[^\s<>\"{}|\\^`]+$")


def submission_iri(submission_id: str) -> URIRef:
    return SUBMISSION[submission_id]


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-") or "curator"


def provenance_turtle(submission: Any, *, graph: str, accepted_at: str, accepted_by: str,
                     reverted_graph: str | None = None) -> str:
    g = rdflib.Graph()
    g.bind("prov", PROV)
    g.bind("dcterms", DCTERMS)
    activity = submission_iri(submission.id)
    author = CURATOR[_slug(submission.curator)]
    approver = CURATOR[_slug(accepted_by)]
    entity = URIRef(graph)
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, RDFS.label, Literal(f"审校提交 {submission.id}", lang="zh")))
    g.add((activity, RDFS.label, Literal(f"Curation submission {submission.id}", lang="en")))
    g.add((activity, DCTERMS.identifier, Literal(submission.id)))
    g.add((activity, DCTERMS.type, Literal(submission.kind)))
    g.add((activity, PROV.startedAtTime, Literal(submission.created, datatype=XSD.dateTime)))
    g.add((activity, PROV.endedAtTime, Literal(accepted_at, datatype=XSD.dateTime)))
    for agent, name in ((author, submission.curator), (approver, accepted_by)):
        g.add((activity, PROV.wasAssociatedWith, agent))
        g.add((agent, RDF.type, PROV.Agent))
        g.add((agent, RDFS.label, Literal(name)))
    if _IRI.match(submission.source):
        g.add((activity, PROV.used, URIRef(submission.source)))
    g.add((activity, DCTERMS.source, Literal(submission.source)))
    if submission.comment:
        g.add((activity, RDFS.comment, Literal(submission.comment)))
    g.add((activity, PROV.generated, entity))
    g.add((entity, RDF.type, PROV.Entity))
    g.add((entity, PROV.wasGeneratedBy, activity))
    g.add((entity, PROV.wasAttributedTo, author))
    g.add((entity, PROV.generatedAtTime, Literal(accepted_at, datatype=XSD.dateTime)))
    if submission.reverts:
        g.add((activity, DCTERMS.relation, submission_iri(submission.reverts)))
        if reverted_graph:
            g.add((activity, PROV.invalidated, URIRef(reverted_graph)))
    header = f"# Provenance of curation submission {submission.id} (PROV-O). Written by `duikou-kg`.\n"
    return header + g.serialize(format="turtle")
