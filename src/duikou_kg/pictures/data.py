"""The data behind the pictures: canned-query rows, grouped and counted.

Every picture draws from canned queries (``queries/*.rq``) run through ``duikou_kg.canned.run_query``, the
runner behind ``/api/queries/<name>.json``; the browser pages fetch the same queries from the API and group
and count them the same way (``static/pictures/pictures.js``):

- a pairing is one IRI of ``pairing-overview`` (its rows differ only in the sector);
- "in force in year Y": started in Y or before and not ended before Y (pairings without a start year are
  left out once a year is chosen, as in ``pairings-in-year``);
- decades count start years (``counts-by-decade``); sectors count the recorded sectors of a pairing;
  a pairing without program, sector or start year is counted under "none".
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Mapping

from ..canned import Catalog, load_catalog, run_query, term_to_json
from ..namespaces import DKO

__all__ = [
    "COUNT_KINDS",
    "KINDS",
    "NONE_KEY",
    "OVERVIEW_QUERY",
    "VARIANTS",
    "Event",
    "Pairing",
    "PictureData",
    "count_by",
    "fetch_all",
    "filter_pairings",
    "load_picture_data",
    "network",
]

OVERVIEW_QUERY = "pairing-overview"
EVENTS_QUERY = "events-timeline"

#: The three variants in drawing order: key, class IRI, colour (pages and plots use the same).
VARIANTS: dict[str, dict[str, str]] = {
    "support": {"iri": DKO + "CounterpartSupport", "color": "#c0392b"},
    "assistance": {"iri": DKO + "CounterpartAssistance", "color": "#2471a3"},
    "cooperation": {"iri": DKO + "CounterpartCooperation", "color": "#229954"},
}
_VARIANT_BY_IRI = {v["iri"]: k for k, v in VARIANTS.items()}

#: What ``duikou-kg plot`` draws; the last four are the bar charts of the charts page.
COUNT_KINDS = ("program", "variant", "sector", "decade")
KINDS = ("map", "network", "timeline", *COUNT_KINDS)

#: Key of "no program / no sector / no start year" in counts.
NONE_KEY = ""


@dataclasses.dataclass(frozen=True)
class Pairing:
    iri: str
    label: str
    variant: str  # a key of VARIANTS
    variant_label: str
    supporter: str | None
    supporter_label: str
    supporter_point: tuple[float, float] | None  # (long, lat) of the unit it is drawn at
    recipient: str | None
    recipient_label: str
    recipient_point: tuple[float, float] | None
    program: str | None
    program_label: str
    start_year: int | None
    end_year: int | None
    sectors: tuple[tuple[str, str], ...]  # (IRI, label)

    def in_force(self, year: int) -> bool:
        return self.start_year is not None and self.start_year <= year and (
            self.end_year is None or self.end_year >= year)


@dataclasses.dataclass(frozen=True)
class Event:
    iri: str
    label: str
    year: int
    kind_label: str
    program: str | None
    pairings: int


@dataclasses.dataclass(frozen=True)
class PictureData:
    lang: str
    pairings: tuple[Pairing, ...]
    events: tuple[Event, ...]

    def label_of(self, kind: str, key: str) -> str:
        """A readable label for a count key of ``kind`` (program, variant, sector, decade)."""
        if key == NONE_KEY:
            return {"zh": "未注明", "en": "not stated"}[self.lang]
        if kind == "decade":
            return f"{key}年代" if self.lang == "zh" else f"{key}s"
        for p in self.pairings:
            if kind == "program" and p.program == key:
                return p.program_label or _slug(key)
            if kind == "variant" and p.variant == key:
                return p.variant_label or key
            if kind == "sector":
                for iri, label in p.sectors:
                    if iri == key:
                        return label or _slug(key)
        return _slug(key)


def _slug(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1]


def fetch_all(catalog: Catalog, store: Any, name: str, arguments: Mapping[str, str] | None = None
              ) -> list[dict[str, Any]]:
    """Every row of the canned query ``name`` as JSON values, page after page (as a client of the API would)."""
    query = catalog.get(name)
    if query is None:
        raise LookupError(f"no canned query named {name!r}")
    rows: list[dict[str, Any]] = []
    offset = 0
    while True:
        page = run_query(query, store, {**(arguments or {}), "limit": str(query.max_limit), "offset": str(offset)})
        rows.extend({k: term_to_json(v) for k, v in record.items()} for record in page.records())
        if not page.has_next:
            return rows
        offset += page.limit


def _point(row: Mapping[str, Any], side: str) -> tuple[float, float] | None:
    lat, long = row.get(side + "Lat"), row.get(side + "Long")
    if isinstance(lat, (int, float)) and isinstance(long, (int, float)):
        return float(long), float(lat)
    return None


def pairings_from_rows(rows: Iterable[Mapping[str, Any]]) -> list[Pairing]:
    """Group ``pairing-overview`` rows (one per pairing and sector) into pairings, in row order."""
    grouped: dict[str, tuple[Mapping[str, Any], list[tuple[str, str]]]] = {}
    for row in rows:
        entry = grouped.setdefault(row["pairing"], (row, []))
        sector = row.get("sector")
        if sector and all(sector != s for s, _ in entry[1]):
            entry[1].append((sector, row.get("sectorLabel") or _slug(sector)))
    out = []
    for iri, (row, sectors) in grouped.items():
        out.append(Pairing(
            iri=iri,
            label=row.get("pairingLabel") or _slug(iri),
            variant=_VARIANT_BY_IRI.get(row.get("variant") or "", "support"),
            variant_label=row.get("variantLabel") or "",
            supporter=row.get("supporter"),
            supporter_label=row.get("supporterLabel") or _slug(row.get("supporter") or ""),
            supporter_point=_point(row, "supporter"),
            recipient=row.get("recipient"),
            recipient_label=row.get("recipientLabel") or _slug(row.get("recipient") or ""),
            recipient_point=_point(row, "recipient"),
            program=row.get("program"),
            program_label=row.get("programLabel") or _slug(row.get("program") or ""),
            start_year=row.get("startYear") if isinstance(row.get("startYear"), int) else None,
            end_year=row.get("endYear") if isinstance(row.get("endYear"), int) else None,
            sectors=tuple(sectors),
        ))
    return out


def load_picture_data(store: Any, queries_dir: Path | None = None, *, lang: str = "en",
                      catalog: Catalog | None = None) -> PictureData:
    """Run the pictures' canned queries against ``store`` in ``lang``."""
    if catalog is None:
        if queries_dir is None:
            raise TypeError("give queries_dir or catalog")
        catalog = load_catalog(queries_dir)
    args = {"lang": lang}
    pairings = pairings_from_rows(fetch_all(catalog, store, OVERVIEW_QUERY, args))
    events = tuple(
        Event(iri=r["item"], label=r.get("itemLabel") or _slug(r["item"]), year=r["year"],
              kind_label=r.get("kindLabel") or "", program=r.get("program"),
              pairings=r.get("pairingsEstablished") or 0)
        for r in fetch_all(catalog, store, EVENTS_QUERY, args) if isinstance(r.get("year"), int))
    return PictureData(lang=lang, pairings=tuple(pairings), events=events)


