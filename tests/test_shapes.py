"""The SHACL shapes: one broken case per shape (pySHACL's data-driven pattern), documentation, and real data.

Every ``tests/shape_cases/<ShapeLocalName>.ttl`` holds a small data set that is valid except for one thing,
and names the shape that must fire with ``[] dksh:expectShape dksh:<ShapeLocalName>``. The set of
``sh:sourceShape`` values in the report must be exactly that shape. ``_valid-world.ttl`` must raise nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import rdflib
from rdflib import OWL, RDF, RDFS, Namespace
from rdflib.namespace import SH

from duikou_kg.validation import (
    BUILD_INFERENCE_AVAILABLE,
    load_shapes,
    materialised,
    parse_file,
    parse_files,
    run_shacl,
)

ROOT = Path(__file__).resolve().parents[1]
CASE_DIR = Path(__file__).resolve().parent / "shape_cases"
CASES = sorted(p for p in CASE_DIR.glob("*.ttl") if not p.name.startswith("_"))
DKSH = Namespace("https://w3id.org/duikou/shapes#")
DKO = Namespace("https://w3id.org/duikou/ontology#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
KNOWN_ISSUES_FILE = CASE_DIR / "_known-data-issues.txt"

#: Parameters that are shape metadata or structure, not constraints of the shape itself.
NON_CONSTRAINT = {
    RDF.type, RDFS.seeAlso, RDFS.comment, RDFS.label, SH.name, SH.description, SH.message, SH.severity,
    SH.property, SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target, SH.path,
    SH.deactivated, SH.order, SH.group,
}


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return load_shapes(sorted((ROOT / "shapes").glob("*.ttl")))


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return parse_file(ROOT / "ontology" / "duikou.ttl")


def fired_shapes(data: rdflib.Graph, shapes: rdflib.Graph, ontology: rdflib.Graph, mode: str = "build") -> set[str]:
    """Shapes that report anything (any severity) on ``data`` + ontology + inferred triples.

    ``mode="build"``: the build's inference rules (what the store holds); ``mode="rdfs"``: pySHACL's own
    RDFS inference on the raw data (what validation falls back to without a build).
    """
    if mode == "rdfs" or not BUILD_INFERENCE_AVAILABLE:
        return {r.shape for r in run_shacl(data, shapes, ontology=ontology, inference="rdfs")}
    inferred, _store = materialised(data + ontology)
    return {r.shape for r in run_shacl(inferred, shapes)}


def named_shapes(shapes: rdflib.Graph) -> set[rdflib.URIRef]:
    found = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(RDF.type, SH.PropertyShape))
    return {s for s in found if isinstance(s, rdflib.URIRef)}


def has_own_constraint(shapes: rdflib.Graph, shape: rdflib.URIRef) -> bool:
    return any(p not in NON_CONSTRAINT for p in shapes.predicates(shape, None))


@pytest.mark.parametrize("mode", ["build", "rdfs"])
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_exactly_the_expected_shape_fires(case: Path, mode: str, shapes, ontology):
    data = parse_file(case)
    expected = {str(o) for o in data.objects(None, DKSH.expectShape)}
    assert len(expected) == 1, f"{case.name} must name exactly one expected shape"
    assert expected == {str(DKSH[case.stem])}, "the case file is named after its shape"
    data.remove((None, DKSH.expectShape, None))
    assert fired_shapes(data, shapes, ontology, mode) == expected


def test_valid_world_raises_nothing(shapes, ontology):
    data = parse_file(CASE_DIR / "_valid-world.ttl")
    assert fired_shapes(data, shapes, ontology) == set()


def test_valid_world_raises_nothing_with_pyshacl_rdfs_inference(shapes, ontology):
    data = parse_file(CASE_DIR / "_valid-world.ttl")
    results = run_shacl(data, shapes, ontology=ontology, inference="rdfs")
    assert [r.shape for r in results] == []


def test_every_shape_with_a_constraint_has_a_case(shapes):
    with_constraints = {s for s in named_shapes(shapes) if has_own_constraint(shapes, s)}
    case_names = {p.stem for p in CASES}
    missing = sorted(str(s) for s in with_constraints if s.removeprefix(str(DKSH)) not in case_names)
    assert missing == []
    orphans = sorted(n for n in case_names if DKSH[n] not in with_constraints)
    assert orphans == [], "cases for shapes that do not exist (or have no constraint)"


def test_shapes_without_constraints_are_only_class_shapes(shapes):
    # A node shape may have no constraint of its own only when it stands for an ontology class or a
    # declared target set (so rules have a shape to attach to); its property shapes all have cases.
    for shape in named_shapes(shapes):
        if not has_own_constraint(shapes, shape):
            assert (shape, RDF.type, SH.NodeShape) in shapes, shape
            assert shapes.value(shape, SH.targetClass) is not None or any(
                shapes.objects(shape, SH.targetSubjectsOf)
            ) or any(shapes.objects(shape, SH.target)), shape


def test_every_ontology_class_has_a_node_shape(shapes, ontology):
    classes = {c for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(str(DKO))}
    classes |= {SKOS.Concept, SKOS.ConceptScheme}
    targeted = set(shapes.objects(None, SH.targetClass))
    assert sorted(str(c) for c in classes - targeted) == []


@pytest.mark.parametrize("kind", [SH.PropertyShape, SH.NodeShape])
def test_shapes_are_documented_in_chinese_and_english(shapes, ontology, kind):
    terms = set(ontology.subjects()) | set(ontology.predicates()) | set(ontology.objects())
    for shape in shapes.subjects(RDF.type, kind):
        if not isinstance(shape, rdflib.URIRef):
            continue
        props = [SH.name, SH.description]
        if has_own_constraint(shapes, shape) or kind == SH.PropertyShape:
            props += [SH.message]
            assert shapes.value(shape, SH.severity) in {SH.Violation, SH.Warning, SH.Info}, shape
        for prop in props:
            langs = {o.language for o in shapes.objects(shape, prop)}
            assert {"zh", "en"} <= langs, f"{shape} lacks {prop} in zh and en"
        see_also = set(shapes.objects(shape, RDFS.seeAlso))
        assert see_also, f"{shape} has no rdfs:seeAlso"
        assert see_also <= terms, f"{shape} links terms the ontology does not use: {see_also - terms}"


def known_data_issues() -> set[tuple[str, str]]:
    """(shape or check IRI, focus node IRI) pairs the data team has still to fix; see the file's comments."""
    issues = set()
    for line in KNOWN_ISSUES_FILE.read_text(encoding="utf-8").splitlines():
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            shape, focus = line.split()
            issues.add((shape, focus))
    return issues


