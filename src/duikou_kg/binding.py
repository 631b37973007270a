"""Binding values into a query as a ``VALUES`` block, the one binding both backends use.

pyoxigraph's ``substitutions`` keep the query plan of the unbound query (measured on the 1 M-triple
benchmark build: the recipient lookup of one county took 619 ms with ``substitutions`` and 2.3 ms with
the same term in a ``VALUES`` block, which the optimiser joins first). A remote store has no
substitutions at all. So both bind the same way: one ``VALUES`` row per term, first in the outermost
group, written from pyoxigraph terms (``str(term)`` is N-Triples syntax), never from a caller's text.
"""

from __future__ import annotations

import functools
from typing import Any

import pyoxigraph as ox

from .canned.examples import values_block, where_body_offset

__all__ = ["bind_values", "body_offset", "can_bind_values"]


_CACHED_TEXT_CHARS = 20_000  # the service's own queries (canned, pages) are far shorter; clients' may be huge


def body_offset(sparql: str) -> int | None:
    """Index just after the ``{`` opening the query's outermost group (None for ``DESCRIBE <x>``)."""
    # The service binds the same few texts on every request: scanning one cost 0.1 ms, a page needs four.
    return _cached_body_offset(sparql) if len(sparql) <= _CACHED_TEXT_CHARS else _body_offset(sparql)


def _body_offset(sparql: str) -> int | None:
    try:
        return where_body_offset(sparql)
    except ValueError:  # ASK { … } / SELECT * { … }: no WHERE keyword, the first group is the body
        try:
            return where_body_offset("WHERE " + sparql) - len("WHERE ")
        except ValueError:
            return None


_cached_body_offset = functools.lru_cache(maxsize=256)(_body_offset)


def can_bind_values(sparql: str, substitutions: dict[ox.Variable, Any]) -> bool:
    """True when ``bind_values`` can take these terms and this query (no blank node, a group to bind in)."""
    return (all(isinstance(term, (ox.NamedNode, ox.Literal)) for term in substitutions.values())
            and body_offset(sparql) is not None)


def bind_values(sparql: str, substitutions: dict[ox.Variable, Any], *, at: int | None = None) -> str:
    """``sparql`` with a ``VALUES`` row of the substituted terms first in its outermost group (or at ``at``,
    just inside another group's ``{``: a canned query whose page is computed in a sub-select).

    The block is written by ``values_block`` from pyoxigraph terms; only checked RDF terms reach it.
    """
    terms = {variable.value: term for variable, term in substitutions.items()}
    for term in terms.values():
        if not isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)):
            raise TypeError(f"can only bind RDF terms, got {type(term).__name__}")
        if isinstance(term, ox.BlankNode):
            raise ValueError("a blank node cannot be bound in a query text")
    at = body_offset(sparql) if at is None else at
    if at is None:
        raise ValueError("a query without a group pattern cannot take bound values")
    # One single-variable VALUES per term: the same join, and Virtuoso mis-evaluates property paths
    # (p*) next to a multi-variable VALUES row.
    blocks = " ".join(values_block({name: term}) for name, term in terms.items())
    return sparql[:at] + " " + blocks + " " + sparql[at:]