def filter_pairings(pairings: Iterable[Pairing], *, variant: str | None = None, program: str | None = None,
                    sector: str | None = None, year: int | None = None) -> list[Pairing]:
    """The pairings that pass every filter given (``None`` lets everything through)."""
    out = []
    for p in pairings:
        if variant and p.variant != variant:
            continue
        if program and p.program != program and _slug(p.program or "") != program:
            continue
        if sector and not any(s == sector or _slug(s) == sector for s, _ in p.sectors):
            continue
        if year is not None and not p.in_force(year):
            continue
        out.append(p)
    return out


def count_by(pairings: Iterable[Pairing], kind: str) -> list[tuple[str, int]]:
    """``[(key, number of pairings)]`` per program, variant, sector or decade.

    Variants keep their fixed order and decades their time order; programs and sectors go from most to fewest.
    """
    counter: Counter[str] = Counter()
    for p in pairings:
        if kind == "program":
            counter[p.program or NONE_KEY] += 1
        elif kind == "variant":
            counter[p.variant] += 1
        elif kind == "sector":
            for key in ([s for s, _ in p.sectors] or [NONE_KEY]):
                counter[key] += 1
        elif kind == "decade":
            counter[str(p.start_year // 10 * 10) if p.start_year is not None else NONE_KEY] += 1
        else:
            raise ValueError(f"cannot count by {kind!r}; use one of {', '.join(COUNT_KINDS)}")
    if kind == "variant":
        return [(k, counter[k]) for k in VARIANTS if counter[k]]
    if kind == "decade":
        return sorted(counter.items(), key=lambda kv: (kv[0] == NONE_KEY, kv[0]))
    return sorted(counter.items(), key=lambda kv: (-kv[1], kv[0] == NONE_KEY, kv[0]))


def network(pairings: Iterable[Pairing]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Nodes (actors: IRI, label, number of pairings, the program most of them belong to) and edges (pairings)."""
    nodes: dict[str, dict[str, Any]] = {}
    programs: dict[str, Counter[str]] = {}
    edges = []
    for p in pairings:
        if not p.supporter or not p.recipient:
            continue
        for iri, label in ((p.supporter, p.supporter_label), (p.recipient, p.recipient_label)):
            node = nodes.setdefault(iri, {"id": iri, "label": label, "pairings": 0})
            node["pairings"] += 1
            programs.setdefault(iri, Counter())[p.program or NONE_KEY] += 1
        edges.append({"source": p.supporter, "target": p.recipient, "pairing": p.iri, "variant": p.variant,
                      "program": p.program or NONE_KEY})
    for iri, node in nodes.items():
        node["program"] = sorted(programs[iri].items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    return list(nodes.values()), edges