def _real_data(ontology: rdflib.Graph) -> rdflib.Graph:
    return parse_files(sorted((ROOT / "data" / "ttl").rglob("*.ttl")), ontology + rdflib.Graph())


def _violations(results) -> set[tuple[str, str]]:
    return {(r.shape, str(r.focus_node)) for r in results if r.severity == "Violation"}


def test_real_data_conforms(shapes, ontology):
    inferred, _store = materialised(_real_data(ontology))
    found = _violations(run_shacl(inferred, shapes, inference="none" if BUILD_INFERENCE_AVAILABLE else "rdfs"))
    known = {i for i in known_data_issues() if i[0].startswith(str(DKSH))}
    assert found - known == set(), "new violations in data/ttl"
    assert known - found == set(), "fixed: remove these lines from tests/shape_cases/_known-data-issues.txt"


def test_real_data_conforms_with_pyshacl_rdfs_inference(shapes, ontology):
    # The raw files (no build) with pySHACL's own RDFS inference give the same verdict.
    data = parse_files(sorted((ROOT / "data" / "ttl").rglob("*.ttl")))
    found = _violations(run_shacl(data, shapes, ontology=ontology, inference="rdfs"))
    known = {i for i in known_data_issues() if i[0].startswith(str(DKSH))}
    assert found - known == set()
