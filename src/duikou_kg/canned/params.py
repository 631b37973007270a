"""Parameter types of canned queries: turn the text a caller sent into one RDF term, or refuse it.

Every value becomes a pyoxigraph term (``NamedNode`` or ``Literal``) and is handed to the store as a
substitution of the query variable of the same name; no caller text ever becomes query text.

Types (the ``type`` key of a parameter in the ``#+`` metadata):

``iri``       an identifier of one of the classes in ``class`` (checked against the store); accepts a
              full ``https://`` IRI, a prefixed name (``actor:beijing``) or, when the parameter names a
              ``namespace``, a bare slug (``beijing``)
``concept``   a SKOS concept of the scheme in ``scheme`` (sector, instrument, program, status, phase,
              mechanism); accepts a slug, a prefixed name or the IRI
``variant``   one of ``all``, ``support``, ``assistance``, ``cooperation``: the pairing class
``language``  ``en`` or ``zh``: the language labels are returned in
``string``    free text, at most ``max_length`` characters (default 200)
``year``      a calendar year, 1900–2100
``integer``   an integer, optionally bounded by ``min`` and ``max``
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Callable, Mapping

import pyoxigraph as ox

from ..namespaces import DKO, ID_PREFIXES, SKOS, all_prefixes

__all__ = [
    "LANGUAGES",
    "PARAMETER_TYPES",
    "VARIANTS",
    "Parameter",
    "ParameterError",
    "expand_curie",
]

#: Values of the ``variant`` type and the ontology class each selects.
VARIANTS: dict[str, str] = {
    "all": DKO + "Pairing",
    "support": DKO + "CounterpartSupport",
    "assistance": DKO + "CounterpartAssistance",
    "cooperation": DKO + "CounterpartCooperation",
}

#: Languages labels are offered in.
LANGUAGES: tuple[str, ...] = ("en", "zh")

YEAR_RANGE = (1900, 2100)
DEFAULT_STRING_LENGTH = 200

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_CURIE = re.compile(r"^([a-z][a-z0-9]*):([A-Za-z0-9][A-Za-z0-9._~-]*)$")
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")
# RFC 3987 leaves these out of IRIs; pyoxigraph would reject most of them too, but say so plainly.
_IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
_INTEGER = re.compile(r"^[+-]?[0-9]{1,12}$")

PARAMETER_TYPES = ("iri", "concept", "variant", "language", "string", "year", "integer")


class ParameterError(ValueError):
    """A parameter value (or a missing one) the query cannot run with; the message names the parameter."""

    def __init__(self, name: str, message: str):
        super().__init__(f"parameter '{name}': {message}")
        self.parameter = name


def expand_curie(text: str, prefixes: Mapping[str, str] | None = None) -> str | None:
    """``actor:beijing`` → the full IRI, or None when ``text`` is not a prefixed name we know."""
    match = _CURIE.match(text)
    if not match:
        return None
    base = (prefixes or all_prefixes()).get(match.group(1))
    return None if base is None else base + match.group(2)


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


@dataclasses.dataclass(frozen=True)
class Parameter:
    """One declared parameter of a canned query (see the module docstring for the types)."""

    name: str
    type: str
    description: Mapping[str, str] = dataclasses.field(default_factory=dict)
    required: bool = False
    default: str | None = None
    example: str | None = None
    classes: tuple[str, ...] = ()  # iri: full IRIs of the accepted classes
    namespace: str | None = None  # iri: prefix whose IRIs may be given as bare slugs
    scheme: str | None = None  # concept: scheme name (sector, program, …)
    minimum: int | None = None
    maximum: int | None = None
    max_length: int = DEFAULT_STRING_LENGTH

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_metadata(cls, name: str, spec: Mapping[str, Any]) -> "Parameter":
        """Build from the YAML mapping of one parameter; raises ``ValueError`` on a bad declaration."""
        if not _NAME.match(name):
            raise ValueError(f"parameter name {name!r} must be lowercase letters, digits and '_'")
        allowed = {"type", "description", "required", "default", "example", "class", "namespace", "scheme",
                   "min", "max", "max_length"}
        unknown = set(spec) - allowed
        if unknown:
            raise ValueError(f"parameter {name!r}: unknown keys {sorted(unknown)}")
        kind = spec.get("type")
        if kind not in PARAMETER_TYPES:
            raise ValueError(f"parameter {name!r}: type must be one of {', '.join(PARAMETER_TYPES)}, got {kind!r}")
        prefixes = all_prefixes()
        classes = []
        for curie in _as_list(spec.get("class")):
            iri = expand_curie(curie, prefixes)
            if iri is None:
                raise ValueError(f"parameter {name!r}: class {curie!r} is not a known prefixed name")
            classes.append(iri)
        if kind == "iri" and not classes:
            raise ValueError(f"parameter {name!r}: an iri parameter needs a class")
        scheme = spec.get("scheme")
        if kind == "concept" and scheme not in ID_PREFIXES:
            raise ValueError(f"parameter {name!r}: a concept parameter needs a known scheme, got {scheme!r}")
        namespace = spec.get("namespace")
        if namespace is not None and namespace not in prefixes:
            raise ValueError(f"parameter {name!r}: unknown namespace {namespace!r}")
        description = spec.get("description") or {}
        if isinstance(description, str):
            description = {"en": description}
        param = cls(
            name=name,
            type=kind,
            description=dict(description),
            required=bool(spec.get("required", False)),
            default=None if spec.get("default") is None else str(spec["default"]),
            example=None if spec.get("example") is None else str(spec["example"]),
            classes=tuple(classes),
            namespace=namespace,
            scheme=scheme,
            minimum=spec.get("min"),
            maximum=spec.get("max"),
            max_length=int(spec.get("max_length", DEFAULT_STRING_LENGTH)),
        )
        if param.required == (param.default is not None):
            # Every parameter is bound on every run: substitution semantics then match a plain VALUES
            # block, and no query has to test BOUND() on a parameter.
            raise ValueError(f"parameter {name!r}: give either 'required: true' or a default, not both or neither")
        for value in (param.default, param.example):
            if value is not None and param.type not in ("iri", "concept"):
                param.parse(value)  # a default that does not parse is a bug of the .rq file
        return param

    # ------------------------------------------------------------------ parsing

    def parse(self, text: str, store: Any = None) -> ox.NamedNode | ox.Literal:
        """The RDF term for ``text``; iri and concept values are checked against ``store`` when given."""
        if not isinstance(text, str):
            raise ParameterError(self.name, "expected text")
        text = text.strip()
        if text == "":
            raise ParameterError(self.name, "must not be empty")
        return _PARSERS[self.type](self, text, store)

    def choices(self) -> list[str] | None:
        """The closed list of values, for types that have one (concepts are read from the store instead)."""
        if self.type == "variant":
            return list(VARIANTS)
        if self.type == "language":
            return list(LANGUAGES)
        return None

    def bounds(self) -> tuple[int | None, int | None]:
        if self.type == "year":
            return YEAR_RANGE
        return self.minimum, self.maximum


# ---------------------------------------------------------------------- one parser per type


def _parse_int(param: Parameter, text: str, _store: Any) -> ox.Literal:
    if not _INTEGER.match(text):
        raise ParameterError(param.name, f"expected an integer, got {text[:40]!r}")
    value = int(text)
    low, high = param.bounds()
    if low is not None and value < low:
        raise ParameterError(param.name, f"must be at least {low}, got {value}")
    if high is not None and value > high:
        raise ParameterError(param.name, f"must be at most {high}, got {value}")
    return ox.Literal(value)  # xsd:integer


def _parse_string(param: Parameter, text: str, _store: Any) -> ox.Literal:
    if len(text) > param.max_length:
        raise ParameterError(param.name, f"at most {param.max_length} characters")
    if any(ord(ch) < 32 for ch in text):
        raise ParameterError(param.name, "must not contain control characters")
    return ox.Literal(text)


def _parse_enum(table: Mapping[str, Callable[[], ox.NamedNode | ox.Literal]]):
    def parse(param: Parameter, text: str, _store: Any):
        key = text.lower()
        if key not in table:
            raise ParameterError(param.name, f"must be one of {', '.join(table)}, got {text[:40]!r}")
        return table[key]()

    return parse


def _to_iri(param: Parameter, text: str, namespace: str | None) -> ox.NamedNode:
    prefixes = all_prefixes()
    if text.startswith(("http://", "https://")):
        if not _IRI.match(text):
            raise ParameterError(param.name, "is not a valid IRI")
        iri = text
    elif (expanded := expand_curie(text, prefixes)) is not None:
        iri = expanded
    elif namespace is not None and _SLUG.match(text):
        iri = prefixes[namespace] + text
    else:
        hint = f", a prefixed name or a {namespace}: slug" if namespace else " or a prefixed name"
        raise ParameterError(param.name, f"expected a full IRI{hint}, got {text[:60]!r}")
    try:
        return ox.NamedNode(iri)
    except ValueError:
        raise ParameterError(param.name, "is not a valid IRI") from None


# Types are materialised by the build; the second branch covers stores without inference. (Virtuoso
# matches nothing for ``a/rdfs:subClassOf*`` when both ends are bound.)
_ASK_TYPED = ("ASK { { ?value a ?class } UNION { ?value a/<http://www.w3.org/2000/01/rdf-schema#subClassOf>+ ?class } }")
_ASK_IN_SCHEME = f"ASK {{ ?value <{SKOS}inScheme> ?scheme }}"


def _ask(store: Any, text: str, substitutions: dict) -> bool:
    return bool(store.query(text, substitutions=substitutions))


def _parse_iri(param: Parameter, text: str, store: Any) -> ox.NamedNode:
    node = _to_iri(param, text, param.namespace)
    if store is not None:
        value = ox.Variable("value")
        if not any(_ask(store, _ASK_TYPED, {value: node, ox.Variable("class"): ox.NamedNode(c)})
                   for c in param.classes):
            wanted = " or ".join(_short(c) for c in param.classes)
            raise ParameterError(param.name, f"<{node.value}> is not a known {wanted}")
    return node


def _parse_concept(param: Parameter, text: str, store: Any) -> ox.NamedNode:
    node = _to_iri(param, text, param.scheme)
    if store is not None:
        scheme = ox.NamedNode(ID_PREFIXES["scheme"] + param.scheme)
        if not _ask(store, _ASK_IN_SCHEME, {ox.Variable("value"): node, ox.Variable("scheme"): scheme}):
            raise ParameterError(param.name, f"<{node.value}> is not a concept of the {param.scheme} scheme")
    return node


def _short(iri: str) -> str:
    for prefix, base in all_prefixes().items():
        if iri.startswith(base) and len(iri) > len(base):
            return f"{prefix}:{iri[len(base):]}"
    return f"<{iri}>"


_PARSERS: dict[str, Callable[[Parameter, str, Any], ox.NamedNode | ox.Literal]] = {
    "iri": _parse_iri,
    "concept": _parse_concept,
    "variant": _parse_enum({key: (lambda iri=iri: ox.NamedNode(iri)) for key, iri in VARIANTS.items()}),
    "language": _parse_enum({key: (lambda key=key: ox.Literal(key)) for key in LANGUAGES}),
    "string": _parse_string,
    "year": _parse_int,
    "integer": _parse_int,
}
