"""Incremental validation agrees with full validation on broken and valid submissions.

For each submission: the incremental report equals the full report restricted to the focus nodes, and
outside the focus nodes the full report is the same before and after the submission (so nothing the
submission changes is missed). Runs on a copy of part of the real data (``curation_project.SUBSET``).
"""

from __future__ import annotations

import pytest
import rdflib

from curation_project import PREFIXES, VALID_PAIRING, copy_project
from duikou_kg.config import Settings
from duikou_kg.store import open_store
from duikou_kg.validation import OWL_CONSISTENCY, load_base_graph, validate_graph
from duikou_kg.validation.context import ValidationContext, rdflib_to_quads
from duikou_kg.validation.incremental import extract_neighbourhood, validate_incremental

CASES = {
    "valid new pairing": (VALID_PAIRING, ""),
    "pairing without source, bad year, self-support": (PREFIXES + """
        pairing:broken a dko:CounterpartSupport , dko:InterProvincialPairing ;
            rdfs:label "坏"@zh , "broken"@en ;
            dko:supporter actor:beijing ; dko:recipient actor:beijing ;
            dko:startYear 1890 ; dko:evidenceStatus status:sourced .""", ""),
    "province loses its type": ("", PREFIXES + "actor:guizhou a dko:ProvinceLevelUnit ."),
    "seed pairing loses its source": ("", PREFIXES + "pairing:seed-1979-hebei-guizhou dko:hasSource cite:nankai2017-ch1-1-1 ."),
    "duplicate zh label": (PREFIXES + """
        actor:new-wuhan a dko:PrefectureLevelUnit ; rdfs:label "武汉市"@zh , "Wuhan again"@en ;
            dko:partOf actor:hubei .""", ""),
    "duplicate Wikidata link": (PREFIXES + "actor:fujian skos:exactMatch <http://www.wikidata.org/entity/Q40956> .", ""),
    "prefecture moved to another province": (PREFIXES + "actor:wuhan dko:partOf actor:hunan .",
                                             PREFIXES + "actor:wuhan dko:partOf actor:hubei ."),
    "cooperation with a supporter": (PREFIXES + """
        pairing:coop a dko:CounterpartCooperation , dko:InterProvincialPairing ;
            rdfs:label "合作"@zh , "cooperation"@en ;
            dko:partner actor:beijing , actor:guizhou ; dko:supporter actor:beijing ;
            dko:evidenceStatus status:sourced ; dko:hasSource cite:nankai2017-ch1-1-1 .""", ""),
    "much-used concept leaves its scheme": ("", PREFIXES + """@prefix scheme: <https://w3id.org/duikou/id/scheme/> .
        status:sourced skos:inScheme scheme:status ."""),
    "end year before start year": (PREFIXES + "pairing:seed-1979-hebei-guizhou dko:endYear 1970 .", ""),
    # The supporter (not a focus node) is reached only through the nested sh:not of the central-to-local shape.
    "seed pairing becomes central-to-local": (PREFIXES + "pairing:seed-1979-hebei-guizhou a dko:CentralToLocalPairing .", ""),
}

#: Submissions that break nothing the shapes and checks look at (they still must agree with a full run).
STILL_VALID = {"valid new pairing", "province loses its type", "prefecture moved to another province"}


def _key(result):
    return (str(result.focus_node), result.shape, str(result.path), str(result.value))


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    root = copy_project(tmp_path_factory.mktemp("incremental") / "project")
    settings = Settings.from_env(environ={}, project_root=root, data_dir=root.parent / "var")
    base = load_base_graph(settings)
    before = {_key(r) for r in validate_graph(rdflib.Graph(), base=base, settings=settings, reasoning=False).results}
    with ValidationContext(settings) as context:
        yield settings, open_store(settings), context, base, before


@pytest.mark.parametrize("name", list(CASES))
def test_incremental_agrees_with_full(project, name):
    settings, store, context, base, before = project
    additions = rdflib.Graph().parse(data=CASES[name][0], format="turtle")
    removals = rdflib.Graph().parse(data=CASES[name][1], format="turtle")
    assert len(additions) + len(removals) > 0

    full = validate_graph(additions, base=base - removals, settings=settings, reasoning=False)
    incremental = validate_incremental(additions, store=store, context=context, removals=removals, reasoning=False)
    focus = {str(n.value) for n in extract_neighbourhood(
        store, rdflib_to_quads(additions), rdflib_to_quads(removals), context.ontology_terms).focus}

    after = {_key(r) for r in full.results}
    inside = {k for k in after if k[0] in focus}
    assert {_key(r) for r in incremental.results} == inside
    assert {k for k in after if k[0] not in focus} == {k for k in before if k[0] not in focus}
    assert incremental.scope["mode"] == "incremental"
    assert incremental.scope["focus_nodes"] == len(focus) > 0
    new = {r.focus_node for r in incremental.results if r.severity == "Violation" and _key(r) not in before}
    assert bool(new) == (name not in STILL_VALID)
    if name.startswith("much-used"):  # every pairing with that status is re-validated and fails
        assert len(new) > 20
    if name.endswith("central-to-local"):  # found on the supporter, a value outside the focus nodes
        assert any(r.shape.endswith("CentralToLocalSupporterShape") for r in incremental.results)
        assert "https://w3id.org/duikou/id/actor/hebei" not in focus


def test_owl_inconsistency_found_on_the_subgraph(project):
    _settings, store, context, _base, _before = project
    disjoint = rdflib.Graph().parse(data=PREFIXES + "actor:beijing a dko:CounterpartSupport .", format="turtle")
    report = validate_incremental(disjoint, store=store, context=context, checks=False)
    assert OWL_CONSISTENCY in report.shapes()
    assert "owl" in report.timings
    assert report.scope["reasoner"] == "hermit-server"  # the context's long-lived HermiT, not a JVM per call
