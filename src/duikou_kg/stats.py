"""Coverage statistics per program: what `duikou-kg stats` prints and the README shows."""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

# One row per program that has pairings; pairings with no program form one group (a placeholder IRI inside the
# query, so that the label look-up never joins an unbound variable), shown as "no program". The evidence columns
# count pairings by dko:evidenceStatus; every pairing has a source (the shapes and violation checks require one).
_COVERAGE_QUERY = """
PREFIX dko: <https://w3id.org/duikou/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX status: <https://w3id.org/duikou/id/concept/status/>
SELECT ?program ?label_zh ?label_en ?pairings ?supporters ?recipients ?sourced_count ?disputed_count
       ?low_confidence_count ?first_year ?last_year
WHERE {
  {
    SELECT ?group
           (COUNT(DISTINCT ?p) AS ?pairings)
           (COUNT(DISTINCT ?supporter) AS ?supporters)
           (COUNT(DISTINCT ?recipient) AS ?recipients)
           (COUNT(DISTINCT ?sourced) AS ?sourced_count)
           (COUNT(DISTINCT ?disputed) AS ?disputed_count)
           (COUNT(DISTINCT ?low) AS ?low_confidence_count)
    WHERE {
      ?p a dko:Pairing .
      OPTIONAL { ?p dko:program ?assigned }
      BIND(COALESCE(?assigned, <urn:duikou:no-program>) AS ?group)
      OPTIONAL { ?p dko:supporter ?supporter }
      OPTIONAL { { ?p dko:recipient ?recipient } UNION { ?p dko:partner ?recipient } }
      OPTIONAL { ?p dko:evidenceStatus status:sourced BIND(?p AS ?sourced) }
      OPTIONAL { ?p dko:evidenceStatus status:disputed BIND(?p AS ?disputed) }
      OPTIONAL { ?p dko:evidenceStatus status:low-confidence BIND(?p AS ?low) }
    }
    GROUP BY ?group
  }
  # Years in their own group: an aggregate over a group where some pairings have no year would be unbound.
  OPTIONAL {
    SELECT ?group (MIN(?start) AS ?first_year) (MAX(?last) AS ?last_year) WHERE {
      ?p a dko:Pairing ; dko:startYear ?start .
      OPTIONAL { ?p dko:program ?assigned }
      BIND(COALESCE(?assigned, <urn:duikou:no-program>) AS ?group)
      OPTIONAL { ?p dko:endYear ?end }
      BIND(COALESCE(?end, ?start) AS ?last)
    }
    GROUP BY ?group
  }
  OPTIONAL { ?group rdfs:label ?label_zh FILTER(lang(?label_zh) = "zh") }
  OPTIONAL { ?group rdfs:label ?label_en FILTER(lang(?label_en) = "en") }
  BIND(IF(?group = <urn:duikou:no-program>, ?unbound, ?group) AS ?program)
}
ORDER BY DESC(?pairings) ?group
"""


@dataclass(frozen=True)
class ProgramCoverage:
    program: str | None
    label_zh: str
    label_en: str
    pairings: int
    supporters: int
    recipients: int
    sourced: int
    disputed: int
    low_confidence: int
    first_year: int | None
    last_year: int | None

    @property
    def years(self) -> str:
        if self.first_year is None:
            return "–"
        return f"{self.first_year}–{self.last_year}" if self.last_year != self.first_year else str(self.first_year)


def _value(solution: ox.QuerySolution, name: str) -> str | None:
    term = solution[name]
    return None if term is None else term.value


def program_coverage(store) -> list[ProgramCoverage]:
    """Rows of coverage per program, from any store whose `.query` returns pyoxigraph results."""
    rows = []
    for solution in store.query(_COVERAGE_QUERY):
        first, last = _value(solution, "first_year"), _value(solution, "last_year")
        rows.append(
            ProgramCoverage(
                program=_value(solution, "program"),
                label_zh=_value(solution, "label_zh") or "（无项目）",
                label_en=_value(solution, "label_en") or "(no program)",
                pairings=int(_value(solution, "pairings")),
                supporters=int(_value(solution, "supporters")),
                recipients=int(_value(solution, "recipients")),
                sourced=int(_value(solution, "sourced_count")),
                disputed=int(_value(solution, "disputed_count")),
                low_confidence=int(_value(solution, "low_confidence_count")),
                first_year=int(first) if first is not None else None,
                last_year=int(last) if last is not None else None,
            )
        )
    return rows


def coverage_markdown(rows: list[ProgramCoverage]) -> str:
    """A Markdown table of the coverage rows, with a total line."""
    header = (
        "| program | 项目 | pairings | supporters | recipients | sourced | disputed | low confidence | years |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---|\n"
    )
    body = "".join(
        f"| {r.label_en} | {r.label_zh} | {r.pairings} | {r.supporters} | {r.recipients} | {r.sourced} "
        f"| {r.disputed} | {r.low_confidence} | {r.years} |\n"
        for r in rows
    )
    total = sum(r.pairings for r in rows)
    return header + body + f"| **all programs** | **全部** | **{total}** | | | | | | |\n"
