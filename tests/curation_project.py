"""A temporary copy of the project (ontology, shapes, checks, data) for tests that write curation folders.

Tests never write into the checkout: they get a copy under ``tmp_path`` and a data dir beside it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]

#: A part of the real data big enough for every shape and check to have something to look at.
SUBSET = ("actors", "concepts", "sources", "seed", "events")

PREFIXES = """\
@prefix dko: <https://w3id.org/duikou/ontology#> .
@prefix pairing: <https://w3id.org/duikou/id/pairing/> .
@prefix actor: <https://w3id.org/duikou/id/actor/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix status: <https://w3id.org/duikou/id/concept/status/> .
@prefix cite: <https://w3id.org/duikou/id/citation/> .
@prefix program: <https://w3id.org/duikou/id/program/> .
"""

#: A valid new pairing (two real provinces, a real citation).
VALID_PAIRING = PREFIXES + """
pairing:test-1990-beijing-guizhou a dko:CounterpartSupport , dko:InterProvincialPairing ;
    rdfs:label "北京市对口支援贵州省（测试）"@zh , "Beijing supports Guizhou (test)"@en ;
    dko:supporter actor:beijing ;
    dko:recipient actor:guizhou ;
    dko:startYear 1990 ;
    dko:evidenceStatus status:sourced ;
    dko:hasSource cite:nankai2017-ch1-1-1 .
"""


def copy_project(target: Path, *, subset: tuple[str, ...] | None = SUBSET) -> Path:
    """Copy ontology/, shapes/, queries/ and (a subset of) data/ttl/ to ``target``."""
    target.mkdir(parents=True)
    for name in ("ontology", "shapes", "queries"):
        shutil.copytree(REPO_ROOT / name, target / name)
    shutil.copy(REPO_ROOT / "pyproject.toml", target / "pyproject.toml")
    if subset is None:
        shutil.copytree(REPO_ROOT / "data" / "ttl", target / "data" / "ttl")
    else:
        for part in subset:
            shutil.copytree(REPO_ROOT / "data" / "ttl" / part, target / "data" / "ttl" / part)
    return target
