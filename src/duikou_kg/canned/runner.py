"""Run a canned query: check the caller's arguments, bind them as RDF terms, read one page of results.

The store is anything with ``query(sparql, *, substitutions=None)`` returning pyoxigraph results
(``duikou_kg.store.KnowledgeStore``, or an adapter around a pyoxigraph ``Store`` in tests).
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from typing import Any, Mapping

import pyoxigraph as ox

from .metadata import MAX_LIMIT, RESERVED_ARGUMENTS, CannedQuery
from .params import ParameterError

__all__ = ["Page", "bind_arguments", "bound_text", "page_bounds", "run_query"]

_COUNT = re.compile(r"^[0-9]{1,9}$")
Term = ox.NamedNode | ox.Literal | ox.BlankNode


@dataclasses.dataclass(frozen=True)
class Page:
    """One page of a canned query's answer."""

    query: CannedQuery
    arguments: Mapping[str, str]  # the parameter values used (defaults filled in), as text
    bindings: Mapping[str, Term]  # the same as RDF terms
    variables: tuple[str, ...]  # every projected variable (SELECT) or subject/predicate/object
    rows: tuple[tuple[Term | None, ...], ...]  # in the order of ``variables``
    limit: int
    offset: int
    has_next: bool

    @property
    def columns(self) -> tuple[str, ...]:
        """Variables shown in tables: the parameters (the same in every row) are left out."""
        if self.query.is_graph:
            return self.variables
        return tuple(v for v in self.variables if v not in self.bindings)

    def records(self) -> list[dict[str, Term | None]]:
        """Rows as ``{column: term}`` over ``columns``."""
        index = [self.variables.index(c) for c in self.columns]
        return [{c: row[i] for c, i in zip(self.columns, index)} for row in self.rows]

    @property
    def triples(self) -> list[ox.Triple]:
        if not self.query.is_graph:
            raise TypeError("only CONSTRUCT queries give triples")
        return [ox.Triple(*row) for row in self.rows]


def _count(name: str, text: str | None, default: int, maximum: int | None) -> int:
    if text is None:
        return default
    text = text.strip()
    if not _COUNT.match(text):
        raise ParameterError(name, f"expected a non-negative integer, got {text[:40]!r}")
    value = int(text)
    if maximum is not None and value > maximum:
        raise ParameterError(name, f"must be at most {maximum}, got {value}")
    return value


def page_bounds(query: CannedQuery, arguments: Mapping[str, str]) -> tuple[int, int]:
    """``(limit, offset)`` from the arguments: limit 1…the query's maximum (≤ 1000), offset ≥ 0."""
    limit = _count("limit", arguments.get("limit"), query.default_limit, min(query.max_limit, MAX_LIMIT))
    if limit == 0:
        raise ParameterError("limit", "must be at least 1")
    offset = _count("offset", arguments.get("offset"), 0, None)
    return limit, offset


def bind_arguments(query: CannedQuery, arguments: Mapping[str, str], store: Any = None
                   ) -> tuple[dict[str, str], dict[str, Term]]:
    """Check ``arguments`` against the declared parameters and turn each into an RDF term.

    Unknown arguments and missing required ones are errors; absent optional ones take their default.
    Returns the values as text (defaults filled in) and as terms, both keyed by parameter name.
    """
    unknown = sorted(set(arguments) - set(query.parameter_names) - RESERVED_ARGUMENTS)
    if unknown:
        known = ", ".join(query.parameter_names) or "none"
        raise ParameterError(unknown[0], f"unknown parameter of query '{query.name}' (it takes: {known})")
    texts: dict[str, str] = {}
    terms: dict[str, Term] = {}
    for param in query.parameters:
        text = arguments.get(param.name)
        if text is None or text.strip() == "":
            if param.required:
                raise ParameterError(param.name, "is required")
            text = param.default
        terms[param.name] = param.parse(text, store)
        texts[param.name] = text.strip()
    return texts, terms


def bound_text(query: CannedQuery, terms: Mapping[str, Term], rows: int) -> str:
    """``query``'s text reading ``rows`` solutions with ``terms`` bound where it binds them (one ``VALUES`` per
    term, written from the terms: see ``duikou_kg.binding``)."""
    from ..binding import bind_values
    from .examples import binding_offset

    text = query.text_for_rows(rows)
    if not terms:
        return text
    # Outermost group: bind_values finds it (its offset cached per text); a sub-select's is found here.
    at = binding_offset(query, text) if query.inner_limit else None
    return bind_values(text, {ox.Variable(k): v for k, v in terms.items()}, at=at)


def run_query(query: CannedQuery, store: Any, arguments: Mapping[str, str] | None = None) -> Page:
    """Validate, bind and run ``query``; read only the rows of the requested page (plus one, for ``next``)."""
    arguments = dict(arguments or {})
    limit, offset = page_bounds(query, arguments)
    # Parameters are checked on the store itself (fixed look-ups of one IRI), the query under the limits.
    texts, terms = bind_arguments(query, arguments, getattr(store, "unlimited", store))
    # Bound here for every store, where the query wants them (a page computed in a sub-select: in there).
    results = store.query(bound_text(query, terms, offset + limit + 1))
    if query.is_graph:
        variables: tuple[str, ...] = ("subject", "predicate", "object")
        # A graph has no order of its own: sort, so that pages do not overlap.
        ordered = sorted(results, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        window = [(t.subject, t.predicate, t.object) for t in ordered[offset:offset + limit + 1]]
    else:
        variables = tuple(v.value for v in results.variables)
        window = [tuple(solution[v] for v in variables)
                  for solution in itertools.islice(results, offset, offset + limit + 1)]
    return Page(
        query=query,
        arguments=texts,
        bindings=terms,
        variables=variables,
        rows=tuple(window[:limit]),
        limit=limit,
        offset=offset,
        has_next=len(window) > limit,
    )
