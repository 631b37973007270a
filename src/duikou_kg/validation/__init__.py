"""Validation of candidate RDF against the project's rules, in one entry point.

``validate_graph(candidate, base=..., settings=...)`` and ``validate_files(paths, settings)`` run

1. the SHACL shapes of ``shapes/*.ttl`` (pySHACL) on candidate + base + their inferred triples,
2. HermiT (``duikou_kg.reasoning``) for OWL consistency and coherence, and
3. the SPARQL checks of ``queries/checks/*-violation.rq`` (pyoxigraph),

and return one ``ValidationReport`` whose results carry messages in Chinese and English.
"""

from .checks import Check, CheckError, load_checks, run_checks
from .engine import OWL_COHERENCE, OWL_CONSISTENCY, load_base_graph, validate_files, validate_graph
from .loading import UnsafeInputError, UnsupportedFormatError, parse_bytes, parse_file, parse_files
from .materialise import BUILD_INFERENCE_AVAILABLE, materialised
from .paths import ProjectPaths
from .report import SEVERITIES, ValidationReport, ValidationResult
from .shacl import load_shapes, run_shacl

__all__ = [
    "BUILD_INFERENCE_AVAILABLE",
    "OWL_COHERENCE",
    "OWL_CONSISTENCY",
    "SEVERITIES",
    "Check",
    "CheckError",
    "ProjectPaths",
    "UnsafeInputError",
    "UnsupportedFormatError",
    "ValidationReport",
    "ValidationResult",
    "load_base_graph",
    "load_checks",
    "load_shapes",
    "materialised",
    "parse_bytes",
    "parse_file",
    "parse_files",
    "run_checks",
    "run_shacl",
    "validate_files",
    "validate_graph",
]
