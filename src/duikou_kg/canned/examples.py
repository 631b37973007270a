"""Plain-SPARQL versions of canned queries, for the query editor.

The editor sends query text to ``/sparql``, which knows nothing of parameters. ``example_text`` gives the
canned query with its parameters bound by a ``VALUES`` block placed first in the outermost ``WHERE``
group (or in the sub-select that computes the page, see ``binding_offset``). The block is built from RDF
terms serialised by pyoxigraph (N-Triples syntax), from the default or example values of the ``.rq``
metadata, never from a caller's text; a test checks that every example returns the same rows as the canned
query run by the API.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from .metadata import CannedQuery
from .runner import bind_arguments

__all__ = ["binding_offset", "example_arguments", "example_text", "subselect_body_offset", "values_block",
           "where_body_offset"]


def example_arguments(query: CannedQuery) -> dict[str, str]:
    """The example value of each required parameter (defaults fill in the rest)."""
    return {p.name: p.example for p in query.parameters if p.required and p.example is not None}


def values_block(terms: Mapping[str, Any]) -> str:
    """``VALUES (?a ?b) { (<…> "…") }`` from pyoxigraph terms (``str(term)`` is N-Triples syntax)."""
    names = " ".join("?" + name for name in terms)
    row = " ".join(str(term) for term in terms.values())
    return f"VALUES ({names}) {{ ({row}) }}"


def where_body_offset(text: str) -> int:
    """Index just after the ``{`` that opens the outermost WHERE group.

    Skips comments, strings and IRIs, and the template of a CONSTRUCT (``WHERE`` at brace depth 0 is the
    one of the query itself). Raises ``ValueError`` when there is none.
    """
    i, n, depth = 0, len(text), 0
    upper = text.upper()
    seen_where = False
    while i < n:
        ch = text[i]
        if ch == "#":
            newline = text.find("\n", i)
            i = n if newline == -1 else newline + 1
            continue
        if ch in "\"'":
            long_quote = text.startswith(ch * 3, i)
            quote = ch * 3 if long_quote else ch
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            i = j + len(quote)
            continue
        if ch == "<":
            close = text.find(">", i)
            if close != -1 and not any(c in text[i + 1:close] for c in " \t\n{}"):
                i = close + 1
                continue
        if ch == "{":
            if seen_where and depth == 0:
                return i + 1
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and upper.startswith("WHERE", i) and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_?$:")):
            end = i + 5
            if end >= n or not (text[end].isalnum() or text[end] == "_"):
                seen_where = True
        i += 1
    raise ValueError("no WHERE group found")


def subselect_body_offset(text: str) -> int:
    """Index just after the ``{`` opening the WHERE group of the sub-select that opens the outermost group
    (``WHERE { { SELECT … WHERE { ↑ …``). Raises ``ValueError`` when the outermost group does not open with one.
    """
    at = where_body_offset(text)
    opening = re.compile(r"(?:\s|#[^\n]*\n)*\{(?:\s|#[^\n]*\n)*SELECT\b", re.IGNORECASE).match(text, at)
    if opening is None:
        raise ValueError("the outermost group does not open with a sub-select")
    start = opening.end() - len("SELECT")
    return start + where_body_offset(text[start:])


def binding_offset(query: CannedQuery, text: str) -> int:
    """Where ``query``'s parameters are bound in ``text``: first in the outermost group, or, for a query that
    computes its page in a sub-select (``limit.inner``), first in that sub-select, which is evaluated on its
    own (SPARQL's bottom-up scope) and hands the parameters on through its projection."""
    return subselect_body_offset(text) if query.inner_limit else where_body_offset(text)


def example_text(query: CannedQuery, arguments: Mapping[str, str] | None = None, store: Any = None) -> str:
    """The query with ``arguments`` (default: the examples) bound by a leading VALUES block.

    The arguments go through the same validation as the API's, so the block holds checked terms only.
    The ``#+`` metadata lines give way to a short comment naming the query and its API address.
    """
    texts, terms = bind_arguments(query, example_arguments(query) if arguments is None else arguments, store)
    body = "\n".join(line for line in query.text.splitlines() if not line.startswith("#+")) + "\n"
    header = [f"# {query.summary['en']} / {query.summary['zh']}",
              f"# Canned query '{query.name}': /api/queries/{query.name}"]
    if terms:
        header.append("# Parameters are bound in the VALUES line: " +
                      ", ".join(f"{name}={value}" for name, value in texts.items()))
        at = binding_offset(query, body)
        body = body[:at] + "\n  " + values_block(terms) + body[at:]
    return "\n".join(header) + "\n" + body
